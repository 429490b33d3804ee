import type { SignedCheckpoint } from './audit-record.ts';
import { GENESIS_HASH } from './audit-record.ts';
import type { AuditStore, ChainHead, ChunkedAppend } from './audit-store.ts';
import { signCheckpoint } from './checkpoint.ts';
import { joinLines, lineRecord, splitLines } from './entry-lines.ts';
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

/** One transaction of appends fed chunk by chunk (a large batch of decisions). */
export interface ChainedTransaction {
  /** Chains the chunk's entries after the ones before and sends their insert at once. */
  add(lines: EntryLines): void;
  /** Commits; resolves to the number of records written. */
  commit(): Promise<number>;
  abort(): Promise<void>;
}

/** What the audit log asks of whoever writes the chain: this class, or its proxy on another thread. */
export interface ChainSink {
  write(lines: EntryLines): Promise<number>;
  open(): Promise<ChainedTransaction>;
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
 * previous record's hash, hashed (SHA-256), and a signed checkpoint when one is due. The sequence number
 * is the primary key: if another gate appended to the same database meanwhile, the insert fails, the head
 * is read again and the records are chained anew, so the chain never forks. One writer per audit log, so
 * appends are chained one after another.
 */
export class ChainWriter implements ChainSink {
  private readonly o: ChainWriterOptions;
  /** The chain head as this writer last committed or read it; null: read it before the next append. */
  private chainHead: ChainHead | null = null;

  constructor(o: ChainWriterOptions) {
    this.o = o;
  }

  /** Places the entries after `at` (which it advances): their rows, hashed. */
  private chain(lines: EntryLines, at: ChainCursor): RowBlock {
    const members = splitLines(lines);
    const block = new RowBlockBuilder(at.seq + 1, lines.count);
    for (let i = 0; i < lines.count; i++) {
      at.seq += 1;
      at.prev = block.add(lineRecord(members, i, at.seq, at.prev));
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

  /** Records what was committed as the new head. */
  private advance(head: ChainHead, at: ChainCursor, checkpoint: SignedCheckpoint | null, now: number): void {
    this.chainHead = {
      seq: at.seq,
      hash: at.prev,
      checkpointSeq: checkpoint ? at.seq : head.checkpointSeq,
      checkpointAt: checkpoint ? now : head.checkpointAt,
    };
  }

  /** Appends entries in one statement (none: a checkpoint if one is due); returns how many. */
  async write(lines: EntryLines): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      this.chainHead ??= await this.o.store.readHead();
      const head = this.chainHead;
      const at: ChainCursor = { seq: head.seq, prev: head.hash ?? GENESIS_HASH };
      const block = this.chain(lines, at);
      const now = Date.now();
      const checkpoint = this.checkpointAt(head, at, now);
      if (block.count === 0 && checkpoint === null) return 0;
      try {
        await this.o.store.append(block, checkpoint);
      } catch (err) {
        this.chainHead = null;
        // Another gate appended since our head was read: read it again and recompute the chain.
        if (lostRace(err) && attempt < 5) continue;
        throw err;
      }
      this.advance(head, at, checkpoint, now);
      return lines.count;
    }
  }

  /**
   * One transaction whose inserts are sent as the chunks come. If it fails because another gate appended
   * meanwhile, every entry is written again from the new head by `write`, which retries.
   */
  async open(): Promise<ChainedTransaction> {
    this.chainHead ??= await this.o.store.readHead();
    const head = this.chainHead;
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
          this.chainHead = null;
          if (lostRace(err)) return this.write(joinLines(drawn));
          throw err;
        }
        this.advance(head, at, checkpoint, now);
        return count;
      },
      abort: () => tx.abort(),
    };
  }

  /** The store is its owner's to close. */
  async close(): Promise<void> {}
}
