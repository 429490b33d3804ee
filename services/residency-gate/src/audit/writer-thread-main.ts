/**
 * The audit writer thread (see `WriterThread`): a `ChainWriter` over sessions of its own. Requests are
 * handled one after another, in the order they were posted, as the chain requires.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '@data-spine/service-kit';
import { AuditStore } from './audit-store.ts';
import { ChainWriter } from './chain-writer.ts';
import type { ChainedTransaction } from './chain-writer.ts';
import { signingKeyFrom } from './signing-key.ts';
import type { WriterReply, WriterRequest, WriterThreadData } from './writer-thread.ts';

const data = workerData as WriterThreadData;
if (!parentPort) throw new Error('writer-thread-main.ts runs as a worker thread');
const port = parentPort;

const log = createLogger({ service: 'residency-gate', level: data.logLevel }).child({
  component: 'audit-writer',
});
const store = new AuditStore(data.url, { log, max: data.max, role: data.role });
const writer = new ChainWriter({
  store,
  key: signingKeyFrom(data.privateKey),
  checkpointEvery: data.checkpointEvery,
  checkpointIntervalMs: data.checkpointIntervalMs,
});

/** Open transactions by id; a failed one keeps its error until its commit reports it. */
const open = new Map<number, ChainedTransaction | Error>();

const reply = (r: WriterReply) => port.postMessage(r);
const failure = (id: number, err: unknown): WriterReply => ({
  id,
  ok: false,
  message: err instanceof Error ? err.message : String(err),
  ...(typeof (err as { code?: unknown }).code === 'string' ? { code: (err as { code: string }).code } : {}),
});

async function handle(r: WriterRequest): Promise<void> {
  switch (r.t) {
    case 'write':
      try {
        const w = await writer.write(r.lines, r.head);
        reply({ id: r.id, ok: true, count: w.count, head: w.head });
      } catch (err) {
        reply(failure(r.id, err));
      }
      return;
    case 'open':
      try {
        open.set(r.id, await writer.open(r.head));
      } catch (err) {
        open.set(r.id, err instanceof Error ? err : new Error(String(err)));
      }
      return;
    case 'chunk': {
      const tx = open.get(r.id);
      if (tx === undefined || tx instanceof Error) return;
      try {
        tx.add(r.lines);
      } catch (err) {
        open.set(r.id, err instanceof Error ? err : new Error(String(err)));
        await tx.abort().catch(() => undefined);
      }
      return;
    }
    case 'commit': {
      const tx = open.get(r.id);
      open.delete(r.id);
      if (tx === undefined) reply(failure(r.id, new Error('no such audit transaction')));
      else if (tx instanceof Error) reply(failure(r.id, tx));
      else
        try {
          const w = await tx.commit();
          reply({ id: r.id, ok: true, count: w.count, head: w.head });
        } catch (err) {
          reply(failure(r.id, err));
        }
      return;
    }
    case 'abort': {
      const tx = open.get(r.id);
      open.delete(r.id);
      if (tx !== undefined && !(tx instanceof Error)) await tx.abort().catch(() => undefined);
      reply({ id: r.id, ok: true, count: 0, head: null });
      return;
    }
    case 'close':
      await store.close().catch((err: unknown) => log.warn({ err }, 'closing the audit sessions failed'));
      reply({ id: r.id, ok: true, count: 0, head: null });
      port.close();
      return;
  }
}

let tail: Promise<void> = Promise.resolve();
port.on('message', (r: WriterRequest) => {
  // `handle` answers its own failures; anything else is logged, and the requests after it still run.
  tail = tail
    .then(() => handle(r))
    .catch((err: unknown) => log.error({ err, request: r.t }, 'audit writer request failed'));
});
