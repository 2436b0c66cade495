import type { AuthKind, ConnectorRecord, ConnectorSummary, OperationSummary, PolicyTemplateInstance } from '../model.js';
import { operationAt, walkOperations } from '../operation/walk.js';
import { deriveConnectionModel } from './connection-model.js';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** apiProperties.properties (paconn keeps everything one level down). */
export function apiProps(record: ConnectorRecord): Obj {
  const p = (record.apiProperties as Obj | undefined)?.properties;
  return isObj(p) ? p : {};
}

function securitySchemes(def: Obj): Obj {
  const s = def.swagger !== undefined ? def.securityDefinitions : def.components?.securitySchemes;
  return isObj(s) ? s : {};
}

/**
 * Every operation of the definition, in document order. `auth` is the security
 * requirement names of the operation, else the global ones; when neither says
 * anything and the connector has security schemes, all of them (Power Platform
 * applies the connection's auth to every operation); [] when there are none.
 */
export function operations(record: ConnectorRecord): OperationSummary[] {
  const def = record.definition as Obj;
  const schemes = Object.keys(securitySchemes(def));
  const names = (sec: unknown) => (Array.isArray(sec) ? [...new Set(sec.flatMap((s) => (isObj(s) ? Object.keys(s) : [])))] : undefined);
  const global = names(def.security);
  const out: OperationSummary[] = [];
  for (const { path, method, operation: op, operationId } of walkOperations(def)) {
    const s: OperationSummary = { operationId, method: method.toUpperCase(), path, auth: names(op.security) ?? global ?? schemes };
    if (typeof op.summary === 'string') s.summary = op.summary;
    if (typeof op.description === 'string') s.description = op.description;
    if (op.deprecated === true) s.deprecated = true;
    if (typeof op['x-ms-visibility'] === 'string') s.visibility = op['x-ms-visibility'];
    if (typeof op['x-ms-trigger'] === 'string') s.trigger = op['x-ms-trigger'];
    out.push(s);
  }
  return out;
}

/** What tells "changed" operations apart on re-import: method, path, summary, the parameters that apply (refs followed) and the body. */
export function operationSignature(record: ConnectorRecord, op: OperationSummary): string {
  const e = operationAt(record.definition as Obj, op.path, op.method);
  return JSON.stringify({
    method: op.method,
    path: op.path,
    summary: op.summary ?? null,
    params: e?.parameters ?? [],
    body: e?.operation.requestBody ?? null,
  });
}

export function policies(record: ConnectorRecord): PolicyTemplateInstance[] {
  const list = apiProps(record).policyTemplateInstances;
  if (!Array.isArray(list)) return [];
  return list.filter(isObj).map((p) => {
    const out: PolicyTemplateInstance = { templateId: String(p.templateId ?? ''), parameters: isObj(p.parameters) ? p.parameters : {} };
    if (typeof p.title === 'string') out.title = p.title;
    return out;
  });
}

export function capabilities(record: ConnectorRecord): string[] {
  const c = apiProps(record).capabilities;
  return Array.isArray(c) ? c.map(String) : [];
}

/** Operations the connector's script.csx intercepts (sent as-is here, since C# cannot run locally). */
export function scriptOperations(record: ConnectorRecord): string[] {
  const s = apiProps(record).scriptOperations;
  return Array.isArray(s) ? s.map(String) : [];
}

export function publisher(record: ConnectorRecord): { publisher?: string; stackOwner?: string } {
  const p = apiProps(record);
  return {
    ...(typeof p.publisher === 'string' ? { publisher: p.publisher } : {}),
    ...(typeof p.stackOwner === 'string' ? { stackOwner: p.stackOwner } : {}),
  };
}

/** The kinds of auth a connector offers (from the connection model), for the index and `list`; ['none'] when it needs no connection. */
export function authKinds(record: ConnectorRecord): AuthKind[] {
  const kinds = [...new Set(deriveConnectionModel(record).options.map((o) => o.kind))];
  return kinds.length ? kinds : ['none'];
}

/** host / basePath: Swagger 2 fields, or split from OAS3 servers[0].url. */
function hostAndBase(def: Obj): { host?: string; basePath?: string } {
  if (def.swagger !== undefined) {
    return {
      ...(typeof def.host === 'string' ? { host: def.host } : {}),
      ...(typeof def.basePath === 'string' ? { basePath: def.basePath } : {}),
    };
  }
  const url = Array.isArray(def.servers) && isObj(def.servers[0]) ? String(def.servers[0].url ?? '') : '';
  if (!url) return {};
  try {
    const u = new URL(url);
    return { host: u.host, ...(u.pathname && u.pathname !== '/' ? { basePath: u.pathname } : {}) };
  } catch {
    return { basePath: url };
  }
}

/** The index entry of a record: what `list` shows without reading the spec. */
export function summarize(record: ConnectorRecord): ConnectorSummary {
  const def = record.definition as Obj;
  const info = isObj(def.info) ? def.info : {};
  const s: ConnectorSummary = {
    name: record.name,
    title: record.title,
    specFormat: record.specFormat,
    ...hostAndBase(def),
    operationCount: operations(record).length,
    authKinds: authKinds(record),
    source: record.source,
    importedAt: record.importedAt,
    hasScript: typeof record.script === 'string',
  };
  if (record.version !== undefined) s.version = record.version;
  if (typeof info.description === 'string') s.description = info.description;
  const pub = publisher(record);
  if (pub.publisher ?? pub.stackOwner) s.publisher = pub.publisher ?? pub.stackOwner;
  return s;
}
