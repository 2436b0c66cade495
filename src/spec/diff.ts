import type { ConnectorRecord } from '../model.js';
import { operations, operationSignature } from './normalize.js';

export interface OperationsDiff {
  added: string[];
  removed: string[];
  /** operationId and what differs (method, path, params, summary). */
  changed: { operationId: string; what: string[] }[];
}

/** What re-importing `next` over `prev` does to the operations, keyed by operationId. */
export function diffOperations(prev: ConnectorRecord, next: ConnectorRecord): OperationsDiff {
  const before = new Map(operations(prev).map((o) => [o.operationId, o]));
  const after = new Map(operations(next).map((o) => [o.operationId, o]));
  const diff: OperationsDiff = { added: [], removed: [], changed: [] };
  for (const id of after.keys()) if (!before.has(id)) diff.added.push(id);
  for (const id of before.keys()) if (!after.has(id)) diff.removed.push(id);
  for (const [id, a] of after) {
    const b = before.get(id);
    if (!b) continue;
    const sa = JSON.parse(operationSignature(next, a));
    const sb = JSON.parse(operationSignature(prev, b));
    const what: string[] = [];
    if (sa.method !== sb.method) what.push('method');
    if (sa.path !== sb.path) what.push('path');
    if (JSON.stringify([sa.params, sa.body]) !== JSON.stringify([sb.params, sb.body])) what.push('params');
    if (sa.summary !== sb.summary) what.push('summary');
    if (what.length) diff.changed.push({ operationId: id, what });
  }
  return diff;
}

/** Human lines for stderr: a count line then one line per operation. */
export function formatDiff(name: string, d: OperationsDiff): string[] {
  if (!d.added.length && !d.removed.length && !d.changed.length) return [`Changes to '${name}': operations unchanged`];
  return [
    `Changes to '${name}': ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`,
    ...d.added.map((id) => `  + ${id}`),
    ...d.removed.map((id) => `  - ${id}`),
    ...d.changed.map((c) => `  ~ ${c.operationId} (${c.what.join(', ')})`),
  ];
}
