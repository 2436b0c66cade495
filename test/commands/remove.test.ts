import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { basicRecord, register } from '../connections/helpers.js';
import { strictPrompter } from '../helpers/context.js';

describe('connector remove', () => {
  it('deletes the connector, its connections and their secrets (nothing orphaned)', async () => {
    const home = tempHome();
    await register(home, basicRecord());
    const store = new MemoryStore();
    const overrides = { secrets: async () => store };
    const create = await runCli(
      ['connection', 'create', 'basicco', '--no-input', '--no-verify', '--param', 'instance=x.example', '--param', 'username=u', '--param-env', 'password=PW'],
      { home, env: { PW: 'hunter2-secret' }, overrides },
    );
    expect(create.code, create.stderr).toBe(0);
    expect(store.items.size).toBe(1);

    const r = await runCli(['remove', 'basicco', '--json', '--yes'], { home, overrides });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ removed: 'basicco', connectionsDeleted: ['default'] });
    expect(store.items.size).toBe(0);
    expect(existsSync(join(home, 'connectors', 'basicco.json'))).toBe(false);
    const list = await runCli(['connection', 'list', '--json'], { home, overrides });
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('an unknown name is one line, exit 1, and changes nothing', async () => {
    const home = tempHome();
    await register(home, basicRecord());
    const r = await runCli(['remove', 'basico'], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no connector named 'basico'");
    expect(r.stderr).toContain('Did you mean: basicco?');
  });
});

describe('remove and connection delete ask first; scripts say --yes', () => {
  async function homeWithConnection() {
    const home = tempHome();
    await register(home, basicRecord());
    const store = new MemoryStore();
    const create = await runCli(
      ['connection', 'create', 'basicco', '--no-input', '--no-verify', '--param', 'instance=x.example', '--param', 'username=u', '--param-env', 'password=PW'],
      { home, env: { PW: 'hunter2-secret' }, overrides: { secrets: async () => store } },
    );
    expect(create.code, create.stderr).toBe(0);
    return { home, store };
  }
  const listed = async (home: string, store: MemoryStore) => ({
    connectors: JSON.parse((await runCli(['list', '--json'], { home })).stdout).map((c: { name: string }) => c.name),
    connections: JSON.parse((await runCli(['connection', 'list', '--json'], { home, overrides: { secrets: async () => store } })).stdout).length,
    secrets: store.items.size,
  });

  it('no terminal or --no-input: never asks, exit 2 with the command to run, nothing deleted', async () => {
    const { home, store } = await homeWithConnection();
    const cases: [string[], string][] = [
      [['remove', 'basicco'], "connector: removing 'basicco' needs --yes to confirm (no terminal to ask on)\nTry: connector remove basicco --yes\n"],
      [
        ['remove', 'basicco', '--no-input'],
        "connector: removing 'basicco' needs --yes to confirm (--no-input was given)\nTry: connector remove basicco --yes\n",
      ],
      [
        ['connection', 'delete', 'basicco/default'],
        'connector: deleting basicco/default needs --yes to confirm (no terminal to ask on)\nTry: connector connection delete basicco/default --yes\n',
      ],
      [['rm', 'basicco', '--no-input'], "connector: removing 'basicco' needs --yes to confirm (--no-input was given)\nTry: connector remove basicco --yes\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(args, { home, overrides: { secrets: async () => store } });
      expect([r.code, r.stdout, r.stderr], args.join(' ')).toEqual([2, '', stderr]);
    }
    // A prompter that would answer is not asked under --no-input either.
    const never = strictPrompter({});
    const quiet = await runCli(['remove', 'basicco', '--no-input'], { home, overrides: { secrets: async () => store, prompter: async () => never } });
    expect([quiet.code, never.asked]).toEqual([2, []]);
    expect(await listed(home, store)).toEqual({ connectors: ['basicco'], connections: 1, secrets: 1 });
  });

  it('on a terminal: "no" is exit 3 and changes nothing; "yes" deletes; -y skips the question', async () => {
    const { home, store } = await homeWithConnection();
    const ask = (answer: boolean, question: string) => {
      const prompter = strictPrompter({ [question]: answer });
      return { prompter, overrides: { secrets: async () => store, prompter: async () => prompter } };
    };
    const removeQ = "Remove the connector 'basicco' and its connection (default) with their secrets?";
    const no = ask(false, removeQ);
    const r = await runCli(['remove', 'basicco'], { home, overrides: no.overrides });
    expect([r.code, r.stderr]).toEqual([3, "connector: cancelled: removing 'basicco' did not happen\n"]);
    expect(no.prompter.asked).toEqual([{ kind: 'confirm', message: removeQ, default: false }]);
    expect(await listed(home, store)).toEqual({ connectors: ['basicco'], connections: 1, secrets: 1 });

    const deleteQ = 'Delete the connection basicco/default and its secret (memory store)?';
    const d = await runCli(['connection', 'delete', 'basicco/default'], { home, overrides: ask(false, deleteQ).overrides });
    expect(d.code).toBe(3);
    expect(await listed(home, store)).toEqual({ connectors: ['basicco'], connections: 1, secrets: 1 });
    const dy = await runCli(['connection', 'delete', 'basicco/default'], { home, overrides: ask(true, deleteQ).overrides });
    expect([dy.code, dy.stderr]).toEqual([0, 'Deleted basicco/default and its secret.\n']);
    expect(await listed(home, store)).toEqual({ connectors: ['basicco'], connections: 0, secrets: 0 });

    const y = await runCli(['remove', 'basicco', '-y'], { home, overrides: { secrets: async () => store, prompter: async () => strictPrompter({}) } });
    expect([y.code, y.stderr]).toEqual([0, "Removed connector 'basicco'\n"]);
    expect(await listed(home, store)).toEqual({ connectors: [], connections: 0, secrets: 0 });
  });
});
