import { describe, it, expect, beforeEach } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import type { Prompter } from '../../src/io/prompter.js';
import { register, setsRecord, basicRecord, makeRecord } from './helpers.js';
import { strictPrompter } from '../helpers/context.js';
import { runOnTerminal } from '../helpers/terminal-run.js';

/** A strict scripted prompter: answers by message, records every question, fails on any other question or an unused answer. */
function scripted(answers: Record<string, string>) {
  const p = strictPrompter(answers);
  return { p, asked: p.asked };
}

/** Run the CLI as if on a terminal (stdin/stdout TTYs) with a scripted prompter. */
async function runTty(home: string, store: MemoryStore, prompter: Prompter, args: string[]) {
  return runOnTerminal(args, { env: { CONNECTOR_HOME: home }, overrides: { secrets: async () => store, prompter: async () => prompter } });
}

let home: string;
let store: MemoryStore;
beforeEach(async () => {
  home = tempHome();
  store = new MemoryStore();
  await register(home, setsRecord(), basicRecord());
});

describe('interactive connection create', () => {
  it('asks which option first, then each parameter with its own label; secrets masked; allowedValues as a select', async () => {
    const { p, asked } = scripted({ 'Authentication Type': 'api-auth', 'App Token': 'tok', Region: 'eu' });
    const r = await runTty(home, store, p, ['connection', 'create', 'setsco', '--no-verify']);
    expect(r.stderr).toContain('Created connection setsco/default');
    expect(r.code).toBe(0);
    expect(asked).toEqual([
      { kind: 'select', message: 'Authentication Type', choices: ['App Token=api-auth', 'Key ID and secret=basic-auth'], default: undefined },
      { kind: 'password', message: 'App Token', hint: undefined },
      { kind: 'select', message: 'Region', choices: ['North America=us', 'EU=eu'], default: 'us' },
    ]);
    expect(store.items.get('setsco/default/api_key')).toBe('tok');
  });

  it('uses tooltips as hints, skips parameters given by flags and hidden ones, marks optional ones', async () => {
    await register(
      home,
      makeRecord('hid', {
        apiProperties: {
          properties: {
            connectionParameters: {
              visible: { type: 'string', uiDefinition: { displayName: 'Visible', tooltip: 'tip', constraints: { required: 'false' } } },
              secret: { type: 'securestring', uiDefinition: { displayName: 'Secret', constraints: { required: 'true' } } },
              hidden: { type: 'string', uiDefinition: { displayName: 'Hidden', constraints: { hidden: 'true' } } },
            },
          },
        },
      }),
    );
    const { p, asked } = scripted({ 'Visible (optional)': '' });
    const r2 = await runTty(home, store, p, ['connection', 'create', 'hid', '--no-verify', '--param', 'secret=x']);
    expect(r2.code).toBe(0);
    expect(asked).toEqual([{ kind: 'input', message: 'Visible (optional)', hint: 'tip', default: undefined }]);
  });

  it('--no-input on a terminal never prompts', async () => {
    const { p, asked } = scripted({});
    const r = await runTty(home, store, p, ['connection', 'create', 'basicco', '--no-verify', '--no-input']);
    expect(r.code).toBe(5);
    expect(asked).toEqual([]);
  });
});
