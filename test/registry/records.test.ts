import { describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';

const SPEC = join(import.meta.dirname, '..', '..', 'fixtures', 'specs', 'petstore.swagger.json');

/** A connector record a hand edit or a truncated copy broke: one line naming the file, never "This is a bug". */
describe('stored connector records are shape-checked', () => {
  const imported = async () => {
    const home = tempHome();
    expect((await runCli(['import', SPEC, '--name', 'pets'], { home })).code).toBe(0);
    return { home, file: join(home, 'connectors', 'pets.json') };
  };

  it.each([
    ['valid JSON of another shape', { x: 1 }, /not a connector record \(its name is undefined, not 'pets'\)$/],
    ['no definition', { name: 'pets', specFormat: 'swagger2' }, /not a connector record \(definition is not an object\)$/],
    ['a definition without a version', { name: 'pets', specFormat: 'swagger2', definition: { paths: {} } }, /no 'swagger' or 'openapi' version\)$/],
  ])('%s', async (_what, content, message) => {
    const { home, file } = await imported();
    writeFileSync(file, JSON.stringify(content));
    for (const args of [
      ['show', 'pets'],
      ['operations', 'pets'],
      ['run', 'pets', 'getPetById', '-p', 'petId=1', '--dry-run'],
    ]) {
      const r = await runCli(args, { home });
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(/unexpected error|This is a bug/);
      expect(r.stderr.split('\n')[0]).toMatch(message);
      expect(r.stderr).toContain('connector import <source> --name pets --force');
    }
  });

  it('an index entry whose record file is gone says so, instead of "no connector named"', async () => {
    const { home, file } = await imported();
    const before = readFileSync(join(home, 'index.json'), 'utf8');
    rmSync(file);
    const r = await runCli(['show', 'pets'], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`connector: the registry lists 'pets' but ${file} is missing`);
    expect(r.stderr).toContain('connector remove pets');
    expect(readFileSync(join(home, 'index.json'), 'utf8')).toBe(before);
  });
});
