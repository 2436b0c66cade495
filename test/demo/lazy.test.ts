import { describe, it, expect, vi, beforeEach } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';

// Every package is loaded on first use through src/util/load.ts (require, not import; see there),
// so recording its calls shows what a command loads. `connector --help` (and --version, and any
// command's --help) must load nothing through it. test/cli/bundle.test.ts checks the same on the
// built bundle, module by module.
const loaded = vi.hoisted(() => new Set<string>());
vi.mock('../../src/util/load.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/util/load.js')>();
  return { load: (id: string) => (loaded.add(id), real.load(id)) };
});

describe('lazy loading: help paths import no heavy module', () => {
  beforeEach(() => loaded.clear());

  it('the recorder notices what a real command loads (control: this test can fail)', async () => {
    const r = await runCli(['import', 'fixtures/specs/petstore.swagger.yaml'], { home: tempHome() });
    expect(r.code).toBe(0);
    expect([...loaded]).toEqual(expect.arrayContaining(['yaml', '@apidevtools/swagger-parser']));
  });

  for (const args of [['--help'], ['--version'], ['run', '--help'], ['import', '--help'], ['connection', 'create', '--help'], ['demo', '--help']]) {
    it(`connector ${args.join(' ')}`, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect([...loaded]).toEqual([]);
    });
  }
});
