import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSource, loadSource as loadUrl, parseText } from '../../src/spec/load.js';
import { locateJsonError } from '../../src/spec/jsonpos.js';
import { failure } from '../helpers/cli.js';
import { HttpClient } from '../../src/http/client.js';

const SPECS = join(import.meta.dirname, '..', '..', 'fixtures', 'specs');
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'connector-load-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('JSON error positions', () => {
  it.each([
    ['{"a":}', 1, 6, "unexpected '}' (expected a value)"],
    ['{\n  "a": 1,\n}', 3, 1, 'expected a double-quoted property name'],
    ['{"a": 1', 1, 8, 'unexpected end of input'],
    ['[1, 2]\nx', 2, 1, 'after the end of the JSON value'],
    ['{"a": tru}', 1, 7, 'expected a value'],
    ['{"a": "x\ny"}', 1, 9, 'control character'],
    ['{"a": "ok\\q"}', 1, 10, "bad escape '\\q'"],
    ['{"a" "b"}', 1, 6, "unexpected '\"' (expected ':' after a property name)"],
    ['[1.]', 1, 3, "unexpected '.' (expected ',' or ']')"],
    ['{"a": 1 // note\n}', 1, 9, 'comments are not allowed in JSON'],
  ])('%j → line %i col %i', (text, line, column, msg) => {
    const at = locateJsonError(text)!;
    expect(at).toMatchObject({ line, column });
    expect(at.message).toContain(msg);
  });

  it('valid JSON has no error', () => {
    expect(locateJsonError('{"a": [1, -2.5e3, true, null, "\\u00e9"]}')).toBeUndefined();
  });
});

describe('loadSource: files', () => {
  it('reads a Swagger 2.0 JSON file and strips a UTF-8 byte-order mark', async () => {
    const file = join(work, 'bom.json');
    writeFileSync(file, '\uFEFF' + readFileSync(join(SPECS, 'petstore.swagger.json'), 'utf8'));
    const s = await loadSource(file);
    expect(s).toMatchObject({ kind: 'file', baseName: 'bom', location: file });
    expect(s.definition.swagger).toBe('2.0');
  });

  it('reads YAML (extension or content sniffing)', async () => {
    const s = await loadSource(join(SPECS, 'petstore.openapi30.yaml'));
    expect(s.definition.openapi).toBe('3.0.3');
    const noExt = join(work, 'spec-no-ext');
    cpSync(join(SPECS, 'petstore.swagger.yaml'), noExt);
    expect((await loadSource(noExt)).definition.swagger).toBe('2.0');
  });

  it('invalid JSON names file:line:col', async () => {
    const f = join(SPECS, 'bad', 'invalid-json.json');
    expect(await failure(loadSource(f))).toBe(`${f}:5:35: invalid JSON: unexpected '}' (expected a value)`);
  });

  it('unterminated JSON nested too deep to scan is still one line', async () => {
    const f = join(work, 'deep.json');
    writeFileSync(f, '['.repeat(300_000));
    expect(await failure(loadSource(f))).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: invalid JSON: `));
  });

  it('invalid YAML names file:line:col from the yaml parser', async () => {
    const f = join(SPECS, 'bad', 'invalid-yaml.yaml');
    expect(await failure(loadSource(f))).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:8:3: invalid YAML: `));
  });

  it('a YAML alias bomb is refused in one line', async () => {
    const msg = await failure(loadSource(join(SPECS, 'bad', 'alias-bomb.yaml')));
    expect(msg).toMatch(/alias-bomb\.yaml: YAML uses too many aliases .* alias bomb$/);
    expect(msg.split('\n')).toHaveLength(1);
  });

  it('a missing file and a file over the size limit name the file', async () => {
    expect(await failure(loadSource(join(work, 'nope.json')))).toBe(`${join(work, 'nope.json')}: no such file or folder`);
    const big = join(work, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, 20 * 1024 * 1024 + 1);
    expect(await failure(loadSource(big))).toBe(`${big}: larger than the 20 MB limit`);
  });

  it('a document that is neither Swagger nor OpenAPI is refused', async () => {
    expect(await failure(loadSource(join(SPECS, 'bad', 'not-a-spec.json')))).toMatch(/no 'swagger' or 'openapi' field/);
    const list = join(work, 'list.yaml');
    writeFileSync(list, '- a\n- b\n');
    expect(await failure(loadSource(list))).toBe(`${list}: not a Swagger/OpenAPI document (the top level is not an object)`);
    expect(await parseText('{"a": 1}', 'x', 'auto')).toEqual({ a: 1 });
  });
});

