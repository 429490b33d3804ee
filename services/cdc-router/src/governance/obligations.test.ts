import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TOAST_PLACEHOLDER } from '@data-spine/contracts';
import { governRow, MASK } from './obligations.ts';
import type { FieldPlan } from './obligations.ts';

const key = Buffer.from('a-key-of-sixteen-chars');
const plan = (
  verdicts: Record<string, 'allow' | 'mask' | 'hash' | 'drop' | 'deny'>,
  extra: Partial<FieldPlan> = {},
): FieldPlan => ({
  verdicts: new Map(Object.entries(verdicts)),
  keyColumns: new Set(['id']),
  hashKey: key,
  ...extra,
});

describe('field obligations', () => {
  it('allows, masks, hashes (HMAC-SHA256 with the key) and drops', () => {
    const g = governRow(
      { id: 1, email: 'ada@example.com', name: 'Ada', card: '4111', country: 'IE' },
      plan({ id: 'allow', email: 'hash', name: 'mask', card: 'drop', country: 'allow' }),
    );
    expect(g).toEqual({
      ok: true,
      row: {
        id: 1,
        email: createHmac('sha256', key).update('ada@example.com').digest('hex'),
        name: MASK,
        country: 'IE',
      },
      unavailable: [],
    });
  });

  it('keeps nulls null and leaves a denied field out of an allowed route', () => {
    const g = governRow(
      { id: 1, email: null, card: '4111' },
      plan({ id: 'allow', email: 'hash', card: 'deny' }),
    );
    expect(g).toEqual({ ok: true, row: { id: 1, email: null }, unavailable: [] });
  });

  it('never writes a TOAST placeholder', () => {
    const g = governRow({ id: 1, body: TOAST_PLACEHOLDER }, plan({ id: 'allow', body: 'allow' }));
    expect(g).toEqual({ ok: true, row: { id: 1 }, unavailable: ['body'] });
  });

  it('leaves out the placeholder of arrays and bytea too, before any obligation (never hashed or masked)', () => {
    const bytes = Buffer.from(TOAST_PLACEHOLDER).toString('base64');
    const row = {
      id: 1,
      tags: [TOAST_PLACEHOLDER], // text[] (the capture and Debezium)
      blob: bytes, // bytea: the placeholder's bytes, base64 in JSON
      blobs: [bytes], // bytea[] (Debezium)
      counts: [...Buffer.from(TOAST_PLACEHOLDER)], // int[], bigint[] (Debezium: the bytes as numbers)
      note: 'kept',
    };
    for (const verdict of ['allow', 'hash', 'mask'] as const) {
      const g = governRow(
        row,
        plan({ id: 'allow', tags: verdict, blob: verdict, blobs: verdict, counts: verdict, note: 'allow' }),
      );
      expect(g).toEqual({
        ok: true,
        row: { id: 1, note: 'kept' },
        unavailable: ['tags', 'blob', 'blobs', 'counts'],
      });
    }
  });

  it('writes values that only look like a placeholder in part, and key values whatever they are', () => {
    const g = governRow(
      {
        id: TOAST_PLACEHOLDER,
        tags: [TOAST_PLACEHOLDER, 'x'],
        text: `${TOAST_PLACEHOLDER} `,
        blob: Buffer.from('real bytes').toString('base64'),
      },
      plan({ id: 'allow', tags: 'allow', text: 'allow', blob: 'hash' }, { keyColumns: new Set(['id']) }),
    );
    expect(g).toMatchObject({
      ok: true,
      row: { id: TOAST_PLACEHOLDER, tags: [TOAST_PLACEHOLDER, 'x'], text: `${TOAST_PLACEHOLDER} ` },
      unavailable: [],
    });
  });

  it('refuses a column without a verdict, and a key column that would be dropped or masked', () => {
    expect(governRow({ id: 1, extra: 'x' }, plan({ id: 'allow' }))).toMatchObject({
      ok: false,
      reason: 'CDC_FIELD_UNDECIDED',
      field: 'extra',
    });
    expect(governRow({ id: 1 }, plan({ id: 'drop' }))).toMatchObject({
      ok: false,
      reason: 'CDC_FIELD_DENIED',
    });
    expect(governRow({ id: 1 }, plan({ id: 'mask' }))).toMatchObject({
      ok: false,
      reason: 'CDC_FIELD_DENIED',
    });
  });

  it('carries only the selected columns, and always the key', () => {
    const g = governRow(
      { id: 1, a: 1, b: 2 },
      plan({ id: 'allow', a: 'allow', b: 'allow' }, { selected: new Set(['a']) }),
    );
    expect(g).toEqual({ ok: true, row: { id: 1, a: 1 }, unavailable: [] });
  });
});
