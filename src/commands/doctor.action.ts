import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { printJson } from '../io/output.js';
import { repair, runChecks, systemFacts, type Repair } from '../doctor/run.js';
import type { Finding, Status, System } from '../doctor/types.js';

export interface DoctorFlags {
  fix?: boolean;
  pruneBroken?: boolean;
  staleAfter: string;
}

const MARK: Record<Status | Repair['outcome'], string> = { ok: 'ok', warn: 'warn', fail: 'FAIL', fixed: 'fixed', skipped: 'skip', failed: 'FAIL' };
const COLOR: Record<Status | Repair['outcome'], string> = { ok: '32', warn: '33', fail: '31', fixed: '32', skipped: '33', failed: '31' };

/**
 * `connector doctor [--fix] [--prune-broken]`: run every check (src/doctor/), repair what
 * consent allows, check again, and report the final state; exit 1 when a check still fails.
 */
export default async function doctor(ctx: Context, flags: DoctorFlags, system: System = systemFacts()): Promise<number> {
  const minutes = Number(flags.staleAfter);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new UsageError(`--stale-after must be a positive number of minutes, got '${flags.staleAfter}'`);
  const fix = Boolean(flags.fix || flags.pruneBroken);
  const options = { staleMs: minutes * 60_000 };
  let findings = await runChecks(ctx, system, options);
  let repairs: Repair[] = [];
  if (fix) {
    const confirm = ctx.noInput || !ctx.io.canPrompt() ? undefined : await confirmer(ctx);
    repairs = await repair(findings, { pruneBroken: Boolean(flags.pruneBroken) }, confirm);
    if (repairs.some((r) => r.outcome === 'fixed')) findings = await runChecks(ctx, system, options);
  }
  const ok = !findings.some((f) => f.status === 'fail');
  if (ctx.json) {
    printJson(ctx.io, {
      ok,
      checks: findings.map(({ fix: f, ...rest }) => ({ ...rest, ...(f ? { fix: { action: f.action, consent: f.consent } } : {}) })),
      ...(fix ? { repairs } : {}),
    });
    return ok ? 0 : 1;
  }
  const paint = (s: Status | Repair['outcome']) => {
    const text = MARK[s].padEnd(5);
    return ctx.io.color('stdout') ? `\x1b[${COLOR[s]}m${text}\x1b[0m` : text;
  };
  const width = Math.max(...findings.map((f) => f.id.length), ...repairs.map((r) => r.id.length));
  for (const r of repairs) ctx.io.out(`${paint(r.outcome)} ${r.id.padEnd(width)}  ${r.message}`);
  for (const f of findings) {
    ctx.io.out(`${paint(f.status)} ${f.id.padEnd(width)}  ${f.message}`);
    if (f.hint && f.status !== 'ok') ctx.io.out(`${' '.repeat(6 + width + 2)}hint: ${f.hint}`);
  }
  ctx.io.err(summary(findings, fix));
  return ok ? 0 : 1;
}

function summary(findings: Finding[], fixed: boolean): string {
  const fails = findings.filter((f) => f.status === 'fail').length;
  const warns = findings.filter((f) => f.status === 'warn').length;
  const repairable = findings.some((f) => f.status !== 'ok' && f.fix);
  if (!fails && !warns) return 'All checks passed.';
  const counts = [fails ? `${fails} failed` : '', warns ? `${warns} warning${warns === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
  return `${counts}.${repairable && !fixed ? ' Run `connector doctor --fix` to repair what is safe.' : ''}`;
}

/** On a terminal: list what would be deleted, then ask (default no). */
async function confirmer(ctx: Context) {
  const prompter = await ctx.prompter();
  return async (question: string, items: string[]) => {
    for (const i of items) ctx.io.err(`  ${i}`);
    return prompter.confirm(question, { default: false });
  };
}
