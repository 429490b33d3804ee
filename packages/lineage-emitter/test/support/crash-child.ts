// Run by crash-recovery.test.ts with `node` (Node strips the types): emits runs into the emitter as fast as
// it can and prints one line per emit() that resolved, until the test kills it with SIGKILL.
import { HttpTransport, LineageEmitter, OpenLineage } from '../../src/index.ts';

const [spoolDir, url] = process.argv.slice(2);
if (!spoolDir || !url) throw new Error('usage: crash-child.ts <spoolDir> <collectorUrl>');

const ol = new OpenLineage({
  producer: 'https://github.com/data-spine/data-spine/tree/main/packages/lineage-emitter',
});
const emitter = await LineageEmitter.open({
  spoolDir,
  transport: new HttpTransport({ url, timeoutMs: 2_000 }),
  retry: { initialMs: 20, maxMs: 200 },
});
process.stdout.write(`open ${process.pid}\n`);
for (let i = 0; ; i++) {
  const run = ol.run({ namespace: 'crash-test', name: `job-${i}` });
  for (const event of [run.start(), run.complete()]) {
    await emitter.emit(event);
    process.stdout.write(`acked ${run.runId} ${event.eventType}\n`);
  }
}
