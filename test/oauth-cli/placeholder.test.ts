import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { browse } from '../oauth/helpers/browser.js';
import { CLIENTS, startProvider, type TestProvider } from '../oauth/helpers/provider.js';
import { runLive, stubBrowser } from './helpers.js';
import { PassThrough } from 'node:stream';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import { strictPrompter } from '../helpers/context.js';

// Zoho Mail, Coupa, LawVu, NetDocuments: an oauth2generic template with a {Host} placeholder that the
// platform fills from the connection parameter token:Host. Before: "needs a value for {CustomHost}. Pass
// it as --param CustomHost=VALUE", which --param then refused, and no connection could be made.
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'oauth-placeholder');

let op: TestProvider;
let host: string;
beforeAll(async () => {
  op = await startProvider();
  host = new URL(op.issuer).host;
});
afterAll(async () => op?.close());

function importFixture(home: string) {
  const dir = join(home, 'src', 'region');
  mkdirSync(dir, { recursive: true });
  for (const f of ['apiDefinition.swagger.json', 'apiProperties.json']) {
    writeFileSync(join(dir, f), readFileSync(join(FIXTURE, f), 'utf8').replaceAll('__HOST__', host));
  }
  return runLive(['import', dir, '--name', 'region'], { home });
}

describe('OAuth templates with a host placeholder', () => {
  it('fills {CustomHost} from token:customHost and signs in through it', async () => {
    const home = tempHome('connector-placeholder-');
    const store = new MemoryStore();
    expect((await importFixture(home)).code).toBe(0);
    let page: Promise<{ status: number }> | undefined;
    const r = await runLive(
      [
        'connection',
        'create',
        'region',
        '--no-input',
        '--no-verify',
        '--flow',
        'browser',
        '--client-id',
        CLIENTS.native,
        '--param',
        `token:customHost=${host}`,
      ],
      {
        home,
        overrides: { secrets: async () => store },
        onStderr: (all) => {
          const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(all);
          if (m && !page) page = browse(m[1]);
        },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect((await page)?.status).toBe(200);
    expect(r.stderr).toContain('Created connection region/default');
    expect(JSON.parse(store.items.get('region/default/oauth:tokens')!).access_token).toBeTruthy();
    expect(op.grants).toContainEqual({ type: 'authorization_code', ok: true });
  });

  it('on a terminal, the region is offered as a select of its allowed values, and the sign-in goes there', async () => {
    const home = tempHome('connector-placeholder-');
    const store = new MemoryStore();
    expect((await importFixture(home)).code).toBe(0);
    const prompter = strictPrompter({ 'Region of your account': host });
    const tty = () => Object.assign(new PassThrough(), { isTTY: true });
    const stderr = new PassThrough();
    let err = '';
    let page: Promise<{ status: number }> | undefined;
    stderr.on('data', (d) => {
      err += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(err);
      if (m && !page) page = browse(m[1]);
    });
    const io = makeIO(tty(), tty(), stderr, { NO_COLOR: '1', CONNECTOR_HOME: home });
    const args = ['connection', 'create', 'region', '--no-verify', '--flow', 'browser', '--client-id', CLIENTS.native];
    const code = await main(['node', 'connector', ...args], io, { secrets: async () => store, prompter: async () => prompter, browser: stubBrowser() });
    expect(code, err).toBe(0);
    expect((await page)?.status).toBe(200);
    expect(prompter.asked).toEqual([
      { kind: 'select', message: 'Region of your account', choices: [`Local test server=${host}`, 'EU=eu.example.invalid'], default: undefined },
    ]);
    expect(store.items.get('region/default/oauth:tokens')).toBeTruthy();
  });

  it('a missing value is asked for by its real name, with the allowed values', async () => {
    const { fromOAuthSetting } = await import('../../src/oauth/providers.js');
    const { deriveConnectionModel } = await import('../../src/spec/connection-model.js');
    const props = JSON.parse(readFileSync(join(FIXTURE, 'apiProperties.json'), 'utf8'));
    const record = { definition: JSON.parse(readFileSync(join(FIXTURE, 'apiDefinition.swagger.json'), 'utf8')), apiProperties: props } as never;
    const option = deriveConnectionModel(record).options[0];
    const setting = option.parameters.find((p) => p.oauth)!.oauth!;
    let e: { message: string; hint?: string } | undefined;
    try {
      fromOAuthSetting(setting, { values: {}, parameters: option.parameters });
    } catch (x) {
      e = x as typeof e;
    }
    expect(e?.message).toBe("the connector's OAuth template needs a value for {CustomHost}");
    expect(e?.hint).toBe('Pass it as a connection parameter: --param token:customHost=VALUE (one of: __HOST__, eu.example.invalid)');
    // Filled case-insensitively from token:customHost.
    expect(fromOAuthSetting(setting, { values: { 'token:customHost': 'eu.example.invalid' }, parameters: option.parameters }).tokenUrl).toBe(
      'http://eu.example.invalid/token',
    );
  });

  it('--no-input without the region: one line naming token:customHost (exit 5), no advice about secrets (it is none)', async () => {
    const home = tempHome('connector-placeholder-');
    expect((await importFixture(home)).code).toBe(0);
    const r = await runLive(['connection', 'create', 'region', '--no-input', '--no-verify', '--client-id', 'fake-client'], {
      home,
      overrides: { secrets: async () => new MemoryStore() },
    });
    expect(r.stderr).toContain('--param token:customHost=');
    expect(r.stderr).not.toContain('Secrets are safer');
    expect(r.code, r.stderr).toBe(5); // input needed and none can be asked
  });

  it('show prints the template, not the securityDefinition host', async () => {
    const home = tempHome('connector-placeholder-');
    await importFixture(home);
    const r = await runLive(['show', 'region'], { home });
    expect(r.stdout).toContain('      authorize: http://{CustomHost}/auth\n');
    expect(r.stdout).toContain('      token:     http://{CustomHost}/token\n');
    expect(r.stdout).not.toContain('wrong-region');
  });
});

// The corpus connectors with placeholders in their OAuth templates: each gets as far as the sign-in URL.
const CASES: { dir: string; args: string[]; host: string }[] = [
  // Zoho's token request sends {clientSecret}: given from the environment, as CI would.
  { dir: 'Zoho Mail', args: ['--param', 'token:customHost=.eu', '--client-secret-env', 'S'], host: 'accounts.zoho.eu' },
  {
    dir: 'Coupa',
    args: [
      '--param',
      'token:customHost=acme',
      '--param',
      'token:scope=core.common.read',
      '--param',
      'token:CoupaClientId=c1',
      '--param-env',
      'token:CoupaClientSecret=S',
    ],
    host: 'acme.coupahost.com',
  },
  {
    dir: 'LawVu',
    args: ['--auth', 'oauthCustom', '--param', 'token:customAuth=go.lawvu.example', '--param', 'token:customHost=api.lawvu.example'],
    host: 'go.lawvu.example',
  },
  { dir: 'NetDocuments', args: ['--param', 'token:apiRegion=EU'], host: 'eu.netdocuments.com' },
];
const corpus = existsSync(join(CORPUS_DIR, 'INDEX.tsv'));
if (!corpus) console.warn(`[corpus] ${CORPUS_DIR} is absent: skipping the OAuth placeholder corpus tests`);

describe.skipIf(!corpus)('corpus connectors with OAuth template placeholders', () => {
  it('Zoho Mail without a client secret: its token request needs one, said before any sign-in (exit 5)', async () => {
    const home = tempHome('connector-placeholder-');
    expect((await runLive(['import', join(CORPUS_DIR, 'Zoho Mail'), '--name', 'c'], { home })).code).toBe(0);
    const r = await runLive(
      ['connection', 'create', 'c', '--no-input', '--no-verify', '--flow', 'browser', '--client-id', 'fake-client', '--param', 'token:customHost=.eu'],
      { home, overrides: { secrets: async () => new MemoryStore() } },
    );
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain("this connector's token request sends a client secret");
    expect(r.stderr).toContain('--client-secret-env VAR or --client-secret-stdin');
    expect(r.stderr).not.toContain('Open this URL');
  });

  it.each(CASES)('$dir: connection create reaches the sign-in at the filled host', async ({ dir, args, host: expected }) => {
    const home = tempHome('connector-placeholder-');
    expect((await runLive(['import', join(CORPUS_DIR, dir), '--name', 'c'], { home })).code).toBe(0);
    const abort = new AbortController();
    let url: string | undefined;
    const r = await runLive(['connection', 'create', 'c', '--no-input', '--no-verify', '--flow', 'browser', '--client-id', 'fake-client', ...args], {
      home,
      env: { S: 'not-a-secret' },
      overrides: { secrets: async () => new MemoryStore(), signal: abort.signal },
      onStderr: (all) => {
        const m = /Open this URL in a browser to sign in.*\n\s+(\S+)/.exec(all);
        if (m && !url) {
          url = m[1];
          abort.abort();
        }
      },
    });
    expect(url, r.stderr).toBeDefined();
    expect(new URL(url!.replace('/#/', '/')).host).toBe(expected);
    expect(url).not.toMatch(/[{}]|%7B/);
    expect(r.code).toBe(3); // the test's Ctrl-C once the URL is there
  });
});
