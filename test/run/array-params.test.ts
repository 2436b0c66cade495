import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';

// -p status=open,closed for an OpenAPI 3 `explode: false` array was refused (the whole text was one
// item, not in the enum); two -p for a plain string were silently joined into name=a,b.
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'array-params', 'openapi.json');
let home: string;
const run = (...args: string[]) => runCli(['run', 'arr', 'ListTickets', '--dry-run', ...args], { home });

beforeAll(async () => {
  home = tempHome('connector-array-params-');
  expect((await runCli(['import', FIXTURE, '--name', 'arr'], { home })).code).toBe(0);
});

describe('array parameters', () => {
  it('explode: false takes one comma-separated value, each item checked, sent as one csv value', async () => {
    const r = await run('-p', 'status=open,closed');
    expect(r.code, r.stderr).toBe(0);
    expect(new URL(/'(\S+)'/.exec(r.stdout)![1]).searchParams.getAll('status')).toEqual(['open,closed']);
    const bad = await run('-p', 'status=open,nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("parameter 'status' (query) item 1 must be one of");
  });

  it('repeated -p still works for explode: false (joined) and explode: true (one pair each)', async () => {
    const r = await run('-p', 'status=open', '-p', 'status=pending', '-p', 'tag=a', '-p', 'tag=b');
    expect(r.code, r.stderr).toBe(0);
    const q = new URL(/'(\S+)'/.exec(r.stdout)![1]).searchParams;
    expect(q.getAll('status')).toEqual(['open,pending']);
    expect(q.getAll('tag')).toEqual(['a', 'b']);
  });

  it('a header array (simple style) splits on commas and checks each item', async () => {
    expect((await run('-p', 'ids=1,2')).stdout).toContain("-H 'ids: 1,2'");
    expect((await run('-p', 'ids=1,x')).code).toBe(2);
  });

  it('two -p for a plain string is a usage error, not name=a,b', async () => {
    const r = await run('-p', 'name=a', '-p', 'name=b');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('connector: -p name given twice, but name is not an array\nPass it once: -p name=VALUE.\n');
    expect((await run('-p', 'name=a,b')).stdout).toContain('name=a%2Cb'); // one value with a comma is fine
  });
});
