import { describe, expect, it } from 'vitest';
import { tagFields } from './field-tags.ts';

const field = (path: string, tags: string[] = []) => ({
  path,
  name: path.split('.').at(-1) as string,
  tags,
  type: 'string',
});

describe('tagFields', () => {
  it('merges inline tags with metadata tags matched by path, name and globs', () => {
    const out = tagFields(
      [field('shop.Customer.email', ['PII']), field('shop.Customer.address.city'), field('shop.Customer.id')],
      { '**.email': ['PII', 'CONTACT'], 'shop.Customer.*.city': ['LOCATION'], id: ['KEY'] },
    );
    expect(out.map((f) => [f.path, f.tags])).toEqual([
      ['shop.Customer.email', ['PII', 'CONTACT']],
      ['shop.Customer.address.city', ['LOCATION']],
      ['shop.Customer.id', ['KEY']],
    ]);
  });

  it('does not let a single star cross a dot, and escapes regex characters in paths', () => {
    const out = tagFields([field('a.b.c'), field('a+b')], { 'a.*': ['X'], 'a+b': ['Y'] });
    expect(out.map((f) => f.tags)).toEqual([[], ['Y']]);
  });
});
