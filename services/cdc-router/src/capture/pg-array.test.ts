import { describe, expect, it } from 'vitest';
import { parseArrayText } from './pg-array.ts';

describe('parseArrayText', () => {
  it('reads plain, quoted, escaped, NULL, empty and nested elements', () => {
    expect(parseArrayText('{1,2,3}')).toEqual(['1', '2', '3']);
    expect(parseArrayText('{a,"b c",NULL,"d\\"e","NULL"}')).toEqual(['a', 'b c', null, 'd"e', 'NULL']);
    expect(parseArrayText('{}')).toEqual([]);
    expect(parseArrayText('{{1,2},{3,4}}')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parseArrayText('[0:1]={x,y}')).toEqual(['x', 'y']);
  });
  it('refuses malformed text', () => {
    expect(() => parseArrayText('1,2')).toThrow(RangeError);
    expect(() => parseArrayText('{1,2')).toThrow(RangeError);
  });
});
