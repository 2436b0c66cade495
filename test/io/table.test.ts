import { describe, it, expect } from 'vitest';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { makeIO } from '../../src/io/iostreams.js';
import { cut, displayWidth, fitColumns, printTable, truncate } from '../../src/io/output.js';

/** An IO whose stdout is a terminal `columns` wide (undefined: a pipe), and what was printed. */
function terminal(columns: number | undefined, env: NodeJS.ProcessEnv = {}) {
  const stdout = Object.assign(new PassThrough(), columns === undefined ? {} : { isTTY: true, columns, rows: 24 });
  let out = '';
  stdout.on('data', (d) => (out += d));
  const io = makeIO(new PassThrough(), stdout, new PassThrough(), { NO_COLOR: '1', ...env });
  return { io, lines: () => out.split('\n').slice(0, -1) };
}

const OPS = [
  ['listNotes', 'GET', '/notes', 'api_key', 'List every note of the current user, newest first, with paging'],
  ['createNote', 'POST', '/notes', 'api_key', 'Create a note'],
];
const HEAD = ['OPERATION', 'METHOD', 'PATH', 'AUTH', 'SUMMARY'];

describe('printTable', () => {
  it('prints whole rows on a pipe, however long', () => {
    const t = terminal(undefined, { COLUMNS: '30' });
    printTable(t.io, HEAD, OPS);
    expect(t.lines()[1]).toBe('listNotes   GET     /notes  api_key  List every note of the current user, newest first, with paging');
  });

  it('fits a terminal by cutting the last column with an ellipsis', () => {
    const t = terminal(60);
    printTable(t.io, HEAD, OPS);
    const lines = t.lines();
    expect(lines[1]).toBe('listNotes   GET     /notes  api_key  List every note of the…');
    expect(lines[2]).toBe('createNote  POST    /notes  api_key  Create a note');
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(60);
  });

  it('COLUMNS overrides the terminal width', () => {
    const t = terminal(200, { COLUMNS: '50' });
    printTable(t.io, HEAD, OPS);
    expect(Math.max(...t.lines().map(displayWidth))).toBe(50);
  });

  it('shrinks the widest other column (never the first while another can give) when the last one would get too little', () => {
    const rows = [['getNote', 'GET', '/users/{userId}/notebooks/{notebookId}/notes/{noteId}', 'api_key', 'Get a note by its id']];
    const t = terminal(60);
    printTable(t.io, HEAD, rows);
    const [head, row] = t.lines();
    expect(row).toBe('getNote    GET     /users/{u…  api_key  Get a note by its id');
    expect(head.indexOf('SUMMARY')).toBe(row.indexOf('Get a note'));
    expect(displayWidth(row)).toBeLessThanOrEqual(60);
  });

  it('cuts the first column last: the names stay apart while the free text can give (connection list, operations, list)', () => {
    const conn = terminal(40);
    printTable(
      conn.io,
      ['CONNECTION', 'AUTH', 'DEFAULT', 'SECRETS'],
      [
        ['echo-test/production', 'apiKey', 'yes', 'apiKey → keychain'],
        ['echo-test/staging', 'apiKey', '', 'env: CONNECTOR_ECHO_TEST_STAGING_API_KEY'],
      ],
      { flexible: 'SECRETS' },
    );
    // 40 columns cannot hold the names whole: they are cut last, and stay apart (the free text went first).
    expect(conn.lines().map((l) => l.split('  ')[0])).toEqual(['CONNECTION', 'echo-test/pr…', 'echo-test/st…']);
    expect(conn.lines()[1]).toMatch(/ {2}apiKey → …$/);
    const ops = terminal(60);
    printTable(ops.io, HEAD, [['listIssueTypesForProject', 'GET', '/rest/api/3/issuetype/project', 'oauth2', 'Get issue types for project']], {
      flexible: 'SUMMARY',
    });
    expect(ops.lines()[1]).toBe('listIssueTypesForProject  GET     /re…  oauth2  Get issue t…');
    const list = terminal(60);
    printTable(
      list.io,
      ['NAME', 'TITLE', 'OPS', 'AUTH', 'FORMAT'],
      [['petstore-oas-3-0', 'Swagger Petstore - OpenAPI 3.0 with a long title', 19, 'oauth2', 'OpenAPI 3.0']],
      {
        flexible: 'TITLE',
      },
    );
    expect(list.lines()[1]).toBe('petstore-oas-3-0  Swagger Petstor…  19   oauth2  OpenAPI 3.0');
    for (const t of [conn, ops, list]) for (const l of t.lines()) expect(displayWidth(l)).toBeLessThanOrEqual(l.startsWith('echo') ? 40 : 60);
  });

  it('measures and pads by display width: CJK and emoji take two columns', () => {
    const t = terminal(undefined);
    printTable(
      t.io,
      ['NAME', 'TITLE'],
      [
        ['日本語', 'wide'],
        ['👍🏽ok', 'emoji'],
        ['plain', 'ascii'],
      ],
    );
    const lines = t.lines();
    // every TITLE starts in the same terminal column
    const starts = lines.map((l) => stringWidth(l.slice(0, l.search(/\S+$/))));
    expect(new Set(starts).size).toBe(1);
    expect(lines[1]).toBe('日本語  wide');
  });

  it('cuts wide text on a terminal by display width, never splitting an emoji', () => {
    const t = terminal(16);
    printTable(t.io, ['NAME', 'TITLE'], [['a', '日本語のタイトルです']]);
    const row = t.lines()[1];
    expect(row).toBe('a     日本語の…'); // タ would make 11 columns with the ellipsis: it is left out
    expect(stringWidth(row)).toBeLessThanOrEqual(16);
    expect(cut('ab👩‍👩‍👧cd', 4)).toBe('ab…');
    expect(cut('ab👩‍👩‍👧cd', 5)).toBe('ab👩‍👩‍👧…');
  });

  it('escapes control characters before measuring', () => {
    const t = terminal(undefined);
    printTable(t.io, ['A', 'B'], [['x\x1b[2Jy', 'z']]);
    expect(t.lines()[1]).toBe('x\\x1b[2Jy  z');
  });
});

