import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { buildProgram, commandNamed } from '../../src/main.js';
import { systemIO } from '../../src/io/iostreams.js';
import { COMMANDS, PROGRAM } from '../../src/commands/index.js';
import { optionDefaults, optionsOf, type CommandSpec } from '../../src/commands/spec.js';
import { oauthOptions, signInOptions } from '../../src/commands/connection/oauth-options.js';

// Every command of the table, with the words that reach it: [['import'], ['connection', 'create'], ...].
const all: { path: string[]; spec: CommandSpec }[] = COMMANDS.flatMap((c) => [
  { path: [c.name], spec: c },
  ...(c.subcommands ?? []).map((s) => ({ path: [c.name, s.name], spec: s })),
]);

/** An example as --help prints it: `  $ ` and the command, continuation lines indented. */
const shown = (example: string) => `  $ ${example.replace(/\n/g, '\n  ')}\n`;

describe('every command declares itself and its --help shows it', () => {
  it('the table is complete (control: the loops below run over something)', () => {
    expect(all.map((c) => c.path.join(' '))).toEqual(
      expect.arrayContaining(['import', 'run', 'demo', 'connection create', 'connection login', 'connection default', 'test']),
    );
    expect(all.length).toBe(27); // `complete` (hidden) included
  });

  it('connector --help shows the root examples and every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const e of PROGRAM.examples ?? []) expect(r.stdout).toContain(shown(e));
    for (const c of COMMANDS.filter((c) => !c.hidden))
      expect(r.stdout).toMatch(new RegExp(`\\n  ${c.name}${c.aliases ? `\\|${c.aliases.join('\\|')}` : ''}\\b`));
  });

  for (const { path, spec } of all) {
    it(`connector ${path.join(' ')} --help exits 0 and shows its examples and options`, async () => {
      const r = await runCli([...path, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Usage: connector ${path.join(' ')}`);
      expect(r.stdout.replace(/\s+/g, ' ')).toContain(spec.description); // wrapped at 80 columns
      // The global options, with their own flags, under every command's help.
      const globals = r.stdout.slice(r.stdout.indexOf('\nGlobal Options:\n'));
      expect(globals.length, 'a Global Options section').toBeLessThan(r.stdout.length);
      for (const o of PROGRAM.options) expect(globals).toContain(o.flags);
      expect(spec.examples?.length, 'every command, a group too, has examples').toBeGreaterThan(0);
      expect(r.stdout).toContain('\nExamples:\n');
      for (const e of spec.examples!) expect(r.stdout).toContain(shown(e));
      expect(r.stdout, 'defaults as typed: (default: 30), not (default: "30")').not.toMatch(/default: "(\d|auto)/);
      // `connector help <words>` is the same page.
      const viaHelp = await runCli(['help', ...path]);
      expect([viaHelp.code, viaHelp.stdout]).toEqual([0, r.stdout]);
      if (spec.subcommands) {
        for (const s of spec.subcommands) expect(r.stdout).toMatch(new RegExp(`\\n  ${s.name}\\b`));
        return;
      }
      for (const o of optionsOf(spec)) expect(r.stdout.includes(o.flags), o.flags).toBe(!o.hidden); // an old name works, unlisted
      for (const a of spec.arguments ?? []) expect(r.stdout).toMatch(new RegExp(`\\n  ${a.name.slice(1, -1)} +`));
    });
  }
});

describe('connector help', () => {
  it('help connection create shows create, not connection (commander read one word)', async () => {
    const r = await runCli(['help', 'connection', 'create']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: connector connection create \[options\] <connector>\n/);
    const globals = await runCli(['--home', '/nonexistent', 'help', 'run']);
    expect(globals.stdout).toMatch(/^Usage: connector run /);
    expect((await runCli(['help'])).stdout).toMatch(/^Usage: connector \[options\] \[command\]/);
    const unknown = await runCli(['help', 'nosuch']);
    expect([unknown.code, unknown.stderr]).toEqual([2, "connector: unknown command 'nosuch'\nTry: connector --help\n"]);
  });

  it('help <command> <unknown subcommand> is the unknown-command error, not the parent’s help', async () => {
    const r = await runCli(['help', 'connection', 'nosuch']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', "connector: unknown command 'nosuch'\nTry: connector connection --help\n"]);
    const typo = await runCli(['help', 'conn', 'creat']);
    expect([typo.code, typo.stderr]).toEqual([2, "connector: unknown command 'creat'\nDid you mean create?\n"]);
    const alias = await runCli(['help', 'conn', 'create']);
    expect([alias.code, alias.stdout]).toEqual([0, expect.stringMatching(/^Usage: connector connection create /)]);
  });
});

describe('aliases are declared once and all resolve', () => {
  const aliased = all.flatMap(({ path, spec }) => (spec.aliases ?? []).map((alias) => ({ path, alias })));

  it('there are aliases to check (control)', () => {
    expect(aliased.map((a) => a.alias)).toEqual(expect.arrayContaining(['ops', 'rm', 'conn']));
  });

  for (const { path, alias } of aliased) {
    const words = [...path.slice(0, -1), alias];
    it(`connector ${words.join(' ')} is connector ${path.join(' ')}`, async () => {
      if (path.length === 1) expect(commandNamed(['node', 'connector', alias])).toBe(path[0]);
      const r = await runCli([...words, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Usage: connector ${[...path.slice(0, -1), `${path.at(-1)}|${alias}`].join(' ')}`);
    });
  }

  it('an unknown word names no command, even one Object.prototype has', () => {
    for (const w of ['constructor', 'toString', '__proto__', 'nope']) expect(commandNamed(['node', 'connector', w])).toBeUndefined();
  });
});

describe('optionDefaults (what the demo passes to actions it calls directly)', () => {
  it('equals the options commander hands an action that was given none, for every command', () => {
    const program = buildProgram(systemIO(), {});
    for (const { path, spec } of all) {
      const command = path.reduce((c, name) => c.commands.find((s) => s.name() === name)!, program);
      expect(optionDefaults(spec), path.join(' ')).toEqual(command.opts());
    }
    expect(optionDefaults(all.find((c) => c.path.join(' ') === 'run')!.spec)).toMatchObject({ format: 'auto', timeout: '30', fail: true }); // control
  });
});

describe('the OAuth flags are declared once', () => {
  const spec = (path: string) => all.find((c) => c.path.join(' ') === path)!.spec;
  it('connection create takes the whole group, connection login the sign-in part of it', () => {
    expect(spec('connection create').options).toContain(oauthOptions);
    expect(spec('connection login').options).toEqual([signInOptions]);
    const flags = (o: readonly { flags: string }[]) => o.map((x) => x.flags);
    expect(flags(signInOptions.options)).toEqual(['--flow <flow>', '--redirect-host <host>', '--redirect-port <port>']);
    for (const o of signInOptions.options) expect(flags(oauthOptions.options)).toContain(o.flags);
    expect(signInOptions.options[0]).toBe(oauthOptions.options[0]); // the same --flow object, choices and default
  });
});
