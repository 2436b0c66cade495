// Shared helpers for the benchmark scripts in test/bench (plain Node, no deps).
// Wall time: every command of a table timed in interleaved rounds (see measureAll).
// Peak RSS: /usr/bin/time -f %M over separate runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The CLI under test: bin/connector.js of this repo, or CONNECTOR_BIN (e.g. a staged build). */
export const BIN = process.env.CONNECTOR_BIN ?? join(REPO, 'bin', 'connector.js');
export const RUNS = Number(process.env.BENCH_RUNS ?? 40);
export const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
export const RSS_RUNS = Number(process.env.BENCH_RSS_RUNS ?? 5);

export const say = (s) => process.stderr.write(s + '\n');
export function die(msg, code = 1) {
  say(msg);
  process.exit(code);
}

/** The CLI must be built (bin/connector.js runs the bundle in dist/cli/). */
export function requireBuilt() {
  if (!existsSync(join(dirname(BIN), '..', 'dist', 'cli', 'main.cjs')))
    die(`dist/cli/main.cjs is missing next to ${BIN}: build first with \`npm run build\``, 2);
}

export const hasTime = () => existsSync('/usr/bin/time');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Run once and fail loudly: every timed command is checked before timing. */
export function check(argv, env, expect) {
  const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8' });
  if (r.status !== 0) die(`check failed (${r.status}): ${argv.join(' ')}\n${r.stderr}`);
  if (expect && !expect(r.stdout)) die(`check failed, unexpected output of ${argv.join(' ')}:\n${r.stdout.slice(0, 500)}`);
  return r.stdout;
}

function timeOnce(argv, env, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env, cwd, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) die(`failed (${r.status}): ${argv.join(' ')}`);
  return ms;
}

/** Peak RSS in MB (median of RSS_RUNS runs under GNU time), or undefined without /usr/bin/time. */
export function peakRss(argv, env = process.env, cwd = undefined) {
  if (!hasTime()) return undefined;
  const kb = [];
  for (let i = 0; i < RSS_RUNS; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { env, cwd, encoding: 'utf8' });
    if (r.status !== 0) die(`failed (${r.status}): ${argv.join(' ')}`);
    kb.push(Number(r.stderr.trim().split('\n').pop()));
  }
  return median(kb) / 1024;
}

/**
 * Wall time of several commands, interleaved: each round runs every command once (in a
 * rotated order), WARMUP rounds untimed, then RUNS timed rounds. On a shared VM the speed
 * drifts by 5-15% within a minute, so timing one command after another (as hyperfine does)
 * skews ratios; interleaving puts every command under the same conditions. Peak RSS comes
 * from separate runs under /usr/bin/time. specs: [{ label, argv, env, cwd?, rss? }].
 */
export function measureAll(specs) {
  for (const s of specs) say(`-- ${s.label}: ${s.argv.join(' ')}`);
  const times = specs.map(() => []);
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (let k = 0; k < specs.length; k++) {
      const i = (round + k) % specs.length;
      const ms = timeOnce(specs[i].argv, specs[i].env ?? process.env, specs[i].cwd);
      if (round >= WARMUP) times[i].push(ms);
    }
  }
  return specs.map((s, i) => {
    const t = times[i];
    return {
      label: s.label,
      times: t,
      median: median(t),
      min: Math.min(...t),
      max: Math.max(...t),
      rss: s.rss === false ? undefined : peakRss(s.argv, s.env ?? process.env, s.cwd),
    };
  });
}

/**
 * Markdown table. With a baseline: the ratio of medians, and the median of the per-round ratios
 * (each run over the baseline's run in the same round), which drift affects least.
 */
export function table(rows, { baseline } = {}) {
  const base = baseline ? rows.find((r) => r.label === baseline) : undefined;
  const lines = [
    `| command | median wall ms | min-max ms |${base ? ` vs ${baseline} (medians) | vs ${baseline} (per round) |` : ''} peak RSS MB |`,
    `|---|---:|---:|${base ? '---:|---:|' : ''}---:|`,
  ];
  for (const r of rows) {
    const ratio = base ? ` ${(r.median / base.median).toFixed(2)}x | ${pairedRatio(r, base).toFixed(2)}x |` : '';
    lines.push(`| ${r.label} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)}-${r.max.toFixed(1)} |${ratio} ${r.rss === undefined ? '-' : r.rss.toFixed(1)} |`);
  }
  return lines.join('\n');
}

/** Median over rounds of (this run / the baseline's run in the same round). */
export function pairedRatio(row, base) {
  return median(row.times.map((t, i) => t / base.times[i]));
}

export function header() {
  return `node ${process.version}; ${RUNS} interleaved rounds (+${WARMUP} warm-up) timed with hrtime around spawnSync; peak RSS: median of ${RSS_RUNS} runs under /usr/bin/time`;
}
