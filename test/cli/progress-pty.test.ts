import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, builtCliExists, minimalEnv, runBuilt } from '../proxy/child.js';
import { render } from '../helpers/terminal.js';
import { CLIENTS, startProvider, type TestProvider } from '../oauth/helpers/provider.js';
import { writeConnector } from '../oauth-cli/helpers.js';

// The built CLI in a real pseudo-terminal (util-linux `script`), against a loopback server that
// answers only when the test says: the spinner shows while `run` waits, and is gone from the
// screen afterwards — after the answer and after Ctrl-C (exit 3). Piped, not one byte of it.

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('[pty] util-linux `script` is not installed: skipping the pseudo-terminal progress tests');
if (!builtCliExists()) throw new Error('dist/cli is missing: run `npm run build` before these tests');

let server: Server;
let op: TestProvider;
let home: string;
/** Requests that arrived and wait for the test to answer them. */
const waiting: ServerResponse[] = [];
const arrivals: ((res: ServerResponse) => void)[] = [];
const children = new Set<ChildProcess>();

beforeAll(async () => {
  if (!hasScript) return;
  server = createServer((_req: IncomingMessage, res) => {
    waiting.push(res);
    arrivals.shift()?.(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  home = mkdtempSync(join(tmpdir(), 'connector-pty-'));
  const spec = join(home, 'slow.swagger.json');
  writeFileSync(
    spec,
    JSON.stringify({
      swagger: '2.0',
      info: { title: 'Slow', version: '1' },
      host: `127.0.0.1:${port}`,
      schemes: ['http'],
      paths: { '/items': { get: { operationId: 'listItems', responses: { 200: { description: 'ok' } } } } },
    }),
  );
  op = await startProvider();
  writeConnector(join(home, 'src', 'oauthtest'), op.issuer, '127.0.0.1:9');
  for (const args of [
    ['import', spec, '--name', 'slow'],
    ['import', join(home, 'src', 'oauthtest'), '--name', 'oauthtest'],
  ]) {
    const r = await runBuilt(args, { home });
    expect(r.code, r.stderr).toBe(0);
  }
}, 20_000);

afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const res of waiting.splice(0)) res.destroy();
});
afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await op?.close();
});

const answer = (res: ServerResponse) => {
  waiting.splice(waiting.indexOf(res), 1);
  res.setHeader('content-type', 'application/json');
  res.end('{"items":[1,2]}');
};

/** `shell` run by sh in a 100x30 pseudo-terminal; everything the terminal received, and the exit code. */
function inPty(shell: string) {
  const env = { ...minimalEnv(home), TERM: 'xterm-256color' }; // no CI: minimalEnv inherits nothing else
  const log = join(home, `typescript-${children.size}-${Date.now()}`);
  const proc = spawn('script', ['-qfec', `stty cols 100 rows 30; ${shell}`, log], { cwd: home, env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(proc);
  let raw = '';
  const watchers = new Set<() => void>();
  proc.stdout!.on('data', (d) => {
    raw += d;
    for (const w of watchers) w();
  });
  const done = new Promise<number | null>((resolve) => proc.on('close', (code) => (children.delete(proc), resolve(code))));
  return {
    proc,
    get raw() {
      return raw;
    },
    done,
    /** Resolves once the terminal has received `text`. */
    saw(text: string, ms = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no '${text}' on the terminal within ${ms} ms:\n${JSON.stringify(raw)}`)), ms);
        const check = () => {
          if (!raw.includes(text)) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
        check();
      });
    },
  };
}

const run = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run slow listItems --retries 0`;
const LABEL = 'Waiting for listItems (GET /items)';

describe.skipIf(!hasScript)('progress in a real terminal', () => {
  it('a slow `run` shows a spinner on the terminal, and the screen keeps only the answer', async () => {
    const arrived = new Promise<ServerResponse>((r) => arrivals.push(r));
    const t = inPty(run);
    const res = await arrived;
    await t.saw(LABEL); // drawn once the wait passed 300 ms, while the server still holds the answer
    expect(t.raw).toContain('\x1b[?25l');
    answer(res);
    expect(await t.done).toBe(0);
    const screen = render(t.raw.replaceAll('\r\n', '\n'));
    expect(screen.rows.some((r) => r.includes(LABEL))).toBe(false);
    expect(screen.rows[0]).toMatch(/^HTTP 200 OK \(\d+ ms\)$/);
    expect(screen.rows.slice(1).join('\n')).toMatch(/"items"/);
    expect(screen.cursor).toBe(true);
  }, 20_000);

  it('piped, the same command shows nothing but the body: no spinner byte, no cursor change', async () => {
    const arrived = new Promise<ServerResponse>((r) => arrivals.push(r));
    const t = inPty(`${run} | cat`);
    const res = await arrived;
    await new Promise((r) => setTimeout(r, 1000)); // well past the 300 ms a spinner waits for: absence takes time to show
    expect(t.raw).toBe('');
    answer(res);
    expect(await t.done).toBe(0);
    expect(t.raw).toBe('{"items":[1,2]}');
  }, 20_000);

  it('Ctrl-C during the spinner: the line is erased, one cancel line, exit 3', async () => {
    const arrived = new Promise<ServerResponse>((r) => arrivals.push(r));
    const t = inPty(`exec ${run}`); // no shell between the terminal and connector to take the signal's exit status
    await arrived;
    await t.saw(LABEL);
    t.proc.stdin!.write('\x03'); // the terminal's interrupt character: SIGINT to the foreground process
    expect(await t.done).toBe(3);
    const screen = render(t.raw.replaceAll('\r\n', '\n'));
    expect(screen.rows.some((r) => r.includes(LABEL))).toBe(false);
    expect(screen.rows.map((r) => r.replace(/^\^C/, ''))).toEqual(['connector: cancelled']);
    expect(screen.cursor).toBe(true);
  }, 20_000);

  it('the device-code wait keeps the code in sight with the time left; Ctrl-C erases it (exit 3, nothing saved)', async () => {
    const create = ['--secret-store', 'vault', 'connection', 'create', 'oauthtest', '--provider', op.issuer, '--flow', 'device', '--client-id', CLIENTS.native];
    const t = inPty(
      `CONNECTOR_VAULT_PASSPHRASE=pty-test-passphrase exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${create.join(' ')} --no-input`,
    );
    await t.saw('enter the code: ');
    const code = /enter the code: (\S+)/.exec(t.raw)![1];
    await t.saw(`Waiting for the sign-in with the code ${code} (`);
    expect(t.raw).toMatch(new RegExp(`Waiting for the sign-in with the code ${code} \\((\\d+):\\d\\d left\\)`));
    t.proc.stdin!.write('\x03');
    expect(await t.done).toBe(3);
    const rows = render(t.raw.replaceAll('\r\n', '\n')).rows;
    expect(rows.some((r) => r.includes('Waiting for the sign-in with the code'))).toBe(false);
    expect(rows[0]).toMatch(/^To sign in, open http:\/\/127\.0\.0\.1:\d+\/\S+ and enter the code: \S+$/);
    expect(rows.at(-1)).toMatch(/^(\^C)?connector: (sign-in )?cancelled/);
    const list = await runBuilt(['connection', 'list', '--json'], { home });
    expect(JSON.parse(list.stdout)).toEqual([]);
  }, 20_000);
});
