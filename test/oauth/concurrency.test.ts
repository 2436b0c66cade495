import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover } from '../../src/oauth/providers.js';
import { toTokenSet } from '../../src/oauth/tokens.js';
import { FileTokenStorage } from './helpers/file-storage.js';
import { CLIENTS, signInNative, startProvider, type TestProvider } from './helpers/provider.js';
import { transpileOAuth } from './helpers/transpile.js';
import { HttpClient } from '../../src/http/client.js';

let op: TestProvider;
let lib: string;

beforeAll(async () => {
  [op, lib] = await Promise.all([startProvider(), transpileOAuth()]);
});
const http = new HttpClient({ env: {} });
afterAll(async () => {
  await http.close();
  await op?.close();
  if (lib) rmSync(lib, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcess;
  ready: Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startChild(cfg: object): Child {
  const proc = spawn(process.execPath, [join(import.meta.dirname, 'helpers', 'refresh-child.mjs'), JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  proc.stdout!.on('data', (d) => {
    stdout += d;
    if (stdout.includes('ready\n')) onReady();
  });
  proc.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) => proc.on('close', (code) => r({ code, stdout, stderr })));
  done.then(onReady); // a child that dies early must not hang the test
  return { proc, ready, done };
}

describe('cross-process refresh', () => {
  it('5 processes refreshing one expired connection at once make exactly one refresh request and all succeed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-race-'));
    const storagePath = join(dir, 'tokens.json');
    const tokens = toTokenSet(await signInNative(op));
    await new FileTokenStorage(storagePath).save({ ...tokens, expires_at: 1 });
    const { tokenUrl } = await discover(op.issuer, { fetch: http.fetch });
    const cfg = { lib, tokenUrl, clientId: CLIENTS.native, storagePath, lockPath: join(dir, 'k-c.lock') };

    const before = op.grants.filter((g) => g.type === 'refresh_token').length;
    const children = Array.from({ length: 5 }, () => startChild(cfg));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.proc.stdin!.end('go\n');
    const results = await Promise.all(children.map((c) => c.done));

    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const seen = new Set(results.map((r) => /token (\S+)/.exec(r.stdout)?.[1]));
    expect(seen.size).toBe(1);
    const stored = await new FileTokenStorage(storagePath).load();
    expect(seen.has(stored!.access_token)).toBe(true);
    expect(stored!.access_token).not.toBe(tokens.access_token);
    expect(stored!.refresh_token).not.toBe(tokens.refresh_token);
    expect(op.grants.filter((g) => g.type === 'refresh_token').length - before).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });
});
