import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isCliError } from '../errors.js';
import { proxyFor, shownProxy } from '../http/proxy.js';
import { packagePath } from '../util/package-root.js';
import type { Check, Finding } from './types.js';

/** HTTP(S)_PROXY and NO_PROXY as every request reads them (src/http/proxy.ts); a proxy is shown as host:port only. */
export const proxyCheck: Check = async (ctx) => {
  const env = ctx.io.env;
  const findings: Finding[] = [];
  const parts: string[] = [];
  for (const [scheme, upper, lower] of [
    ['https', 'HTTPS_PROXY', 'https_proxy'],
    ['http', 'HTTP_PROXY', 'http_proxy'],
  ] as const) {
    const name = env[upper] !== undefined ? upper : env[lower] !== undefined ? lower : undefined;
    if (!name || !env[name]) continue;
    try {
      proxyFor(new URL(`${scheme}://doctor.example.invalid/`), env);
      parts.push(`${name} → ${shownProxy(env[name])}`);
    } catch (e) {
      if (!isCliError(e)) throw e;
      findings.push({ id: 'proxy', status: 'fail', message: e.message, hint: e.hint });
    }
    if (env[upper] && env[lower] && env[upper] !== env[lower]) {
      findings.push({ id: 'proxy', status: 'warn', message: `${upper} and ${lower} differ; ${upper} is used` });
    }
  }
  const noProxy = env.NO_PROXY ?? env.no_proxy;
  if (noProxy) parts.push(`NO_PROXY=${noProxy}`);
  if (!findings.some((f) => f.status === 'fail')) {
    findings.unshift({ id: 'proxy', status: 'ok', message: parts.length ? parts.join(', ') : 'no proxy (direct connections)' });
  }
  return findings;
};

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * NODE_EXTRA_CA_CERTS: Node reads it once at start-up and, when the file is missing or
 * bad, only warns and goes on without it, so a broken setting shows up later as
 * "unable to verify the first certificate". Here: the file exists and every PEM block parses.
 */
export const caCheck: Check = async (ctx) => {
  const path = ctx.io.env.NODE_EXTRA_CA_CERTS;
  if (!path) return { id: 'ca-certs', status: 'ok', message: 'NODE_EXTRA_CA_CERTS not set (Node’s bundled CAs)' };
  const hint = 'Point NODE_EXTRA_CA_CERTS at a PEM file of your CA certificates (-----BEGIN CERTIFICATE----- blocks).';
  let text: string;
  try {
    if (!statSync(path).isFile()) return { id: 'ca-certs', status: 'fail', message: `NODE_EXTRA_CA_CERTS (${path}) is not a file`, hint };
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      id: 'ca-certs',
      status: 'fail',
      message: `NODE_EXTRA_CA_CERTS (${path}) ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`,
      hint,
    };
  }
  const blocks = text.match(PEM) ?? [];
  if (!blocks.length) return { id: 'ca-certs', status: 'fail', message: `NODE_EXTRA_CA_CERTS (${path}) holds no PEM certificate`, hint };
  const now = ctx.clock.now();
  const expired: string[] = [];
  for (const [i, block] of blocks.entries()) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      return { id: 'ca-certs', status: 'fail', message: `NODE_EXTRA_CA_CERTS (${path}): certificate ${i + 1} of ${blocks.length} does not parse`, hint };
    }
    if (Date.parse(cert.validTo) < now) expired.push(`${i + 1} (${cert.subject.replace(/\n/g, ', ')}, expired ${cert.validTo})`);
  }
  const count = `${blocks.length} certificate${blocks.length === 1 ? '' : 's'}`;
  // A system bundle always carries some expired roots: only a file of nothing but expired ones is a problem.
  if (expired.length === blocks.length) {
    return { id: 'ca-certs', status: 'warn', message: `NODE_EXTRA_CA_CERTS (${path}): every certificate has expired (${expired[0]})`, hint };
  }
  return { id: 'ca-certs', status: 'ok', message: `NODE_EXTRA_CA_CERTS (${path}): ${count}${expired.length ? ` (${expired.length} expired)` : ''}` };
};

/** `20.19.1` against engines.node: `>=X[.Y[.Z]]` (the only form package.json uses). */
export function satisfies(version: string, range: string): boolean | undefined {
  const m = /^\s*>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(range);
  if (!m) return undefined;
  const want = [m[1], m[2], m[3]].map((n) => Number(n ?? 0));
  const have = version.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i];
  return true;
}

/** The running Node against package.json's engines. */
export const nodeCheck: Check = async (_ctx, facts) => {
  const range = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node;
  const v = facts.system.nodeVersion;
  if (!range) return { id: 'node', status: 'ok', message: `Node ${v}` };
  const ok = satisfies(v, range);
  if (ok === undefined) return { id: 'node', status: 'warn', message: `Node ${v}; engines.node '${range}' not understood` };
  return ok
    ? { id: 'node', status: 'ok', message: `Node ${v} (needs ${range})` }
    : {
        id: 'node',
        status: 'fail',
        message: `Node ${v} is too old: connector needs ${range}`,
        hint: 'Install a newer Node (https://nodejs.org), e.g. the current LTS.',
      };
};
