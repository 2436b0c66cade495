// One "connector process" refreshing a shared connection. Prints "ready", waits
// for a line on stdin (so all children race at once), then prints the access
// token it ends up with. argv[2]: JSON {lib, tokenUrl, clientId, storagePath, lockPath}.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const cfg = JSON.parse(process.argv[2]);
const load = (p) => import(pathToFileURL(join(cfg.lib, p)).href);
const { getFreshToken, refreshRenewer } = await load('oauth/tokens.js');
const { refreshGrant } = await load('oauth/token.js');
const { atomicWrite } = await load('fs/atomic.js');
const { readJsonFile } = await load('fs/json.js');
const { HttpClient } = await load('http/client.js');
const http = new HttpClient({ env: {} });

const storage = {
  load: () => readJsonFile(cfg.storagePath),
  save: (t) => atomicWrite(cfg.storagePath, JSON.stringify(t)),
};
process.stdout.write('ready\n');
await new Promise((r) => process.stdin.once('data', r));
try {
  const t = await getFreshToken({
    storage,
    lockPath: cfg.lockPath,
    renew: refreshRenewer(
      (rt) => refreshGrant({ tokenUrl: cfg.tokenUrl, refreshToken: rt, client: { clientId: cfg.clientId } }, { connection: 'k/c', fetch: http.fetch }),
      'k/c',
    ),
  });
  process.stdout.write(`token ${t.access_token}\n`);
  await http.close();
  process.exit(0);
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(e.exitCode ?? 1);
}
