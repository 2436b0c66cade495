import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';
import { Registry } from '../../src/registry/registry.js';
import { summarize } from '../../src/spec/normalize.js';
import type { VaultStore } from '../../src/secrets/vault.js';
import { parseTokenSet } from '../../src/auth/oauth2/storage.js';

/** Shared by crash.test.ts and concurrency.test.ts: spawn the built CLI, kill it, look at what it left. */

const REPO = join(import.meta.dirname, '..', '..');
export const BIN = join(REPO, 'bin', 'connector.js');
export const BUILT = existsSync(join(REPO, 'dist', 'cli', 'main.cjs'));
export const LONG = process.env.CONNECTOR_HARDENING === 'long';
export const PASSPHRASE = 'crash-test-passphrase';
export const VAULT_ENV = { CONNECTOR_SECRET_STORE: 'vault', CONNECTOR_VAULT_PASSPHRASE: PASSPHRASE };

/** A small seeded generator (mulberry32), so a failing run can be replayed with its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A preload for the child: counts the calls that change files (fs.promises rename, unlink,
 * writeFile, rm, rmdir, mkdir, link, open for writing) and SIGKILLs the process right before,
 * or right after, call number CRASH_AT: a crash at a chosen system call, without strace.
 * With CRASH_COUNT_FILE it writes how many such calls a run made.
 */
const HOOK = `
const fs = require('node:fs');
const fsp = fs.promises;
const at = Number(process.env.CRASH_AT || 0);
const after = process.env.CRASH_AFTER === '1';
let n = 0;
const die = () => process.kill(process.pid, 'SIGKILL');
for (const name of ['rename', 'unlink', 'writeFile', 'rm', 'rmdir', 'mkdir', 'link', 'open']) {
  const real = fsp[name];
  fsp[name] = async function (...args) {
    if (name === 'open' && !/[wa+]/.test(String(args[1] ?? 'r'))) return real.apply(fsp, args);
    const k = ++n;
    if (k === at && !after) die();
    const result = await real.apply(fsp, args);
    if (k === at && after) die();
    return result;
  };
}
if (process.env.CRASH_COUNT_FILE) process.on('exit', () => fs.writeFileSync(process.env.CRASH_COUNT_FILE, String(n)));
`;
let hookFile: string | undefined;
function hook(): string {
  if (!hookFile) {
    hookFile = join(mkdtempSync(join(tmpdir(), 'connector-crash-hook-')), 'hook.cjs');
    writeFileSync(hookFile, HOOK);
  }
  return hookFile;
}

export interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Mutating fs calls the run made (when counted). */
  calls?: number;
}

/** Run the built CLI; `crash` kills it at a system call (`at`, before or after) or after `afterMs`. */
export function spawnCli(
  home: string,
  args: string[],
  o: { env?: NodeJS.ProcessEnv; crash?: { at?: number; after?: boolean; afterMs?: number }; count?: boolean; timeoutMs?: number } = {},
): Promise<Spawned> {
  const countFile = o.count ? join(mkdtempSync(join(tmpdir(), 'connector-crash-count-')), 'n') : undefined;
  const env = cliEnv(home, {
    ...o.env,
    NODE_OPTIONS: `--require ${hook()}`,
    ...(o.crash?.at ? { CRASH_AT: String(o.crash.at), CRASH_AFTER: o.crash.after ? '1' : '0' } : {}),
    ...(countFile ? { CRASH_COUNT_FILE: countFile } : {}),
  });
  const started = Date.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timers = [setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 30_000)];
    if (o.crash?.afterMs !== undefined) timers.push(setTimeout(() => p.kill('SIGKILL'), o.crash.afterMs));
    p.on('exit', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      const calls = countFile && existsSync(countFile) ? Number(readFileSync(countFile, 'utf8')) : undefined;
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, calls });
    });
  });
}

/** What a look at the home found: anomalies a user sees as broken, and leftovers only `doctor` would notice. */
export interface Look {
  anomalies: string[];
  leftovers: string[];
}

const LEFTOVER = /(?:\.tmp|\.broken)$/;

/**
 * Look at `home` the way a user would (list, connection list, every listed connector and
 * every connection's secrets) and the way doctor would (files no command reads). Independent
 * of connector's own code (not doctor's checks), so the same look measured the code before the fixes.
 */
export async function look(home: string, vault: VaultStore, accounts: string[]): Promise<Look> {
  const anomalies: string[] = [];
  const leftovers: string[] = [];
  const registry = new Registry(home);
  for (const args of [['list'], ['connection', 'list']]) {
    const r = await runCli(args, { home, env: VAULT_ENV });
    if (r.code !== 0) anomalies.push(`connector ${args.join(' ')} exited ${r.code}: ${r.stderr.split('\n')[0]}`);
  }
  let listed: Awaited<ReturnType<Registry['list']>> = [];
  try {
    listed = await registry.list();
  } catch (e) {
    anomalies.push(`the index does not parse: ${(e as Error).message}`);
  }
  for (const summary of listed) {
    try {
      const record = await registry.get(summary.name);
      if (JSON.stringify(summarize(record)) !== JSON.stringify(summary)) anomalies.push(`stale index summary of '${summary.name}'`);
    } catch (e) {
      anomalies.push(`listed connector '${summary.name}' is unusable: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const names = new Set(listed.map((s) => s.name));
  for (const f of readdirSync(join(home, 'connectors'), { withFileTypes: true })) {
    if (f.isFile() && f.name.endsWith('.json') && !f.name.startsWith('.') && !names.has(f.name.slice(0, -5))) {
      // Invisible to `list`, yet `run`/`show` would use it: a half-imported or half-removed connector.
      anomalies.push(`unindexed record ${f.name}`);
    }
  }
  const claimed = new Set<string>();
  try {
    for (const c of await registry.connections()) {
      for (const p of c.secretParams) {
        const account = `${c.connector}/${c.name}/${p}`;
        claimed.add(account);
        const value = await vault.get(account);
        if (value === undefined) anomalies.push(`connection ${c.connector}/${c.name} without its secret ${p}`);
        else if (p === 'oauth:tokens' && !parseTokenSet(value)) anomalies.push(`connection ${c.connector}/${c.name} has unreadable tokens`);
      }
    }
  } catch (e) {
    anomalies.push(`connections.json does not parse: ${(e as Error).message}`);
  }
  for (const account of accounts) if (!claimed.has(account) && (await vault.get(account)) !== undefined) leftovers.push(`orphan secret ${account}`);
  for (const dir of [home, join(home, 'connectors'), join(home, 'locks')]) {
    for (const f of existsSync(dir) ? readdirSync(dir) : []) {
      if (LEFTOVER.test(f)) leftovers.push(`temp ${join(dir, f)}`);
      if (f.endsWith('.lock')) leftovers.push(`lock ${join(dir, f)}`);
    }
  }
  return { anomalies, leftovers };
}

/** A swagger with an API key and one GET, served (for runs) at `host`. */
export function apiKeySpec(host: string, title = 'Crash API', ops = 1): string {
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < ops; i++) paths[`/ping${i || ''}`] = { get: { operationId: `Ping${i || ''}`, responses: { 200: { description: 'ok' } } } };
  return JSON.stringify({
    swagger: '2.0',
    info: { title, version: '1.0' },
    host,
    basePath: '/',
    schemes: ['http'],
    securityDefinitions: { key: { type: 'apiKey', in: 'header', name: 'x-key' } },
    security: [{ key: [] }],
    paths,
  });
}
