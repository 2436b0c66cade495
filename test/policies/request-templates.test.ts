import { describe, expect, it } from 'vitest';
import {
  type BodyTransform,
  convertarraytoobject,
  convertobjecttoarray,
  encodepropertyvalue,
  moveproperties,
  setproperty,
  stringreplace,
  stringtoarray,
} from '../../src/policies/body/transforms.js';
import { parsePath, segments } from '../../src/policies/body/paths.js';

/** Run a body transform with `x-ms-apimTemplateParameter.*` values; returns the body after. */
function run(t: BodyTransform, body: unknown, params: Record<string, unknown>): unknown {
  const holder = { json: structuredClone(body) };
  const raw = (k: string) => params[k];
  t(holder, (k) => (params[k] === undefined ? '' : String(params[k])), raw);
  return holder.json;
}

/** The before/after examples of learn.microsoft.com/connectors/custom-connectors/policy-templates/<id>. */
describe('the platform documentation’s examples', () => {
  const peopleObject = { XYZ: { Age: '30' }, ABC: { Age: '23' } };

  it('convertarraytoobject, example 1 (retainKey false, a bare newPropertyPath)', () => {
    const peopleArray = [
      { Name: 'XYZ', Age: '30' },
      { Name: 'ABC', Age: '23' },
    ];
    expect(
      run(
        convertarraytoobject,
        { peopleArray },
        { propertyParentPath: '@body()', propertySubPath: 'peopleArray', keyWithinCollectionPath: 'Name', newPropertyPath: 'peopleObject', retainKey: 'false' },
      ),
    ).toEqual({ peopleArray, peopleObject });
    // retainKey defaults to true
    expect(
      run(convertarraytoobject, { peopleArray }, { propertySubPath: 'peopleArray', keyWithinCollectionPath: 'Name', newPropertyPath: '@body().o' }),
    ).toMatchObject({
      o: { XYZ: { Name: 'XYZ', Age: '30' }, ABC: { Name: 'ABC', Age: '23' } },
    });
  });

  it('convertobjecttoarray, example 1 and example 2 (a collection parent: each item)', () => {
    const params = {
      propertyParentPath: '@body()',
      propertySubPath: 'peopleObject',
      newPropertyPath: '@body().peopleArray',
      keyName: 'Name',
      valueName: 'Details',
    };
    expect(run(convertobjecttoarray, { peopleObject }, params)).toEqual({
      peopleObject,
      peopleArray: [
        { Name: 'XYZ', Details: { Age: '30' } },
        { Name: 'ABC', Details: { Age: '23' } },
      ],
    });
    const sets = { sets: [{ people: { XYZ: { Age: '30' } } }, { people: { ABC: { Age: '23' } } }] };
    expect(
      run(convertobjecttoarray, sets, { ...params, propertyParentPath: '@body().sets', propertySubPath: 'people', newPropertyPath: '@item().people' }),
    ).toEqual({
      sets: [{ people: [{ Name: 'XYZ', Details: { Age: '30' } }] }, { people: [{ Name: 'ABC', Details: { Age: '23' } }] }],
    });
  });

  it('stringtoarray, example 1 (a nested sub path; `@body.` as the page writes it)', () => {
    const body = { peopleObject: { XYZ: { Age: '3;0' }, ABC: { Age: '23;45' } } };
    expect(
      run(stringtoarray, body, {
        propertyParentPath: '@body()',
        propertySubPath: 'peopleObject.XYZ.Age',
        delimiterList: ';',
        childPropertyName: 'AgeW',
        newPropertyPath: '@body.peopleObject.XYZ.Age',
      }),
    ).toEqual({ peopleObject: { XYZ: { Age: [{ AgeW: '3' }, { AgeW: '0' }] }, ABC: { Age: '23;45' } } });
  });

  it('setproperty, examples 1–3 (an object, a collection, {@body()} pieces)', () => {
    expect(
      run(
        setproperty,
        { peopleObject },
        { newPropertyParentPathTemplate: '@body().peopleObject', newPropertySubPathTemplate: 'location', propertyValuePathTemplate: 'USA' },
      ),
    ).toEqual({
      peopleObject: { location: 'USA', ...peopleObject },
    });
    expect(
      run(
        setproperty,
        { people: [{ name: 'xyz' }, { name: 'pqr' }] },
        { newPropertyParentPathTemplate: '@body().people', newPropertySubPathTemplate: 'age', propertyValuePathTemplate: '30' },
      ),
    ).toEqual({
      people: [
        { name: 'xyz', age: '30' },
        { name: 'pqr', age: '30' },
      ],
    });
    expect(
      run(
        setproperty,
        { firstName: 'John', lastName: 'Smith' },
        { newPropertyParentPathTemplate: '@body()', newPropertySubPathTemplate: 'name', propertyValuePathTemplate: '{@body().firstName} {@body().lastName}' },
      ),
    ).toEqual({ firstName: 'John', lastName: 'Smith', name: 'John Smith' });
  });
});

