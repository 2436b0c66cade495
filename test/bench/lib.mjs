// Shared helpers for the benchmark scripts in test/bench (plain Node, no deps).
// Wall time: hyperfine -N when installed (BENCH_NO_HYPERFINE=1 to skip), else a
// plain loop timed with hrtime. Peak RSS: /usr/bin/time -f %M over separate runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The CLI under test: bin/connector.js of this repo, or CONNECTOR_BIN (e.g. a staged build). */
export const BIN = process.env.CONNECTOR_BIN ?? join(REPO, 'bin', 'connector.js');
export const RUNS = Number(process.env.BENCH_RUNS ?? 15);
export const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
export const RSS_RUNS = Number(process.env.BENCH_RSS_RUNS ?? 5);

export const say = (s) => process.stderr.write(s + '\n');
export function die(msg, code = 1) {
  say(msg);
  process.exit(code);
}

/** The CLI must be built (bin/connector.js runs dist/). */
export function requireBuilt(...modules) {
  for (const m of ['main.js', ...modules]) {
    if (!existsSync(join(dirname(BIN), '..', 'dist', m))) die(`dist/${m} is missing next to ${BIN}: build first with \`npm run build\``, 2);
  }
}

export const hasHyperfine = () =>
  !process.env.BENCH_NO_HYPERFINE && spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).status === 0;
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

const shq = (s) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Wall-clock times in ms of `argv` (env applied), RUNS timed after WARMUP. */
export function wallTimes(argv, env = process.env) {
  if (hasHyperfine()) {
    const dir = mkdtempSync(join(tmpdir(), 'connector-bench-hf-'));
    try {
      const out = join(dir, 'hf.json');
      const r = spawnSync('hyperfine', ['-N', '--style', 'none', '--warmup', String(WARMUP), '--runs', String(RUNS), '--export-json', out, argv.map(shq).join(' ')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0) die(`hyperfine failed on: ${argv.join(' ')}`);
      return JSON.parse(readFileSync(out, 'utf8')).results[0].times.map((t) => t * 1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const times = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { env, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) die(`failed (${r.status}): ${argv.join(' ')}`);
    if (i >= WARMUP) times.push(ms);
  }
  return times;
}

/** Peak RSS in MB (median of RSS_RUNS runs under GNU time), or undefined without /usr/bin/time. */
export function peakRss(argv, env = process.env) {
  if (!hasTime()) return undefined;
  const kb = [];
  for (let i = 0; i < RSS_RUNS; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { env, encoding: 'utf8' });
    if (r.status !== 0) die(`failed (${r.status}): ${argv.join(' ')}`);
    kb.push(Number(r.stderr.trim().split('\n').pop()));
  }
  return median(kb) / 1024;
}

/** One result row: label, median and range of wall ms, optional peak RSS MB. */
export function measure(label, argv, env, { rss = true } = {}) {
  say(`-- ${label}: ${argv.join(' ')}`);
  const t = wallTimes(argv, env);
  return { label, median: median(t), min: Math.min(...t), max: Math.max(...t), rss: rss ? peakRss(argv, env) : undefined };
}

export function table(rows, { baseline } = {}) {
  const base = baseline ? rows.find((r) => r.label === baseline)?.median : undefined;
  const lines = [
    `| command | median wall ms | min-max ms |${base ? ` vs ${baseline} |` : ''} peak RSS MB |`,
    `|---|---:|---:|${base ? '---:|' : ''}---:|`,
  ];
  for (const r of rows) {
    const ratio = base ? ` ${(r.median / base).toFixed(2)}x |` : '';
    lines.push(`| ${r.label} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)}-${r.max.toFixed(1)} |${ratio} ${r.rss === undefined ? '-' : r.rss.toFixed(1)} |`);
  }
  return lines.join('\n');
}

export function header() {
  const tool = hasHyperfine() ? spawnSync('hyperfine', ['--version'], { encoding: 'utf8' }).stdout.trim() : 'plain loop (hrtime)';
  return `node ${process.version}, ${tool}; ${RUNS} timed runs (+${WARMUP} warmup), RSS median of ${RSS_RUNS} runs under /usr/bin/time`;
}
