import { join } from 'node:path';
import type { Context } from '../context.js';
import type { ConnectorRecord } from '../model.js';
import type { ConnectionRecord } from '../connections/types.js';
import type { ParamValue } from '../http/types.js';
import { isValidName, type Registry } from '../registry/registry.js';
import { readJsonFile } from '../fs/json.js';
import { walkOperations } from '../operation/walk.js';
import { findOperation, type OpParam } from '../operation/find.js';

/** One completion candidate: what the shell inserts, and what it may show beside it. */
export interface Candidate {
  value: string;
  description?: string;
}

/** How long the source operation of a dynamic-values parameter may take before completion gives up. */
export const DYNAMIC_TIMEOUT_MS = 2000;

const firstLine = (text: unknown) => (typeof text === 'string' ? text.split('\n')[0].trim() : undefined);

/**
 * What completion offers from the registry: connector names (index.json only), operation ids and
 * parameters (one connector record), connections (connections.json, no secret), and values.
 * Every method answers [] on any failure: completion never prints an error.
 */
export class Sources {
  private records = new Map<string, Promise<ConnectorRecord | undefined>>();
  constructor(
    private readonly ctx: Context,
    private readonly registry: Registry,
  ) {}

  async connectors(): Promise<Candidate[]> {
    const idx = await this.registry.index();
    return Object.values(idx.connectors)
      .filter((s) => s && typeof s.name === 'string')
      .map((s) => ({ value: s.name, description: firstLine(s.title) }));
  }

  private record(name: string | undefined): Promise<ConnectorRecord | undefined> {
    if (!name) return Promise.resolve(undefined);
    let r = this.records.get(name);
    // The record file alone: Registry.get reads index.json first (for a removal in flight), which at
    // 1,000 connectors is as much JSON again as a record; a candidate of a connector being removed is harmless.
    const read = async () => {
      const at = async (n: string) => {
        const rec = await readJsonFile<ConnectorRecord>(this.registry.recordPath(n)).catch(() => undefined);
        return rec && rec.name === n && rec.definition && typeof rec.definition === 'object' ? rec : undefined;
      };
      // As typed first (one read); else what the commands take it to mean (any case, an old slug).
      const exact = isValidName(name) ? await at(name) : undefined;
      if (exact) return exact;
      const meant = await this.registry.resolve(name);
      return meant !== name && isValidName(meant) ? at(meant) : undefined;
    };
    if (!r) this.records.set(name, (r = read().catch(() => undefined)));
    return r;
  }

  /** The operations `connector operations` lists (internal ones left out). */
  async operations(connector: string | undefined): Promise<Candidate[]> {
    const record = await this.record(connector);
    if (!record) return [];
    const out: Candidate[] = [];
    for (const e of walkOperations(record.definition)) {
      if (e.operation['x-ms-visibility'] === 'internal') continue;
      out.push({ value: e.operationId, description: firstLine(e.operation.summary) ?? `${e.method.toUpperCase()} ${e.path}` });
    }
    return out;
  }

  private async operation(connector: string | undefined, operation: string | undefined) {
    const record = await this.record(connector);
    if (!record || !operation) return undefined;
    try {
      return { record, op: findOperation(record, operation) };
    } catch {
      return undefined;
    }
  }

  /** `name=` for each parameter of the operation (a Swagger 2 body parameter too). */
  async parameterNames(connector: string | undefined, operation: string | undefined): Promise<Candidate[]> {
    const found = await this.operation(connector, operation);
    if (!found) return [];
    const out: Candidate[] = found.op.params.filter((p) => p.visibility !== 'internal').map((p) => ({ value: `${p.name}=`, description: describe(p) }));
    if (found.op.body?.name) out.push({ value: `${found.op.body.name}=`, description: 'request body (JSON, or @file)' });
    return out;
  }

  /**
   * `name=value` for each allowed value of a parameter: its enum, true/false for a boolean, or
   * (when it declares x-ms-dynamic-values / x-ms-dynamic-list and a connection resolves) the
   * values its source operation answers, called with a short timeout.
   */
  async parameterValues(connector: string | undefined, operation: string | undefined, name: string, line: DynamicLine): Promise<Candidate[]> {
    const found = await this.operation(connector, operation);
    const param = found?.op.params.find((p) => p.name === name) ?? found?.op.params.find((p) => p.name.toLowerCase() === name.toLowerCase());
    if (!found || !param) return [];
    const fixed = staticValues(param);
    const values = fixed.length ? fixed : await this.dynamicValues(found.record, param, line).catch(() => []);
    return values.map((v) => ({ value: `${name}=${v.value}`, description: v.description }));
  }

