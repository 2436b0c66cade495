import type { IFunctionResult } from '@stoplight/spectral-core';
import { closest } from '../../util/suggest.js';
import { byOperationId, deref, documentFunction, documentRule, type JsonPath, type Operation, operations, perDocument, walkSchema } from './swagger-ops.js';
import type { ConnectorFiles, RulesetRule } from '../files.js';

const DYNAMIC = ['x-ms-dynamic-values', 'x-ms-dynamic-list', 'x-ms-dynamic-schema', 'x-ms-dynamic-properties'] as const;
/** The nextLinkName values the platform supports (Swagger validator: InvalidNextLinkNameValue). */
export const NEXT_LINK_NAMES = ['nextLink', '@odata.nextLink'];

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One dynamic call: which extension, its object, where it is written, and the operation it is used from. */
interface Call {
  ext: string;
  call: any;
  path: JsonPath;
  caller: Operation;
}

/** Every dynamic extension reachable from an operation (its parameters, body schema, responses, notification content). */
const calls = perDocument((doc: any): Call[] => {
  const out: Call[] = [];
  const seen = new Set<string>();
  const take = (node: any, at: JsonPath, caller: Operation) => {
    for (const ext of DYNAMIC) {
      if (isObj(node[ext])) push(ext, node[ext], [...at, ext], caller);
    }
    const tree = node['x-ms-dynamic-tree'];
    if (isObj(tree))
      for (const part of ['open', 'browse'] as const)
        if (isObj(tree[part])) push(`x-ms-dynamic-tree ${part}`, tree[part], [...at, 'x-ms-dynamic-tree', part], caller);
  };
  const push = (ext: string, call: any, path: JsonPath, caller: Operation) => {
    const key = `${JSON.stringify(path)} ${caller.path.join('/')}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ ext, call, path, caller });
  };
  for (const o of operations(doc)) {
    for (const { param, path } of o.params) {
      take(param, path, o);
      if (param.in === 'body' && param.schema) walkSchema(doc, param.schema, [...path, 'schema'], (n, at) => take(n, at, o));
    }
    if (isObj(o.op.responses)) {
      for (const [code, r] of Object.entries(o.op.responses)) {
        const res = deref(doc, r);
        if (isObj(res?.schema)) walkSchema(doc, res.schema, [...o.path, 'responses', code, 'schema'], (n, at) => take(n, at, o));
      }
    }
    const note = doc.paths[o.route]?.['x-ms-notification-content'];
    if (isObj(note?.schema)) walkSchema(doc, note.schema, ['paths', o.route, 'x-ms-notification-content', 'schema'], (n, at) => take(n, at, o));
  }
  return out;
});

/** Names an operation's dynamic calls can be given: its parameters, and the properties of its body schema. */
const namesCache = new WeakMap<Operation, Map<boolean, Set<string>>>();
function inputNames(doc: any, o: Operation, deep: boolean): Set<string> {
  let byDepth = namesCache.get(o);
  if (!byDepth) namesCache.set(o, (byDepth = new Map()));
  const known = byDepth.get(deep);
  if (known) return known;
  const names = new Set<string>();
  for (const { param } of o.params) {
    if (typeof param.name === 'string') names.add(param.name);
    if (param.in === 'body' && param.schema) {
      walkSchema(doc, param.schema, [], (n, _at, chain) => {
        if (!deep && chain.length > 1) return;
        if (isObj(n.properties)) for (const k of Object.keys(n.properties)) names.add(k);
      });
    }
  }
  byDepth.set(deep, names);
  return names;
}

const head = (s: string) => s.split('/')[0];
const label = (o: Operation) => (typeof o.op.operationId === 'string' ? o.op.operationId : `${o.method.toUpperCase()} ${o.route}`);

/** Rules on x-ms-dynamic-* references and x-ms-pageable (swagger). */
export function rules(_files: ConnectorFiles): Record<string, RulesetRule> {
  const operation = documentFunction((doc): IFunctionResult[] => {
    const ops = byOperationId(doc);
    return calls(doc).flatMap(({ ext, call, path }) => {
      const id = call.operationId;
      if (typeof id === 'string' && ops.has(id)) return [];
      // builtInOperation (AadGraph.GetUsers…) and the file-picker form (capability, paired with x-ms-dynamic-tree) call no operation of the swagger.
      if (id === undefined && (call.builtInOperation || call.capability)) return [];
      if (typeof id !== 'string' || !id) return [{ message: `${ext} has no operationId: name the operation that returns its values`, path }];
      const [near] = closest(id, [...ops.keys()], 1);
      return [
        {
          message: `${ext} calls operationId '${id}', which the swagger does not have: ${near ? `did you mean '${near}'?` : 'add the operation or fix the name'}`,
          path: [...path, 'operationId'],
        },
      ];
    });
  });
  const target = documentFunction((doc): IFunctionResult[] => {
    const ops = byOperationId(doc);
    return calls(doc).flatMap(({ ext, call, path }) => {
      const o = typeof call.operationId === 'string' ? ops.get(call.operationId) : undefined;
      if (!o || !isObj(call.parameters)) return [];
      const names = inputNames(doc, o, false);
      return Object.keys(call.parameters)
        .filter((k) => !names.has(head(k)))
        .map((k) => {
          const [near] = closest(head(k), [...names], 1);
          return {
            message: `${ext} passes '${k}', which is not a parameter of '${call.operationId}': ${near ? `did you mean '${near}'?` : `use one of its parameters (${[...names].join(', ') || 'it has none'})`}`,
            path: [...path, 'parameters', k],
          };
        });
    });
  });
  const source = documentFunction((doc): IFunctionResult[] =>
    calls(doc).flatMap(({ ext, call, path, caller }) => {
      if (!isObj(call.parameters)) return [];
      const names = inputNames(doc, caller, true);
      return Object.entries(call.parameters).flatMap(([k, v]) => {
        if (!isObj(v)) return [];
        const ref = typeof v.parameter === 'string' ? v.parameter : typeof v.parameterReference === 'string' ? v.parameterReference : undefined;
        const key = typeof v.parameter === 'string' ? 'parameter' : 'parameterReference';
        if (ref === undefined || names.has(ref) || names.has(head(ref)) || names.has(ref.split('.')[0])) return [];
        const [near] = closest(head(ref), [...names], 1);
        return [
          {
            message: `${ext} takes '${k}' from '${ref}', which is not a parameter of '${label(caller)}': ${near ? `did you mean '${near}'?` : 'name one of its parameters, or pass a literal value'}`,
            path: [...path, 'parameters', k, key],
          },
        ];
      });
    }),
  );
  const pageable = documentFunction((doc): IFunctionResult[] =>
    operations(doc).flatMap((o) => {
      const p = o.op['x-ms-pageable'];
      if (!isObj(p)) return [];
      const name = p.nextLinkName;
      if (typeof name === 'string' && NEXT_LINK_NAMES.includes(name)) return [];
      const fix = typeof name === 'string' && name.toLowerCase().includes('odata') ? '@odata.nextLink' : 'nextLink';
      return [
        {
          message: `x-ms-pageable nextLinkName ${JSON.stringify(name)} is not one the platform supports (nextLink or @odata.nextLink): use '${fix}', and rename the property with an updatenextlink policy if the API differs`,
          path: [...o.path, 'x-ms-pageable', ...(name === undefined ? [] : ['nextLinkName'])],
        },
      ];
    }),
  );
  const rule = documentRule;
  return {
    'dynamic-operation': rule('x-ms-dynamic-values/-list/-schema/-properties/-tree call an operation that exists.', 'error', operation),
    'dynamic-target-parameter': rule('A dynamic call passes only parameters the called operation has.', 'error', target),
    'dynamic-source-parameter': rule('A dynamic call takes values from parameters the calling operation has.', 'error', source),
    'dynamic-pageable-next-link': rule('x-ms-pageable nextLinkName is nextLink or @odata.nextLink.', 'warn', pageable),
  };
}
