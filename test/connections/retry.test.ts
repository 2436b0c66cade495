import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import { tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import type { Prompter } from '../../src/io/prompter.js';
import { apiKeyRecord, basicRecord, register } from './helpers.js';

type Q = { kind: string; message: string; default?: string; choices?: string[] };
/** Answers in order (a select answer is a choice value); fails on a question beyond the script. */
function sequence(answers: string[]) {
  const asked: Q[] = [];
  const next = (q: Q) => {
    asked.push(q);
    const a = answers.shift();
    if (a === undefined) throw new Error(`unexpected ${q.kind} prompt '${q.message}'`);
    return a;
  };
  const p: Prompter = {
    async input(message, o = {}) {
      return next({ kind: 'input', message, default: o.default });
    },
    async password(message) {
      return next({ kind: 'password', message });
    },
    async select(message, choices) {
      return next({ kind: 'select', message, choices: choices.map((c) => c.value) });
    },
    async confirm(message) {
      return next({ kind: 'confirm', message }) === 'yes';
    },
  };
  return { p, asked, left: answers };
}

async function createOnTty(home: string, store: MemoryStore, prompter: Prompter, args: string[]) {
  const tty = () => Object.assign(new PassThrough(), { isTTY: true });
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  const io = makeIO(tty(), tty(), stderr, { NO_COLOR: '1', CONNECTOR_HOME: home });
  const code = await main(['node', 'connector', 'connection', 'create', ...args], io, { secrets: async () => store, prompter: async () => prompter });
  return { code, stderr: err };
}

describe('connection create after the API refused the credentials (terminal)', () => {
  let server: Server;
  let host: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const ok = req.headers['x-key'] === 'good' || req.headers.authorization === `Basic ${Buffer.from('me:pw').toString('base64')}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '[]' : '{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('offers to re-enter only the secret, keeps the other answers, and saves once it is right', async () => {
    const home = tempHome();
    const store = new MemoryStore();
    await register(home, basicRecord(host, 'http'));
    const s = sequence([`${host}`, 'me', 'typo', 'secrets', 'pw']);
    const r = await createOnTty(home, store, s.p, ['basicco']);
    expect(r.stderr).toContain('refused these credentials (HTTP 401 on');
    expect(r.stderr).toContain('Verified');
    expect(r.code).toBe(0);
    expect(s.asked.map((q) => q.message)).toEqual(['Instance host', 'Username or Email', 'API token', 'Try again?', 'API token']);
    expect(s.asked[3].choices).toEqual(['secrets', 'all', 'stop']);
    expect(store.items.get('basicco/default/password')).toBe('pw');
    expect(r.stderr).not.toContain('typo');
  });

  it('"every value" re-asks all with the earlier answers as defaults; "stop" saves nothing (exit 4)', async () => {
    const home = tempHome();
    const store = new MemoryStore();
    await register(home, basicRecord(host, 'http'));
    const s = sequence([`${host}`, 'you', 'pw', 'all', `${host}`, 'me', 'pw']);
    const r = await createOnTty(home, store, s.p, ['basicco']);
    expect(r.code).toBe(0);
    expect(s.asked.slice(4).map((q) => [q.message, q.default])).toEqual([
      ['Instance host', host],
      ['Username or Email', 'you'],
      ['API token', undefined],
    ]);
    const stop = sequence(['bad', 'stop']);
    await register(home, apiKeyRecord(host, 'http'));
    const r2 = await createOnTty(home, store, stop.p, ['keyco']);
    expect(r2.code).toBe(4);
    expect([...store.items.keys()]).toEqual(['basicco/default/password']);
  });

  it('gives up after three refusals, and never asks under --no-input', async () => {
    const home = tempHome();
    const store = new MemoryStore();
    await register(home, apiKeyRecord(host, 'http'));
    const s = sequence(['a', 'secrets', 'b', 'secrets', 'c']);
    const r = await createOnTty(home, store, s.p, ['keyco']);
    expect(r.code).toBe(4);
    expect(s.left).toEqual([]);
    expect(store.items.size).toBe(0);
    const none = sequence([]);
    const r2 = await createOnTty(home, store, none.p, ['keyco', '--no-input', '--param', 'api_key=x']);
    expect(r2.code).toBe(4);
    expect(none.asked).toEqual([]);
  });
});
