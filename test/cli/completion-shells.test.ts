import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { finished } from '../helpers/spawn.js';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, builtCliExists } from '../proxy/child.js';
import { closeAll, start, tmuxMissing, type TmuxSession } from '../helpers/tmux.js';

// zsh and fish running the scripts `connector completion zsh|fish` prints, for real: an
// interactive shell in tmux (Tab pressed, the screen read back), and fish's `complete -C`
// (the candidates without a terminal). Values with shell syntax (an enum of our own spec, and
// dynamic values from a loopback API) must be inserted quoted: the line, run with printf
// in front, gives the value back as one literal word, and no command in them ever runs.
// bash is run in completion.test.ts; PowerShell is not installable here (generation only).

function shellMissing(name: string): string | undefined {
  const bin = `/usr/bin/${name}`;
  if (!existsSync(bin)) return `${bin} not found; apt-get install -y ${name}`;
  return undefined;
}
const MISSING = { zsh: shellMissing('zsh') ?? tmuxMissing(), fish: shellMissing('fish') };
const FISH_TMUX = MISSING.fish ?? tmuxMissing();
// CI installs zsh, fish and tmux (.ci/run): there a missing one fails instead of skipping quietly.
for (const [shell, why] of Object.entries({ ...MISSING, 'fish in tmux': FISH_TMUX })) {
  if (why && (process.env.CI === 'true' || process.env.CI === '1')) throw new Error(`completion tests for ${shell} need it in CI: ${why}`);
  if (why) console.warn(`completion-shells: ${why}; skipping the ${shell} completion tests`);
}
if (!builtCliExists()) throw new Error('dist/cli is missing: run `npm run build` before these tests');

const FIXTURE = 'petstore-like-fixture';
let work: string;
let trap: string; // where the hostile values would touch files
let shimDir: string;
let api: Server;
/** Hostile values, each one of its own parameter (so one Tab inserts it): enum e1-e3, dynamic d1-d3. */
let HOSTILE: Record<string, string>;

