/**
 * OpenAPI 3.0/3.1 → Swagger 2.0, the only version the Power Platform takes (`paconn create`).
 * Hand-written: api-spec-converter (the one maintained-looking OpenAPI 3 → 2 converter on npm)
 * pulls in `request` and an old `sway`, and @apiture/openapi-down-convert only goes 3.1 → 3.0.
 * The parts: downconvert/servers-security.ts, downconvert/parameters-bodies.ts, downconvert/schemas.ts.
 */
import { type Conv, copyExtensions, isObj, newConv, type Obj, ptr } from './downconvert/context.js';
import { convertParameter, convertRequestBody, convertResponse, jsonFirst } from './downconvert/parameters-bodies.js';
import { breakRefLoops, convertSchema } from './downconvert/schemas.js';
import { convertRequirements, convertSecuritySchemes, convertServers } from './downconvert/servers-security.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

/**
 * Convert an OpenAPI 3.0/3.1 document. `notes` has one line per thing 2.0 cannot express:
 * `<RFC 6901 pointer in the source>: <what was done>`. The input is not changed.
 */
export function toSwagger2(doc: object): { swagger: object; notes: string[] } {
  const src = structuredClone(doc) as Obj;
  const { conv, notes } = newConv(src);
  const out: Obj = { swagger: '2.0', info: convertInfo(src.info, conv) };
  Object.assign(out, convertServers(src.servers, conv));
  const comps: Obj = isObj(src.components) ? src.components : {};
  // Security first: the requirements in operations need the names the schemes became.
  const securityDefinitions = convertSecuritySchemes(comps.securitySchemes, conv);

  const paths: Obj = {};
  for (const [path, item] of Object.entries(isObj(src.paths) ? src.paths : {})) {
    if (path.startsWith('x-')) paths[path] = item;
    else if (isObj(item)) paths[path] = convertPathItem(item, ptr('/paths', path), conv);
  }
  out.paths = paths;

  const definitions = mapObj(comps.schemas, (s, name) => convertSchema(s, ptr('/components/schemas', name), conv));
  if (definitions) {
    breakRefLoops(definitions, conv);
    out.definitions = definitions;
  }
  const parameters = mapObj(comps.parameters, (p, name) => convertParameter(p, ptr('/components/parameters', name), conv));
  if (parameters) out.parameters = parameters;
  const responses = mapObj(comps.responses, (r, name) => convertResponse(r, ptr('/components/responses', name), conv).response);
  if (responses) out.responses = responses;
  if (Object.keys(securityDefinitions).length) out.securityDefinitions = securityDefinitions;
  const security = convertRequirements(src.security, '/security', conv);
  if (security) out.security = security;
  if (Array.isArray(src.tags)) out.tags = src.tags;
  if (src.externalDocs) out.externalDocs = src.externalDocs;
  for (const k of ['requestBodies', 'headers', 'examples', 'links', 'callbacks', 'pathItems']) {
    if (isObj(comps[k]) && Object.keys(comps[k]).length)
      conv.note(ptr('/components', k), `Swagger 2.0 has no reusable ${k}; the ones in use are written inline, the rest left out`);
  }
  if (src.webhooks) conv.note('/webhooks', 'Swagger 2.0 has no webhooks; left out (a Power Platform trigger is an operation with x-ms-trigger)');
  if (src.jsonSchemaDialect) conv.note('/jsonSchemaDialect', 'Swagger 2.0 schemas are its own draft-4 subset; left out');
  copyExtensions(src, out);
  copyExtensions(comps, out);
  return { swagger: out, notes };
}

function convertInfo(info: unknown, conv: Conv): Obj {
  if (!isObj(info)) return { title: '', version: '' };
  const out: Obj = { ...info };
  if (out.summary !== undefined) {
    conv.note('/info/summary', 'Swagger 2.0 info has no summary; left out');
    delete out.summary;
  }
  if (isObj(out.license) && out.license.identifier !== undefined) {
    const { identifier, ...license } = out.license;
    out.license = license;
    conv.note('/info/license/identifier', `Swagger 2.0 licenses have no SPDX identifier ('${identifier}'); left out`);
  }
  return out;
}

function convertPathItem(item: Obj, at: string, conv: Conv): Obj {
  if (typeof item.$ref === 'string') {
    conv.note(at, `path item $ref ${item.$ref} kept as it is`);
    return { $ref: item.$ref };
  }
  const out: Obj = {};
  for (const k of ['summary', 'description', 'servers']) if (item[k] !== undefined) conv.note(ptr(at, k), `Swagger 2.0 path items have no ${k}; left out`);
  if (item.trace) conv.note(ptr(at, 'trace'), 'Swagger 2.0 has no TRACE operations; left out');
  const params = convertParams(item.parameters, ptr(at, 'parameters'), conv);
  if (params) out.parameters = params;
  for (const m of METHODS) if (isObj(item[m])) out[m] = convertOperation(item[m], ptr(at, m), conv);
  return copyExtensions(item, out);
}

function convertParams(list: unknown, at: string, conv: Conv): Obj[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((p, i) => convertParameter(p, ptr(at, i), conv)).filter((p): p is Obj => p !== undefined);
}

const OP_KEEP = ['tags', 'summary', 'description', 'externalDocs', 'operationId', 'deprecated'];

function convertOperation(op: Obj, at: string, conv: Conv): Obj {
  const out: Obj = {};
  for (const k of OP_KEEP) if (op[k] !== undefined) out[k] = op[k];
  const params = convertParams(op.parameters, ptr(at, 'parameters'), conv) ?? [];
  if (op.requestBody !== undefined) {
    const { params: bodyParams, consumes } = convertRequestBody(op.requestBody, ptr(at, 'requestBody'), conv);
    params.push(...bodyParams);
    if (consumes.length) out.consumes = consumes;
  }
  if (params.length) out.parameters = params;
  const responses: Obj = {};
  const produces = new Set<string>();
  for (const [code, r] of Object.entries(isObj(op.responses) ? op.responses : {})) {
    if (code.startsWith('x-')) {
      responses[code] = r;
      continue;
    }
    let key = code;
    if (/^[1-5]XX$/i.test(code)) {
      key = `${code[0]}00`;
      conv.note(ptr(at, 'responses', code), `Swagger 2.0 has no status code ranges; written as ${key}`);
      if (op.responses[key] !== undefined) continue;
    }
    const { response, produces: types } = convertResponse(r, ptr(at, 'responses', code), conv);
    responses[key] = response;
    for (const t of types) produces.add(t);
  }
  if (!Object.keys(responses).length) responses.default = { description: '' };
  out.responses = responses;
  if (produces.size) out.produces = jsonFirst(produces);
  const security = convertRequirements(op.security, ptr(at, 'security'), conv);
  if (security) out.security = security;
  if (op.callbacks)
    conv.note(ptr(at, 'callbacks'), 'Swagger 2.0 has no callbacks; left out (a Power Platform webhook trigger is an operation with x-ms-trigger)');
  if (op.servers) conv.note(ptr(at, 'servers'), 'Swagger 2.0 has no per-operation servers; the document host is used');
  return copyExtensions(op, out);
}

function mapObj(o: unknown, f: (v: unknown, k: string) => Obj | undefined): Obj | undefined {
  if (!isObj(o)) return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    const r = f(v, k);
    if (r !== undefined) out[k] = r;
  }
  return Object.keys(out).length ? out : undefined;
}
