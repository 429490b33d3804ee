import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import type { ChainHead } from './audit-store.ts';
import type { ChainSink, ChainedTransaction, Written } from './chain-writer.ts';
import type { EntryLines } from './entry-lines.ts';

/** What the writer thread starts from (its `workerData`). */
export interface WriterThreadData {
  url: string;
  max: number;
  role: string | null;
  privateKey: KeyObject;
  checkpointEvery: number;
  checkpointIntervalMs: number;
  logLevel: string;
}

/** Requests to the writer thread; each names the call (or the transaction) it belongs to. */
export type WriterRequest =
  | { t: 'write'; id: number; lines: EntryLines; head: ChainHead | null }
  | { t: 'open'; id: number; head: ChainHead | null }
  | { t: 'chunk'; id: number; lines: EntryLines }
  | { t: 'commit'; id: number }
  | { t: 'abort'; id: number }
  | { t: 'close'; id: number };

/** The answer to a write, commit, abort or close (`head` only for a write or commit). */
export type WriterReply =
  | { id: number; ok: true; count: number; head: ChainHead | null }
  | { id: number; ok: false; message: string; code?: string };

/** A failure the writer thread reported (a Postgres error keeps its SQLSTATE `code`). */
export class WriterThreadError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

const RESTART_AFTER_MS = 5_000;

const written = (w: Written | null): Written => {
  if (w === null) throw new WriterThreadError('the audit writer thread answered a write without a head');
  return w;
};

interface Waiting {
  resolve: (w: Written | null) => void;
  reject: (err: Error) => void;
}

/**
 * The audit chain written on a thread of its own (`writer-thread-main.ts`): filling in each record,
 * hashing it and sending it to Postgres is most of an append's CPU, and the thread does it while the
 * main thread decides and answers. Entries cross as bytes, each record canonical already but for its
 * prev_hash and seq (`EntryLines`).
 * If the thread dies, what it had in hand is refused (its transaction rolls back) and the next append
 * starts a new one, which reads the chain head again.
 */
export class WriterThread implements ChainSink {
  private readonly data: WriterThreadData;
  private readonly onLost: (err: Error) => void;
  private worker: Worker | null = null;
  /** When a thread last stopped unasked (0: never); for a while after, writes stay on the main thread. */
  private lostAt = 0;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;

  /** `onLost` hears of each thread that died or exited unasked (its waiting calls are refused). */
  constructor(data: WriterThreadData, onLost: (err: Error) => void = () => undefined) {
    this.data = data;
    this.onLost = onLost;
    // Started now, so the first decision does not wait for the thread to load.
    this.thread();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./writer-thread-main.ts', import.meta.url), { workerData: this.data });
    worker.on('message', (m: WriterReply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) worker.unref();
      if (m.ok) w.resolve(m.head === null ? null : { count: m.count, head: m.head });
      else w.reject(new WriterThreadError(m.message, m.code));
    });
    const lost = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (!this.closed) {
        this.lostAt = Date.now();
        this.onLost(err);
      }
      const waiting = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of waiting) w.reject(err);
    };
    worker.on('error', (err: Error) =>
      lost(new WriterThreadError(`the audit writer thread failed: ${err.message}`)),
    );
    worker.on('exit', (code) => lost(new WriterThreadError(`the audit writer thread exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /**
   * Whether to give it writes: not for `RESTART_AFTER_MS` after a thread stopped unasked, so a thread
   * that cannot start or keeps failing costs no more than the main thread writing (which it does then).
   */
  get available(): boolean {
    return !this.closed && (this.lostAt === 0 || Date.now() - this.lostAt >= RESTART_AFTER_MS);
  }

  private post(request: WriterRequest): void {
    this.thread().postMessage(request);
  }

  /** Posts a request and waits for its answer. */
  private call(request: WriterRequest): Promise<Written | null> {
    if (this.closed) return Promise.reject(new WriterThreadError('the audit writer is closed'));
    const worker = this.thread();
    return new Promise<Written | null>((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject });
      // Referenced while an answer is awaited, so the process waits for it.
      worker.ref();
      worker.postMessage(request);
    });
  }

  async write(lines: EntryLines, head: ChainHead | null): Promise<Written> {
    return written(await this.call({ t: 'write', id: this.nextId++, lines, head }));
  }

  /** Opens a transaction on the thread; a failure to open shows at commit. */
  async open(head: ChainHead | null): Promise<ChainedTransaction> {
    if (this.closed) throw new WriterThreadError('the audit writer is closed');
    const id = this.nextId++;
    const worker = this.thread();
    this.post({ t: 'open', id, head });
    return {
      add: (lines) => {
        // The thread that opened the transaction is gone: the commit will say so.
        if (this.worker === worker) worker.postMessage({ t: 'chunk', id, lines } satisfies WriterRequest);
      },
      commit: async () => {
        if (this.worker !== worker)
          throw new WriterThreadError('the audit writer thread was restarted mid-transaction');
        return written(await this.call({ t: 'commit', id }));
      },
      abort: async () => {
        if (this.worker === worker) await this.call({ t: 'abort', id });
      },
    };
  }

  /** Lets the thread finish what it was given, close its sessions and exit. */
  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    if (worker) {
      const exited = new Promise((r) => worker.once('exit', r));
      await this.call({ t: 'close', id: this.nextId++ }).catch(() => undefined);
      this.closed = true;
      await exited;
    }
    this.closed = true;
  }
}