  private async dynamicValues(record: ConnectorRecord, param: Pick<OpParam, 'raw' | 'schema'>, line: DynamicLine): Promise<Candidate[]> {
    const { dynamicSource, resolveDynamicValues } = await import('../operation/dynamic-values.js');
    const source = dynamicSource(param);
    if (!source) return [];
    const given: Record<string, ParamValue> = {};
    for (const p of [...(line.fields ?? []), ...line.params]) {
      const eq = p.indexOf('=');
      if (eq > 0 && p[eq - 1] !== ':') given[p.slice(0, eq)] = p.slice(eq + 1);
    }
    const { resolveConnection } = await import('../connections/store.js');
    const work = (async () => {
      const connection = await resolveConnection(this.ctx, record.name, line.connection);
      const values = await resolveDynamicValues(this.ctx, record, source, { connection, given, timeoutMs: DYNAMIC_TIMEOUT_MS, baseUrl: line.baseUrl });
      return values.map((v) => ({ value: v.value, description: v.title }));
    })();
    work.catch(() => {}); // a late failure after the timer won is nobody's error
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Candidate[]>((resolve) => {
      timer = setTimeout(() => resolve([]), DYNAMIC_TIMEOUT_MS);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** `run -f <TAB>`: the body's field paths, each with its `=` (src/completion/fields.ts). */
  async fieldNames(connector: string | undefined, operation: string | undefined): Promise<Candidate[]> {
    const found = await this.operation(connector, operation);
    if (!found?.op.body) return [];
    const { bodyFieldPaths } = await import('./fields.js');
    return bodyFieldPaths(found.op.body.schema).map((f) => ({ value: f.text, description: fieldDescription(f.schema, f.required) }));
  }

  /** `run -f path=<TAB>`: the field's enum values, true/false, or its dynamic values (as for -p). */
  async fieldValues(connector: string | undefined, operation: string | undefined, text: string, line: DynamicLine): Promise<Candidate[]> {
    const found = await this.operation(connector, operation);
    if (!found?.op.body) return [];
    const { fieldAt } = await import('./fields.js');
    const field = fieldAt(found.op.body.schema, text);
    if (!field) return [];
    const param = { raw: field.schema, schema: field.schema };
    const fixed = staticValues(param);
    const values = fixed.length ? fixed : await this.dynamicValues(found.record, param, line).catch(() => []);
    return values.map((v) => ({ value: `${field.prefix}${v.value}`, description: v.description }));
  }

  /**
   * `connection create <connector>`: its auth options (`--auth`), or the parameters a connection
   * holds (`name=` for --param / --param-env, bare for --param-stdin), or a parameter's allowed values.
   */
  async connectionParameters(
    connector: string | undefined,
    what: { auth?: boolean; param?: string; suffix?: string; authOption?: string },
  ): Promise<Candidate[]> {
    const record = await this.record(connector);
    if (!record) return [];
    const { deriveConnectionModel } = await import('../spec/connection-model.js');
    const { valueParameters } = await import('../auth/parameters.js');
    const options = deriveConnectionModel(record).options;
    if (what.auth) {
      // Option ids, and a kind name where exactly one option has that kind (create accepts `--auth oauth2`).
      const ids = options.map((o) => ({ value: o.id, description: o.label }));
      const kinds = [...new Set(options.map((o) => o.kind))]
        .filter((k) => k !== 'none' && options.filter((o) => o.kind === k).length === 1 && !options.some((o) => o.id.toLowerCase() === k.toLowerCase()))
        .map((k) => ({ value: k, description: `${options.find((o) => o.kind === k)!.label} (by kind)` }));
      return [...ids, ...kinds];
    }
    const chosen = options.filter((o) => !what.authOption || o.id === what.authOption);
    const params = chosen.flatMap((o) => valueParameters(o)).filter((p) => !p.hidden);
    if (what.param !== undefined) {
      const p = params.find((x) => x.name === what.param);
      const allowed = p?.allowedValues?.length
        ? p.allowedValues
        : p?.type === 'bool'
          ? [
              { value: 'true', text: '' },
              { value: 'false', text: '' },
            ]
          : [];
      return allowed.map((v) => ({ value: `${what.param}=${v.value}`, description: v.text || undefined }));
    }
    const seen = new Set<string>();
    return params
      .filter((p) => !seen.has(p.name) && seen.add(p.name))
      .map((p) => ({
        value: `${p.name}${what.suffix ?? ''}`,
        description: `${firstLine(p.label) ?? p.name}${p.secret ? ' (secret)' : ''}${p.required ? ' (required)' : ''}`,
      }));
  }

  /**
   * Connection addresses `connector/name` (or bare names of one connector's connections). With
   * `env`, also the connections only CONNECTOR_<K>__<C>__* variables stand in for (their names,
   * never a value); with `short`, `K` alone for each connector that has a default connection.
   */
  async connections(opts: { connector?: string; bare?: boolean; env?: boolean; short?: boolean } = {}): Promise<Candidate[]> {
    const file = await readJsonFile<{ connections?: unknown }>(join(this.registry.home, 'connections.json'));
    const list = Array.isArray(file?.connections) ? file.connections : [];
    const found: { connector: string; name: string; isDefault: boolean; env?: boolean }[] = [];
    for (const c of list as Record<string, unknown>[]) {
      if (!c || typeof c.connector !== 'string' || typeof c.name !== 'string') continue;
      if (opts.connector && c.connector !== opts.connector) continue;
      found.push({ connector: c.connector, name: c.name, isDefault: c.isDefault === true });
    }
    if (opts.env) {
      const { envConnections } = await import('../connections/store.js');
      const stored = found.map((c) => ({ connector: c.connector, name: c.name }) as ConnectionRecord);
      const extra = await envConnections(this.ctx, stored, opts.connector).catch(() => []);
      for (const e of extra) found.push({ connector: e.record.connector, name: e.record.name, isDefault: e.record.isDefault, env: true });
    }
    const out: Candidate[] = [];
    const offered = new Set<string>();
    for (const c of found) {
      const description = [c.isDefault ? 'default connection' : '', c.env ? 'from the environment' : ''].filter(Boolean).join(', ') || undefined;
      if (opts.bare) {
        out.push({ value: c.name, description });
        continue;
      }
      if (opts.short && !offered.has(c.connector)) {
        offered.add(c.connector);
        // A connector's first stored connection is its default when none is flagged; an env-only one only as `default`.
        const group = found.filter((x) => x.connector === c.connector);
        const def = group.find((x) => !x.env && x.isDefault) ?? group.find((x) => !x.env) ?? group.find((x) => x.env && x.name === 'default');
        if (def) out.push({ value: c.connector, description: `its default connection (${c.connector}/${def.name})` });
      }
      out.push({ value: `${c.connector}/${c.name}`, description });
    }
    return out;
  }
}

/** What the line being completed gives a dynamic-values source: -c, -p and -f values, --base-url. */
export interface DynamicLine {
  connection?: string;
  params: string[];
  fields?: string[];
  baseUrl?: string;
}

function fieldDescription(s: Record<string, any>, required: boolean): string {
  const type = Array.isArray(s.type) ? s.type.join(' | ') : typeof s.type === 'string' ? s.type : s.properties ? 'object' : 'any';
  const text = firstLine(s['x-ms-summary']) || firstLine(s.title) || firstLine(s.description);
  const facts = [type, required ? 'required' : undefined].filter(Boolean).join(', ');
  return text ? `${text} (${facts})` : `(${facts})`;
}

function describe(p: OpParam): string | undefined {
  const text = firstLine(p.raw?.['x-ms-summary']) || firstLine(p.description);
  const facts = [p.in, p.required ? 'required' : undefined].filter(Boolean).join(', ');
  return text ? `${text} (${facts})` : `(${facts})`;
}

/** Allowed values a parameter declares: enum (of the items, for an array), true/false for a boolean. */
function staticValues(p: Pick<OpParam, 'raw' | 'schema'>): Candidate[] {
  const schema = p.schema?.type === 'array' && p.schema.items && typeof p.schema.items === 'object' ? p.schema.items : p.schema;
  if (Array.isArray(schema?.enum)) {
    const names = Array.isArray(p.raw?.['x-ms-enum-values']) ? (p.raw['x-ms-enum-values'] as Record<string, unknown>[]) : [];
    return schema.enum
      .filter((v: unknown) => ['string', 'number', 'boolean'].includes(typeof v))
      .map((v: unknown) => ({ value: String(v), description: firstLine(names.find((n) => n && n.value === v)?.displayName) }));
  }
  if (schema?.type === 'boolean') return [{ value: 'true' }, { value: 'false' }];
  return [];
}
