import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS, claim, pluginFor } from '../../src/auth/kinds.js';
import type { AuthPlugin } from '../../src/auth/plugin.js';

const AUTH = join(import.meta.dirname, '..', '..', 'src', 'auth');
const SRC = join(AUTH, '..');
const folders = readdirSync(AUTH).filter((f) => statSync(join(AUTH, f)).isDirectory());

describe('the kinds table and the plug-ins', () => {
  it('every kind loads a plug-in with parameters, configure and scheme', async () => {
    for (const kind of Object.keys(KINDS)) {
      const plugin: AuthPlugin = await pluginFor(kind);
      expect(typeof plugin.parameters, kind).toBe('function');
      expect(typeof plugin.configure, kind).toBe('function');
      expect(typeof plugin.scheme, kind).toBe('function');
      expect(typeof plugin.needsConnection, kind).toBe('function');
      expect(typeof plugin.environment, kind).toBe('function');
    }
  });

  it("a kind's table entry derives parameters with its own plug-in's function, and each plug-in is its folder's", async () => {
    const own = new Set<AuthPlugin>();
    for (const [kind, entry] of Object.entries(KINDS)) {
      const plugin = await pluginFor(kind);
      if ('parameters' in entry) {
        expect(plugin.kind, kind).toBe(kind);
        expect(entry.parameters, kind).toBe(plugin.parameters);
        own.add(plugin);
      }
    }
    const fromFolders = await Promise.all(folders.map(async (f) => (await import(join(AUTH, f, 'index.ts'))).plugin as AuthPlugin));
    expect(new Set(fromFolders)).toEqual(own);
    expect(folders.sort()).toEqual(['apikey', 'basic', 'none', 'oauth2', 'windows']);
  });

  it('the kinds a plug-in makes are the ones the table sends back to it', async () => {
    const made = claim({
      id: 'x',
      label: '',
      params: [{ name: 'gw', type: 'gatewaySetting', secret: false, label: 'gw', required: true, hidden: false }],
      definitions: [],
    })!;
    expect(made.kind).toBe('gateway');
    expect((await pluginFor(made.kind)).parameters).toBe(KINDS.windows.parameters);
    const plain = claim({
      id: 'x',
      label: '',
      params: [{ name: 'p', type: 'string', secret: false, label: 'p', required: false, hidden: false }],
      definitions: [],
    })!;
    expect(plain.kind).toBe('custom');
    expect((await pluginFor(plain.kind)).parameters).toBe(KINDS.none.parameters);
  });

  it('nothing outside src/auth/ branches on a kind', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? (p === AUTH || p === join(SRC, 'oauth') ? [] : files(p)) : p.endsWith('.ts') ? [p] : [];
      });
    const offenders = files(SRC).filter((f) => /\bkind\s*[!=]==\s*'(none|basic|apiKey|oauth2|windows|gateway|custom)'/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it("outside src/auth/ only a kind's index is imported, and list/show import no kind at all", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? (p === AUTH ? [] : files(p)) : p.endsWith('.ts') ? [p] : [];
      });
    const kindImport = /^(import|export)\s+(type\s+)?[^;]*?from\s+'[./]*auth\/([a-z0-9]+)\/([\w.-]+)'/gm;
    const internal: string[] = [];
    for (const f of files(SRC)) {
      for (const m of readFileSync(f, 'utf8').matchAll(kindImport)) {
        // Types only (the record's `oauth` field, create's OAuth flags) cost nothing at run time.
        if (!m[2] && m[4] !== 'index.js') internal.push(`${f}: ${m[3]}/${m[4]}`);
      }
    }
    expect(internal).toEqual([]);
    for (const cmd of ['list', 'show']) {
      const text = readFileSync(join(SRC, 'commands', 'connection', `${cmd}.action.ts`), 'utf8');
      expect(text, cmd).not.toMatch(/auth\/(oauth2|windows|basic|apikey|none)\//);
      expect(text, cmd).not.toMatch(/\.oauth\b|'oauth:|oauthSetting|gatewaySetting|'SIGN-IN'/);
    }
  });
});
