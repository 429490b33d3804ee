import type { Logger } from '@data-spine/service-kit';
import { Histogram, Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { AuditEntry, ExportRange, SignedCheckpoint } from './audit-record.ts';
import { GENESIS_HASH } from './audit-record.ts';
import { canonicalRecord } from './record-json.ts';
import { RowBlockBuilder } from './row-block.ts';
import type { RowBlock } from './row-block.ts';
import { signCheckpoint } from './checkpoint.ts';
import type { SigningKey } from './signing-key.ts';
import type { AuditStore, ChainHead } from './audit-store.ts';
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
}

interface Pending {
  entries: AuditEntry[];
  /** Entries produced a chunk at a time (`appendChunks`); `entries` is then empty until they are drawn. */
  chunks?: AsyncIterable<AuditEntry[]>;
  /** Records this append counts for in `queued`. */
  count: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Where the chain stands while records are being placed in it. */
interface ChainCursor {
  seq: number;
  prev: string;
}

/**
 * Another gate appended to the same database since our head was read: its rows hold our seqs (23505), or
 * two transactions each wait on the other's rows (40P01). Either way, read the head again and chain anew.
 */
const lostRace = (err: unknown) => {
  const code = (err as { code?: string }).code;
  return code === '23505' || code === '40P01';
};

export class AuditUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The append side of the audit log, with group commit: appends that arrive while a transaction is in
 * flight go together in the next one (one statement, one commit), so a decision is answered only after
 * its record is committed, and many decisions share one commit. The sequence number is the primary key:
 * if another gate appended to the same database meanwhile, the append fails, the head is read again and
 * the records are chained anew, so the chain never forks.
 */
export class AuditLog {
  private readonly store: AuditStore;
  private readonly key: SigningKey;
  private readonly log: Logger;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly checkpointEvery: number;
  private readonly checkpointIntervalMs: number;
  private queue: Pending[] = [];
  private queued = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly appendSeconds: Histogram | undefined;
  private readonly appended: Counter | undefined;
  private readonly failures: Counter | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The chain head as this gate last committed or read it; null: read it before the next append. */
  private chainHead: ChainHead | null = null;

  constructor(o: AuditLogOptions) {
    this.store = o.store;
    this.key = o.key;
    this.log = o.log.child({ component: 'audit' });
    this.maxBatch = o.maxBatch ?? 2_000;
    this.maxQueue = o.maxQueue ?? 200_000;
    this.checkpointEvery = o.checkpointEvery ?? 1_000;
    this.checkpointIntervalMs = o.checkpointIntervalMs ?? 10_000;
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
    this.timer = setInterval(() => void this.append([]).catch(() => undefined), this.checkpointIntervalMs);
    this.timer.unref();
  }

  /** Resolves once every entry is committed, in order, in the chain; rejects if they are not. */
  append(entries: AuditEntry[]): Promise<void> {
    return this.enqueue(entries, entries.length);
  }

  /**
   * Appends entries a caller produces chunk by chunk (a large batch of decisions), in one transaction:
   * each chunk is chained and sent to Postgres as soon as it is drawn, so the next one is computed while
   * Postgres stores this one. Resolves once all are committed. `count` bounds the queue as `append` does.
   */
  appendChunks(chunks: AsyncIterable<AuditEntry[]>, count: number): Promise<void> {
    return this.enqueue([], count, chunks);
  }

