import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import stringWidth from 'string-width';
import { runCli, tempHome } from '../helpers/cli.js';
import { BIN, builtCliExists } from '../proxy/child.js';
import { closeAll, start, tmuxMissing, type TmuxSession } from '../helpers/tmux.js';

// Issue 14.6: `connection create` and `run` in a real pseudo-terminal (tmux), asserting on what
// the SCREEN shows after the terminal has applied every cursor move and erase: the prompts, the
// secret masked (on no screen and not in the scrollback), the result lines, colour on a terminal
// and none at all under NO_COLOR, Ctrl-C, a table at the pane's width.

const missing = tmuxMissing();
// CI installs tmux (.ci/run): there a missing tmux fails loudly instead of skipping quietly.
if (missing && (process.env.CI === 'true' || process.env.CI === '1')) throw new Error(`terminal screenshot tests need tmux in CI: ${missing}`);
if (missing) console.warn(`terminal/screen: ${missing}; skipping the terminal screenshot tests`);
if (!missing && !builtCliExists()) throw new Error('dist/cli is missing: run `npm run build` before these tests');

const COLS = 100;
const ROWS = 30;
const KEY = `k3y-${randomBytes(6).toString('hex')}`; // 16 characters, nowhere else on any screen
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const PASSPHRASE = 'terminal-test-vault-passphrase';
const ESC = '\x1b';
const LONG_SUMMARY = `List every item of the account with its owner, labels, state and the time it last changed (${'x'.repeat(60)})`;

let api: Server;
let template: string;
let cacheDir: string;

beforeAll(async () => {
  if (missing) return;
  // The API both connectors call: the key must be KEY, Basic must be ada:PASSWORD; it echoes the key back.
  api = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const basic = `Basic ${Buffer.from(`ada:${PASSWORD}`).toString('base64')}`;
    if (req.url === '/me' && req.headers['x-key'] === KEY) return res.end(JSON.stringify({ name: 'Ada', echo: KEY, items: 3 }));
    if (req.url === '/me' && req.headers.authorization === basic) return res.end(JSON.stringify({ user: 'ada' }));
    res.statusCode = 401;
    res.end('{"error":"unauthorized"}');
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(api.address() as { port: number }).port}`;

  const src = mkdtempSync(join(tmpdir(), 'connector-screen-src-'));
  const me = (summary: string) => ({ get: { operationId: 'GetMe', summary, responses: { 200: { description: 'ok' } } } });
  writeFileSync(
    join(src, 'keyed.json'),
    JSON.stringify({
      swagger: '2.0',
      info: { title: 'Keyed', version: '1' },
      host,
      schemes: ['http'],
      securityDefinitions: { 'API Key': { type: 'apiKey', in: 'header', name: 'X-Key' } },
      paths: {
        '/me': me('Who am I'),
        // Wider than the pane even with the summary cut to 60 characters, as `operations` does today.
        '/accounts/{accountId}/items/by-label/{label}': {
          get: {
            operationId: 'ListItemsByLabel',
            summary: LONG_SUMMARY,
            parameters: [
              { name: 'accountId', in: 'path', required: true, type: 'string' },
              { name: 'label', in: 'path', required: true, type: 'string' },
            ],
            responses: { 200: { description: 'ok' } },
          },
        },
      },
    }),
  );
  mkdirSync(join(src, 'basic'));
  writeFileSync(
    join(src, 'basic', 'apiDefinition.swagger.json'),
    JSON.stringify({
      swagger: '2.0',
      info: { title: 'Basic Co', version: '1' },
      host,
      schemes: ['http'],
      securityDefinitions: { basic_auth: { type: 'basic' } },
      paths: { '/me': me('Who am I') },
    }),
  );
  const ui = (displayName: string, tooltip?: string) => ({ uiDefinition: { displayName, ...(tooltip ? { tooltip } : {}), constraints: { required: 'true' } } });
  writeFileSync(
    join(src, 'basic', 'apiProperties.json'),
    JSON.stringify({
      properties: {
        connectionParameters: {
          username: { type: 'string', ...ui('Username or Email') },
          password: { type: 'securestring', ...ui('API token', 'Provide your API token') },
        },
      },
    }),
  );
  template = tempHome('connector-screen-tpl-');
  for (const args of [
    ['import', join(src, 'keyed.json'), '--name', 'keyed'],
    ['import', join(src, 'basic'), '--name', 'basicco'],
  ]) {
    const r = await runCli(args, { home: template });
    expect(r.code, r.stderr).toBe(0);
  }
  cacheDir = tempHome('connector-screen-cache-');
}, 30_000);

afterEach(closeAll);
afterAll(async () => {
  await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
});

/** A registry home with both connectors and an empty HOME, both fresh, for one test. */
function freshHomes(): { home: string; userHome: string } {
  const home = tempHome('connector-screen-');
  cpSync(template, home, { recursive: true });
  return { home, userHome: tempHome('connector-screen-user-') };
}

/**
 * `connector <args>` in a 100x30 pane with only this environment: no CONNECTOR_* of the
 * developer's, no NO_COLOR unless the test sets it, TERM=xterm-256color.
 */
function connector(args: string[], homes: { home: string; userHome: string }, env: Record<string, string> = {}): Promise<TmuxSession> {
  return start([process.execPath, BIN, ...args], {
    cols: COLS,
    rows: ROWS,
    cwd: homes.userHome,
    env: {
      PATH: '/usr/bin:/bin',
      HOME: homes.userHome,
      TERM: 'xterm-256color',
      CONNECTOR_HOME: homes.home,
      CONNECTOR_CACHE_DIR: cacheDir,
      CONNECTOR_VAULT_PASSPHRASE: PASSPHRASE,
      ...env,
    },
  });
}

/** The screen's lines, without the empty ones. */
const lines = (screen: string) => screen.split('\n').filter((l) => l !== '');

/** Every file under `dirs` with a hash of its content. */
function snapshot(...dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (root: string, dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(root, p);
      else out[`${root}:${relative(root, p)}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  for (const d of dirs) walk(d, d);
  return out;
}

