import type { Logger } from '@data-spine/service-kit';
import { Histogram, Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { AuditEntry, ExportRange, SignedCheckpoint } from './audit-record.ts';
import { ChainWriter } from './chain-writer.ts';
import type { ChainSink, Written } from './chain-writer.ts';
import { EMPTY_LINES, entryLines, joinLines } from './entry-lines.ts';
import type { EntryLines } from './entry-lines.ts';
import { signCheckpoint } from './checkpoint.ts';
import type { SigningKey } from './signing-key.ts';
import type { AuditStore, ChainHead } from './audit-store.ts';
import { WriterThread } from './writer-thread.ts';
import { METRICS } from '../metric-names.ts';

export interface AuditLogOptions {
  store: AuditStore;
  key: SigningKey;
  log: Logger;
  registry?: Registry;
  /** Records per transaction at most. */
  maxBatch?: number;
  /** Appends waiting at most; beyond, append refuses (the decision is not answered). */
  maxQueue?: number;
  checkpointEvery?: number;
  checkpointIntervalMs?: number;
  /**
   * Where records are chained, hashed and written. 'thread' (default): a write of `threadFrom` records or
   * more (a large batch, or many decisions in one group commit) goes to a worker thread with sessions of
   * its own, so the main thread decides and answers meanwhile; smaller ones stay on this thread, where
   * they are answered sooner. 'inline': all on this thread, with the store given.
   */
  writer?: 'thread' | 'inline';
  /** The fewest records a write takes to the writer thread (default 64). */
  threadFrom?: number;
  /** The writer thread's log level. */
  logLevel?: string;
}

/** Entries as objects, or already as lines (what the decision service hands over). */
export type Appendable = readonly AuditEntry[] | EntryLines;

const asLines = (a: Appendable): EntryLines => ('marks' in a ? a : entryLines(a));

interface Pending {
  lines: EntryLines;
  /** Entries produced a chunk at a time (`appendChunks`); `lines` is then empty. */
  chunks?: AsyncIterable<Appendable>;
  /** Records this append counts for in `queued`. */
  count: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class AuditUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The append side of the audit log, with group commit: appends that arrive while a transaction is in
 * flight go together in the next one (one statement, one commit), so a decision is answered only after
 * its record is committed, and many decisions share one commit. The chain itself is the `ChainWriter`'s
 * (large writes on a thread of their own by default): seqs, hashes, checkpoints, and a new head when
 * another gate appended. Writes are one at a time, each from the head the one before left.
 */
export class AuditLog {
  private readonly inline: ChainSink;
  private readonly thread: WriterThread | null;
  private readonly threadFrom: number;
  /** The chain head after the last write; null: unknown (at start, after a failure), read it anew. */
  private chainHead: ChainHead | null = null;
  private readonly key: SigningKey;
  private readonly log: Logger;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private queue: Pending[] = [];
  private queued = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly appendSeconds: Histogram | undefined;
  private readonly appended: Counter | undefined;
  private readonly failures: Counter | undefined;
  private readonly writerRestarts: Counter | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(o: AuditLogOptions) {
    this.key = o.key;
    this.log = o.log.child({ component: 'audit' });
    this.maxBatch = o.maxBatch ?? 2_000;
    this.maxQueue = o.maxQueue ?? 200_000;
    const checkpointEvery = o.checkpointEvery ?? 1_000;
    const checkpointIntervalMs = o.checkpointIntervalMs ?? 10_000;
    this.inline = new ChainWriter({ store: o.store, key: o.key, checkpointEvery, checkpointIntervalMs });
    this.thread =
      o.writer === 'inline'
        ? null
        : new WriterThread(
            {
              ...o.store.connection,
              // One write at a time: a session, and the pipelined one.
              max: 1,
              privateKey: o.key.privateKey,
              checkpointEvery,
              checkpointIntervalMs,
              logLevel: o.logLevel ?? 'warn',
            },
            (err) => {
              this.writerRestarts?.inc();
              this.log.error(
                { err },
                'the audit writer thread stopped; its appends are refused, and the main thread writes for 5 s before a new one starts',
              );
            },
          );
    this.threadFrom = o.threadFrom ?? 64;
    if (o.registry) {
      const registers = [o.registry];
      this.appendSeconds = new Histogram({
        name: METRICS.auditAppendSeconds,
        help: 'Time from an audit append to its commit (group commit included).',
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
        registers,
      });
      this.appended = new Counter({
        name: METRICS.auditAppends,
        help: 'Audit records committed.',
        registers,
      });
      this.writerRestarts = new Counter({
        name: METRICS.auditWriterRestarts,
        help: 'Audit writer threads that stopped unasked (their appends were refused; a new one starts).',
        registers,
      });
      this.failures = new Counter({
        name: METRICS.auditFailures,
        help: 'Audit transactions that failed (their decisions were not answered).',
        registers,
      });
      const queued = () => this.queued;
      new Gauge({
        name: METRICS.auditQueue,
        help: 'Audit records waiting for their commit.',
        registers,
        collect() {
          this.set(queued());
        },
      });
    }
    // A checkpoint also when traffic stops, so the head is signed within the interval.
    this.timer = setInterval(() => void this.append([]).catch(() => undefined), checkpointIntervalMs);
    this.timer.unref();
  }

  /** Resolves once every entry is committed, in order, in the chain; rejects if they are not. */
  append(entries: Appendable): Promise<void> {
    const lines = asLines(entries);
    return this.enqueue(lines, lines.count);
  }

  /**
   * Appends entries a caller produces chunk by chunk (a large batch of decisions), in one transaction:
   * each chunk is chained and sent to Postgres as soon as it is drawn, so the next one is computed while
   * Postgres stores this one. Resolves once all are committed. `count` bounds the queue as `append` does.
   */
  appendChunks(chunks: AsyncIterable<Appendable>, count: number): Promise<void> {
    return this.enqueue(EMPTY_LINES, count, chunks);
  }

  private enqueue(lines: EntryLines, count: number, chunks?: AsyncIterable<Appendable>): Promise<void> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('the audit log is closed'));
    if (this.queued + count > this.maxQueue)
      return Promise.reject(
        new AuditUnavailableError(`the audit log has ${this.queued} records waiting; retry shortly`),
      );
    const t0 = performance.now();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        lines,
        ...(chunks ? { chunks } : {}),
        count,
        resolve: () => {
          this.appendSeconds?.observe((performance.now() - t0) / 1000);
          resolve();
        },
        reject,
      });
      this.queued += count;
      this.running ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch: Pending[] = [];
        let n = 0;
        if ((this.queue[0] as Pending).chunks) batch.push(this.queue.shift() as Pending);
        else
          while (
            this.queue.length > 0 &&
            !(this.queue[0] as Pending).chunks &&
            (n === 0 || n + (this.queue[0] as Pending).lines.count <= this.maxBatch)
          ) {
            const p = this.queue.shift() as Pending;
            batch.push(p);
            n += p.lines.count;
          }
        const streamed = batch[0]?.chunks;
        const count = batch.reduce((a, p) => a + p.count, 0);
        try {
          let written: Written;
          if (streamed) written = await this.writeChunks(streamed);
          else {
            const lines = joinLines(batch.map((p) => p.lines));
            written = await this.writer(lines.count).write(lines, this.chainHead);
          }
          this.chainHead = written.head;
          this.appended?.inc(written.count);
          for (const p of batch) p.resolve();
        } catch (err) {
          this.chainHead = null;
          this.failures?.inc();
          this.log.error({ err, records: count }, 'audit append failed; the decisions are not answered');
          const e = new AuditUnavailableError('the audit log could not be written', { cause: err });
          for (const p of batch) p.reject(e);
        } finally {
          this.queued -= count;
        }
      }
    } finally {
      this.running = null;
    }
  }

  /** Who writes `count` records. */
  private writer(count: number): ChainSink {
    return this.thread?.available === true && count >= this.threadFrom ? this.thread : this.inline;
  }

  /**
   * Writes entries drawn chunk by chunk in one transaction, each chunk sent as soon as it is drawn, so
   * the next one is computed while this one is stored. An error of the producer aborts everything.
   */
  private async writeChunks(chunks: AsyncIterable<Appendable>): Promise<Written> {
    const tx = await this.writer(Infinity).open(this.chainHead);
    try {
      for await (const chunk of chunks) tx.add(asLines(chunk));
    } catch (err) {
      await tx.abort().catch(() => undefined);
      throw err;
    }
    return tx.commit();
  }

  /** A head line for an export: the range it covers and the chain head at its end, signed now. */
  head(range: ExportRange): SignedCheckpoint {
    return signCheckpoint(this.key, {
      type: 'head',
      seq: range.lastSeq,
      hash: range.lastHash,
      timestamp: new Date().toISOString(),
      first_seq: range.firstSeq,
      first_prev_hash: range.firstPrevHash,
      checkpoints: range.checkpoints,
    });
  }

  get publicKey(): { key_id: string; public_key: string } {
    return { key_id: this.key.keyId, public_key: this.key.publicKeyBase64 };
  }

  /** Waits for what is queued, then refuses new appends. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.closed = true;
    while (this.running) await this.running;
    await this.thread?.close();
  }
}
