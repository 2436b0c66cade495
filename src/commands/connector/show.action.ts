import type { Context } from '../../context.js';
import { printJson, wrap } from '../../io/output.js';
import { sanitizeLine } from '../../io/sanitize.js';
import { deriveConnectionModel } from '../../spec/connection-model.js';
import { policyStatus } from '../../policies/index.js';
import { apiProps, capabilities, operations, policies, publisher, scriptOperations, summarize } from '../../spec/normalize.js';
import { FORMAT_LABEL } from '../../spec/validate.js';

/** `connector show <name>`: metadata, auth options and their parameters, policies, capabilities. */
export default async function show(ctx: Context, name: string): Promise<number> {
  const record = await (await ctx.registry()).get(name);
  const summary = summarize(record);
  const model = deriveConnectionModel(record);
  const pols = policies(record);
  // Per instance, not per template id: one response-side setheader says nothing about the request-side ones.
  const status = pols.map((p) => policyStatus(p));
  const ops = operations(record);
  if (ctx.json) {
    printJson(ctx.io, {
      ...summary,
      ...publisher(record),
      capabilities: capabilities(record),
      scriptOperations: scriptOperations(record),
      iconBrandColor: apiProps(record).iconBrandColor,
      connection: model,
      policies: pols.map((p, i) => {
        const s = status[i];
        return { ...p, supported: s.applied, ...(s.applied ? (s.limitation ? { limitation: s.limitation } : {}) : { reason: s.reason }) };
      }),
      operations: ops,
    });
    return 0;
  }
  const lines: string[] = [];
  const kv = (k: string, v: string | number | undefined) => v !== undefined && v !== '' && lines.push(`${(k + ':').padEnd(14)}${v}`);
  kv('Name', record.name);
  kv('Title', record.title);
  kv('Version', record.version);
  kv('Format', FORMAT_LABEL[record.specFormat]);
  kv('Host', summary.host);
  kv('Base path', summary.basePath);
  kv('Publisher', summary.publisher);
  kv('Operations', `${ops.length} (connector operations ${record.name})`);
  kv('Capabilities', capabilities(record).join(', '));
  kv('Source', `${record.source.kind} ${record.source.location}`);
  kv('Imported', record.importedAt);
  // Word-wrapped to the terminal (80 columns when piped), at most 12 lines: a description is prose, not a cell.
  if (summary.description) lines.push('', ...wrap(summary.description, Math.min(ctx.io.columns() ?? 80, 100)).slice(0, 12));
  lines.push('', model.options.length ? 'Authentication:' : 'Authentication: none (no connection parameters)');
  for (const o of model.options) {
    lines.push(`  ${o.id} — ${o.label || o.id} (${o.kind})`);
    for (const p of o.parameters) {
      if (p.oauth) {
        // The OAuth setting is no value anyone types: show what the sign-in will use instead.
        const a = p.oauth;
        const authorize = a.authorizationUrl ?? a.customParameters.authorizationUrl;
        const token = a.tokenUrl ?? a.customParameters.tokenUrl;
        lines.push(`    sign-in: identity provider ${a.identityProvider}${a.flow ? `, ${a.flow} flow` : ''}`);
        if (authorize) lines.push(`      authorize: ${authorize}`);
        if (token) lines.push(`      token:     ${token}`);
        if (a.scopes?.length) lines.push(`      scopes:    ${a.scopes.join(' ')}`);
        if (a.clientId && !/^\[\[.*\]\]$/.test(a.clientId)) lines.push(`      client id: ${a.clientId}`); // not the [[DUMMY]] of published files
        continue;
      }
      const flags = [p.type, p.secret ? 'secret' : '', p.required ? 'required' : 'optional', p.hidden ? 'hidden' : ''].filter(Boolean).join(', ');
      lines.push(`    ${p.name}${p.label && p.label !== p.name ? `: ${p.label}` : ''} [${flags}]`);
    }
  }
  if (pols.length) {
    lines.push('', `Policies (${pols.length}):`);
    pols.forEach((p, i) => {
      const s = status[i];
      lines.push(`  ${p.templateId}${p.title ? ` — ${p.title}` : ''}${s.applied ? '' : '  (not applied by connector run)'}`);
      if (!s.applied) lines.push(`      ${s.reason}`);
      else if (s.limitation) lines.push(`      applied, with a difference: ${s.limitation}`);
    });
  }
  if (record.script !== undefined) {
    const sops = scriptOperations(record);
    lines.push('', `Custom code: script.csx present (cannot run locally${sops.length ? `; affects ${sops.join(', ')}` : ''})`);
  }
  // Every line carries spec text (titles, labels, policy names): one line each, control characters escaped.
  ctx.io.out(lines.map(sanitizeLine).join('\n'));
  return 0;
}
