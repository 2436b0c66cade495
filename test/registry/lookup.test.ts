import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { legacySlugify, slugify } from '../../src/util/suggest.js';
import { findOperation } from '../../src/operation/find.js';
import { makeRecord } from '../connections/helpers.js';

const spec = (
  title: string,
  paths: Record<string, unknown> = {
    '/sms': { post: { operationId: 'SendSms', summary: "Send a customer's SMS", responses: { 200: { description: 'ok' } } } },
  },
) => JSON.stringify({ swagger: '2.0', info: { title, version: '1' }, host: 'api.example.invalid', schemes: ['https'], paths });

function specFile(title: string, paths?: Record<string, unknown>): string {
  const file = join(tempHome('connector-spec-'), 'spec.json');
  writeFileSync(file, spec(title, paths));
  return file;
}

const names = async (home: string) => JSON.parse((await runCli(['list', '--json'], { home })).stdout).map((c: { name: string }) => c.name);

describe('name slugs drop apostrophes', () => {
  it("Africa's Talking SMS → africas-talking-sms, with ' ’ ‘ and ʼ alike", () => {
    for (const t of ["Africa's Talking SMS", 'Africa’s Talking SMS', 'Africa‘s Talking SMS', 'Africaʼs Talking SMS'])
      expect(slugify(t), t).toBe('africas-talking-sms');
    expect(legacySlugify("Africa's Talking SMS")).toBe('africa-s-talking-sms'); // what imports before gave
    expect(slugify('Café  Déjà-vu!')).toBe('cafe-deja-vu'); // control: the rest is unchanged
  });

  it('import names a new connector by the new slug', async () => {
    const home = tempHome();
    const r = await runCli(['import', specFile('Africa’s Talking SMS')], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(await names(home)).toEqual(['africas-talking-sms']);
    // A script written for the old slug still finds it.
    const old = await runCli(['show', 'africa-s-talking-sms', '--json'], { home });
    expect([old.code, JSON.parse(old.stdout).name]).toEqual([0, 'africas-talking-sms']);
  });
});

describe('a registry from before: a connector imported under the old slug', () => {
  it('is found by the old slug and by the new one; importing it again replaces it, never adds a twin', async () => {
    const home = tempHome();
    const file = specFile("Africa's Talking SMS");
    // What import did before: the old slug as the name.
    expect((await runCli(['import', file, '--name', 'africa-s-talking-sms'], { home })).code).toBe(0);
    for (const asked of ['africa-s-talking-sms', 'africas-talking-sms', 'Africas-Talking-SMS']) {
      const r = await runCli(['show', asked, '--json'], { home });
      expect([r.code, JSON.parse(r.stdout).name], asked).toEqual([0, 'africa-s-talking-sms']);
    }
    const again = await runCli(['import', file], { home });
    expect([again.code, again.stderr.split('\n')[0]]).toEqual([1, "connector: connector 'africa-s-talking-sms' exists; use --force to replace it"]);
    const forced = await runCli(['import', file, '--force'], { home });
    expect(forced.stderr).toMatch(/Replaced 'africa-s-talking-sms'/);
    expect(await names(home)).toEqual(['africa-s-talking-sms']);
    // --name is the user's choice: a second connector under the new slug when asked for.
    expect((await runCli(['import', file, '--name', 'africas-talking-sms'], { home })).code).toBe(0);
    expect(await names(home)).toEqual(['africa-s-talking-sms', 'africas-talking-sms']);
    const exact = await runCli(['show', 'africas-talking-sms', '--json'], { home });
    expect(JSON.parse(exact.stdout).name).toBe('africas-talking-sms'); // an exact name wins
  });

  it('an operation is found by the old slug of its summary too', () => {
    const record = makeRecord('sms', {
      definition: { paths: { '/sms': { post: { operationId: 'SendSms', summary: "Send a customer's SMS", responses: { 200: { description: 'ok' } } } } } },
    });
    expect(findOperation(record, 'send-a-customers-sms').operationId).toBe('SendSms');
    expect(findOperation(record, 'send-a-customer-s-sms').operationId).toBe('SendSms');
  });
});

describe('import of a spec with no operations', () => {
  it('says so in one warning line, and still imports it', async () => {
    const home = tempHome();
    const file = specFile('Empty API', {});
    const r = await runCli(['import', file], { home });
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual([`warning: ${file} has no operations: 'empty-api' is imported, but there is nothing to run`]);
    expect(await names(home)).toEqual(['empty-api']);
    const some = await runCli(['import', specFile('Some API')], { home });
    expect(some.stderr).not.toContain('warning'); // control
  });
});
