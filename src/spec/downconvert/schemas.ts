/**
 * OpenAPI 3.0/3.1 Schema Objects → Swagger 2.0 Schema Objects. 2.0 keeps a fixed subset of JSON
 * Schema draft 4 (plus discriminator, readOnly, xml, externalDocs, example, x-*); everything else
 * is mapped where 2.0 has an equivalent and otherwise left out with a note.
 */
import { type Conv, copyExtensions, isObj, type Obj, ptr, renameRef, resolveLocal } from './context.js';

/** Keywords a 2.0 Schema Object takes as they are (recursing ones are handled apart). */
const KEEP = new Set([
  'format',
  'title',
  'description',
  'default',
  'multipleOf',
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
  'maxProperties',
  'minProperties',
  'required',
  'enum',
  'readOnly',
  'xml',
  'externalDocs',
  'example',
]);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

/** Convert one schema; `at` is its pointer in the source (for notes). */
export function convertSchema(s: unknown, at: string, conv: Conv): Obj {
  if (!isObj(s)) {
    // 3.1 allows boolean schemas: true = anything, false = nothing (2.0 has no such schema).
    if (s === false) conv.note(at, 'the schema `false` (nothing valid) has no Swagger 2.0 form; left as an empty schema');
    return {};
  }
  if (typeof s.$ref === 'string') return convertRef(s, at, conv);
  const out: Obj = {};
  const branches = s.oneOf ?? s.anyOf;
  if (Array.isArray(branches)) return convertChoice(s, branches, s.oneOf ? 'oneOf' : 'anyOf', at, conv);

  setType(s, out, at, conv);
  for (const [k, v] of Object.entries(s)) {
    if (k === 'type' || k === 'nullable' || k.startsWith('x-')) continue;
    if (KEEP.has(k)) {
      if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v === 'number') {
        // 3.1: a number (the bound itself); 2.0: a boolean beside minimum/maximum.
        const bound = k === 'exclusiveMinimum' ? 'minimum' : 'maximum';
        out[bound] = typeof s[bound] === 'number' ? (k === 'exclusiveMinimum' ? Math.max(s[bound], v) : Math.min(s[bound], v)) : v;
        out[k] = true;
        continue;
      }
      if ((k === 'minimum' || k === 'maximum') && out[k] !== undefined) continue;
      out[k] = v;
      continue;
    }
    switch (k) {
      case 'properties':
        if (isObj(v)) out.properties = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, convertSchema(sub, ptr(at, k, name), conv)]));
        break;
      case 'items':
        out.items = Array.isArray(v) ? convertSchema(v[0], ptr(at, k, 0), conv) : convertSchema(v, ptr(at, k), conv);
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof v === 'boolean' ? v : convertSchema(v, ptr(at, k), conv);
        break;
      case 'allOf':
        if (Array.isArray(v)) out.allOf = v.map((sub, i) => convertSchema(sub, ptr(at, k, i), conv));
        break;
      case 'const':
        out.enum = [v];
        break;
      case 'examples':
        if (Array.isArray(v) && v.length && out.example === undefined && s.example === undefined) out.example = v[0];
        break;
      case 'discriminator':
        if (isObj(v) && typeof v.propertyName === 'string') {
          out.discriminator = v.propertyName;
          if (v.mapping)
            conv.note(ptr(at, k, 'mapping'), 'Swagger 2.0 discriminators have no mapping (the value must be the definition name); mapping left out');
        } else if (typeof v === 'string') out.discriminator = v;
        break;
      case 'writeOnly':
        if (v) conv.note(ptr(at, k), 'Swagger 2.0 has no writeOnly; left out (the property is shown in responses too)');
        break;
      case '$defs':
      case 'definitions':
        conv.note(ptr(at, k), `Swagger 2.0 has no nested ${k}; the ones referenced are written inline where used, ${k} left out`);
        break;
      case 'deprecated':
        if (v) out['x-deprecated'] = true;
        break;
      default:
        conv.note(ptr(at, k), `\`${k}\` has no Swagger 2.0 equivalent; left out`);
    }
  }
  dropMissingRequired(out, at, conv);
  return copyExtensions(s, out);
}

