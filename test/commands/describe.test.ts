import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, runCli, tempHome } from '../helpers/cli.js';
import { recordingServer } from '../run/helpers.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'describe');
const env = { CONNECTOR_TASKS__DEFAULT__API_KEY: 'tasks-key-123' };

let home: string;
let server: Awaited<ReturnType<typeof recordingServer>>;

beforeAll(async () => {
  server = await recordingServer();
  home = tempHome();
  const r = await runCli(['import', FIXTURE, '--name', 'tasks'], { home });
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => server.close());

/** `run tasks <op> ...` against the recording server; returns the one request it received. */
async function sent(args: string[], stdin?: string) {
  const before = server.seen.length;
  const r = await runCli(['run', 'tasks', ...args, '--base-url', server.url], { home, env, stdin });
  expect(r.code, r.stderr).toBe(0);
  expect(server.seen.length).toBe(before + 1);
  const seen = server.seen[before];
  return { ...seen, json: JSON.parse(seen.body.toString('utf8')) };
}

describe('connector operations <connector> <operation>', () => {
  it('describes one operation: URL, parameters, body tree, example, responses, policies, a run line', async () => {
    const r = await runCli(['operations', 'tasks', 'create-a-task'], { home }); // the summary slug works as in run
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out.split('\n').slice(0, 3)).toEqual(['POST https://api.example.com/v2/tasks/new', 'createTask: Create a task', 'auth: key']);
    expect(out).toMatch(/^Body \(required\): object \(Task\), application\/json$/m);
    expect(out).toMatch(/^ {2}title\*\s+string$/m);
    expect(out).toMatch(/^ {6}What to do$/m); // the label "Title" only repeats the name
    expect(out).toMatch(/^ {2}assignee\s+object \(User\)$/m);
    expect(out).toMatch(/^ {4}name\*\s+string$/m); // allOf member, one level down
    expect(out).toMatch(/^ {2}subtasks\s+array of object \(Task\) {2}\(recursive: as above\)$/m);
    expect(out).toMatch(/^ {2}priority\s+string {2}one of: low \(Low\), normal \(Normal\), high \(High\) {2}default: normal$/m);
    expect(out).toContain('values from ListLists (value: id, title: name; workspace = parameter workspace) [x-ms-dynamic-values, x-ms-dynamic-list]');
    expect(out).toMatch(/^Example body:\n {2}\{\n {4}"title": "Buy milk",/m);
    expect(out).toMatch(/^ {2}201\s+Created — object \(Task\): id, title, /m);
    expect(out).toContain('  routerequesttoendpoint (New endpoint): routes the request to /tasks/new');
    expect(out).toContain("  connector run tasks createTask -f 'title=Buy milk'");
  });

  it('parameters of a GET, and what an internal parameter is', async () => {
    const r = await runCli(['operations', 'tasks', 'LISTTASKS'], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}status\s+query\s+array of string, csv {2}one of: open, done$/m);
    expect(r.stdout).toMatch(/^ {2}workspace\*\s+query\s+string {2}important$/m);
    // how to give an array several values, as run sends them (checked below against a real request)
    expect(r.stdout).toContain(`several values: repeat -p status=a -p status=b, or -p 'status=["a","b"]' (sent as one value "a,b")`);
    const before = server.seen.length;
    const run = await runCli(['run', 'tasks', 'listTasks', '-p', 'workspace=w', '-p', 'status=open', '-p', 'status=done', '--base-url', server.url], {
      home,
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(new URL(server.seen[before].url, 'http://x').searchParams.getAll('status')).toEqual(['open,done']);
    expect(r.stdout).toMatch(/^ {2}X-Trace\s+header\s+string {2}default: on {2}internal \(hidden in Power Automate\)$/m);
    expect(r.stdout).toContain('values from ListWorkspaces (items: value, value: id, title: name) [x-ms-dynamic-values]');
    expect(r.stdout).toContain(
      "updatenextlink (Paging): on the response: rewrites the next-page link @odata.nextLink (locally: the link keeps the API's own address, made absolute (on the platform it points at the connector's gateway))",
    );
    expect(r.stdout).not.toContain('Body');
  });

  it('--json: one document with the same content', async () => {
    const r = await runCli(['operations', 'tasks', 'createTask', '--json'], { home });
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(Object.keys(d)).toEqual([
      'connector',
      'operationId',
      'method',
      'path',
      'url',
      'summary',
      'description',
      'deprecated',
      'visibility',
      'trigger',
      'auth',
      'connection',
      'customCode',
      'parameters',
      'body',
      'responses',
      'policies',
      'example',
    ]);
    expect(d.body.schema.properties.find((p: { name: string }) => p.name === 'title')).toMatchObject({ type: 'string', required: true, summary: 'Title' });
    expect(d.body.example.title).toBe('Buy milk');
    expect(d.policies.map((p: { templateId: string }) => p.templateId)).toEqual(['setheader', 'routerequesttoendpoint', 'setproperty']);
  });

  it('an unknown operation: one line and the closest names, exit 1 (not found, as run)', async () => {
    const r = await runCli(['operations', 'tasks', 'creatTask'], { home });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("connector: connector 'tasks' has no operation 'creatTask'\nDid you mean: createTask, deleteTask?\n");
    const run = await runCli(['run', 'tasks', 'creatTask'], { home, env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(r.stderr);
  });

  it('run: a deprecated operation warns once on stderr; -f on an operation without a body names the connector in its hint', async () => {
    const r = await runCli(['run', 'tasks', 'deleteTask', '-p', 'id=1', '--base-url', server.url], { home, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("warning: 'deleteTask' is deprecated in the connector's spec (see: connector operations tasks deleteTask)\n");
    const f = await runCli(['run', 'tasks', 'deleteTask', '-p', 'id=1', '-f', 'a=1'], { home, env });
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('See its parameters: connector operations tasks deleteTask');
    const plain = await runCli(['run', 'tasks', 'createTask', '-f', 'title=x', '--base-url', server.url], { home, env });
    expect(plain.stderr).not.toContain('deprecated');
  });

  it('without an operation it still lists them', async () => {
    const r = await runCli(['operations', 'tasks'], { home });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OPERATION\s+METHOD\s+PATH/);
    expect(r.stdout).toMatch(/^createTask\s+POST\s+\/tasks\s/m);
  });
});

describe('connector run <connector> <operation> --help', () => {
  it("shows run's help, then the operation described", async () => {
    const r = await runCli(['run', 'tasks', 'createTask', '--help'], { home });
    expect(r.code, r.stderr).toBe(0);
    const help = r.stdout.indexOf('Usage: connector run');
    const described = r.stdout.indexOf('POST https://api.example.com/v2/tasks/new');
    expect(help).toBe(0);
    expect(described).toBeGreaterThan(r.stdout.indexOf('Examples:'));
    expect(r.stdout).toContain('-f, --field <path=value>');
    expect(r.stdout).toContain("  -f 'tags[]=a'       appended to an array");
  });

  it('run --help alone, and with only a connector, is the plain help', async () => {
    for (const args of [
      ['run', '--help'],
      ['run', 'tasks', '--help'],
    ]) {
      const r = await runCli(args, { home });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: connector run');
      expect(r.stdout).not.toContain('api.example.com');
    }
  });

  it('an unknown operation: the help, then the error, exit 1 (not found); an unknown connector: the error run gives', async () => {
    const r = await runCli(['run', 'tasks', 'nope', '--help'], { home });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Usage: connector run');
    expect(r.stderr).toMatch(/^connector: connector 'tasks' has no operation 'nope'\n/);
    for (const name of ['nope', 'creatTask', 'Nope']) {
      const h = await runCli(['run', 'tasks', name, '--help'], { home });
      const plain = await runCli(['run', 'tasks', name], { home, env });
      expect(h.stderr).toBe(plain.stderr); // the same "Did you mean" (or list hint) with and without --help
      expect(h.code).toBe(plain.code);
    }
    const c = await runCli(['run', 'nothing', 'x', '--help'], { home });
    const plain = await runCli(['run', 'nothing', 'x'], { home });
    expect(c.code).toBe(plain.code);
    expect(c.stderr).toBe(plain.stderr);
    expect(c.stderr).toMatch(/^connector: no connector named 'nothing'\n/);
  });
});

describe('run -f: body fields as flags', () => {
  it('builds the body: strings, := JSON, [] appends, nesting, escapes, schema coercion', async () => {
    const s = await sent([
      'createTask',
      '-f',
      'title=Hello',
      '-f',
      'count=3', // integer in the schema
      '-f',
      'done=false', // boolean in the schema
      '-f',
      'tags[]=a',
      '--field',
      'tags[]=b',
      '-f',
      'assignee.name=Ann',
      '-f',
      'labels[0].name=red',
      '-f',
      'meta:={"k":"v"}',
      '-f',
      'a\\.b=1',
    ]);
    expect(s.method).toBe('POST');
    expect(s.url).toBe('/tasks/new');
    expect(s.headers['content-type']).toBe('application/json');
    expect(s.json).toEqual({
      title: 'Hello',
      count: 3,
      done: false,
      tags: ['a', 'b'],
      assignee: { name: 'Ann' },
      labels: [{ name: 'red' }],
      meta: { k: 'v' },
      'a.b': '1',
      source: 'cli', // the setproperty policy, after the fields
    });
  });

  it('applies the fields on top of --body (inline and from stdin)', async () => {
    const inline = await sent(['createTask', '--body', '{"title":"Old","done":true}', '-f', 'title=New']);
    expect(inline.json).toEqual({ title: 'New', done: true, source: 'cli' });
    const piped = await sent(['createTask', '--body', '-', '-f', 'tags[]=x'], '{"title":"T","tags":["w"]}');
    expect(piped.json).toEqual({ title: 'T', tags: ['w', 'x'], source: 'cli' });
  });

  it('usage errors, exit 2, nothing sent: no body, a form operation, bad syntax, wrong type, --body not an object', async () => {
    const before = server.seen.length;
    for (const [args, message] of [
      [['deleteTask', '-p', 'id=1', '-f', 'x=1'], "connector: operation 'deleteTask' takes no request body, but -f was given"],
      [
        ['uploadFile', '-f', 'file=x'],
        "connector: operation 'uploadFile' takes no request body, but -f was given\nIts form fields are parameters: pass them with -p name=value.",
      ],
      [['createTask', '-f', 'title'], 'connector: -f "title": no = (name=value) or := (name:=json)'],
      [['createTask', '-f', 'count=many'], 'connector: -f count: the body schema says integer, got "many"'],
      [['createTask', '-f', 'meta:={bad'], 'connector: -f meta:= is not valid JSON'],
      [['createTask', '--body', '"text"', '-f', 'title=x'], 'connector: -f applies fields on top of a JSON object or array, but --body is a JSON string'],
      [['createTask', '--body', '{not json', '-f', 'title=x'], 'connector: the request body is not valid JSON'],
    ] as const) {
      const r = await runCli(['run', 'tasks', ...args, '--base-url', server.url], { home, env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      // deleteTask is deprecated: that warning comes first
      expect(r.stderr.replace(/^warning: '\w+' is deprecated.*\n/, '').startsWith(message), r.stderr).toBe(true);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(server.seen.length).toBe(before);
  });

  it('--dry-run shows the body built from the fields', async () => {
    const r = await runCli(['run', 'tasks', 'createTask', '-f', 'title=Dry', '--dry-run'], { home, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('"title":"Dry"');
  });
});

describe('spec text cannot drive the terminal through a description', () => {
  it('control characters from the spec are escaped in the text, kept in --json', async () => {
    const OSC = '\x1b]0;pwned\x07';
    const dir = join(home, 'evil-describe');
    mkdirSync(dir, { recursive: true });
    const spec = {
      swagger: '2.0',
      info: { title: 'Evil', version: '1' },
      host: 'h.example.com',
      basePath: '/api\r\nX: 1',
      paths: {
        '/x': {
          post: {
            operationId: 'X',
            summary: `S${OSC}`,
            parameters: [
              { name: `q${OSC}`, in: 'query', type: 'string', description: `d\u202e${OSC}`, enum: [`e${OSC}`] },
              { name: 'b', in: 'body', schema: { type: 'object', properties: { [`k${OSC}`]: { type: 'string', description: `\x9b2J` } } } },
            ],
            responses: { 200: { description: `ok${OSC}` } },
          },
        },
      },
    };
    writeFileSync(join(dir, 'apiDefinition.swagger.json'), JSON.stringify(spec));
    writeFileSync(
      join(dir, 'apiProperties.json'),
      JSON.stringify({
        properties: {
          policyTemplateInstances: [
            {
              templateId: 'setheader',
              title: `T${OSC}`,
              parameters: { 'x-ms-apimTemplateParameter.name': 'N', 'x-ms-apimTemplateParameter.value': `v\r\n${OSC}` },
            },
          ],
        },
      }),
    );
    expect((await runCli(['import', dir, '--name', 'evil-describe'], { home })).code).toBe(0);
    for (const args of [
      ['operations', 'evil-describe', 'X'],
      ['run', 'evil-describe', 'X', '--help'],
    ]) {
      const r = await runCli(args, { home });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
      expect(r.stdout).toContain('q\\x1b]0;pwned\\x07');
    }
    const j = await runCli(['operations', 'evil-describe', 'X', '--json'], { home });
    expect(JSON.parse(j.stdout).summary).toBe(`S${OSC}`);
  });
});

const corpus = existsSync(join(CORPUS_DIR, 'Planner'));
if (!corpus) console.warn(`[corpus] ${CORPUS_DIR} is absent: skipping the describe CLI test on a real connector`);

describe.skipIf(!corpus)('a real connector from ../shared/corpus', () => {
  it('Planner: describe CreateTask_V3, then build its body with -f and send it', async () => {
    const h = tempHome();
    expect((await runCli(['import', join(CORPUS_DIR, 'Planner'), '--name', 'planner'], { home: h })).code).toBe(0);
    const d = await runCli(['operations', 'planner', 'CreateTask_V3'], { home: h });
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain(
      'values from ListGroupPlans (items: value, value: id, title: title; groupId = parameter body/groupId) [x-ms-dynamic-values, x-ms-dynamic-list]',
    );
    expect(d.stdout).toMatch(/^ {2}appliedCategories\s+object \(AppliedCategories\)$/m);
    const r = await runCli(
      ['run', 'planner', 'CreateTask_V3', '-f', 'groupId=g', '-f', 'planId=p', '-f', 'title=T', '-f', 'appliedCategories.category1=true', '--dry-run'],
      { home: h, env: { CONNECTOR_PLANNER__DEFAULT__ACCESS_TOKEN: 'tok-123456' } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('"appliedCategories":{"category1":true}'); // coerced: a boolean in the schema
  });
});