describe('fitColumns', () => {
  it('never gives a table wider than the terminal while the columns can still give', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 20, max: 200 }),
        fc.nat(),
        (natural, columns, pick) => {
          const headers = natural.map(() => 'H');
          const flexible = pick % natural.length;
          const widths = fitColumns(natural, headers, columns, flexible);
          const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
          // The first and the flexible column stop at 10, the others at 4 (or their natural width).
          const floors = natural.map((n, i) => Math.min(n, i === 0 || i === flexible ? 10 : 4));
          const atFloor = widths.every((w, i) => w === floors[i]);
          expect(total <= columns || atFloor).toBe(true);
          widths.forEach((w, i) => expect(w).toBeLessThanOrEqual(natural[i]));
          if (natural.reduce((a, b) => a + b, 0) + 2 * (natural.length - 1) <= columns) expect(widths).toEqual(natural);
        },
      ),
    );
  });

  it('shrinks the first column (the name one types next) only when no other column can give, the flexible one down to 10', () => {
    expect(fitColumns([30, 6, 20, 7, 40], HEAD, 80)).toEqual([30, 6, 9, 7, 20]);
    expect(fitColumns([30, 6, 20, 7, 40], HEAD, 70)).toEqual([30, 6, 4, 7, 15]);
    expect(fitColumns([30, 6, 20, 7, 40], HEAD, 60)).toEqual([28, 6, 4, 4, 10]);
    expect(fitColumns([30, 6, 20, 7, 40], HEAD, 40)).toEqual([10, 6, 4, 4, 10]); // as cut as it gets: the terminal wraps
  });

  it('a named flexible column gives way first; the last column is then an ordinary one', () => {
    // list: NAME TITLE OPS AUTH FORMAT, TITLE flexible.
    const head = ['NAME', 'TITLE', 'OPS', 'AUTH', 'FORMAT'];
    expect(fitColumns([16, 40, 3, 6, 11], head, 60, 1)).toEqual([16, 16, 3, 6, 11]);
    expect(fitColumns([16, 40, 3, 6, 11], head, 48, 1)).toEqual([16, 10, 3, 5, 6]);
  });

  it('gives every column its natural width without a limit', () => {
    expect(fitColumns([10, 200], ['A', 'B'], undefined)).toEqual([10, 200]);
  });
});

describe('displayWidth', () => {
  it('agrees with string-width on the characters it measures itself', () => {
    const narrow = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0x2ff }), fc.integer({ min: 0x2010, max: 0x2027 }));
    fc.assert(
      fc.property(fc.array(narrow, { maxLength: 20 }), (codes) => {
        const s = String.fromCodePoint(...codes);
        expect(displayWidth(s)).toBe(stringWidth(s));
      }),
      { numRuns: 300 },
    );
  });

  it('truncate() counts display width too', () => {
    expect(truncate('日本語のタイトル', 7)).toBe('日本語…');
    expect(truncate('  two\nlines  ', 20)).toBe('two lines');
  });
});

describe('wrap: prose from a spec in lines that fit', () => {
  it('breaks at spaces within the width, keeps paragraphs, escapes control characters, never splits a word', async () => {
    const { wrap } = await import('../../src/io/output.js');
    expect(wrap('one two three four five', 9)).toEqual(['one two', 'three', 'four five']);
    expect(wrap('a\n\nb  c', 80)).toEqual(['a', 'b c']);
    expect(wrap('supercalifragilistic word', 5)).toEqual(['supercalifragilistic', 'word']);
    expect(wrap('x\x1b[2Jy', 80).join('')).not.toMatch(/\x1b/);
    expect(wrap(undefined, 80)).toEqual([]);
  });
});
