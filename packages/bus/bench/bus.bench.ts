/**
 * pnpm bench:bus - throughput of the bus, both implementations, on this machine, load generator included.
 * Kafka: a broker started by testkit (or SPINE_KAFKA_BROKERS). Prints medians of 3 runs.
 */
import { randomUUID } from 'node:crypto';
import { InProcessBus, KafkaBus } from '../src/index.ts';
import type { Bus } from '../src/index.ts';
import { startKafka } from '@data-spine/testkit';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const VALUE = Buffer.alloc(256, 'x');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function once(bus: Bus, partitions: number): Promise<{ produce: number; consume: number }> {
  const topic = `bench-${randomUUID().slice(0, 8)}`;
  await bus.createTopic(topic, partitions);
  const t0 = performance.now();
  const chunk = 5_000;
  for (let i = 0; i < RECORDS; i += chunk) {
    await bus.send(
      Array.from({ length: Math.min(chunk, RECORDS - i) }, (_, j) => ({
        topic,
        key: `k${(i + j) % 1000}`,
        value: VALUE,
      })),
    );
  }
  const produce = RECORDS / ((performance.now() - t0) / 1000);
  let seen = 0;
  const t1 = performance.now();
  const done = new Promise<void>((resolve) => {
    void bus
      .subscribe({ groupId: `g-${topic}`, topics: [topic], maxBatchSize: 2_000, maxWaitMs: 5 }, async (b) => {
        seen += b.records.length;
        if (seen >= RECORDS) resolve();
      })
      .then((sub) => done.then(() => sub.close()));
  });
  await done;
  const consume = RECORDS / ((performance.now() - t1) / 1000);
  return { produce, consume };
}

async function measure(name: string, bus: Bus, partitions: number): Promise<void> {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await once(bus, partitions));
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
  console.log(
    `${name.padEnd(34)} produce ${fmt(median(runs.map((r) => r.produce)))} rec/s   consume+commit ${fmt(median(runs.map((r) => r.consume)))} rec/s`,
  );
}

console.log(
  `bus benchmark: ${RECORDS.toLocaleString('en-US')} records of ${VALUE.length} B, 1,000 keys, median of 3 runs`,
);
const inProcess = new InProcessBus({ defaultPartitions: 4 });
await measure('in-process (4 partitions)', inProcess, 4);
await inProcess.close();

const given = process.env.SPINE_KAFKA_BROKERS;
const kafka = given ? null : await startKafka();
const brokers = given ? given.split(',') : [kafka!.bootstrap];
const kbus = new KafkaBus({ clientId: 'bench', brokers });
try {
  await measure('kafka acks=all (4 partitions)', kbus, 4);
} finally {
  await kbus.close();
  await kafka?.stop();
}
