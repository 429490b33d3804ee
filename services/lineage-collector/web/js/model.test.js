import { describe, expect, it } from 'vitest';
import { graphModel, splitNodeId } from './model.js';
import { matchesTag, tagsOf } from './tags.js';
import { resultLink, resultTitle } from './views/search-view.js';

describe('splitNodeId', () => {
  it('keeps the port of a URL namespace with the namespace', () => {
    expect(splitNodeId('dataset:postgres://oltp:5432:shop.public.customer')).toEqual({
      type: 'dataset',
      namespace: 'postgres://oltp:5432',
      name: 'shop.public.customer',
    });
    expect(splitNodeId('job:spine:a:b')).toEqual({ type: 'job', namespace: 'spine', name: 'a:b' });
  });
});

describe('tagsOf', () => {
  it('takes the collector policy tags (values, fields, inheritance) over Marquez string tags', () => {
    const tags = tagsOf({
      tags: ['pii', 'residency'],
      fields: [{ name: 'email', tags: ['pii'] }],
      policyTags: [
        {
          key: 'residency',
          value: 'eea',
          field: null,
          inherited: true,
          origin: 'dataset:ns:src',
          originField: null,
        },
        {
          key: 'pii',
          value: 'true',
          field: 'email',
          inherited: true,
          origin: 'dataset:ns:src',
          originField: 'email',
        },
        {
          key: 'pii',
          value: 'true',
          field: 'email',
          inherited: false,
          origin: 'dataset:ns:me',
          originField: 'email',
        },
      ],
    });
    expect(tags).toHaveLength(2);
    expect(tags.find((t) => t.key === 'pii')).toMatchObject({ field: 'email', inherited: false });
    expect(tags.find((t) => t.key === 'residency')).toMatchObject({
      value: 'eea',
      inherited: true,
      from: 'dataset:ns:src',
    });
    expect(matchesTag(tags, 'residency=eea')).toBe(true);
    expect(matchesTag(tags, 'residency=us')).toBe(false);
    expect(matchesTag(tags, 'PII')).toBe(true);
  });

  it('falls back to Marquez string tags', () => {
    const tags = tagsOf({ tags: ['pii'], fields: [{ name: 'email', tags: ['pii'] }] });
    expect(tags.map((t) => [t.key, t.field])).toEqual([
      ['pii', undefined],
      ['pii', 'email'],
    ]);
  });
});

describe('graphModel', () => {
  it('collects nodes and deduplicated edges, flagging residency conflicts', () => {
    const m = graphModel({
      graph: [
        {
          id: 'job:j:x',
          type: 'JOB',
          data: { id: { namespace: 'j', name: 'x' } },
          inEdges: [],
          outEdges: [{ origin: 'job:j:x', destination: 'dataset:ns:out', residencyConflict: true }],
        },
        {
          id: 'dataset:ns:out',
          type: 'DATASET',
          data: { id: { namespace: 'ns', name: 'out' }, policyTags: [] },
          inEdges: [{ origin: 'job:j:x', destination: 'dataset:ns:out', residencyConflict: true }],
          outEdges: [],
        },
      ],
      truncated: true,
    });
    expect(m.nodes.map((n) => [n.id, n.title, n.subtitle])).toEqual([
      ['job:j:x', 'x', 'j'],
      ['dataset:ns:out', 'out', 'ns'],
    ]);
    expect(m.edges).toHaveLength(1);
    expect(m.edges[0].conflict).toMatch(/EEA/);
    expect(m.truncated).toBe(true);
  });
});

describe('search hits', () => {
  it('link fields to column lineage and tags to a highlighted graph', () => {
    const field = { type: 'FIELD', name: 'a.b', namespace: 'postgres://h:1', field: 'email' };
    expect(resultLink(field)).toBe('#/column/postgres%3A%2F%2Fh%3A1/a.b/email');
    expect(resultTitle(field)).toBe('a.b.email');
    const tag = {
      type: 'TAG',
      name: 'a.b',
      namespace: 'ns',
      tag: { key: 'residency', value: 'eea', field: null, inherited: true },
    };
    expect(resultLink(tag)).toBe('#/dataset/ns/a.b?tag=residency');
    expect(resultTitle(tag)).toBe('residency=eea on a.b (inherited)');
  });
});
