/**
 * Parameters, request bodies and responses: 3.x keeps a schema (or content) on each; 2.0 puts
 * type/format/items inline on non-body parameters and headers, and a single `in: body` (or
 * formData parameters) in place of requestBody.
 */
import { type Conv, copyExtensions, isObj, type Obj, ptr, renameRef, resolveLocal } from './context.js';
import { convertSchema, definitionInline } from './schemas.js';

/** Keywords a 2.0 non-body parameter, header or items object takes from a schema. */
const INLINE = [
  'type',
  'format',
  'items',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'enum',
  'multipleOf',
];

/** A schema as inline parameter/header/items keywords (2.0 allows no object, no $ref there). */
export function inlineSchema(schema: unknown, at: string, conv: Conv, fileOk = false): Obj {
  return inlineConverted(convertSchema(schema, at, conv), at, conv, fileOk);
}

function inlineConverted(converted: Obj, at: string, conv: Conv, fileOk = false, chased: string[] = []): Obj {
  let s = converted;
  while (typeof s.$ref === 'string') {
    const name = s.$ref.startsWith('#/definitions/') ? s.$ref.slice('#/definitions/'.length) : undefined;
    const target = name === undefined || chased.includes(name) ? undefined : definitionInline(name, conv);
    if (target === undefined) {
      conv.note(at, `${s.$ref} cannot be written inline (missing or recursive) and 2.0 parameters take no $ref; the parameter is a string`);
      return { type: 'string' };
    }
    chased = [...chased, name!];
    s = target;
  }
  if (s.allOf) {
    conv.note(at, 'Swagger 2.0 parameters take no allOf; the parameter is a string');
    return { type: 'string' };
  }
  const out: Obj = {};
  for (const k of INLINE) if (s[k] !== undefined) out[k] = s[k];
  if (s['x-nullable']) out['x-nullable'] = true;
  if (fileOk && out.type === 'string' && out.format === 'binary') {
    out.type = 'file';
    delete out.format;
  }
  if (out.type === 'object' || out.type === undefined) {
    if (out.type === 'object') conv.note(at, 'Swagger 2.0 parameters cannot be objects; approximated as a string (send the JSON text)');
    out.type = 'string';
    delete out.default;
    delete out.enum;
  }
  if (out.type === 'array') out.items = inlineConverted(isObj(s.items) ? s.items : {}, ptr(at, 'items'), conv, false, chased);
  else delete out.items;
  return out;
}

const PARAM_KEEP = ['name', 'in', 'description', 'required', 'allowEmptyValue'];

/** One parameter (or a $ref to one); undefined when 2.0 cannot have it (cookie). */
export function convertParameter(p: unknown, at: string, conv: Conv): Obj | undefined {
  if (!isObj(p)) return undefined;
  if (typeof p.$ref === 'string') {
    const target = resolveLocal(conv.src, p.$ref);
    if (isObj(target) && target.in === 'cookie') return convertParameter(target, p.$ref.slice(1), conv);
    const renamed = renameRef(p.$ref);
    if (renamed?.startsWith('#/parameters/')) return { $ref: renamed };
    return target === undefined ? { $ref: p.$ref } : convertParameter(target, at, conv);
  }
  if (p.in === 'cookie') {
    conv.note(at, `Swagger 2.0 has no cookie parameters; '${p.name}' left out (send it in a Cookie header if the API needs it)`);
    return undefined;
  }
  const out: Obj = {};
  for (const k of PARAM_KEEP) if (p[k] !== undefined) out[k] = p[k];
  if (p.in === 'path') out.required = true;
  if (p.content !== undefined) {
    conv.note(ptr(at, 'content'), 'a parameter with content (a serialized schema) has no Swagger 2.0 form; approximated as a string');
    out.type = 'string';
  } else Object.assign(out, inlineSchema(p.schema ?? {}, ptr(at, 'schema'), conv));
  if (p.deprecated) out['x-deprecated'] = true;
  if (p.example !== undefined) out['x-example'] = p.example;
  if (out.type === 'array') {
    const style = p.style ?? (p.in === 'query' ? 'form' : 'simple');
    const explode = p.explode ?? style === 'form';
    if (style === 'form') out.collectionFormat = explode ? 'multi' : 'csv';
    else if (style === 'spaceDelimited') out.collectionFormat = 'ssv';
    else if (style === 'pipeDelimited') out.collectionFormat = 'pipes';
    else if (style === 'simple') out.collectionFormat = 'csv';
    else conv.note(ptr(at, 'style'), `Swagger 2.0 has no '${style}' style; sent as csv`);
    if (out.collectionFormat === 'multi' && p.in !== 'query') {
      out.collectionFormat = 'csv';
      conv.note(ptr(at, 'explode'), "Swagger 2.0 repeats ('multi') only query and formData parameters; sent as csv");
    }
  } else if (p.style === 'deepObject') conv.note(ptr(at, 'style'), 'Swagger 2.0 has no deepObject style; the parameter is a string');
  return copyExtensions(p, out);
}

