import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

// The built CLI on a real pseudo-terminal (util-linux `script`), with real pager programs:
// what reaches the pager, a pager quitting early, and Ctrl-C while it pages.
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'connector.js');
const SCRIPT = ['/usr/bin/script', '/bin/script'].find(existsSync);
const work = mkdtempSync(join(tmpdir(), 'connector-pager-tty-'));
let home: string;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

beforeAll(async () => {
  home = tempHome();
  // 2,000 operations: ~150 kB of table, more than a pipe holds, so a pager that quits early breaks the pipe.
  const paths = Object.fromEntries(
    Array.from({ length: 2000 }, (_, i) => [
      `/items/${i}`,
      { get: { operationId: `getItem${i}`, summary: `Get item number ${i} of the big list`, responses: { 200: { description: 'ok' } } } },
    ]),
  );
  const spec = join(work, 'big.swagger.json');
  writeFileSync(spec, JSON.stringify({ swagger: '2.0', info: { title: 'Big', version: '1' }, host: 'example.com', paths }));
  const r = await runCli(['import', spec, '--name', 'big'], { home });
  expect(r.code, r.stderr).toBe(0);
});

/** `connector <args>` inside a pseudo-terminal; `onStart` may type into it (`type`) once it runs. */
function onPty(args: string[], env: NodeJS.ProcessEnv, onStart?: (type: (keys: string) => void) => Promise<void>) {
  // exec: the shell script starts must not stand between the terminal and connector (dash dies of Ctrl-C)
  const command = `exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  const child = spawn(SCRIPT!, ['-qec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: cliEnv(home, { PATH: process.env.PATH, TERM: 'dumb', LINES: '10', COLUMNS: '100', ...env }),
  });
  let screen = '';
  child.stdout.on('data', (d) => (screen += d));
  child.stderr.on('data', (d) => (screen += d));
  const done = new Promise<{ code: number | null; screen: string }>((resolve) => child.on('close', (code) => resolve({ code, screen })));
  void onStart?.((keys) => child.stdin.write(keys)).then(() => child.stdin.end());
  if (!onStart) child.stdin.end();
  return done;
}

async function until(file: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error(`${file} never appeared`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!SCRIPT)('the pager on a real terminal', () => {
  it('a long table goes to $PAGER whole; the screen gets nothing else', async () => {
    const file = join(work, 'paged.txt');
    const r = await onPty(['operations', 'big'], { PAGER: `cat > ${quote(file)}` });
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toBe('');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(2002);
    expect(lines[1]).toMatch(/^getItem0 +GET +\/items\/0 +- +Get item number 0 of the big list$/);
  });

  it('--no-pager and short output go straight to the terminal', async () => {
    const file = join(work, 'never.txt');
    const r = await onPty(['--no-pager', 'operations', 'big'], { PAGER: `cat > ${quote(file)}` });
    expect(r.code).toBe(0);
    expect(r.screen).toContain('getItem1999');
    const s = await onPty(['operations', 'big', '--filter', 'getItem1999'], { PAGER: `cat > ${quote(file)}` });
    expect(s.screen).toMatch(/getItem1999 +GET/);
    expect(existsSync(file)).toBe(false);
  });

  it('run --paginate --format ndjson streams past the pager (a pager would hold the lines to the end); json is paged', async () => {
    // 40 pages of 5 items: more lines than the 10-row terminal, so the json array would be paged.
    const server = createServer((req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
      const value = Array.from({ length: 5 }, (_, i) => ({ id: page * 10 + i }));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ value, nextLink: page < 40 ? `/items?page=${page + 1}` : null }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const spec = join(work, 'paged.swagger.json');
      const op = { operationId: 'ListItems', 'x-ms-pageable': { nextLinkName: 'nextLink' }, responses: { 200: { description: 'ok' } } };
      writeFileSync(
        spec,
        JSON.stringify({
          swagger: '2.0',
          info: { title: 'Paged', version: '1' },
          host: `127.0.0.1:${port}`,
          schemes: ['http'],
          paths: { '/items': { get: op } },
        }),
      );
      expect((await runCli(['import', spec, '--name', 'paged'], { home })).code).toBe(0);
      const file = join(work, 'ndjson-paged.txt');
      const r = await onPty(['run', 'paged', 'ListItems', '--paginate', '--format', 'ndjson'], { PAGER: `cat > ${quote(file)}` });
      expect(r.code, r.screen).toBe(0);
      expect(existsSync(file)).toBe(false);
      expect(r.screen).toContain('{"id":404}');
      expect(r.screen).toContain('200 items from 40 pages'); // counted while streaming too
      const s = await onPty(['run', 'paged', 'ListItems', '--paginate'], { PAGER: `cat > ${quote(file)}` });
      expect(s.code, s.screen).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('404');
    } finally {
      server.close();
    }
  });

  it('a pager quitting before the end (q in less: a broken pipe) ends the run quietly, exit 0', async () => {
    const file = join(work, 'head.txt');
    const r = await onPty(['operations', 'big'], { PAGER: `head -c 64 > ${quote(file)}` });
    expect(r.code).toBe(0);
    expect(r.screen).toBe('');
    expect(readFileSync(file, 'utf8')).toHaveLength(64);
  });

  it('Ctrl-C while paging belongs to the pager: connector waits for it and exits 0, saying nothing', async () => {
    // A pager that, like less, stays open on Ctrl-C: it notes the signal and ends when told to.
    const pager = join(work, 'pager.cjs');
    const got = join(work, 'got.txt');
    const go = join(work, 'go');
    const log = join(work, 'signals.txt');
    writeFileSync(
      pager,
      `const fs = require('node:fs');
       process.on('SIGINT', () => fs.appendFileSync(${JSON.stringify(log)}, 'SIGINT\\n'));
       let text = '';
       process.stdin.on('data', (d) => (text += d)).on('end', () => {
         fs.writeFileSync(${JSON.stringify(got)}, text);
         const wait = setInterval(() => { if (fs.existsSync(${JSON.stringify(go)})) { clearInterval(wait); process.stdout.write('pager closed\\n'); } }, 20);
       });`,
    );
    const r = await onPty(['operations', 'big'], { PAGER: `${process.execPath} ${pager}` } /* no shell syntax: run without a shell */, async (type) => {
      await until(got);
      type('\x03');
      await until(log);
      type('\x03'); // a second Ctrl-C too: connector's own "exit now" must not take the terminal from the pager
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(go, '');
    });
    expect(r.code, r.screen).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('SIGINT\nSIGINT\n');
    expect(r.screen.replace(/\^C/g, '').trim()).toBe('pager closed');
    expect(readFileSync(got, 'utf8').split('\n')).toHaveLength(2002);
  });
});
