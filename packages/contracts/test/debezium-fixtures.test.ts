import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChangeKey, parseChangeRecord, TOAST_PLACEHOLDER } from '../src/index.ts';
import type { ChangeRecord } from '../src/index.ts';

/**
 * Records that real Debezium 3.7 (PostgreSQL connector, pgoutput, JsonConverter) wrote to Kafka during the
 * e2e smoke test, saved by `SPINE_CAPTURE_FIXTURES=1 pnpm exec vitest run --project e2e`.
 */
interface SavedRecord {
  topic: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

const dir = join(import.meta.dirname, 'fixtures/debezium');
const fixtures = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as SavedRecord[]]),
);

function parseAll(name: string): ChangeRecord[] {
  const records = fixtures[name];
  if (!records) throw new Error(`fixture ${name} is missing`);
  return records.map((r) => {
    const parsed = parseChangeRecord(
      r.value === null ? null : Buffer.from(r.value),
      new Map(Object.entries(r.headers)),
    );
    if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.issues)}`);
    return parsed.value;
  });
}

const opsOf = (records: ChangeRecord[]) =>
  records.map((r) => (r.kind === 'tombstone' ? 'tombstone' : r.event.op));

describe('real Debezium records', () => {
  it('parses the JsonConverter-wrapped stream: snapshot, update, key change, delete, truncate', () => {
    const records = parseAll('customer-with-schemas');
    expect(opsOf(records)).toEqual(['r', 'r', 'u', 'd', 'tombstone', 'c', 'd', 'tombstone', 'c', 't']);
    for (const r of records) if (r.kind === 'change') expect(r.schema?.type).toBe('struct');
    const keyChange = records.filter((r) => r.kind === 'change' && r.keyChange !== null);
    expect(keyChange.map((r) => r.kind === 'change' && `${r.event.op}:${r.keyChange}`)).toEqual([
      'd:old-key',
      'c:new-key',
    ]);
    const truncate = records.at(-1);
    expect(truncate?.kind === 'change' && truncate.event.op === 't' && truncate.event.source.table).toBe(
      'customer',
    );
  });

  it('parses plain JSON records, with the TOAST placeholder for an unchanged large column', () => {
    const records = parseAll('support-ticket-plain');
    expect(opsOf(records)).toEqual(['c', 'u', 'd', 'tombstone']);
    const update = records[1];
    expect(update?.kind === 'change' && update.schema).toBeNull();
    expect(update?.kind === 'change' && update.event.op === 'u' && update.event.after.body).toBe(
      TOAST_PLACEHOLDER,
    );
  });

  it('parses a logical decoding message', () => {
    const [m] = parseAll('logical-message');
    expect(m?.kind === 'change' && m.event.op === 'm' && m.event.message.prefix).toBe('spine');
  });

  it('keeps nanosecond timestamps beyond 2^53 and every source field Debezium sent', () => {
    const [first] = parseAll('customer-with-schemas');
    if (first?.kind !== 'change') throw new Error('expected a change');
    expect(first.event.ts_ns).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    expect(first.event.source).toHaveProperty('origin');
    expect(first.event.source.version).toMatch(/^3\.\d+\.\d+\.Final$/);
  });

  it('parses record keys, wrapped or not', () => {
    for (const name of ['customer-with-schemas', 'support-ticket-plain']) {
      for (const r of fixtures[name] ?? []) {
        const key = parseChangeKey(r.key);
        expect(key.ok).toBe(true);
        if (key.ok && key.value) expect(Object.keys(key.value)).toEqual(['id']);
      }
    }
  });
});

describe('bad records', () => {
  const valid = JSON.parse(fixtures['support-ticket-plain']?.[0]?.value ?? '{}') as Record<string, unknown>;

  it('points at invalid JSON', () => {
    const r = parseChangeRecord(Buffer.from('{"op": "c", '));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ pointer: '', rule: 'json' });
  });

  it('points at a missing or unknown op', () => {
    const r = parseChangeRecord({ ...valid, op: 'x' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.pointer)).toContain('/op');
  });

  it('points inside the wrapper payload', () => {
    const r = parseChangeRecord({
      schema: { type: 'struct' },
      payload: { ...valid, source: { ...(valid.source as object), connector: 'mysql' } },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.pointer)).toContain('/payload/source/connector');
  });

  it('refuses a delete without a before image and an insert without an after image', () => {
    const del = parseChangeRecord({ ...valid, op: 'd', before: null, after: null });
    expect(del.ok).toBe(false);
    const ins = parseChangeRecord({ ...valid, op: 'c', after: null });
    expect(ins.ok).toBe(false);
    if (!ins.ok) expect(ins.issues.map((i) => i.pointer)).toContain('/after');
  });

  it('treats null, empty bytes and a null payload as tombstones', () => {
    for (const v of [null, Buffer.alloc(0), '{"schema":{"type":"struct"},"payload":null}', 'null']) {
      const r = parseChangeRecord(v);
      expect(r.ok && r.value.kind).toBe('tombstone');
    }
  });

  it('refuses a key that is not an object', () => {
    expect(parseChangeKey('[1,2]').ok).toBe(false);
    expect(parseChangeKey('{"id":').ok).toBe(false);
  });
});