/** 2.0 validators (swagger-parser, the platform's) refuse `required` names that are not properties. */
function dropMissingRequired(out: Obj, at: string, conv: Conv): void {
  if (out.type !== 'object' || !Array.isArray(out.required) || out.allOf) return;
  const props = isObj(out.properties) ? out.properties : {};
  const missing = out.required.filter((r: unknown) => typeof r !== 'string' || !(r in props));
  if (!missing.length) return;
  out.required = out.required.filter((r: unknown) => !missing.includes(r));
  if (!out.required.length) delete out.required;
  conv.note(ptr(at, 'required'), `${JSON.stringify(missing)} required but not among the properties (Swagger 2.0 refuses that); left out of required`);
}

/** `type` (3.1: maybe an array with 'null') and `nullable` → one 2.0 type + x-nullable. */
function setType(s: Obj, out: Obj, at: string, conv: Conv): void {
  let types: unknown[] = Array.isArray(s.type) ? [...s.type] : s.type === undefined ? [] : [s.type];
  if (types.includes('null') || s.nullable === true) {
    out['x-nullable'] = true;
    types = types.filter((t) => t !== 'null');
  }
  const known = types.filter((t): t is string => typeof t === 'string' && TYPES.has(t));
  if (known.length !== types.length) conv.note(ptr(at, 'type'), `type ${JSON.stringify(s.type)} is not a Swagger 2.0 type; left out`);
  if (known.length > 1) conv.note(ptr(at, 'type'), `Swagger 2.0 takes one type; kept '${known[0]}' of ${JSON.stringify(known)}`);
  if (known.length) out.type = known[0];
}

function convertRef(s: Obj, at: string, conv: Conv): Obj {
  const renamed = renameRef(s.$ref);
  let target: Obj;
  if (renamed?.startsWith('#/definitions/')) target = { $ref: renamed };
  else if (!s.$ref.startsWith('#')) target = { $ref: s.$ref };
  else {
    // A local ref 2.0 has no home for (into paths, $defs, ...): inline the target, once per cycle.
    if (conv.inlining.has(s.$ref)) {
      conv.note(ptr(at, '$ref'), `${s.$ref} refers to itself through a place Swagger 2.0 cannot reference; left as an empty schema`);
      return {};
    }
    const resolved = resolveLocal(conv.src, s.$ref);
    if (resolved === undefined) {
      conv.note(ptr(at, '$ref'), `${s.$ref} does not resolve; kept as it is`);
      target = { $ref: s.$ref };
    } else {
      conv.inlining.add(s.$ref);
      target = convertSchema(resolved, s.$ref.slice(1), conv);
      conv.inlining.delete(s.$ref);
    }
  }
  const siblings = Object.keys(s).filter((k) => k !== '$ref');
  if (!siblings.length || !target.$ref) return siblings.length ? { ...target, ...convertSchema(without(s, '$ref'), at, conv) } : target;
  // 2.0 ignores the siblings of a $ref; allOf keeps them in force.
  const rest = convertSchema(without(s, '$ref'), at, conv);
  const meta = ['description', 'title', 'readOnly', 'example', 'default', 'x-nullable'];
  const out: Obj = { allOf: [target] };
  for (const [k, v] of Object.entries(rest)) (meta.includes(k) || k.startsWith('x-') ? out : (out.allOf[1] ??= {}))[k] = v;
  conv.note(at, `keywords beside $ref (${siblings.join(', ')}) are ignored by Swagger 2.0; wrapped as allOf: [$ref] with them beside it`);
  return out;
}

