import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real NTLM server for tests: Apache (mpm_prefork) + mod_auth_gssapi + gss-ntlmssp
 * on 127.0.0.1:<free port>, configured from a private httpd.conf in a temp dir.
 * Users come from NTLM_USER_FILE (`DOMAIN:user:password` per line).
 */
const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const NTLMSSP_MECH = '/etc/gss/mech.d/mech.ntlmssp.conf';

/** Why the NTLM server cannot run here, or undefined when it can. */
export function missingApache(): string | undefined {
  if (!existsSync(APACHE)) return `${APACHE} not installed`;
  if (!existsSync(join(MODULES, 'mod_auth_gssapi.so'))) return 'mod_auth_gssapi not installed (libapache2-mod-auth-gssapi)';
  if (!existsSync(NTLMSSP_MECH)) return 'gss-ntlmssp not installed';
  return undefined;
}

export interface NtlmServer {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  errorLog(): string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start Apache serving `files` (path under / → content), /ntlm requiring NTLM. */
export async function startNtlmServer(users: string[], files: Record<string, string>): Promise<NtlmServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ntlm-apache-'));
  // The prefork children run as nobody: they read the docroot and the user file.
  chmodSync(dir, 0o755);
  const docs = join(dir, 'htdocs');
  for (const [path, content] of Object.entries(files)) {
    const full = join(docs, path);
    mkdirSync(join(full, '..'), { recursive: true, mode: 0o755 });
    writeFileSync(full, content, { mode: 0o644 });
  }
  const usersFile = join(dir, 'users');
  writeFileSync(usersFile, users.map((u) => `${u}\n`).join(''), { mode: 0o644 });
  const port = await freePort();
  const load = (m: string) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`;
  const conf = [
    'ServerRoot /etc/apache2',
    `Listen 127.0.0.1:${port}`,
    'ServerName 127.0.0.1',
    load('mpm_prefork'),
    load('authn_core'),
    load('authz_core'),
    load('authz_user'),
    load('auth_gssapi'),
    load('mime'),
    'StartServers 1',
    'MinSpareServers 1',
    'MaxSpareServers 2',
    'User nobody',
    'Group nogroup',
    `DefaultRuntimeDir ${dir}`,
    `PidFile ${dir}/httpd.pid`,
    `ErrorLog ${dir}/error.log`,
    'LogLevel info',
    'KeepAlive On',
    'TypesConfig /etc/mime.types',
    `DocumentRoot ${docs}`,
    `<Directory ${docs}>`,
    '  Require all granted',
    '</Directory>',
    '<Location /ntlm>',
    '  AuthType GSSAPI',
    '  AuthName "NTLM test"',
    '  GssapiAllowedMech ntlmssp',
    '  GssapiConnectionBound On',
    '  Require valid-user',
    '</Location>',
    '',
  ].join('\n');
  const confFile = join(dir, 'httpd.conf');
  writeFileSync(confFile, conf);
  const env = { ...process.env, NTLM_USER_FILE: usersFile };
  const r = spawnSync(APACHE, ['-f', confFile, '-k', 'start'], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`apache2 failed to start: ${r.stderr || r.stdout}`);
  for (let i = 0; i < 100 && !(await canConnect(port)); i++) await sleep(50);
  const pidFile = join(dir, 'httpd.pid');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    errorLog: () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''),
    async stop() {
      await stopByPidFile(pidFile);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM the Apache parent named in its PidFile (it stops its children) and wait for it to exit. */
async function stopByPidFile(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
}
