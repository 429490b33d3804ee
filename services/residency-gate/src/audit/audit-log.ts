import type { Logger } from '@data-spine/service-kit';
import { Histogram, Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { AuditEntry, ChainedRecord, SignedCheckpoint } from './audit-record.ts';
import { GENESIS_HASH, recordHash } from './audit-record.ts';
import { signCheckpoint } from './checkpoint.ts';
import type { SigningKey } from './signing-key.ts';
import type { AuditStore, ChainHead, NewRow } from './audit-store.ts';
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
    if (this.closed) return Promise.reject(new AuditUnavailableError('the audit log is closed'));
    if (this.queued + entries.length > this.maxQueue)
      return Promise.reject(
        new AuditUnavailableError(`the audit log has ${this.queued} records waiting; retry shortly`),
      );
    const t0 = performance.now();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        entries,
        resolve: () => {
          this.appendSeconds?.observe((performance.now() - t0) / 1000);
          resolve();
        },
        reject,
      });
      this.queued += entries.length;
      this.running ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch: Pending[] = [];
        let n = 0;
        while (
          this.queue.length > 0 &&
          (n === 0 || n + (this.queue[0] as Pending).entries.length <= this.maxBatch)
        ) {
          const p = this.queue.shift() as Pending;
          batch.push(p);
          n += p.entries.length;
        }
        this.queued -= n;
        try {
          await this.write(batch.flatMap((p) => p.entries));
          this.appended?.inc(n);
          for (const p of batch) p.resolve();
        } catch (err) {
          this.failures?.inc();
          this.log.error({ err, records: n }, 'audit append failed; the decisions are not answered');
          const e = new AuditUnavailableError('the audit log could not be written', { cause: err });
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.running = null;
    }
  }

  private async write(entries: AuditEntry[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      this.chainHead ??= await this.store.readHead();
      const head = this.chainHead;
      let seq = head.seq;
      let prev = head.hash ?? GENESIS_HASH;
      const rows: NewRow[] = [];
      for (const e of entries) {
        seq += 1;
        const record: ChainedRecord = { ...e, seq, prev_hash: prev };
        const { canonical, hash } = recordHash(record);
        rows.push({ seq, decisionId: e.decision_id, ts: e.timestamp, record: canonical, hash });
        prev = hash;
      }
      const since = seq - head.checkpointSeq;
      const now = Date.now();
      const due =
        seq > 0 &&
        (since >= this.checkpointEvery ||
          (since > 0 && now - head.checkpointAt >= this.checkpointIntervalMs));
      if (rows.length === 0 && !due) return;
      const checkpoint = due
        ? signCheckpoint(this.key, {
            type: 'checkpoint',
            seq,
            hash: prev,
            timestamp: new Date(now).toISOString(),
          })
        : null;
      try {
        await this.store.append(rows, checkpoint);
      } catch (err) {
        this.chainHead = null;
        // Another gate appended since our head was read: read it again and recompute the chain.
        if ((err as { code?: string }).code === '23505' && attempt < 5) continue;
        throw err;
      }
      this.chainHead = {
        seq,
        hash: prev,
        checkpointSeq: checkpoint ? seq : head.checkpointSeq,
        checkpointAt: checkpoint ? now : head.checkpointAt,
      };
      return;
    }
  }

  /** A head line for an export: the chain head at `seq`, signed now. */
  head(seq: number, hash: string): SignedCheckpoint {
    return signCheckpoint(this.key, { type: 'head', seq, hash, timestamp: new Date().toISOString() });
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
