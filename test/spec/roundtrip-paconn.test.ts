import { beforeEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { restoreKept, splitForUpload, UPLOADED_PROPERTIES } from '../../src/spec/envelope.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'init', 'stackowner');
let home: string;
let work: string;
beforeEach(() => {
  home = tempHome();
  work = tempHome('connector-roundtrip-');
});
const run = (args: string[]) => runCli(args, { home });
const text = (...p: string[]) => readFileSync(join(...p), 'utf8');
const record = async (name: string) => JSON.parse((await run(['export', name, '--json'])).stdout);

describe('export --format paconn: what paconn create refuses is kept, not uploaded, and restored on import', () => {
  it('stackOwner stays in the registry, is left out of apiProperties.json, and comes back on import of the folder', async () => {
    expect((await run(['import', FIXTURE])).code).toBe(0);
    const before = await record('owned-widgets');
    expect(before.apiProperties.properties.stackOwner).toBe('Contoso Widgets Inc');

    const out = join(work, 'out');
    const e = await run(['export', 'owned-widgets', '--format', 'paconn', '-o', out]);
    expect(e.code).toBe(0);
    const uploaded = JSON.parse(text(out, 'apiProperties.json'));
    expect(uploaded.properties.stackOwner).toBeUndefined();
    expect(Object.keys(uploaded.properties).every((k) => (UPLOADED_PROPERTIES as readonly string[]).includes(k))).toBe(true);
    expect(uploaded.properties.publisher).toBe('Contoso Ltd');
    expect(JSON.parse(text(out, 'connector.meta.json')).apiProperties).toEqual({ properties: { stackOwner: 'Contoso Widgets Inc' } });

    // A fresh registry importing the exported folder has the same record, key order included.
    home = tempHome();
    expect((await run(['import', out])).code).toBe(0);
    const after = await record('owned-widgets');
    expect(JSON.stringify(after.apiProperties)).toBe(JSON.stringify(before.apiProperties));
    expect(after.settings).toEqual(before.settings);

    // Exported again: the same files, byte for byte.
    const again = join(work, 'again');
    expect((await run(['export', 'owned-widgets', '--format', 'paconn', '-o', again])).code).toBe(0);
    for (const f of readdirSync(out)) expect(text(again, f)).toBe(text(out, f));
  });

  it('a record with nothing paconn refuses gets no connector.meta.json, and one left by an earlier export is removed', async () => {
    const dir = join(work, 'plain');
    cpSync(FIXTURE, dir, { recursive: true });
    const props = JSON.parse(text(dir, 'apiProperties.json'));
    delete props.properties.stackOwner;
    writeFileSync(join(dir, 'apiProperties.json'), JSON.stringify(props));
    expect((await run(['import', dir, '--name', 'plain'])).code).toBe(0);
    const out = join(work, 'out');
    expect((await run(['import', FIXTURE])).code).toBe(0);
    expect((await run(['export', 'owned-widgets', '--format', 'paconn', '-o', out])).code).toBe(0);
    expect(existsSync(join(out, 'connector.meta.json'))).toBe(true);
    expect((await run(['export', 'plain', '--format', 'paconn', '-o', out])).code).toBe(0);
    expect(existsSync(join(out, 'connector.meta.json'))).toBe(false);
  });

  it('a YAML export keeps stackOwner (it is not uploaded)', async () => {
    expect((await run(['import', FIXTURE])).code).toBe(0);
    expect((await run(['export', 'owned-widgets'])).stdout).toContain('stackOwner: Contoso Widgets Inc');
  });

  it('a connector.meta.json that is not what export writes: one line naming it', async () => {
    const dir = join(work, 'bad');
    cpSync(FIXTURE, dir, { recursive: true });
    writeFileSync(join(dir, 'connector.meta.json'), '{"apiProperties": []}');
    const r = await run(['import', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'connector.meta.json')}: expected "apiProperties" to be an object`);
  });
});

describe('settings.json connectorId: a GUID or a string', () => {
  for (const id of ['3fa85f64-5717-4562-b3fc-2c963f66afa6', 'shared_owned-widgets-5fccef73353190ac09-5fc6798089961e77e0']) {
    it(`${id.length === 36 ? 'a GUID' : 'a string'} imports and exports unchanged`, async () => {
      const dir = join(work, 'c');
      cpSync(FIXTURE, dir, { recursive: true });
      const settings = { ...JSON.parse(text(dir, 'settings.json')), connectorId: id };
      writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
      const r = await run(['import', dir]);
      expect(r.stderr).not.toContain('connectorId');
      expect(r.code).toBe(0);
      const out = join(work, 'out');
      expect((await run(['export', 'owned-widgets', '--format', 'paconn', '-o', out])).code).toBe(0);
      expect(JSON.parse(text(out, 'settings.json'))).toEqual(settings);
    });
  }
});

describe('splitForUpload / restoreKept', () => {
  it('restore(split(x)) is x, keys in their order; unknown properties fields and top-level keys are kept aside too', () => {
    const x = { properties: { stackOwner: 'S', iconBrandColor: '#111111', script: 'x', capabilities: [] }, extra: { a: 1 } };
    const { upload, kept } = splitForUpload(x);
    expect(upload).toEqual({ properties: { iconBrandColor: '#111111', capabilities: [] } });
    expect(JSON.stringify(restoreKept(upload, kept as unknown as Record<string, unknown>, 'f'))).toBe(JSON.stringify(x));
    expect(splitForUpload({ properties: { capabilities: [] } }).kept).toBeUndefined();
  });

  it('apiProperties.json wins over the sidecar where both have a field (a maker edited the upload file)', () => {
    const restored = restoreKept({ properties: { stackOwner: 'New' } }, { apiProperties: { properties: { stackOwner: 'Old' } } }, 'f');
    expect(restored).toEqual({ properties: { stackOwner: 'New' } });
  });
});
