import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '@data-spine/bus';
import type { BusRecord } from '@data-spine/bus';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { KafkaSink, SINK_HEADERS } from '../src/sinks/kafka-sink.ts';
import type { SinkOp } from '../src/sinks/sink-op.ts';

/** The Kafka sink against the real broker: keyed records, decision id and position headers, tombstones. */
describe('Kafka sink', () => {
  let ctx: TestContext;
  let bus: KafkaBus;

  beforeAll(async () => {
    ctx = await useTestContext('cdc-kafka-sink');
    bus = new KafkaBus({ clientId: `sink-${ctx.id}`, brokers: [ctx.kafkaBootstrap()] });
  });
  afterAll(async () => {
    await bus?.close();
    await ctx?.[Symbol.asyncDispose]();
  });

  it('writes governed changes keyed, with the decision id and source position, deletes followed by a tombstone', async () => {
    const sink = new KafkaSink('stream', bus, `${ctx.topicPrefix}.gov`, [ctx.kafkaBootstrap()]);
    const base = {
      routeId: 'shop-to-stream',
      table: 'public.customer',
      decisionId: 'd-1',
      sourceTsMs: 1,
      ref: 0,
      columnTypes: {},
      retention: null,
    };
    const ops: SinkOp[] = [
      {
        ...base,
        kind: 'upsert',
        op: 'c',
        position: 100n,
        key: { id: 'a' },
        row: { id: 'a', email: 'h(x)' },
        before: null,
      },
      {
        ...base,
        kind: 'upsert',
        op: 'u',
        position: 110n,
        key: { id: 'a' },
        row: { id: 'a', email: 'h(y)' },
        before: null,
      },
      { ...base, kind: 'delete', position: 120n, key: { id: 'a' }, before: { id: 'a' } },
    ];
    expect(await sink.write(ops)).toEqual([]);
    const topic = `${ctx.topicPrefix}.gov.public.customer`;
    expect(sink.dataset('public.customer')).toEqual({
      namespace: `kafka://${ctx.kafkaBootstrap()}`,
      name: topic,
    });
    const seen: BusRecord[] = [];
    const sub = await bus.subscribe(
      { groupId: ctx.groupId, topics: [topic], maxWaitMs: 50 },
      async (batch) => {
        seen.push(...batch.records);
      },
    );
    for (let i = 0; i < 300 && seen.length < 4; i++) await new Promise((r) => setTimeout(r, 100));
    await sub.close();
    expect(seen).toHaveLength(4);
    expect(seen.map((r) => r.key?.toString())).toEqual(Array(4).fill('{"id":"a"}'));
    expect(new Set(seen.map((r) => r.partition)).size).toBe(1);
    expect(seen.map((r) => r.headers.get(SINK_HEADERS.position)?.toString())).toEqual([
      '100',
      '110',
      '120',
      '120',
    ]);
    expect(seen.every((r) => r.headers.get(SINK_HEADERS.decisionId)?.toString() === 'd-1')).toBe(true);
    const values = seen.map((r) =>
      r.value ? (JSON.parse(r.value.toString()) as { op: string; after: unknown }) : null,
    );
    expect(values.map((v) => v?.op ?? null)).toEqual(['c', 'u', 'd', null]);
    expect(values[1]?.after).toEqual({ id: 'a', email: 'h(y)' });
  });
});
