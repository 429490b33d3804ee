import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '@data-spine/bus';
import type { BusRecord } from '@data-spine/bus';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { KafkaTransport, LineageEmitter, OpenLineage } from '../src/index.ts';
import type { LineageEvent } from '../src/index.ts';
import { closedPort } from './support/test-collector.ts';
import { spooledFiles, tempDir, until } from './support/temp-dir.ts';

const ol = new OpenLineage({
  producer: 'https://github.com/data-spine/data-spine/tree/main/packages/lineage-emitter',
});

let ctx: TestContext;
let bus: KafkaBus;
beforeAll(async () => {
  ctx = await useTestContext('lineage-kafka');
  bus = new KafkaBus({ clientId: `lineage-kafka-${ctx.id}`, brokers: [ctx.kafkaBootstrap()] });
});
afterAll(async () => {
  await bus?.close();
  await ctx?.[Symbol.asyncDispose]();
});

/** Reads `count` records of `topic` back with a real consumer group. */
async function readBack(topic: string, count: number): Promise<BusRecord[]> {
  const records: BusRecord[] = [];
  const sub = await bus.subscribe(
    { groupId: `${ctx.groupId}-${topic}`, topics: [topic], maxWaitMs: 20 },
    async (batch) => {
      records.push(...batch.records);
    },
  );
  try {
    await until(() => records.length >= count, 20_000, `${count} records on ${topic}`);
  } finally {
    await sub.close();
  }
  return records;
}

describe('kafka transport against the shared Kafka', () => {
  it('produces JSON events keyed as the Python client keys them, in order per key', async () => {
    const topic = `${ctx.topicPrefix}.lineage`;
    await bus.createTopic(topic, 3);
    await using dir = await tempDir();
    const emitter = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new KafkaTransport({
        topic,
        brokers: [ctx.kafkaBootstrap()],
        clientId: `emitter-${ctx.id}`,
      }),
      // One lane per root job: the tree's events reach Kafka in the order they were emitted.
      ordering: 'root-job',
    });
    const dag = ol.run({ namespace: 'airflow', name: 'dag' });
    const task = ol.run({ namespace: 'airflow', name: 'dag.task' }, { parent: dag });
    const spark = ol.run({ namespace: 'spark', name: 'app.stage' }, { parent: task });
    const solo = ol.run({ namespace: 'spine', name: 'cdc.shop' });
    const events: LineageEvent[] = [
      dag.start(),
      task.start(),
      spark.start(),
      spark.complete(),
      task.complete(),
      dag.complete(),
      solo.start(),
      solo.complete(),
      ol.jobEvent({ job: { namespace: 'spine', name: 'cdc.shop' } }),
      ol.datasetEvent({ dataset: ol.dataset('postgres://oltp:5432', 'shop.public.customer') }),
    ];
    for (const e of events) await emitter.emit(e);
    expect(await emitter.close({ timeoutMs: 20_000 })).toEqual({ drained: true, pending: 0 });
    expect(emitter.stats()).toMatchObject({ sent: 10, retried: 0, deadLettered: 0 });

    const records = await readBack(topic, 10);
    expect(records).toHaveLength(10);
    const byKey = new Map<string, string[]>();
    for (const r of records) {
      const key = r.key?.toString() ?? '';
      const value = JSON.parse(r.value?.toString() ?? 'null') as LineageEvent;
      const label =
        'run' in value ? `${value.job.name}:${value.eventType}` : 'dataset' in value ? 'dataset' : 'job';
      byKey.set(key, [...(byKey.get(key) ?? []), label]);
    }
    // A parent's children share the root's key, so the whole tree is one partition, in order.
    expect(Object.fromEntries(byKey)).toEqual({
      'run:airflow/dag': [
        'dag:START',
        'dag.task:START',
        'app.stage:START',
        'app.stage:COMPLETE',
        'dag.task:COMPLETE',
        'dag:COMPLETE',
      ],
      'run:spine/cdc.shop': ['cdc.shop:START', 'cdc.shop:COMPLETE'],
      'job:spine/cdc.shop': ['job'],
      'dataset:postgres://oltp:5432/shop.public.customer': ['dataset'],
    });
    const treePartitions = new Set(
      records.filter((r) => r.key?.toString() === 'run:airflow/dag').map((r) => r.partition),
    );
    expect(treePartitions.size).toBe(1);
  });

  it('takes a producer the service already has, and a fixed messageKey', async () => {
    const topic = `${ctx.topicPrefix}.lineage-fixed`;
    await using dir = await tempDir();
    const emitter = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new KafkaTransport({ topic, producer: bus, messageKey: 'spine-lineage' }),
    });
    const run = ol.run({ namespace: 'spine', name: 'fixed' });
    await emitter.emit(run.start());
    await emitter.emit(run.complete());
    expect(await emitter.close({ timeoutMs: 20_000 })).toEqual({ drained: true, pending: 0 });
    const records = await readBack(topic, 2);
    expect(records.map((r) => r.key?.toString())).toEqual(['spine-lineage', 'spine-lineage']);
    expect(records.map((r) => (JSON.parse(r.value!.toString()) as { eventType: string }).eventType)).toEqual([
      'START',
      'COMPLETE',
    ]);
  });

  it('a broker that is not there: events stay spooled and are retried; the real broker gets them all later', async () => {
    const topic = `${ctx.topicPrefix}.lineage-outage`;
    await using dir = await tempDir();
    const down = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new KafkaTransport({ topic, brokers: [`127.0.0.1:${await closedPort()}`], timeoutMs: 300 }),
      retry: { initialMs: 20, maxMs: 100 },
    });
    const runs = Array.from({ length: 5 }, (_, i) => ol.run({ namespace: 'spine', name: `outage-${i}` }));
    for (const run of runs) {
      await down.emit(run.start());
      await down.emit(run.complete());
    }
    await until(() => down.stats().retried >= 2, 10_000, 'retries against the missing broker');
    const closed = await down.close({ timeoutMs: 100 });
    expect(closed).toEqual({ drained: false, pending: 10 });
    expect(down.stats()).toMatchObject({ sent: 0, deadLettered: 0 });
    expect((down.stats().retriedBy.timeout ?? 0) + (down.stats().retriedBy.kafka ?? 0)).toBe(
      down.stats().retried,
    );
    expect(await spooledFiles(dir.path)).toHaveLength(10);

    const up = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new KafkaTransport({ topic, producer: bus }),
    });
    expect(await up.close({ timeoutMs: 20_000 })).toEqual({ drained: true, pending: 0 });
    expect(up.stats()).toMatchObject({ replayed: 10, sent: 10 });
    const records = await readBack(topic, 10);
    const got = records.map(
      (r) => JSON.parse(r.value!.toString()) as { run: { runId: string }; eventType: string },
    );
    for (const run of runs)
      expect(got.filter((e) => e.run.runId === run.runId).map((e) => e.eventType)).toEqual([
        'START',
        'COMPLETE',
      ]);
  });
});
