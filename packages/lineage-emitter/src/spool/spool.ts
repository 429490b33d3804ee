import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LineageEmitterError } from '../errors.ts';
import { acquireSpoolLock } from './spool-lock.ts';
import { entryFileName, parseEntryFileName } from './spool-entry.ts';
import type { EntryKind, SpoolEntry } from './spool-entry.ts';

export interface SpoolOptions {
  /** fsync each event file and the directory before an emit resolves (default true). */
  fsync?: boolean;
  /** Default `<dir>/dead-letter.jsonl`. */
  deadLetterPath?: string;
}

export interface DeadLetter {
  deadLetteredAt: string;
  attempts: number;
  error: unknown;
  /** The event as it was spooled (a string when it was not readable JSON). */
  event: unknown;
}

/**
 * The durable queue under the emitter: one file per event in `<dir>/events`, named
 * `<seq>-<lane>-<bytes>-<kind>.json` so the queue can be rebuilt from a directory listing, in order, without
 * reading a file. A file is written to a temporary name, fsynced, renamed and the directory fsynced before the
 * emit resolves; it is removed once the transport acknowledged the event. Directory fsyncs of concurrent
 * writes are coalesced (one fsync covers every rename before it).
 */
export class Spool {
  readonly dir: string;
  readonly deadLetterPath: string;
  readonly #events: string;
  readonly #fsync: boolean;
  readonly #release: () => Promise<void>;
  /** Entries found on open, in sequence order: what a previous process spooled and never delivered. */
  readonly recovered: readonly SpoolEntry[];
  #dirSync: { running: Promise<void> | undefined; queued: Promise<void> | undefined } = {
    running: undefined,
    queued: undefined,
  };
  #deadLetterTail: Promise<void> = Promise.resolve();

  private constructor(
    dir: string,
    options: SpoolOptions,
    release: () => Promise<void>,
    recovered: readonly SpoolEntry[],
  ) {
    this.dir = dir;
    this.#events = join(dir, 'events');
    this.#fsync = options.fsync ?? true;
    this.deadLetterPath = options.deadLetterPath ?? join(dir, 'dead-letter.jsonl');
    this.#release = release;
    this.recovered = recovered;
  }

  static async open(dir: string, options: SpoolOptions = {}): Promise<Spool> {
    const events = join(dir, 'events');
    try {
      await mkdir(events, { recursive: true });
    } catch (err) {
      throw new LineageEmitterError('LIN_EMITTER_SPOOL_IO', `cannot create spool directory ${events}`, {
        cause: err,
      });
    }
    const release = await acquireSpoolLock(dir);
    const recovered: SpoolEntry[] = [];
    for (const file of await readdir(events)) {
      // A temporary file was never acknowledged to the caller (its emit had not resolved): drop it.
      if (file.endsWith('.tmp')) await rm(join(events, file), { force: true });
      else {
        const entry = parseEntryFileName(file);
        if (entry) recovered.push(entry);
      }
    }
    recovered.sort((a, b) => a.seq - b.seq);
    return new Spool(dir, options, release, recovered);
  }

  async write(seq: number, lane: string, kind: EntryKind, body: string): Promise<SpoolEntry> {
    const bytes = Buffer.byteLength(body);
    const file = entryFileName(seq, lane, bytes, kind);
    const path = join(this.#events, file);
    try {
      const handle = await open(`${path}.tmp`, 'w');
      try {
        await handle.writeFile(body);
        if (this.#fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(`${path}.tmp`, path);
      if (this.#fsync) await this.#syncDir();
    } catch (err) {
      await rm(`${path}.tmp`, { force: true }).catch(() => {});
      throw new LineageEmitterError('LIN_EMITTER_SPOOL_IO', `cannot write ${path}`, { cause: err });
    }
    return { seq, lane, kind, bytes, file };
  }

  read(entry: SpoolEntry): Promise<string> {
    return readFile(join(this.#events, entry.file), 'utf8');
  }

  /**
   * Removes an acknowledged event. The directory is not fsynced: a removal lost to a power cut brings the
   * event back, and it is sent again (a duplicate, which collectors absorb), never lost.
   */
  async remove(entry: SpoolEntry): Promise<void> {
    await rm(join(this.#events, entry.file), { force: true });
  }

  /** Appends the event and why it failed to the dead-letter file (fsynced), then removes it from the spool. */
  async deadLetter(entry: SpoolEntry, body: string, error: unknown, attempts: number): Promise<void> {
    let event: unknown = body;
    try {
      event = JSON.parse(body);
    } catch {
      // keep the raw text: the record must say what was spooled
    }
    const record: DeadLetter = {
      deadLetteredAt: new Date().toISOString(),
      attempts,
      error: errorRecord(error),
      event,
    };
    const write = this.#deadLetterTail.then(async () => {
      const handle = await open(this.deadLetterPath, 'a');
      try {
        await handle.appendFile(`${JSON.stringify(record)}\n`);
        if (this.#fsync) await handle.sync();
      } finally {
        await handle.close();
      }
    });
    this.#deadLetterTail = write.catch(() => {});
    await write;
    await this.remove(entry);
  }

  async close(): Promise<void> {
    await this.#deadLetterTail;
    await this.#release();
  }

  /** One fsync of the events directory covering every rename that happened before it started. */
  #syncDir(): Promise<void> {
    const state = this.#dirSync;
    if (state.queued) return state.queued;
    const run = async (): Promise<void> => {
      const handle = await open(this.#events, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    };
    if (!state.running) {
      state.running = run().finally(() => (state.running = undefined));
      return state.running;
    }
    state.queued = state.running
      .catch(() => {})
      .then(() => {
        state.queued = undefined;
        state.running = run().finally(() => (state.running = undefined));
        return state.running;
      });
    return state.queued;
  }
}

function errorRecord(error: unknown): unknown {
  if (error instanceof LineageEmitterError) return error.toJSON();
  if (error instanceof Error) return { message: error.message, name: error.name };
  return { message: String(error) };
}
