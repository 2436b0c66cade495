import { CliError, UsageError } from '../errors.js';
import { bodyFieldPaths } from '../completion/fields.js';
import { closest, slugify } from '../util/suggest.js';
import { dynamicSource, dynamicTree, type DynamicSource, type DynamicTree } from './dynamic-values.js';
import type { Operation, ParamIn } from './find.js';

/**
 * The inputs of an operation whose values come from another operation: parameters (path, query,
 * header, form) and body properties that declare x-ms-dynamic-values, x-ms-dynamic-list or
 * x-ms-dynamic-tree. A body property is named `body.<path>` in the `-f` syntax (`body.folder.id`);
 * the Swagger 2 body parameter's own name works as the prefix too, and so does the bare path
 * when no parameter has that name. Any input is also found by the slug of its x-ms-summary.
 */
export interface DynamicTarget {
  /** What `connector values` calls it: the parameter's name, or `body.<path>`. */
  name: string;
  /** x-ms-summary, when it has one. */
  summary?: string;
  in: ParamIn;
  required: boolean;
  source?: DynamicSource;
  tree?: DynamicTree;
  /** Declared, but with nothing callable here (a builtInOperation or capability of the platform's own): why. */
  unsupported?: string;
}

type Obj = Record<string, any>;
const EXTENSIONS = ['x-ms-dynamic-values', 'x-ms-dynamic-list', 'x-ms-dynamic-tree'] as const;

function target(name: string, where: ParamIn, required: boolean, node: { raw: Obj; schema: Obj }): DynamicTarget | undefined {
  const declared = EXTENSIONS.filter((e) => node.raw?.[e] !== undefined || node.schema?.[e] !== undefined);
  if (!declared.length) return undefined;
  const summary =
    typeof (node.raw?.['x-ms-summary'] ?? node.schema?.['x-ms-summary']) === 'string' ? (node.raw?.['x-ms-summary'] ?? node.schema['x-ms-summary']) : undefined;
  const t: DynamicTarget = { name, in: where, required, ...(summary ? { summary } : {}) };
  const source = dynamicSource(node);
  const tree = source ? undefined : dynamicTree(node);
  if (source) t.source = source;
  else if (tree) t.tree = tree;
  else {
    const ext: Obj = node.raw?.[declared[0]] ?? node.schema?.[declared[0]] ?? {};
    const builtIn = ext.builtInOperation ?? ext.open?.builtInOperation;
    t.unsupported = builtIn
      ? `its values come from the platform's built-in operation ${builtIn}, which cannot be called outside Power Platform`
      : ext.capability
        ? `its values come from the platform's ${ext.capability} capability, which cannot be called outside Power Platform`
        : `its ${declared[0]} names no operation`;
  }
  return t;
}

/** Every input of the operation with dynamic values, parameters first, then body properties. */
export function dynamicTargets(op: Operation): DynamicTarget[] {
  const out: DynamicTarget[] = [];
  for (const p of op.params) {
    const t = target(p.name, p.in, p.required, p);
    if (t) out.push(t);
  }
  if (op.body) {
    for (const f of bodyFieldPaths(op.body.schema)) {
      const t = target(`body.${f.text.replace(/=$/, '')}`, 'body', f.required && op.body.required, { raw: f.schema, schema: f.schema });
      if (t) out.push(t);
    }
  }
  return out;
}

/**
 * The input `name` means: a parameter by name (any case) or x-ms-summary slug, a body property
 * by `body.<path>`, `<body parameter>.<path>` or the bare path. A parameter without dynamic
 * values is a UsageError saying so (and which have them); so is an unknown name.
 */
export function findDynamicTarget(op: Operation, name: string): DynamicTarget {
  const all = dynamicTargets(op);
  const lc = name.toLowerCase();
  const param = op.params.find((p) => p.name === name) ?? op.params.find((p) => p.name.toLowerCase() === lc);
  const bodyPath = (n: string) => {
    const prefixes = ['body.', ...(op.body?.name ? [`${op.body.name.toLowerCase()}.`] : [])];
    const prefix = prefixes.find((p) => n.toLowerCase().startsWith(p));
    return `body.${prefix ? n.slice(prefix.length) : n}`.toLowerCase();
  };
  const hit =
    (param ? all.find((t) => t.in !== 'body' && t.name === param.name) : undefined) ??
    (param ? undefined : all.find((t) => t.in === 'body' && t.name.toLowerCase() === bodyPath(name))) ??
    (param ? undefined : all.find((t) => t.summary !== undefined && slugify(t.summary) === slugify(name)));
  if (hit) return hit;
  const listed = all.length
    ? `Inputs of ${op.operationId} with dynamic values: ${all.map((t) => t.name).join(', ')}.`
    : `${op.operationId} has no input with dynamic values.`;
  if (param) throw new UsageError(`parameter '${param.name}' of ${op.operationId} has no dynamic values (no x-ms-dynamic-values, -list or -tree)`, listed);
  const near = closest(
    name,
    all.map((t) => t.name),
  );
  throw new UsageError(
    `operation '${op.operationId}' has no parameter or body property '${name}' with dynamic values`,
    near.length ? `Did you mean: ${near.join(', ')}? ${listed}` : listed,
  );
}

/** The target's source or tree, or a CliError (exit 1) saying why there is nothing to call. */
export function callable(op: Operation, t: DynamicTarget): { source?: DynamicSource; tree?: DynamicTree } {
  if (t.unsupported) throw new CliError(`${t.name} of ${op.operationId}: ${t.unsupported}`);
  return { source: t.source, tree: t.tree };
}