describe('loadSource: paconn folders', () => {
  it('reads definition, apiProperties, settings, script and icon', async () => {
    const s = await loadSource(join(SPECS, 'paconn-weather'));
    expect(s.kind).toBe('paconn');
    expect(s.baseName).toBe('paconn-weather');
    expect(s.apiProperties).toHaveProperty('properties.publisher', 'Connector Tests');
    expect(s.settings).toHaveProperty('connectorId');
    expect(s.script).toContain('class Script');
    expect(Buffer.from(s.icon!, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(s.warnings).toEqual([]);
  });

  it('finds apiDefinition.swagger.json in any case, and warns when apiProperties.json is missing', async () => {
    const dir = join(work, 'lower');
    mkdirSync(dir);
    cpSync(join(SPECS, 'paconn-weather', 'apiDefinition.swagger.json'), join(dir, 'APIDEFINITION.swagger.JSON'));
    const s = await loadSource(dir);
    expect(s.definition.swagger).toBe('2.0');
    expect(s.apiProperties).toBeUndefined();
    expect(s.warnings.join()).toMatch(/has no apiProperties\.json/);
  });

  it('a folder without a definition is refused', async () => {
    const dir = join(work, 'empty-folder');
    mkdirSync(dir);
    expect(await failure(loadSource(dir))).toBe(`${dir}: no apiDefinition.swagger.json in this folder`);
  });

  it('a broken apiProperties.json is reported with its line and column', async () => {
    const dir = join(work, 'broken-props');
    mkdirSync(dir);
    cpSync(join(SPECS, 'paconn-weather', 'apiDefinition.swagger.json'), join(dir, 'apiDefinition.swagger.json'));
    writeFileSync(join(dir, 'apiProperties.json'), '{\n  "properties": {\n    "a": 1\n    "b": 2\n  }\n}\n');
    expect(await failure(loadSource(dir))).toBe(`${join(dir, 'apiProperties.json')}:4:5: invalid JSON: unexpected '"' (expected ',' or '}')`);
  });
});

describe('loadSource: connector documents', () => {
  it('a document failing the schema gets the pointer', async () => {
    const f = join(work, 'bad.connector.yaml');
    writeFileSync(
      f,
      'apiVersion: connector/v1\nkind: Connector\nname: ok\ndefinition:\n  swagger: "2.0"\n  info: {title: x, version: "1"}\n  paths: {}\nscript: 42\n',
    );
    expect(await failure(loadSource(f))).toBe(`${f}: not a valid connector document at #/script: must be string`);
  });

  it('a bad name or unknown top-level key is refused', async () => {
    const f = join(work, 'bad2.connector.yaml');
    writeFileSync(f, 'apiVersion: connector/v1\nkind: Connector\nname: ../etc\ndefinition: {swagger: "2.0", info: {title: x}, paths: {}}\n');
    expect(await failure(loadSource(f))).toMatch(/at #\/name: must be a lower-case slug/);
    writeFileSync(f, 'apiVersion: connector/v1\nkind: Connector\nname: x\nsecrets: {}\ndefinition: {swagger: "2.0", info: {title: x}, paths: {}}\n');
    expect(await failure(loadSource(f))).toMatch(/at #: must NOT have additional properties \('secrets'\)/);
  });

  it('a future version is refused clearly', async () => {
    const f = join(work, 'v9.connector.yaml');
    writeFileSync(f, 'apiVersion: connector/v9\nkind: Connector\nname: x\ndefinition: {swagger: "2.0", info: {title: x}, paths: {}}\n');
    expect(await failure(loadSource(f))).toMatch(/unsupported connector document version 'connector\/v9'/);
  });
});

describe('loadSource: URLs', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const spec = readFileSync(join(SPECS, 'petstore.openapi30.yaml'));
    server = createServer((req, res) => {
      if (req.url?.split('?')[0] === '/openapi.yaml') res.writeHead(200, { 'content-type': 'application/yaml' }).end(spec);
      else if (req.url === '/big') res.writeHead(200).end(Buffer.alloc(2048, 32));
      else res.writeHead(404, 'Not Found').end('nope');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  const http = new HttpClient({ env: {} });
  const loadSource = (url: string, o: { maxBytes?: number; timeoutMs?: number } = {}) => loadUrl(url, { http, ...o });
  afterAll(async () => {
    await http.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fetches and parses a definition', async () => {
    const s = await loadSource(`${base}/openapi.yaml`);
    expect(s).toMatchObject({ kind: 'url', location: `${base}/openapi.yaml`, baseName: 'openapi' });
    expect(s.definition.openapi).toBe('3.0.3');
  });

  it('credentials in the URL are masked in the stored location and in errors', async () => {
    const s = await loadSource(`${base}/openapi.yaml?v=2&sig=SAS-SECRET&access_token=TOKEN-SECRET`);
    expect(s.location).toBe(`${base}/openapi.yaml?v=2&sig=***&access_token=***`);
    expect(await failure(loadSource(`${base}/missing.json?token=TOKEN-SECRET`))).toBe(`${base}/missing.json?token=***: HTTP 404 Not Found`);
    expect(await failure(loadSource(`http://me:PW-SECRET@127.0.0.1:9/x.json`))).toBe(
      'http://me:***@127.0.0.1:9/x.json: a user name or password in the URL is not supported',
    );
  });

  it('non-2xx, over the size limit, and refused connections are one line each', async () => {
    expect(await failure(loadSource(`${base}/missing.json`))).toBe(`${base}/missing.json: HTTP 404 Not Found`);
    expect(await failure(loadSource(`${base}/big`, { maxBytes: 1024 }))).toMatch(/\/big: larger than the .* MB limit$/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await failure(loadSource(`http://127.0.0.1:${port}/x.json`))).toBe(
      `http://127.0.0.1:${port}/x.json: cannot connect to 127.0.0.1:${port}: connection refused`,
    );
  });

  it('DNS failures and timeouts are one line each (real resolver, a server that never answers)', async () => {
    expect(await failure(loadSource('https://no.such.host.invalid/x.json'))).toBe(
      'https://no.such.host.invalid/x.json: cannot resolve host no.such.host.invalid',
    );
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/x.json`;
    expect(await failure(loadSource(url, { timeoutMs: 200 }))).toBe(
      `${url}: timed out after 0.2 s waiting for a response (127.0.0.1:${(silent.address() as AddressInfo).port})`,
    );
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});
