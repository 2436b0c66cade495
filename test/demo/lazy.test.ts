import { describe, it, expect, vi, beforeEach } from 'vitest';
import { runCli } from '../helpers/cli.js';

// Each heavy module is replaced by a factory that records that something imported it.
// `connector --help` (and --version, and any command's --help) must import none of them.
const loaded = vi.hoisted(() => new Set<string>());
vi.mock('undici', () => (loaded.add('undici'), {}));
vi.mock('@apidevtools/swagger-parser', () => (loaded.add('@apidevtools/swagger-parser'), { default: {} }));
vi.mock('@inquirer/prompts', () => (loaded.add('@inquirer/prompts'), {}));
vi.mock('yaml', () => (loaded.add('yaml'), { default: {} }));
vi.mock('ajv', () => (loaded.add('ajv'), { default: class {} }));

describe('lazy loading: help paths import no heavy module', () => {
  beforeEach(() => loaded.clear());

  it('the recorder notices an import (control: this test can fail)', async () => {
    await import('yaml');
    expect([...loaded]).toEqual(['yaml']);
  });

  for (const args of [['--help'], ['--version'], ['run', '--help'], ['import', '--help'], ['connection', 'create', '--help'], ['demo', '--help']]) {
    it(`connector ${args.join(' ')}`, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect([...loaded]).toEqual([]);
    });
  }
});
