import { createServer, type IncomingMessage } from 'node:http';

/** One scripted answer; `hang` never answers (for timeouts). */
export interface Reply {
  status?: number;
  type?: string;
  headers?: Record<string, string>;
  body?: string;
  hang?: boolean;
}

export interface QueueServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Answers, in order, one per request (500 "queue empty" when none is left). */
  queue: Reply[];
  /** What each request sent. */
  seen: { method: string; path: string; headers: IncomingMessage['headers']; body: URLSearchParams }[];
  close(): Promise<void>;
}

/** A tiny OAuth endpoint on 127.0.0.1 that answers whatever the test queues, and records what it was sent. */
export async function startQueueServer(): Promise<QueueServer> {
  const s: QueueServer = { origin: '', queue: [], seen: [], close: async () => {} };
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      s.seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: new URLSearchParams(data) });
      const r = s.queue.shift() ?? { status: 500, body: 'queue empty' };
      if (r.hang) return;
      res.writeHead(r.status ?? 200, { ...(r.type ? { 'content-type': r.type } : {}), ...r.headers });
      res.end(r.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  s.origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  s.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return s;
}
