/**
 * A capture in its own process for the crash test: every batch goes into a sink table of the same database
 * (the sink commit), and only then is acknowledged. The parent kills it with SIGKILL at any moment.
 * argv: databaseUrl topicPrefix
 */
import pg from 'pg';
import { createCapture } from '../../../src/capture/index.ts';

const [databaseUrl = '', prefix = ''] = process.argv.slice(2);
const sink = new pg.Client({ connectionString: databaseUrl });
await sink.connect();
const capture = createCapture({
  connectionString: databaseUrl,
  topicPrefix: prefix,
  tables: ['public.src'],
  slotName: `${prefix}_crash`,
  publicationName: `${prefix}_crash_pub`,
  batchMaxChanges: 200,
  batchMaxWaitMs: 5,
});
await capture.start();
process.send?.('ready');
for await (const batch of capture) {
  const ids: number[] = [];
  for (const r of batch.records)
    if (r.kind === 'change' && r.value.op !== 'd') ids.push((r.key as { id: number }).id);
  await sink.query('begin');
  await sink.query('insert into public.deliveries (id) select unnest($1::int[])', [ids]);
  await sink.query('insert into public.sink (id) select unnest($1::int[]) on conflict do nothing', [ids]);
  await sink.query('commit');
  capture.ack(batch.lsn);
}