const JSONISH = (m: string) => /^application\/json\b/i.test(m) || /\+json\b/i.test(m) || /^text\/json\b/i.test(m);
const FORM = (m: string) => /^(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(m);

/** requestBody → parameters (one body, or formData) and the consumes list. */
export function convertRequestBody(rb: unknown, at: string, conv: Conv): { params: Obj[]; consumes: string[] } {
  let body = rb;
  if (isObj(body) && typeof body.$ref === 'string') body = resolveLocal(conv.src, body.$ref);
  if (!isObj(body) || !isObj(body.content)) return { params: [], consumes: [] };
  const content = body.content as Obj;
  const types = Object.keys(content);
  if (!types.length) return { params: [], consumes: [] };
  const chosen = types.find((t) => /^application\/json\b/i.test(t)) ?? types.find(JSONISH) ?? types.find(FORM) ?? types[0]!;
  const distinct = new Set(types.map((t) => JSON.stringify(content[t]?.schema ?? null)));
  if (distinct.size > 1)
    conv.note(ptr(at, 'content'), `Swagger 2.0 has one body schema for all media types; kept the one of '${chosen}' for ${types.join(', ')}`);
  const cat = ptr(at, 'content', chosen);
  const bodyExt = copyExtensions(body, {});
  if (FORM(chosen)) {
    let schema = content[chosen]?.schema;
    for (let hops = 0; isObj(schema) && typeof schema.$ref === 'string' && hops < 8; hops++) schema = resolveLocal(conv.src, schema.$ref);
    const props = isObj(schema) && isObj(schema.properties) ? (schema.properties as Obj) : {};
    const required = new Set<string>(isObj(schema) && Array.isArray(schema.required) ? schema.required : []);
    const multipart = /^multipart/i.test(chosen);
    const params = Object.entries(props).map(([name, ps]) => {
      const p: Obj = { name, in: 'formData' };
      if (isObj(ps) && ps.description) p.description = ps.description;
      if (required.has(name)) p.required = true;
      Object.assign(p, inlineSchema(ps, ptr(cat, 'schema', 'properties', name), conv, multipart));
      if (p.type === 'array') p.collectionFormat = 'multi';
      return copyExtensions(isObj(ps) ? ps : {}, p);
    });
    if (Object.keys(bodyExt).length)
      conv.note(at, `Swagger 2.0 has no request body object to carry ${Object.keys(bodyExt).join(', ')}; left out (the form fields are parameters)`);
    if (content[chosen]?.encoding) conv.note(ptr(cat, 'encoding'), 'Swagger 2.0 has no per-field encoding; left out');
    return { params, consumes: chosenFirst(types, chosen) };
  }
  const p: Obj = { name: typeof body['x-codegen-request-body-name'] === 'string' ? body['x-codegen-request-body-name'] : 'body', in: 'body' };
  if (body.description) p.description = body.description;
  if (body.required) p.required = true;
  p.schema = convertSchema(content[chosen]?.schema ?? {}, ptr(cat, 'schema'), conv);
  delete bodyExt['x-codegen-request-body-name'];
  return { params: [Object.assign(p, bodyExt)], consumes: chosenFirst(types, chosen) };
}

/** The media type the body parameter describes first (clients send the first of consumes). */
const chosenFirst = (types: string[], chosen: string) => [chosen, ...types.filter((t) => t !== chosen)];

/** JSON media types first, then the others in their order. */
export const jsonFirst = (types: Iterable<string>) => {
  const all = [...types];
  return [...all.filter(JSONISH), ...all.filter((t) => !JSONISH(t))];
};

/** One response (or a $ref to one) and the media types it produces. */
export function convertResponse(r: unknown, at: string, conv: Conv): { response: Obj; produces: string[] } {
  if (!isObj(r)) return { response: { description: '' }, produces: [] };
  if (typeof r.$ref === 'string') {
    const renamed = renameRef(r.$ref);
    const target = resolveLocal(conv.src, r.$ref);
    const produces = isObj(target) && isObj(target.content) ? Object.keys(target.content) : [];
    if (renamed?.startsWith('#/responses/')) return { response: { $ref: renamed }, produces };
    return target === undefined ? { response: { $ref: r.$ref }, produces } : convertResponse(target, at, conv);
  }
  const out: Obj = { description: typeof r.description === 'string' ? r.description : '' };
  const content = isObj(r.content) ? (r.content as Obj) : {};
  const types = Object.keys(content);
  const chosen = types.find(JSONISH) ?? types[0];
  if (chosen !== undefined && isObj(content[chosen]) && content[chosen].schema !== undefined) {
    out.schema = convertSchema(content[chosen].schema, ptr(at, 'content', chosen, 'schema'), conv);
    const examples = Object.fromEntries(types.filter((t) => content[t]?.example !== undefined).map((t) => [t, content[t].example]));
    if (Object.keys(examples).length) out.examples = examples;
  }
  if (isObj(r.headers)) {
    out.headers = {};
    for (const [name, h] of Object.entries(r.headers)) {
      const hat = ptr(at, 'headers', name);
      const header = isObj(h) && typeof h.$ref === 'string' ? resolveLocal(conv.src, h.$ref) : h;
      if (!isObj(header)) continue;
      const oh: Obj = header.description ? { description: header.description } : {};
      Object.assign(oh, inlineSchema(header.schema ?? {}, ptr(hat, 'schema'), conv));
      out.headers[name] = copyExtensions(header, oh);
    }
  }
  if (r.links) conv.note(ptr(at, 'links'), 'Swagger 2.0 has no links; left out');
  return { response: copyExtensions(r, out), produces: types };
}