describe('the undocumented ones, as published connectors use them', () => {
  it('stringreplace replaces every occurrence, per item of a collection, written to @item()', () => {
    expect(
      run(
        stringreplace,
        { references: [{ resourceLink: 'a.b.c' }, { resourceLink: 'x' }, { other: 1 }] },
        {
          propertyParentPath: '@body().references',
          propertySubPath: 'resourceLink',
          sourceString: '.',
          replacementString: '%2E',
          newPropertyPath: '@item().resourceLink',
        },
      ),
    ).toEqual({ references: [{ resourceLink: 'a%2Eb%2Ec' }, { resourceLink: 'x' }, { other: 1 }] });
  });

  it('encodepropertyvalue percent-encodes as Uri.EscapeDataString does (RFC 3986 unreserved kept)', () => {
    expect(
      run(
        encodepropertyvalue,
        { assignments: [{ userId: "a b@c.d!'()*~" }] },
        { propertyParentPath: '@body().assignments', propertySubPath: 'userId', newPropertyPath: '@item().userId' },
      ),
    ).toEqual({ assignments: [{ userId: 'a%20b%40c.d%21%27%28%29%2A~' }] });
  });

  it('moveproperties: only the sub-properties (AzureAD), or the property itself under another parent', () => {
    const body = { displayName: 'A', customProperties: { dept: 'R', site: 'O' } };
    expect(
      run(moveproperties, body, {
        srcParentPath: '@body()',
        srcSubPath: 'customProperties',
        dstParentPath: '@body()',
        dstSubPath: 'null',
        copyOnlySubProperties: 'true',
      }),
    ).toEqual({ displayName: 'A', dept: 'R', site: 'O' });
    expect(
      run(moveproperties, body, { srcParentPath: '@body()', srcSubPath: 'customProperties', dstParentPath: '@body().extra', dstSubPath: 'props' }),
    ).toEqual({
      displayName: 'A',
      extra: { props: { dept: 'R', site: 'O' } },
    });
  });

  it('a template that finds nothing leaves the body as it was', () => {
    const body = { a: 1 };
    for (const t of [stringreplace, encodepropertyvalue, stringtoarray, convertarraytoobject, convertobjecttoarray])
      expect(run(t, body, { propertySubPath: 'missing', sourceString: 'x', childPropertyName: 'c', keyWithinCollectionPath: 'k' })).toEqual(body);
  });
});

describe('body paths', () => {
  it("reads @body(), body(), @body, @item(), a bare path, ['x'] and null", () => {
    expect(parsePath('@body()')).toEqual({ from: 'body', segs: [] });
    expect(parsePath("body().a['@odata.type']")).toEqual({ from: 'body', segs: ['a', '@odata.type'] });
    expect(parsePath('@body.peopleObject.XYZ')).toEqual({ from: 'body', segs: ['peopleObject', 'XYZ'] });
    expect(parsePath('@item()._assignments')).toEqual({ from: 'item', segs: ['_assignments'] });
    expect(parsePath('bodyText.x')).toEqual({ from: 'item', segs: ['bodyText', 'x'] });
    expect(segments('null')).toEqual([]);
    expect(segments("['@odata.etag']")).toEqual(['@odata.etag']);
  });
});
