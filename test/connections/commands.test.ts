import { describe, it, expect, beforeEach } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { apiKeyRecord, basicRecord, noneRecord, register, setsRecord } from './helpers.js';

let home: string;
let store: MemoryStore;
const run = (args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) =>
  runCli(args, { home, ...opts, overrides: { secrets: async () => store } });

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

beforeEach(async () => {
  home = tempHome();
  store = new MemoryStore();
  await register(home, basicRecord(), apiKeyRecord(), noneRecord(), setsRecord());
});

describe('connection create (non-interactive)', () => {
  it('creates a basic connection in one line; the secret goes to the store only', async () => {
    const r = await run(
      [
        'connection',
        'create',
        'basicco',
        '--no-input',
        '--no-verify',
        '--param',
        'instance=x.example.com',
        '--param',
        'username=me',
        '--param-env',
        'password=TOKEN',
      ],
      {
        env: { TOKEN: 'tok-123-secret' },
      },
    );
    expect(r.stderr).not.toContain('warning');
    expect(r.code).toBe(0);
    expect(store.items.get('basicco/default/password')).toBe('tok-123-secret');
    for (const f of allFiles(home)) expect(readFileSync(f, 'utf8')).not.toContain('tok-123-secret');
    expect(r.stdout + r.stderr).not.toContain('tok-123-secret');
    const list = await run(['connection', 'list', '--json']);
    const conns = JSON.parse(list.stdout);
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({
      address: 'basicco/default',
      kind: 'basic',
      isDefault: true,
      values: { instance: 'x.example.com', username: 'me' },
      secretParams: ['password'],
      secretStore: 'memory',
    });
  });

  it('exits 5 naming every missing --param when it cannot prompt', async () => {
    const r = await run(['connection', 'create', 'basicco', '--no-verify', '--param', 'username=me']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('--param instance=');
    expect(r.stderr).toContain('--param password=');
    expect(r.stderr).not.toContain('--param username=');
    expect(store.items.size).toBe(0);
  });

  it('warns when a secret is passed with --param, not with --param-stdin', async () => {
    const a = await run(['connection', 'create', 'keyco', '--no-input', '--no-verify', '--param', 'api_key=k1']);
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(/warning: --param api_key: a secret on the command line lands in shell history/);
    const b = await run(['connection', 'create', 'keyco', '--name', 'two', '--no-input', '--no-verify', '--param-stdin', 'api_key'], { stdin: 'k2\n' });
    expect(b.code).toBe(0);
    expect(b.stderr).not.toContain('warning');
    expect(store.items.get('keyco/two/api_key')).toBe('k2');
  });

  it('rejects unknown parameter names with a suggestion (exit 2)', async () => {
    const r = await run(['connection', 'create', 'keyco', '--no-input', '--no-verify', '--param', 'apikey=x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no parameter 'apikey'");
    expect(r.stderr).toContain('api_key');
  });

  it('several parameter sets: exit 5 without --auth, --auth picks one, allowedValues checked, default applied', async () => {
    const none = await run(['connection', 'create', 'setsco', '--no-verify', '--param', 'api_key=x']);
    expect(none.code).toBe(5);
    expect(none.stderr).toContain('--auth api-auth');
    const bad = await run(['connection', 'create', 'setsco', '--no-verify', '--auth', 'api-auth', '--param-env', 'api_key=K', '--param', 'region=mars'], {
      env: { K: 'x' },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'mars' is not allowed");
    const ok = await run(['connection', 'create', 'setsco', '--no-verify', '--auth', 'App Token', '--param-env', 'api_key=K'], { env: { K: 'x' } });
    expect(ok.code).toBe(0);
    const show = JSON.parse((await run(['connection', 'show', 'setsco/default', '--json'])).stdout);
    expect(show).toMatchObject({ authOption: 'api-auth', kind: 'apiKey', values: { region: 'us' } });
  });

  it('refuses a duplicate name and leaves the first one intact', async () => {
    await run(['connection', 'create', 'keyco', '--no-verify', '--param-env', 'api_key=K'], { env: { K: 'first' } });
    const r = await run(['connection', 'create', 'keyco', '--no-verify', '--param-env', 'api_key=K'], { env: { K: 'second' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("connection 'keyco/default' already exists");
    expect(store.items.get('keyco/default/api_key')).toBe('first');
  });

  it('a connector that needs no auth: run-time resolution works without a connection; create still allowed', async () => {
    const r = await run(['connection', 'create', 'openco', '--no-verify']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('needs no connection');
  });

  it('unknown connector → exit 1 with a suggestion', async () => {
    const r = await run(['connection', 'create', 'keyc', '--no-verify']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no connector named 'keyc'");
    expect(r.stderr).toContain('keyco');
  });
});

describe('manage connections', () => {
  beforeEach(async () => {
    await run(['connection', 'create', 'keyco', '--no-verify', '--param-env', 'api_key=K'], { env: { K: 'secret-one' } });
    await run(['connection', 'create', 'keyco', '--name', 'prod', '--no-verify', '--param-env', 'api_key=K'], { env: { K: 'secret-two' } });
  });

  it('first connection is the default; `default` moves it', async () => {
    let list = JSON.parse((await run(['connection', 'list', 'keyco', '--json'])).stdout);
    expect(list.map((c: any) => [c.name, c.isDefault])).toEqual([
      ['default', true],
      ['prod', false],
    ]);
    expect((await run(['connection', 'default', 'keyco/prod'])).code).toBe(0);
    list = JSON.parse((await run(['connection', 'list', '--json'])).stdout);
    expect(list.map((c: any) => [c.name, c.isDefault])).toEqual([
      ['default', false],
      ['prod', true],
    ]);
  });

  it('list prints a table with where each secret lives', async () => {
    const r = await run(['connection', 'list']);
    expect(r.stdout).toMatch(/CONNECTION\s+AUTH\s+DEFAULT\s+SECRETS/);
    expect(r.stdout).toMatch(/keyco\/prod\s+apiKey\s+api_key → memory/);
  });

  it('show masks secrets and names origins; env overlay beats the stored value', async () => {
    const r = await run(['connection', 'show', 'keyco/prod']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('********');
    expect(r.stdout).not.toContain('secret-two');
    expect(r.stdout).toMatch(/api_key \(API Key\)\s+\*+\s+memory/);
    const e = await run(['connection', 'show', 'keyco/prod', '--json'], { env: { CONNECTOR_KEYCO_PROD_API_KEY: 'from-env' } });
    const doc = JSON.parse(e.stdout);
    expect(doc.parameters[0]).toMatchObject({ name: 'api_key', value: '********', origin: 'env:CONNECTOR_KEYCO_PROD_API_KEY' });
    expect(e.stdout).not.toContain('from-env');
  });

  it('show/test/export/token take <connector> alone: its default connection, the one run uses', async () => {
    const short = await run(['connection', 'show', 'keyco', '--json']);
    expect(short.code, short.stderr).toBe(0);
    expect(JSON.parse(short.stdout)).toMatchObject({ address: 'keyco/default', name: 'default' });
    // Not the name "default": the connection `connection default` chose.
    expect((await run(['connection', 'default', 'keyco/prod'])).code).toBe(0);
    expect(JSON.parse((await run(['connection', 'show', 'keyco', '--json'])).stdout)).toMatchObject({ address: 'keyco/prod' });
    const exported = await run(['connection', 'export', 'keyco']);
    expect([exported.code, exported.stdout]).toEqual([0, expect.stringContaining('name: prod')]);
    // Any case, as operation ids: the stored name is what is shown.
    const upper = await run(['connection', 'show', 'KeyCo/Prod'.replace('Prod', 'prod'), '--json']);
    expect(JSON.parse(upper.stdout)).toMatchObject({ address: 'keyco/prod' });
    // A connector without connections: not found (exit 1), with the create command.
    const none = await run(['connection', 'show', 'basicco']);
    expect([none.code, none.stderr]).toEqual([1, "connector: connector 'basicco' has no connection\nCreate one: connector connection create basicco\n"]);
    const unknown = await run(['connection', 'show', 'keyc']);
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([1, "connector: no connector named 'keyc'"]);
  });

  it('rename moves the secrets; nothing left under the old name', async () => {
    const r = await run(['connection', 'rename', 'keyco/prod', 'production']);
    expect(r.code).toBe(0);
    expect(store.items.has('keyco/prod/api_key')).toBe(false);
    expect(store.items.get('keyco/production/api_key')).toBe('secret-two');
    const clash = await run(['connection', 'rename', 'keyco/production', 'default']);
    expect(clash.code).toBe(1);
    expect(store.items.get('keyco/default/api_key')).toBe('secret-one');
    expect(store.items.get('keyco/production/api_key')).toBe('secret-two');
    const same = await run(['connection', 'rename', 'keyco/nope', 'nope']);
    expect(same.code).toBe(1);
    expect(same.stderr).toContain("no connection 'keyco/nope'");
  });

  it('delete removes the record and its secrets; the other becomes default', async () => {
    const r = await run(['connection', 'delete', 'keyco/default', '--yes']);
    expect(r.code).toBe(0);
    expect([...store.items.keys()]).toEqual(['keyco/prod/api_key']);
    const list = JSON.parse((await run(['connection', 'list', '--json'])).stdout);
    expect(list).toEqual([expect.objectContaining({ name: 'prod', isDefault: true })]);
    const again = await run(['connection', 'delete', 'keyco/default', '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("no connection 'keyco/default'");
  });

  it('export writes a template without secrets that create --from consumes', async () => {
    const file = join(home, 'team.yaml');
    const r = await run(['connection', 'export', 'keyco/prod', '-o', file]);
    expect(r.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('connector: keyco');
    expect(text).not.toContain('secret-two');
    const teammate = tempHome();
    await register(teammate, apiKeyRecord());
    const mine = new MemoryStore();
    const c = await runCli(['connection', 'create', 'keyco', '--from', file, '--no-verify', '--no-input'], {
      home: teammate,
      overrides: { secrets: async () => mine },
    });
    expect(c.code).toBe(5);
    expect(c.stderr).toContain('--param api_key=');
    const d = await runCli(['connection', 'create', 'keyco', '--from', file, '--no-verify', '--param-env', 'api_key=MINE'], {
      home: teammate,
      env: { MINE: 'my-own' },
      overrides: { secrets: async () => mine },
    });
    expect(d.code).toBe(0);
    expect(mine.items.get('keyco/prod/api_key')).toBe('my-own');
  });

  it('bad addresses are usage errors', async () => {
    for (const bad of ['keyco/', '/prod', 'keyco/prod/x']) {
      const r = await run(['connection', 'show', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('<connector>/<connection>');
    }
    // Those that change what they name take the full address only.
    const del = await run(['connection', 'delete', 'keyco', '--yes']);
    expect([del.code, del.stderr.split('\n')[0]]).toEqual([2, "connector: 'keyco' is not a connection address"]);
  });

  it('a secret missing from the store is reported with what to do', async () => {
    store.items.delete('keyco/prod/api_key');
    const r = await run(['connection', 'show', 'keyco/prod']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("secret 'api_key' of connection keyco/prod is missing");
  });

  it('a template for another connector is refused', async () => {
    const file = join(home, 'other.yaml');
    writeFileSync(file, 'connector: basicco\nvalues: {}\n');
    const r = await run(['connection', 'create', 'keyco', '--from', file, '--no-verify']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("template for connector 'basicco'");
  });
});
