import type { SignedCheckpoint } from './audit-record.ts';
import { GENESIS_HASH } from './audit-record.ts';
import type { AuditStore, ChainHead, ChunkedAppend } from './audit-store.ts';
import { signCheckpoint } from './checkpoint.ts';
import { joinLines } from './entry-lines.ts';
import type { EntryLines } from './entry-lines.ts';
import { RowBlockBuilder } from './row-block.ts';
import type { RowBlock } from './row-block.ts';
import type { SigningKey } from './signing-key.ts';

export interface ChainWriterOptions {
  store: AuditStore;
  key: SigningKey;
  checkpointEvery: number;
  checkpointIntervalMs: number;
}

/** What a write committed: how many records, and the chain head after them. */
export interface Written {
  count: number;
  head: ChainHead;
}

/** One transaction of appends fed chunk by chunk (a large batch of decisions). */
export interface ChainedTransaction {
  /** Chains the chunk's entries after the ones before and sends their insert at once. */
  add(lines: EntryLines): void;
  commit(): Promise<Written>;
  abort(): Promise<void>;
}

/**
 * What the audit log asks of whoever writes the chain: this class, or its proxy on another thread. The
 * log keeps the head between writes and passes it in (null: unknown, read it from Postgres), so writers
 * on two threads can take turns on one chain.
 */
export interface ChainSink {
  write(lines: EntryLines, head: ChainHead | null): Promise<Written>;
  open(head: ChainHead | null): Promise<ChainedTransaction>;
  close(): Promise<void>;
}

/** Where the chain stands while records are being placed in it. */
interface ChainCursor {
  seq: number;
  prev: string;
}

/**
 * Another gate appended to the same database since our head was read: its block holds our seqs (23505 on
 * the first seq, 23P01 on an overlap), or two transactions each wait on the other's rows (40P01). Either
 * way, read the head again and chain anew.
 */
const lostRace = (err: unknown) => {
  const code = (err as { code?: string }).code;
  return code === '23505' || code === '23P01' || code === '40P01';
};

/**
 * Places entries in the hash chain and writes them: each record's canonical form with its seq and the
 * previous record's hash, hashed (SHA-256), and a signed checkpoint when one is due. Seqs are unique in
 * Postgres: if another gate appended to the same database meanwhile, the insert fails, the head is read
 * again and the records are chained anew, so the chain never forks. Writes are given one at a time.
 */
export class ChainWriter implements ChainSink {
  private readonly o: ChainWriterOptions;

  constructor(o: ChainWriterOptions) {
    this.o = o;
  }

  /** Places the entries after `at` (which it advances): their rows, hashed. */
  private chain(lines: EntryLines, at: ChainCursor): RowBlock {
    const block = new RowBlockBuilder(at.seq + 1, lines);
    for (let i = 0; i < lines.count; i++) {
      at.seq += 1;
      at.prev = block.add(lines, i, at.prev);
    }
    return block.build();
  }

  /** The checkpoint due once the chain reaches `at`, signed; null when none is due. */
  private checkpointAt(head: ChainHead, at: ChainCursor, now: number): SignedCheckpoint | null {
    const since = at.seq - head.checkpointSeq;
    const due =
      at.seq > 0 &&
      (since >= this.o.checkpointEvery ||
        (since > 0 && now - head.checkpointAt >= this.o.checkpointIntervalMs));
    if (!due) return null;
    return signCheckpoint(this.o.key, {
      type: 'checkpoint',
      seq: at.seq,
      hash: at.prev,
      timestamp: new Date(now).toISOString(),
    });
  }

  /** The head once what was chained up to `at` is committed. */
  private advance(
    head: ChainHead,
    at: ChainCursor,
    checkpoint: SignedCheckpoint | null,
    now: number,
  ): ChainHead {
    return {
      seq: at.seq,
      hash: at.prev,
      checkpointSeq: checkpoint ? at.seq : head.checkpointSeq,
      checkpointAt: checkpoint ? now : head.checkpointAt,
    };
  }

  /** Appends entries after `known` in one statement (none: a checkpoint if one is due). */
  async write(lines: EntryLines, known: ChainHead | null): Promise<Written> {
    let read = known;
    for (let attempt = 0; ; attempt++) {
      const head = read ?? (await this.o.store.readHead());
      const at: ChainCursor = { seq: head.seq, prev: head.hash ?? GENESIS_HASH };
      const block = this.chain(lines, at);
      const now = Date.now();
      const checkpoint = this.checkpointAt(head, at, now);
      if (block.count === 0 && checkpoint === null) return { count: 0, head };
      try {
        await this.o.store.append(block, checkpoint);
      } catch (err) {
        if (!lostRace(err) || attempt >= 5) throw err;
        // Another gate appended since our head was read: read it again and recompute the chain.
        read = null;
        continue;
      }
      return { count: lines.count, head: this.advance(head, at, checkpoint, now) };
    }
  }

  /**
   * One transaction whose inserts are sent as the chunks come. If it fails because another gate appended
   * meanwhile, every entry is written again from the new head by `write`, which retries.
   */
  async open(known: ChainHead | null): Promise<ChainedTransaction> {
    const head = known ?? (await this.o.store.readHead());
    const at: ChainCursor = { seq: head.seq, prev: head.hash ?? GENESIS_HASH };
    const tx: ChunkedAppend = await this.o.store.openAppend();
    const drawn: EntryLines[] = [];
    let count = 0;
    return {
      add: (lines) => {
        drawn.push(lines);
        count += lines.count;
        tx.add(this.chain(lines, at));
      },
      commit: async () => {
        const now = Date.now();
        const checkpoint = this.checkpointAt(head, at, now);
        try {
          await tx.commit(checkpoint);
        } catch (err) {
          if (lostRace(err)) return this.write(joinLines(drawn), null);
          throw err;
        }
        return { count, head: this.advance(head, at, checkpoint, now) };
      },
      abort: () => tx.abort(),
    };
  }

  /** The store is its owner's to close. */
  async close(): Promise<void> {}
}