function spec(host: string) {
  const q = (name: string, more: Record<string, unknown> = {}) => ({ name, in: 'query', type: 'string', ...more });
  const enumOf = (name: string) => q(name, { enum: [HOSTILE[name]] });
  const dynamic = (name: string) => q(name, { 'x-ms-dynamic-values': { operationId: 'ListEvil', parameters: { which: { value: name } }, 'value-path': 'id' } });
  return {
    swagger: '2.0',
    info: { title: 'Petstore-like fixture', version: '1' },
    host,
    schemes: ['http'],
    securityDefinitions: { api_key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
    security: [{ api_key: [] }],
    paths: {
      '/pets': {
        get: {
          operationId: 'findPets',
          summary: 'Find pets',
          parameters: [
            q('status', { enum: ['available', 'pending', 'sold'] }),
            q('tag'),
            ...['e1', 'e2', 'e3'].map(enumOf),
            ...['d1', 'd2', 'd3'].map(dynamic),
          ],
          responses: { 200: { description: 'ok' } },
        },
      },
      '/pets/{id}': {
        get: {
          operationId: 'getPet',
          summary: 'Get a pet',
          parameters: [{ name: 'id', in: 'path', required: true, type: 'string' }],
          responses: { 200: { description: 'ok' } },
        },
      },
      '/evil': { get: { operationId: 'ListEvil', parameters: [q('which')], responses: { 200: { description: 'ok' } } } },
    },
  };
}

const ENV = () => ({
  HOME: join(work, 'user'),
  PATH: `${shimDir}:/usr/bin:/bin`,
  LANG: 'C.UTF-8',
  NO_COLOR: '1',
  XDG_CONFIG_HOME: join(work, 'user', '.config'),
  XDG_DATA_HOME: join(work, 'user', '.local', 'share'),
  XDG_CACHE_HOME: join(work, 'user', '.cache'),
});

/** Spawned asynchronously: the API runs in this process and must go on answering. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...ENV(), ...env }, cwd: work });
  return finished(child);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'connector-shells-'));
  trap = join(work, 'trap');
  shimDir = join(work, 'bin');
  for (const d of [trap, shimDir, join(work, 'user')]) mkdirSync(d);
  HOSTILE = {
    e1: `$(touch ${trap}/e1)`,
    e2: `\`touch ${trap}/e2\``,
    e3: `; touch ${trap}/e3`,
    d1: `$(touch ${trap}/d1)`,
    d2: `\`touch ${trap}/d2\``,
    d3: `; touch ${trap}/d3`,
  };
  // `connector` on the shells' PATH: the built CLI with a registry of its own (no secret store:
  // the connection's key comes from the environment overlay, as in CI).
  const home = join(work, 'home');
  writeFileSync(
    join(shimDir, 'connector'),
    [
      '#!/bin/sh',
      `CONNECTOR_HOME=${home} CONNECTOR_CACHE_DIR=${join(work, 'cache')} CONNECTOR_SECRET_STORE=memory \\`,
      `CONNECTOR_PETSTORE_LIKE_FIXTURE__DEFAULT__API_KEY=k exec ${process.execPath} ${BIN} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(join(shimDir, 'connector'), 0o755);
  api = createServer((req, res) => {
    const which = new URL(req.url ?? '/', 'http://x').searchParams.get('which') ?? '';
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(HOSTILE[which] ? [{ id: HOSTILE[which] }] : []));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  const src = join(work, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'pets.json'), JSON.stringify(spec(`127.0.0.1:${(api.address() as { port: number }).port}`)));
  writeFileSync(
    join(src, 'notes.json'),
    JSON.stringify({
      swagger: '2.0',
      info: { title: 'Notes fixture', version: '1' },
      host: '127.0.0.1:9',
      paths: { '/n': { get: { operationId: 'listNotes', responses: { 200: { description: 'ok' } } } } },
    }),
  );
  const connector = join(shimDir, 'connector');
  for (const args of [
    ['import', join(src, 'pets.json'), '--name', FIXTURE],
    ['import', join(src, 'notes.json'), '--name', 'notes-fixture'],
    ['connection', 'create', FIXTURE, '--param-env', 'api_key=K', '--no-verify', '--no-input'],
  ]) {
    const r = await run(connector, args, { K: 'unused' });
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
}, 60_000);

afterEach(() => closeAll());

afterAll(async () => {
  await closeAll();
  await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
  rmSync(work, { recursive: true, force: true });
});

const T = 30_000;
const LINE = `connector run ${FIXTURE} findPets`;

/** The last n lines of a screen. */
const lastLines = (screen: string, n: number) => screen.split('\n').slice(-n);

/**
 * Complete `text` with one Tab (the only candidate is inserted), then run the line with
 * `printf '[%s]\n'` in front: each word the shell would pass comes back between brackets.
 * Returns the line as inserted and the last word as the command would get it.
 */
async function insertAndEcho(s: TmuxSession, text: string, clearLine: string[]): Promise<{ inserted: string; word: string }> {
  await s.press(...clearLine);
  await s.type(text);
  await s.press('Tab');
  // Inserted once the line has grown past what was typed (zsh and fish add a space after it).
  const screen = await s.waitFor(new RegExp(`${escapeRe(text)}\\S`));
  const inserted = screen.split('\n').find((l) => l.includes(text))!;
  await s.press('C-a');
  await s.type(`printf '[%s]\\n' `);
  await s.press('Enter');
  const name = text.slice(text.lastIndexOf(' ') + 1);
  const echoed = await s.waitFor(new RegExp(`^\\[${escapeRe(name)}.*\\]$`, 'm'));
  const word = echoed
    .split('\n')
    .filter((l) => l.startsWith(`[${name}`))
    .at(-1)!;
  return { inserted, word: word.slice(1, -1) };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe.skipIf(Boolean(MISSING.zsh))('zsh runs the script connector completion zsh prints (tmux)', () => {
  it(
    'completes commands, connectors, operations, parameter names and values; shell syntax in values is inserted quoted and never runs',
    async () => {
      const s = await start(['/usr/bin/zsh', '-f', '-i'], { env: ENV(), cwd: work, cols: 160 });
      // compinit -u: no question about insecure folders; -D: no dump file.
      await s.type(`PROMPT='%% '; autoload -U compinit && compinit -u -D && source <(connector completion zsh) && print READY`);
      await s.press('Enter');
      await s.waitFor(/^READY$/m);
      const clear = ['C-u', 'C-l'];
      const tab = async (text: string, expected: RegExp) => {
        await s.press(...clear);
        await s.type(text);
        await s.press('Tab');
        return s.waitFor(expected);
      };
      await tab('connector ru', /^% connector run$/m);
      const connectors = await tab('connector run ', /petstore-like-fixture/);
      expect(lastLines(connectors, 3)).toEqual([
        '% connector run',
        'notes-fixture          -- Notes fixture',
        'petstore-like-fixture  -- Petstore-like fixture',
      ]);
      const ops = await tab(`connector run ${FIXTURE} `, /getPet/);
      expect(ops).toMatch(/^findPets +-- Find pets$/m);
      expect(ops).toMatch(/^getPet +-- Get a pet$/m);
      const names = await tab(`${LINE} -p `, /status=/);
      for (const n of ['status=', 'tag=', 'e1=', 'd1=']) expect(names).toContain(n);
      const values = await tab(`${LINE} -p status=`, /status=sold/);
      expect(values).toMatch(/^status=available +status=pending +status=sold$/m);
      // the prefix of --param=status= is --param=, not --param=status=
      await tab(`${LINE} --param=status=av`, new RegExp(`^% ${escapeRe(LINE)} --param=status=available$`, 'm'));

      for (const name of ['e1', 'e2', 'e3', 'd1', 'd2', 'd3']) {
        const { inserted, word } = await insertAndEcho(s, `${LINE} -p ${name}=`, clear);
        expect(word, `${name}: what the command gets`).toBe(`${name}=${HOSTILE[name]}`);
        expect(inserted, name).toContain('\\'); // quoted with backslashes
        expect(readdirSync(trap), name).toEqual([]);
      }
    },
    T,
  );
});

describe.skipIf(Boolean(MISSING.fish))('fish runs the script connector completion fish prints', () => {
  it(
    'complete -C lists commands, connectors, operations, parameter names and values',
    async () => {
      const script = join(work, 'connector.fish');
      writeFileSync(script, (await run(join(shimDir, 'connector'), ['completion', 'fish'])).stdout);
      const lines = [
        'connector ru',
        'connector run ',
        `connector run ${FIXTURE} `,
        `${LINE} -p `,
        `${LINE} -p status=`,
        `${LINE} --param=status=`,
        ...['e1', 'e2', 'e3', 'd1', 'd2', 'd3'].map((n) => `${LINE} -p ${n}=`),
      ];
      const program = [`source ${script}`, ...lines.map((l) => `echo '@@'; complete -C ${fishQuote(l)}`)].join('\n');
      const r = await run('/usr/bin/fish', ['--no-config', '-c', program]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const answers = r.stdout
        .split('@@\n')
        .slice(1)
        .map((a) => a.split('\n').filter(Boolean));
      const values = (i: number) => answers[i].map((l) => l.split('\t')[0]);
      expect(answers[0]).toEqual(['run\tcall an operation with a stored connection']);
      expect(answers[1]).toEqual(['notes-fixture\tNotes fixture', 'petstore-like-fixture\tPetstore-like fixture']);
      expect(answers[2]).toEqual(['findPets\tFind pets', 'getPet\tGet a pet', 'ListEvil\tGET /evil']);
      expect(values(3)).toEqual(expect.arrayContaining(['status=', 'tag=', 'e1=', 'd3=']));
      expect(values(4)).toEqual(['status=available', 'status=pending', 'status=sold']);
      expect(values(5)).toEqual(['--param=status=available', '--param=status=pending', '--param=status=sold']);
      ['e1', 'e2', 'e3', 'd1', 'd2', 'd3'].forEach((n, i) => expect(values(6 + i), n).toEqual([`${n}=${HOSTILE[n]}`]));
      expect(readdirSync(trap)).toEqual([]);
    },
    T,
  );

  it.skipIf(Boolean(FISH_TMUX))(
    'in a terminal (tmux): Tab completes, and shell syntax in values is inserted escaped and never runs',
    async () => {
      const init = "set -g fish_greeting; set -g fish_autosuggestion_enabled 0; function fish_prompt; echo -n '% '; end; connector completion fish | source";
      const s = await start(['/usr/bin/fish', '--no-config', '-C', init], { env: ENV(), cwd: work, cols: 160 });
      await s.waitFor(/^%$/m);
      const clear = ['C-u', 'C-l'];
      await s.type('connector ru');
      await s.press('Tab');
      await s.waitFor(/^% connector run$/m);
      await s.press(...clear);
      await s.type(`${LINE} -p status=`);
      await s.press('Tab');
      const values = await s.waitFor(/status=sold/);
      expect(values).toMatch(/status=available +status=pending +status=sold/);
      for (const name of ['e1', 'e2', 'e3', 'd1', 'd2', 'd3']) {
        const { inserted, word } = await insertAndEcho(s, `${LINE} -p ${name}=`, clear);
        expect(word, `${name}: what the command gets`).toBe(`${name}=${HOSTILE[name]}`);
        expect(inserted, name).toContain('\\'); // escaped with backslashes
        expect(readdirSync(trap), name).toEqual([]);
      }
    },
    T,
  );
});

function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// PowerShell: `connector completion powershell` is generated by tab and checked to be produced
// (completion.test.ts); pwsh is not packaged for Debian, so it is not run anywhere here.
