import { describe, it, expect } from 'vitest';
import { MemoryStore } from '../../src/secrets/store.js';
import { systemClock } from '../../src/io/clock.js';
import { SEAMS, headlessBrowser, memoryIO, strictBrowser, strictPrompter, testContext } from './context.js';
import { tempHome } from './cli.js';

/** What using `seam` on ctx throws (or rejects with). */
async function use(ctx: Record<string, unknown>, seam: string): Promise<string> {
  try {
    const v = ctx[seam];
    if (typeof v === 'function') await (v as () => Promise<unknown>).call(ctx);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

// Used outside a test (here, while the file loads) a missing seam only throws: its message.
const messages = Promise.all(SEAMS.map((seam) => use(testContext() as unknown as Record<string, unknown>, seam)));

describe('testContext', () => {
  it('a seam the test did not provide throws, naming it', async () => {
    expect(await messages).toEqual(
      SEAMS.map((s) => `test did not provide ctx.${s}${['registry', 'secrets', 'prompter'].includes(s) ? '()' : ''} (pass ${s} to testContext())`),
    );
  });

  it.fails('inside a test, using a missing seam fails the test even though the code caught the error', async () => {
    expect(await use(testContext() as unknown as Record<string, unknown>, 'secrets')).toMatch(/^test did not provide ctx\.secrets\(\)/);
  });

  it('uses the seams given, and home gives a real registry on that folder', async () => {
    const store = new MemoryStore();
    const { io, stderr } = memoryIO();
    const ctx = testContext({ io, home: tempHome(), secrets: async () => store, clock: systemClock, verbose: true });
    expect(await ctx.secrets()).toBe(store);
    expect(await (await ctx.registry()).list()).toEqual([]);
    expect(ctx.clock).toBe(systemClock);
    ctx.warn('once');
    ctx.warn('once');
    ctx.debug('traced');
    expect(stderr()).toBe('warning: once\n* traced\n');
  });

  it('a seam plugged in after creation replaces the throwing one', async () => {
    const ctx = testContext();
    ctx.clock = systemClock;
    expect(ctx.clock).toBe(systemClock);
  });
});

describe('strictPrompter', () => {
  it('answers by message and records the questions', async () => {
    const p = strictPrompter({ Name: 'n', Region: 'eu', 'Sure?': true });
    expect(await p.input('Name', { hint: 'h' })).toBe('n');
    expect(await p.select('Region', [{ name: 'EU', value: 'eu' }])).toBe('eu');
    expect(await p.confirm('Sure?')).toBe(true);
    expect(p.asked).toEqual([
      { kind: 'input', message: 'Name', hint: 'h' },
      { kind: 'select', message: 'Region', choices: ['EU=eu'] },
      { kind: 'confirm', message: 'Sure?' },
    ]);
    p.verify();
  });

  it.fails('an unexpected question fails the test, even when the code catches it', async () => {
    const p = strictPrompter({});
    await expect(p.password('Secret')).rejects.toThrow("unexpected password prompt: 'Secret'");
  });

  it('an answer never asked for fails verify()', async () => {
    const p = strictPrompter({ Name: 'n', Other: 'x' });
    await p.input('Name');
    expect(() => p.verify()).toThrow("scripted answers never asked for: 'Other'");
    await p.input('Other'); // so the check at the end of this test passes
  });
});

describe('strictBrowser', () => {
  it('hands the URL to onOpen', async () => {
    const seen: string[] = [];
    const b = strictBrowser({ onOpen: (u) => seen.push(u) });
    expect(b.available()).toBe(true);
    await b.open('http://127.0.0.1/x');
    expect(seen).toEqual(['http://127.0.0.1/x']);
  });

  it.fails('opening a page with no onOpen fails the test', async () => {
    await headlessBrowser()
      .open('http://127.0.0.1/x')
      .catch(() => {});
  });

  it.fails('an onOpen that never got a URL fails the test', () => {
    strictBrowser({ onOpen: () => {} });
  });

  it('headless: no display', () => {
    expect(headlessBrowser().available()).toBe(false);
  });
});
