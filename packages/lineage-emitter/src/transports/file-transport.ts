import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { LineageEmitterError } from '../errors.ts';
import type { Delivery, Transport } from './transport.ts';

export interface FileTransportOptions {
  /** Appended to: one event per line (JSON lines). */
  path: string;
  /** fdatasync after each line before acknowledging (default true). */
  fsync?: boolean;
}

/** Appends each event as one JSON line. Lines are written one at a time, so they never interleave. */
export class FileTransport implements Transport {
  readonly kind = 'file';
  readonly path: string;
  readonly #fsync: boolean;
  #handle: Promise<FileHandle> | undefined;
  #tail: Promise<void> = Promise.resolve();

  constructor(options: FileTransportOptions) {
    if (!options.path)
      throw new LineageEmitterError('LIN_EMITTER_INVALID_OPTIONS', 'file transport needs a path');
    this.path = options.path;
    this.#fsync = options.fsync ?? true;
  }

  send(delivery: Delivery): Promise<void> {
    const write = this.#tail.then(async () => {
      try {
        this.#handle ??= open(this.path, 'a');
        const handle = await this.#handle;
        await handle.appendFile(`${delivery.body}\n`);
        if (this.#fsync) await handle.datasync();
      } catch (err) {
        this.#handle = undefined;
        throw new LineageEmitterError('LIN_EMITTER_FILE', `appending to ${this.path} failed`, { cause: err });
      }
    });
    this.#tail = write.catch(() => {});
    return write;
  }

  async close(): Promise<void> {
    await this.#tail;
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }
}
