import type { Context } from '../../context.js';
import { CliError } from '../../errors.js';
import { printJson } from '../../io/output.js';
import { resolveAddress, resolveConnection } from '../../connections/store.js';
import { chooseTestOperation, runTest } from '../../connections/verify.js';

/** `connector connection test <connector>/<name>`: call the test operation with the stored credentials. */
export default async function test(ctx: Context, address: string, opts: { testOperation?: string; baseUrl?: string }): Promise<number> {
  const { connector, name } = await resolveAddress(ctx, address, { short: true });
  const record = await (await ctx.registry()).get(connector);
  // A stored connection, or one the CONNECTOR_<K>__<C>__* variables stand in for (CI); none: the hint names them.
  const resolved = await resolveConnection(ctx, connector, name);
  const op = chooseTestOperation(record, opts.testOperation, resolved.record.testOperation);
  if (!op) {
    throw new CliError(`connector '${connector}' has no test operation (none declared, no GET callable with example values)`, {
      hint: `Name one: connector connection test ${connector}/${name} --test-operation <operationId>`,
    });
  }
  const res = await runTest(ctx, record, resolved, op, {
    baseUrl: opts.baseUrl,
    refusedHint: `Check its values (connector connection show ${connector}/${name}); an OAuth connection signs in again with: connector connection login ${connector}/${name}`,
  });
  const ok = res.status >= 200 && res.status < 300;
  if (ctx.json) printJson(ctx.io, { connection: `${connector}/${name}`, operationId: res.operationId, status: res.status, ok });
  else ctx.io.err(`${ok ? 'OK' : 'FAILED'}: ${connector}/${name} — ${res.operationId} answered HTTP ${res.status}.`);
  return ok ? 0 : 1;
}
