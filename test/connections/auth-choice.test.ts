import { describe, it, expect, beforeEach } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import { CORPUS_DIR, runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import type { Choice, Prompter } from '../../src/io/prompter.js';
import type { ConnectorRecord } from '../../src/model.js';
import { makeRecord, register, setsRecord } from './helpers.js';

let home: string;
let store: MemoryStore;
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { home, env, overrides: { secrets: async () => store } });

const key = (name: string, label: string) => ({
  name,
  uiDefinition: { displayName: label },
  parameters: { api_key: { type: 'securestring', uiDefinition: { displayName: 'Key', constraints: { required: 'true' } } } },
});
/** Two API-key sets and a Windows one: `--auth apiKey` is ambiguous, `--auth windows` is not. */
const mixedRecord = () =>
  makeRecord('mixco', {
    definition: { securityDefinitions: { k: { type: 'apiKey', in: 'header', name: 'X-Key' } } },
    apiProperties: {
      properties: {
        connectionParameterSets: {
          values: [
            key('key-eu', 'Europe key'),
            key('key-us', 'US key'),
            {
              name: 'onprem',
              uiDefinition: { displayName: 'On-premises' },
              parameters: {
                gateway: { type: 'gatewaySetting', gatewaySetting: {} },
                authType: { type: 'string', allowedValues: [{ value: 'windows' }, { value: 'basic' }] },
              },
            },
          ],
        },
      },
    },
  });

beforeEach(async () => {
  home = tempHome();
  store = new MemoryStore();
  await register(home, setsRecord(), mixedRecord());
});

describe('connection create --auth <kind>', () => {
  it('a kind name picks the only option of that kind (any spelling of the kind)', async () => {
    const basic = await run(['connection', 'create', 'setsco', '--no-verify', '--auth', 'basic', '--param', 'username=u', '--param-env', 'password=P'], {
      P: 'p',
    });
    expect(basic.stderr).toContain('Created connection setsco/default');
    expect(basic.code).toBe(0);
    const key = await run(['connection', 'create', 'setsco', '--name', 'k', '--no-verify', '--auth', 'api-key', '--param-env', 'api_key=K'], { K: 'k' });
    expect(key.code).toBe(0);
    const win = await run(['connection', 'create', 'mixco', '--no-verify', '--auth', 'windows', '--param', 'username=D\\u', '--param-env', 'password=P'], {
      P: 'p',
    });
    expect(win.code).toBe(0);
    const shown = JSON.parse((await run(['connection', 'list', '--json'])).stdout) as { address: string; authOption: string }[];
    expect(Object.fromEntries(shown.map((c) => [c.address, c.authOption]))).toEqual({
      'setsco/default': 'basic-auth',
      'setsco/k': 'api-auth',
      'mixco/default': 'onprem',
    });
  });

  it('a kind two options share is a usage error listing just those two', async () => {
    const r = await run(['connection', 'create', 'mixco', '--no-verify', '--auth', 'apiKey', '--param-env', 'api_key=K'], { K: 'k' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--auth apiKey: connector 'mixco' has 2 options of that kind");
    expect(r.stderr).toContain('--auth key-eu (Europe key), --auth key-us (US key)');
    expect(r.stderr).not.toContain('onprem');
    const none = await run(['connection', 'create', 'mixco', '--no-verify', '--auth', 'oauth2']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("has no auth option 'oauth2'");
    expect(none.stderr).toContain('--auth onprem (On-premises)');
  });
});

/** A prompter that records the select's question, hint and choices, and answers with the first choice. */
function recordingPrompter() {
  const seen: { message: string; hint?: string; choices: Choice[] }[] = [];
  const fail = async (m: string): Promise<never> => {
    throw new Error(`unexpected prompt ${m}`);
  };
  const p: Prompter = {
    input: fail,
    password: fail,
    confirm: fail,
    async select(message, choices, o = {}) {
      seen.push({ message, hint: o.hint, choices });
      throw new Error('stop after the picker');
    },
  };
  return { p, seen };
}

async function pickerOf(record: ConnectorRecord) {
  await register(home, record);
  const { p, seen } = recordingPrompter();
  const tty = () => Object.assign(new PassThrough(), { isTTY: true });
  const io = makeIO(tty(), tty(), new PassThrough(), { NO_COLOR: '1', CONNECTOR_HOME: home });
  await main(['node', 'connector', 'connection', 'create', record.name, '--no-verify'], io, { secrets: async () => store, prompter: async () => p });
  expect(seen).toHaveLength(1);
  return seen[0];
}

const hasCorpus = existsSync(CORPUS_DIR);
if (!hasCorpus) console.warn(`[auth-choice] corpus not found at ${CORPUS_DIR}: corpus picker tests skipped`);
function corpus(dir: string, name: string): ConnectorRecord {
  const read = (re: RegExp) => {
    const f = readdirSync(join(CORPUS_DIR, dir)).find((n) => re.test(n));
    return f ? JSON.parse(readFileSync(join(CORPUS_DIR, dir, f), 'utf8').replace(/^\uFEFF/, '')) : undefined;
  };
  return { ...makeRecord(name), definition: read(/^apidefinition.*\.json$/i), apiProperties: read(/^apiproperties\.json$/i) };
}

describe.skipIf(!hasCorpus)('the parameter-set picker speaks the connector’s words (corpus)', () => {
  it('Open Data Network: its own question, hint, option names and descriptions', async () => {
    const s = await pickerOf(corpus('Open Data Network', 'odn'));
    expect(s.message).toBe('Authentication Type');
    expect(s.hint).toBe('Choose the type of authentication to be used.');
    expect(s.choices.map((c) => c.name)).toEqual(['App Token', 'API Key']);
    expect(s.choices[0].description).toContain('Log in using your App Token');
  });

  it('LawVu: regions by name, no internal kind ids anywhere', async () => {
    const s = await pickerOf(corpus('LawVu', 'lawvu'));
    expect(s.message).toBe('LawVu Region');
    expect(s.choices.map((c) => c.name)).toEqual(['Australia', 'Canada', 'Europe', 'United States', 'Demo', 'Integrations', 'Custom']);
    expect(JSON.stringify(s)).not.toMatch(/oauth2|"kind"/i);
  });
});
