import { spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionRecord } from '../../src/connections/types.js';
import type { ConnectorRecord } from '../../src/model.js';
import { Registry } from '../../src/registry/registry.js';
import { summarize } from '../../src/spec/normalize.js';
import { runCli, tempHome } from '../helpers/cli.js';
import type { Context } from '../../src/context.js';

/** A pid that was alive a moment ago and is not now (a child that has exited). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return r.pid!;
}

/** A fresh home holding `records` (indexed as `connector import` would) and `connections`. */
export async function homeWith(records: ConnectorRecord[], connections: ConnectionRecord[] = []): Promise<string> {
  const home = tempHome('connector-doctor-');
  const reg = new Registry(home);
  for (const r of records) await reg.put(r, summarize(r));
  if (connections.length) writeFileSync(join(home, 'connections.json'), JSON.stringify({ version: 1, connections }, null, 1));
  return home;
}

export function connection(connector: string, name: string, secretParams: string[], more: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    connector,
    name,
    authOption: 'a',
    kind: 'apiKey',
    values: {},
    secretParams,
    secretStore: 'memory',
    isDefault: true,
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
    ...more,
  };
}

/** Write `path` under home with content, `ageMinutes` old. */
export function fileAt(home: string, rel: string, content: string, ageMinutes = 0): string {
  const path = join(home, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  if (ageMinutes) {
    const t = new Date(Date.now() - ageMinutes * 60_000);
    utimesSync(path, t, t);
  }
  return path;
}

export interface Report {
  ok: boolean;
  checks: { id: string; status: string; message: string; hint?: string; items?: string[]; fix?: { action: string; consent: string } }[];
  repairs?: { id: string; outcome: string; message: string }[];
}

/** `connector doctor --json ...` on `home`; the parsed document and the raw run. */
export async function doctorJson(home: string, args: string[] = [], opts: { env?: NodeJS.ProcessEnv; overrides?: Partial<Context> } = {}) {
  const r = await runCli(['doctor', '--json', ...args], { home, ...opts });
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`doctor --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, report, check: (id: string) => report.checks.filter((c) => c.id === id) };
}