  private enqueue(entries: AuditEntry[], count: number, chunks?: AsyncIterable<AuditEntry[]>): Promise<void> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('the audit log is closed'));
    if (this.queued + count > this.maxQueue)
      return Promise.reject(
        new AuditUnavailableError(`the audit log has ${this.queued} records waiting; retry shortly`),
      );
    const t0 = performance.now();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        entries,
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
            (n === 0 || n + (this.queue[0] as Pending).entries.length <= this.maxBatch)
          ) {
            const p = this.queue.shift() as Pending;
            batch.push(p);
            n += p.entries.length;
          }
        const streamed = batch[0]?.chunks;
        const count = batch.reduce((a, p) => a + p.count, 0);
        try {
          const written = streamed
            ? await this.writeChunks(streamed)
            : await this.write(batch.flatMap((p) => p.entries));
          this.appended?.inc(written);
          for (const p of batch) p.resolve();
        } catch (err) {
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

  /** Places entries in the chain after `at` (which it advances): their rows, hashed. */
  private chain(entries: readonly AuditEntry[], at: ChainCursor): RowBlock {
    const block = new RowBlockBuilder(at.seq + 1, entries.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as AuditEntry;
      at.seq += 1;
      at.prev = block.add(
        e.decision_id,
        e.timestamp,
        canonicalRecord({ ...e, seq: at.seq, prev_hash: at.prev }),
      );
    }
    return block.build();
  }

  /** The checkpoint due once the chain reaches `at`, signed; null when none is due. */
  private checkpointAt(head: ChainHead, at: ChainCursor, now: number): SignedCheckpoint | null {
    const since = at.seq - head.checkpointSeq;
    const due =
      at.seq > 0 &&
      (since >= this.checkpointEvery || (since > 0 && now - head.checkpointAt >= this.checkpointIntervalMs));
    if (!due) return null;
    return signCheckpoint(this.key, {
      type: 'checkpoint',
      seq: at.seq,
      hash: at.prev,
      timestamp: new Date(now).toISOString(),
    });
  }

  /** Records what was committed as the new head. */
  private advance(head: ChainHead, at: ChainCursor, checkpoint: SignedCheckpoint | null, now: number): void {
    this.chainHead = {
      seq: at.seq,
      hash: at.prev,
      checkpointSeq: checkpoint ? at.seq : head.checkpointSeq,
      checkpointAt: checkpoint ? now : head.checkpointAt,
    };
  }

  /** Appends entries in one statement; returns how many. */
  private async write(entries: AuditEntry[]): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      this.chainHead ??= await this.store.readHead();
      const head = this.chainHead;
      const at: ChainCursor = { seq: head.seq, prev: head.hash ?? GENESIS_HASH };
      const block = this.chain(entries, at);
      const now = Date.now();
      const checkpoint = this.checkpointAt(head, at, now);
      if (block.count === 0 && checkpoint === null) return 0;
      try {
        await this.store.append(block, checkpoint);
      } catch (err) {
        this.chainHead = null;
        // Another gate appended since our head was read: read it again and recompute the chain.
        if (lostRace(err) && attempt < 5) continue;
        throw err;
      }
      this.advance(head, at, checkpoint, now);
      return entries.length;
    }
  }

  /**
   * Appends entries drawn chunk by chunk, in one transaction whose inserts are sent as the chunks come.
   * If the transaction fails because another gate appended meanwhile, every entry is written again from
   * the new head by `write`, which retries; an error of the producer itself aborts everything.
   */
  private async writeChunks(chunks: AsyncIterable<AuditEntry[]>): Promise<number> {
    this.chainHead ??= await this.store.readHead();
    const head = this.chainHead;
    const at: ChainCursor = { seq: head.seq, prev: head.hash ?? GENESIS_HASH };
    const tx = await this.store.openAppend();
    const drawn: AuditEntry[][] = [];
    let count = 0;
    try {
      for await (const chunk of chunks) {
        drawn.push(chunk);
        count += chunk.length;
        tx.add(this.chain(chunk, at));
      }
    } catch (err) {
      await tx.abort();
      throw err;
    }
    const now = Date.now();
    const checkpoint = this.checkpointAt(head, at, now);
    try {
      await tx.commit(checkpoint);
    } catch (err) {
      this.chainHead = null;
      if (lostRace(err)) return this.write(drawn.flat());
      throw err;
    }
    this.advance(head, at, checkpoint, now);
    return count;
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
  }
}
