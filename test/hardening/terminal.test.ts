import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { recordingServer } from '../run/helpers.js';
import { sanitizeLine, sanitizeText } from '../../src/io/sanitize.js';

// Issue 15, finding 9: escape sequences and CR/LF from a spec or a server reached the terminal.
const OSC = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';
const BIDI = '\u202e';
/** Anything a terminal would act on: C0 but \n, DEL, C1, bidi overrides. */
const ACTS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

let home: string;
let server: Awaited<ReturnType<typeof recordingServer>>;
const env = { CONNECTOR_EVIL__DEFAULT__API_KEY: 'evil-key-1234', CONNECTOR_VAULT_PASSPHRASE: 'pass-phrase-1' };

beforeAll(async () => {
  server = await recordingServer(() => ({ headers: { 'x-c1': '\x9b2J', 'content-type': 'text/plain' }, body: `hello ${CLEAR}world\r\n` }));
  home = tempHome();
  const dir = join(home, 'evil');
  mkdirSync(dir);
  const spec = {
    swagger: '2.0',
    info: { title: `Evil ${OSC}API${BIDI}`, version: `1${CLEAR}`, description: `line one\n${OSC}line two` },
    host: '127.0.0.1',
    basePath: '/api\r\nX-Injected: 1',
    schemes: ['http'],
    securityDefinitions: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
    security: [{ key: [] }],
    paths: {
      '/things': {
        get: {
          operationId: 'GetThings',
          summary: `Get ${CLEAR}things${OSC}`,
          parameters: [{ name: 'q', in: 'query', type: 'string' }],
          responses: { 200: { description: 'ok' } },
        },
      },
    },
  };
  const props = {
    properties: {
      connectionParameters: { api_key: { type: 'securestring', uiDefinition: { displayName: `Key ${OSC}`, description: 'k' } } },
      policyTemplateInstances: [
        {
          templateId: 'setheader',
          title: `Tag ${CLEAR}`,
          parameters: {
            'x-ms-apimTemplateParameter.name': 'X-Tag',
            'x-ms-apimTemplateParameter.value': 'a\r\nX-Evil: 1',
            'x-ms-apimTemplateParameter.existsAction': 'override',
            'x-ms-apimTemplate-policySection': 'Request',
          },
        },
        { templateId: 'unknowntemplate', title: `Odd ${OSC}\r\nwarning: fake`, parameters: {} },
      ],
    },
  };
  writeFileSync(join(dir, 'apiDefinition.swagger.json'), JSON.stringify(spec));
  writeFileSync(join(dir, 'apiProperties.json'), JSON.stringify(props));
  const imp = await runCli(['import', dir, '--name', 'evil'], { home });
  expect(imp.code, imp.stderr).toBe(0);
  // The same API without the policy (its CR/LF header value is refused on the wire).
  const plain = await runCli(['import', join(dir, 'apiDefinition.swagger.json'), '--name', 'plain'], { home });
  expect(plain.code, plain.stderr).toBe(0);
});
afterAll(() => server.close());

const clean = (r: { stdout: string; stderr: string }) => {
  expect(r.stdout).not.toMatch(ACTS);
  expect(r.stderr).not.toMatch(ACTS);
};

describe('nothing from a spec or a server acts on the terminal', () => {
  it('sanitize escapes controls visibly and keeps newlines only where text is multi-line', () => {
    expect(sanitizeLine(`a${OSC}b\r\n\t${BIDI}\x7f\x9b`)).toBe('a\\x1b]0;pwned\\x07b\\x0d\\x0a\\x09\\u202e\\x7f\\x9b');
    expect(sanitizeText('a\nb\tc\rd\x1b')).toBe('a\nb\tc\\x0dd\\x1b');
    expect(sanitizeLine('plain text, ünïcödé ✓')).toBe('plain text, ünïcödé ✓');
  });

  it('list, operations and show', async () => {
    for (const args of [['list'], ['operations', 'evil'], ['show', 'evil']]) {
      const r = await runCli(args, { home });
      expect(r.code, r.stderr).toBe(0);
      clean(r);
    }
    const show = await runCli(['show', 'evil'], { home });
    expect(show.stdout).toContain('Evil \\x1b]0;pwned\\x07API\\u202e');
    // --json stays valid JSON and keeps the text as it was (JSON.stringify escapes it).
    const json = await runCli(['--json', 'show', 'evil'], { home });
    expect(JSON.parse(json.stdout).title).toBe(`Evil ${OSC}API${BIDI}`);
  });

  it('connection list and show', async () => {
    const c = await runCli(
      ['connection', 'create', 'evil', '--name', 'c1', '--no-input', '--no-verify', '--param-env', 'api_key=EVIL_KEY', '--secret-store', 'vault'],
      {
        home,
        env: { EVIL_KEY: 'evil-key-5678', CONNECTOR_VAULT_PASSPHRASE: 'pass-phrase-1' },
      },
    );
    expect(c.code, c.stderr).toBe(0);
    for (const args of [
      ['connection', 'list'],
      ['connection', 'show', 'evil/c1'],
    ]) {
      const r = await runCli(args, { home, env: { CONNECTOR_VAULT_PASSPHRASE: 'pass-phrase-1' } });
      expect(r.code, r.stderr).toBe(0);
      clean(r);
    }
  });

  it('--dry-run and --verbose: a CR/LF basePath or policy value is escaped', async () => {
    const dry = await runCli(['run', 'evil', 'GetThings', '--dry-run', '--base-url', `${server.url}/api\r\nX-Injected: 1`], { home, env });
    expect(dry.code, dry.stderr).toBe(0);
    clean(dry);
    expect(dry.stdout).toContain('a\\x0d\\x0aX-Evil: 1');
    const dryJson = await runCli(['--json', 'run', 'evil', 'GetThings', '--dry-run'], { home, env });
    expect(dryJson.code, dryJson.stderr).toBe(0);
    JSON.parse(dryJson.stdout);
    const verbose = await runCli(['--verbose', 'run', 'evil', 'GetThings', '--dry-run'], { home, env });
    clean(verbose);
    expect(verbose.stdout).toContain('/api\\x0d\\x0aX-Injected: 1/things');
  });

  it('warnings and error messages quoting a spec or an argument are escaped', async () => {
    const warned = await runCli(['run', 'evil', 'GetThings', '--dry-run'], { home, env });
    expect(warned.stderr).toContain('Odd \\x1b]0;pwned\\x07\\x0d');
    clean(warned);
    const wrong = await runCli(['run', 'evil', `Get${CLEAR}Things`], { home, env });
    expect(wrong.code).toBe(1); // an unknown operation is not found: exit 1
    clean(wrong);
  });

  it('-i: control characters in response headers are escaped; a piped body stays as received', async () => {
    const r = await runCli(['run', 'plain', 'GetThings', '--base-url', `${server.url}/api`, '-i'], { home, env: { CONNECTOR_PLAIN__DEFAULT__KEY: 'k-1234' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('x-c1: \\x9b2J');
    // Piped (raw) the body is data and stays as received; only the headers are escaped.
    expect(r.stdout).toContain(`hello ${CLEAR}world`);
  });
});