/** The secret is on no screen captured while the program ran, nor in the final screen and scrollback. */
async function expectNeverShown(s: TmuxSession, secret: string) {
  const all = await s.screen({ history: true, escapes: true });
  expect(all).not.toContain(secret);
  expect(s.seen.filter((screen) => screen.includes(secret))).toEqual([]);
}

const T = 30_000; // per test: generous for a loaded 2-core machine; the waits inside have their own deadlines

describe.skipIf(Boolean(missing))('the screen of connection create and run in a real terminal (tmux)', () => {
  it(
    'API key: the prompt, the key masked as typed, the verification; then run shows the answer in colour with the key masked',
    async () => {
      const homes = freshHomes();
      const create = await connector(['connection', 'create', 'keyed', '--secret-store', 'vault'], homes);
      expect(await create.size()).toEqual({ cols: COLS, rows: ROWS });
      await create.waitFor(/^\? API Key$/m);
      await create.type(KEY);
      await create.waitFor(new RegExp(`^\\? API Key \\*{${KEY.length}}$`, 'm'));
      await create.press('Enter');
      const done = await create.waitFor(/^Created connection keyed\/default/m, { join: true });
      expect(await create.exitCode()).toBe(0);
      expect(lines(done)).toEqual([
        `✔ API Key ${'*'.repeat(KEY.length)}`,
        'Verified: GetMe answered HTTP 200.',
        `Created connection keyed/default (secrets in the encrypted file vault at ${join(homes.home, 'vault.json')}).`,
      ]);
      expect(await create.screen({ escapes: true })).toContain(`${ESC}[`); // colour on by default on a terminal
      await expectNeverShown(create, KEY);
      await create.close();

      const run = await connector(['run', 'keyed', 'GetMe'], homes);
      const out = await run.waitFor(/^}$/m);
      expect(await run.exitCode()).toBe(0);
      expect(lines(out)).toEqual([expect.stringMatching(/^HTTP 200 OK\b/), '{', '  "name": "Ada",', '  "echo": "***",', '  "items": 3', '}']);
      const coloured = await run.screen({ escapes: true });
      expect(coloured).toMatch(new RegExp(`${ESC}\\[[0-9;]*m"name"`)); // the JSON is colourised
      await expectNeverShown(run, KEY);
    },
    T,
  );

  it(
    'Basic: the tooltip above the question, the user name shown, the password masked; then run',
    async () => {
      const homes = freshHomes();
      const create = await connector(['connection', 'create', 'basicco', '--secret-store', 'vault'], homes);
      await create.waitFor(/^\? Username or Email$/m);
      await create.type('ada');
      await create.waitFor(/^\? Username or Email ada$/m);
      await create.press('Enter');
      await create.waitFor(/^\? API token$/m);
      await create.type(PASSWORD);
      await create.waitFor(new RegExp(`^\\? API token \\*{${PASSWORD.length}}$`, 'm'));
      await create.press('Enter');
      const done = await create.waitFor(/^Created connection basicco\/default/m, { join: true });
      expect(await create.exitCode()).toBe(0);
      expect(lines(done)).toEqual([
        '✔ Username or Email ada',
        'Provide your API token',
        `✔ API token ${'*'.repeat(PASSWORD.length)}`,
        'Verified: GetMe answered HTTP 200.',
        expect.stringMatching(/^Created connection basicco\/default \(secrets in the encrypted file vault /),
      ]);
      // The tooltip is drawn dim.
      expect(await create.screen({ escapes: true })).toMatch(new RegExp(`${ESC}\\[2m(?:${ESC}\\[[0-9;]*m)*Provide your API token`));
      await expectNeverShown(create, PASSWORD);
      await create.close();

      const run = await connector(['run', 'basicco', 'GetMe'], homes);
      const out = await run.waitFor(/^}$/m);
      expect(await run.exitCode()).toBe(0);
      expect(lines(out)).toEqual([expect.stringMatching(/^HTTP 200 OK\b/), '{', '  "user": "ada"', '}']);
      await expectNeverShown(run, PASSWORD);
    },
    T,
  );

  it(
    'NO_COLOR=1: the same screens without a single escape sequence (prompts, hint, result lines, run, table)',
    async () => {
      const homes = freshHomes();
      const noColor = { NO_COLOR: '1' };
      const create = await connector(['connection', 'create', 'basicco', '--secret-store', 'vault'], homes, noColor);
      await create.waitFor(/^\? Username or Email$/m);
      expect(await create.screen({ escapes: true })).not.toContain(ESC);
      await create.type('ada');
      await create.press('Enter');
      await create.waitFor(/^\? API token$/m);
      await create.type(PASSWORD);
      await create.waitFor(new RegExp(`^\\? API token \\*{${PASSWORD.length}}$`, 'm'));
      const asking = await create.screen({ escapes: true });
      expect(asking).toContain('Provide your API token');
      expect(asking).not.toContain(ESC);
      await create.press('Enter');
      await create.waitFor(/^Created connection basicco\/default/m, { join: true });
      expect(await create.exitCode()).toBe(0);
      expect(await create.screen({ escapes: true, history: true })).not.toContain(ESC);
      await expectNeverShown(create, PASSWORD);
      await create.close();

      for (const args of [
        ['run', 'basicco', 'GetMe'],
        ['operations', 'keyed'],
      ]) {
        const s = await connector(args, homes, noColor);
        expect(await s.exitCode()).toBe(0);
        const screen = await s.screen({ escapes: true, history: true });
        expect(screen, args.join(' ')).toMatch(args[0] === 'run' ? /^ {2}"user": "ada"$/m : /^OPERATION\s+METHOD/m);
        expect(screen, args.join(' ')).not.toContain(ESC);
        await s.close();
      }
    },
    T,
  );

  it(
    'Ctrl-C in the middle of the password: one line, exit 3, the part typed never shown, nothing written',
    async () => {
      const homes = freshHomes();
      const before = snapshot(homes.home, homes.userHome);
      const create = await connector(['connection', 'create', 'basicco', '--secret-store', 'vault'], homes);
      await create.waitFor(/^\? Username or Email$/m);
      await create.type('ada');
      await create.press('Enter');
      await create.waitFor(/^\? API token$/m);
      const half = PASSWORD.slice(0, 8);
      await create.type(half);
      await create.waitFor(/^\? API token \*{8}$/m);
      await create.press('C-c');
      expect(await create.exitCode()).toBe(3);
      const screen = lines(await create.screen({ join: true }));
      expect(screen.at(-1)).toBe('connector: cancelled');
      expect(screen.filter((l) => l.startsWith('connector:'))).toHaveLength(1);
      // Above it, only what the prompts drew: nothing else (no stack, no second message).
      expect(screen.slice(0, 3)).toEqual(['✔ Username or Email ada', 'Provide your API token', '? API token ********']);
      expect(screen.slice(3, -1).every((l) => /toggle visibility/.test(l))).toBe(true); // the prompt's key tip, if any
      await expectNeverShown(create, half);
      expect(snapshot(homes.home, homes.userHome)).toEqual(before);
    },
    T,
  );

  it(
    `a table at the pane width: every row within ${COLS} columns, each cell whole or cut with …`,
    async () => {
      // Issue 14.3: a table on a terminal fits its width: the last column is cut with …, and when
      // that would leave it too narrow, other columns are cut too (the first, the name, last).
      const homes = freshHomes();
      const piped = await runCli(['operations', 'keyed'], { home: homes.home });
      expect(piped.code, piped.stderr).toBe(0);
      const full = lines(piped.stdout);
      expect(full.some((l) => stringWidth(l) > COLS)).toBe(true); // the long summary really is wider than the pane
      const s = await connector(['operations', 'keyed'], homes);
      expect(await s.exitCode()).toBe(0);
      const shown = lines(await s.screen({ join: true }));
      expect(shown).toHaveLength(full.length);
      const cells = (row: string) => row.split(/ {2,}/);
      let cut = 0;
      shown.forEach((row, i) => {
        expect(stringWidth(row), row).toBeLessThanOrEqual(COLS);
        const want = cells(full[i]);
        const got = cells(row);
        expect(got).toHaveLength(want.length);
        expect(got[0]).toBe(want[0]); // the operation id, typed next, is never cut here
        got.forEach((c, j) => {
          if (c === want[j]) return;
          cut++;
          expect(c.endsWith('…'), row).toBe(true);
          expect(want[j].startsWith(c.slice(0, -1)), row).toBe(true);
        });
      });
      expect(cut).toBeGreaterThan(0); // the long row was cut, not wrapped
      expect(shown[0]).toMatch(/^OPERATION\s+METHOD\s+PATH\s+AUTH\s+SUMMARY$/);
      expect(await s.screen({ escapes: true })).toContain(`${ESC}[1mOPERATION`); // the header is bold on a terminal
    },
    T,
  );
});