/** oneOf/anyOf: null branches → x-nullable; one branch left → it; object branches → their merge; else the first. */
function convertChoice(s: Obj, branches: unknown[], kw: 'oneOf' | 'anyOf', at: string, conv: Conv): Obj {
  const isNull = (b: unknown) => isObj(b) && (b.type === 'null' || (b.enum?.length === 1 && b.enum[0] === null));
  const kept = branches.map((b, i) => ({ b, i })).filter(({ b }) => !isNull(b));
  const rest = convertSchema(without(s, kw), at, conv);
  if (kept.length < branches.length) rest['x-nullable'] = true;
  const converted = kept.map(({ b, i }) => convertSchema(b, ptr(at, kw, i), conv));
  let chosen: Obj;
  if (converted.length === 0) chosen = {};
  else if (converted.length === 1) chosen = converted[0]!;
  else {
    const objects = converted.map((c) => (c.$ref ? objectOf(c.$ref, conv) : c));
    if (objects.every((o) => o && (o.type === 'object' || isObj(o.properties)) && !o.allOf)) {
      chosen = { type: 'object', properties: {} };
      const requiredInAll = objects.map((o) => new Set<string>(o!.required ?? []));
      for (const o of objects) Object.assign(chosen.properties, o!.properties);
      const required = [...requiredInAll[0]!].filter((r) => requiredInAll.every((set) => set.has(r)));
      if (required.length) chosen.required = required;
      conv.note(
        ptr(at, kw),
        `Swagger 2.0 has no ${kw}; the ${objects.length} object branches were merged into one object (properties of all, required only what every branch requires)`,
      );
    } else {
      chosen = converted[0]!;
      conv.note(ptr(at, kw), `Swagger 2.0 has no ${kw}; kept the first of ${converted.length} branches (${describe(kept[0]!.b)})`);
    }
  }
  if (chosen.$ref && Object.keys(rest).length) return { allOf: [chosen], ...rest };
  const merged: Obj = { ...chosen, ...rest };
  if (chosen.properties && rest.properties) merged.properties = { ...chosen.properties, ...rest.properties };
  return merged;
}

/** The converted object schema a 2.0 `#/definitions/X` ref names, if it is one (not through a cycle). */
function objectOf(ref: string, conv: Conv): Obj | undefined {
  const name = ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
  const target = name === undefined ? undefined : conv.src.components?.schemas?.[name];
  if (!isObj(target) || target.$ref || target.oneOf || target.anyOf) return undefined;
  return definitionInline(name!, conv);
}

/**
 * The definition `name` converted, for writing inline (parameters, merged branches); undefined
 * when it is missing or its inlining is already under way (a recursive schema).
 */
export function definitionInline(name: string, conv: Conv): Obj | undefined {
  const target = conv.src.components?.schemas?.[name];
  const key = `#/components/schemas/${name}`;
  if (target === undefined || conv.inlining.has(key)) return undefined;
  conv.inlining.add(key);
  try {
    return convertSchema(target, ptr('/components/schemas', name), conv);
  } finally {
    conv.inlining.delete(key);
  }
}

const describe = (b: unknown) => (isObj(b) ? (b.$ref ?? (b.type ? `type ${JSON.stringify(b.type)}` : 'a schema')) : JSON.stringify(b));
const without = (o: Obj, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

/**
 * A definition that reaches itself through `$ref`/`allOf` alone (no property or item between), as
 * `B: { oneOf: [{ $ref: B }, ...] }` becomes when its first branch is kept, defines nothing and
 * sends 2.0 tools into endless recursion: it is left as an empty schema, with a note.
 */
export function breakRefLoops(definitions: Obj, conv: Conv): void {
  const direct = (s: unknown, found: Set<string>): Set<string> => {
    if (!isObj(s)) return found;
    if (typeof s.$ref === 'string' && s.$ref.startsWith('#/definitions/')) found.add(s.$ref.slice('#/definitions/'.length));
    if (Array.isArray(s.allOf)) for (const sub of s.allOf) direct(sub, found);
    return found;
  };
  for (const name of Object.keys(definitions)) {
    const seen = new Set<string>();
    const todo = [...direct(definitions[name], new Set())];
    while (todo.length) {
      const next = todo.pop()!;
      if (next === name) {
        definitions[name] = {};
        conv.note(
          ptr('/components/schemas', name),
          'refers to itself with no property or item in between (after the approximations above); left as an empty schema',
        );
        break;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(...direct(definitions[next], new Set()));
    }
  }
}
