import { describe, it, expect } from 'vitest';
import { closest } from '../../src/util/suggest.js';

describe('closest (did you mean)', () => {
  it('ranks a prefix before a mere substring, and the nearer length first', () => {
    const ops = ['DownloadDocument', 'TranslateDocument', 'TranslateText', 'download-translated-document', 'GetUsage'];
    expect(closest('Translate', ops)).toEqual(['TranslateText', 'TranslateDocument', 'download-translated-document']);
  });
  it('keeps plain typos first', () => {
    expect(closest('GetThng', ['ListThings', 'GetThings', 'GetThing']).slice(0, 2)).toEqual(['GetThing', 'GetThings']);
    expect(closest('rnu', ['run', 'remove', 'list'])).toEqual(['run']);
  });
  it('suggests nothing far off', () => {
    expect(closest('zzzz', ['TranslateText', 'GetUsage'])).toEqual([]);
  });
});

describe('closest: words in another order', () => {
  it('finds ComicGet for GetComic, and get_comic too', () => {
    expect(closest('GetComic', ['ComicGetA', 'ComicGet'])).toEqual(['ComicGet']);
    expect(closest('get_comic', ['ComicGet', 'ListThings'])).toEqual(['ComicGet']);
  });
});
