import { sleep } from './backoff.ts';
import { DeliveryGate } from './delivery-gate.ts';
import { parseEmitterOptions, silentLogger } from './emitter-options.ts';
import type { EmitterLogger, EmitterOptions, EmitterTunables } from './emitter-options.ts';
import { isRetriable, LineageEmitterError, retryAfterOf } from './errors.ts';
import { checkEvent } from './event-check.ts';
import type { LineageEvent } from './events/event-types.ts';
import { EmitterMetrics } from './metrics.ts';
import type { EmitterStats, RetryReason } from './metrics.ts';
import { kindOf, laneOf } from './spool/spool-entry.ts';
import type { SpoolEntry } from './spool/spool-entry.ts';
import { Spool } from './spool/spool.ts';
import type { Transport } from './transports/transport.ts';

interface Pending {
  entry: SpoolEntry;
  /** Settles when the file is on disk; a failed write drops the entry. */
  written: Promise<void>;
  attempts: number;
}

interface Lane {
  id: string;
  queue: Pending[];
  /** Waiting in the ready queue or being worked on: never both, never by two workers. */
  scheduled: boolean;
  inFlight: boolean;
}

export interface CloseResult {
  /** Everything spooled was delivered (or dead-lettered) before the timeout. */
  drained: boolean;
  /** Events left in the spool for the next start. */
  pending: number;
}

/**
 * The durable OpenLineage emitter. `emit()` resolves once the event is on disk in the spool; workers then
 * deliver it through the transport and remove it once acknowledged. Retriable failures back off (full
 * jitter, or the server's Retry-After) and are tried again without limit by default; other failures go to
 * the dead-letter file. Events of one run (one job, one dataset; or, with `ordering: 'root-job'`, every run
 * under one root job) are delivered one at a time in the order emitted. With the default per-run ordering
 * a run's START also moves ahead of its pending events, so START precedes the terminal event even when
 * emitted after it, across retries and restarts. Open it with `LineageEmitter.open()`: that replays the spool.
 */
export class LineageEmitter {
  readonly #options: EmitterTunables;
  readonly #transport: Transport;
  readonly #spool: Spool;
  readonly #metrics: EmitterMetrics;
  readonly #log: EmitterLogger;
  readonly #lanes = new Map<string, Lane>();
  readonly #ready: Lane[] = [];
  #readyWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  readonly #abort = new AbortController();
  #workers: Promise<void>[] = [];
  #nextSeq: number;
  #pendingCount = 0;
  #pendingBytes = 0;
  #closed = false;
  #closing: Promise<CloseResult> | undefined;
  readonly #gate: DeliveryGate;

  private constructor(options: EmitterOptions, tunables: EmitterTunables, spool: Spool) {
    this.#options = tunables;
    this.#transport = options.transport;
    this.#spool = spool;
    this.#log = options.logger ?? silentLogger;
    this.#metrics = new EmitterMetrics(tunables.name, options.registry);
    this.#nextSeq = (spool.recovered.at(-1)?.seq ?? 0) + 1;
    this.#gate = new DeliveryGate(tunables.retry);
  }

  static async open(options: EmitterOptions): Promise<LineageEmitter> {
    const tunables = parseEmitterOptions(options);
    const spool = await Spool.open(tunables.spoolDir, {
      fsync: tunables.fsync,
      ...(tunables.deadLetterPath ? { deadLetterPath: tunables.deadLetterPath } : {}),
    });
    const emitter = new LineageEmitter(options, tunables, spool);
    emitter.#replay();
    emitter.#workers = Array.from({ length: tunables.concurrency }, () => emitter.#work());
    return emitter;
  }

  get deadLetterPath(): string {
    return this.#spool.deadLetterPath;
  }

  stats(): EmitterStats {
    const s = this.#metrics.stats;
    return { ...s, retriedBy: { ...s.retriedBy } };
  }

  /** Resolves once the event is durably spooled (not once it is delivered: see flush()). */
  async emit(event: LineageEvent): Promise<void> {
    if (this.#closed)
      throw this.#reject(new LineageEmitterError('LIN_EMITTER_CLOSED', 'the emitter is closed'));
    const checked = checkEvent(event);
    if (!checked.ok)
      throw this.#reject(
        new LineageEmitterError('LIN_EMITTER_INVALID_EVENT', `not an OpenLineage event: ${checked.message}`),
      );
    const body = JSON.stringify(event);
    const bytes = Buffer.byteLength(body);
    if (bytes > this.#options.maxEventBytes)
      throw this.#reject(
        new LineageEmitterError(
          'LIN_EMITTER_EVENT_TOO_LARGE',
          `event is ${bytes} bytes, over maxEventBytes ${this.#options.maxEventBytes}`,
        ),
      );
    if (
      this.#pendingCount >= this.#options.maxSpoolEvents ||
      this.#pendingBytes + bytes > this.#options.maxSpoolBytes
    )
      throw this.#reject(
        new LineageEmitterError(
          'LIN_EMITTER_SPOOL_FULL',
          `the spool holds ${this.#pendingCount} events (${this.#pendingBytes} bytes); limits ${this.#options.maxSpoolEvents} / ${this.#options.maxSpoolBytes}`,
        ),
      );
    const seq = this.#nextSeq++;
    const lane = laneOf(event, this.#options.ordering);
    const kind = kindOf(event);
    const writing = this.#spool.write(seq, lane, kind, body);
    const pending: Pending = {
      entry: { seq, lane, kind, bytes, file: '' },
      written: writing.then((entry) => void (pending.entry = entry)),
      attempts: 0,
    };
    pending.written.catch(() => {});
    // Queued before the write finishes, so lane order is the order of emit() calls.
    this.#enqueue(pending);
    try {
      await pending.written;
    } catch (err) {
      this.#drop(pending);
      throw this.#reject(err as LineageEmitterError);
    }
    this.#metrics.spooled();
  }

  /** Waits until every spooled event was delivered or dead-lettered; false if `timeoutMs` passed first. */
  flush(timeoutMs = 10_000): Promise<boolean> {
    if (this.#pendingCount === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      this.#idleWaiters.push(done);
    });
  }

  /**
   * Stops accepting events, delivers what it can within `timeoutMs`, then aborts attempts in flight and
   * closes the transport. Whatever was not delivered stays in the spool for the next open().
   */
  close(options: { timeoutMs?: number } = {}): Promise<CloseResult> {
    this.#closing ??= (async () => {
      this.#closed = true;
      const drained = await this.flush(options.timeoutMs ?? 5_000);
      this.#abort.abort();
      this.#wakeAll();
      await Promise.all(this.#workers);
      await this.#transport
        .close()
        .catch((err: unknown) => this.#log.warn({ err }, 'lineage transport close failed'));
      await this.#spool.close();
      this.#log.info({ ...this.stats() }, 'lineage emitter closed');
      return { drained, pending: this.#pendingCount };
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #replay(): void {
    const recovered = this.#spool.recovered;
    for (const entry of recovered) this.#enqueue({ entry, written: Promise.resolve(), attempts: 0 });
    if (recovered.length > 0) {
      this.#metrics.replayed(recovered.length);
      this.#log.info({ events: recovered.length }, 'lineage spool replayed');
    }
  }

  #enqueue(pending: Pending): void {
    let lane = this.#lanes.get(pending.entry.lane);
    if (!lane) {
      lane = { id: pending.entry.lane, queue: [], scheduled: false, inFlight: false };
      this.#lanes.set(lane.id, lane);
    }
    if (pending.entry.kind === 'S' && this.#options.ordering === 'run') {
      // A START goes ahead of its run's events that are not yet in flight (the lane is that run).
      const from = lane.inFlight ? 1 : 0;
      const at = lane.queue.findIndex((p, i) => i >= from && p.entry.kind !== 'S');
      if (at === -1) lane.queue.push(pending);
      else lane.queue.splice(at, 0, pending);
    } else lane.queue.push(pending);
    this.#pendingCount++;
    this.#pendingBytes += pending.entry.bytes;
    this.#metrics.pending(this.#pendingCount, this.#pendingBytes);
    this.#schedule(lane);
  }

  #schedule(lane: Lane): void {
    if (lane.scheduled || lane.queue.length === 0) return;
    lane.scheduled = true;
    this.#ready.push(lane);
    this.#readyWaiters.shift()?.();
  }

  /** Takes an entry out of its lane (delivered, dead-lettered, or never written). */
  #drop(pending: Pending): void {
    const lane = this.#lanes.get(pending.entry.lane);
    const at = lane?.queue.indexOf(pending) ?? -1;
    if (!lane || at === -1) return;
    lane.queue.splice(at, 1);
    this.#pendingCount--;
    this.#pendingBytes -= pending.entry.bytes;
    this.#metrics.pending(this.#pendingCount, this.#pendingBytes);
    if (lane.queue.length === 0 && !lane.scheduled) this.#lanes.delete(lane.id);
    if (this.#pendingCount === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  async #work(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const lane = this.#ready.shift();
      if (!lane) {
        await new Promise<void>((resolve) => this.#readyWaiters.push(resolve));
        continue;
      }
      const head = lane.queue[0];
      if (head) {
        lane.inFlight = true;
        try {
          await this.#deliver(lane, head, signal);
        } catch (err) {
          // #deliver handles every outcome; anything here is a bug, and the event stays spooled.
          this.#log.error({ err, seq: head.entry.seq }, 'lineage delivery failed unexpectedly');
          await sleep(this.#options.retry.initialMs, signal);
        } finally {
          lane.inFlight = false;
        }
      }
      lane.scheduled = false;
      // Back of the queue: a busy lane (a streaming job's run) does not starve the others.
      if (lane.queue.length > 0) this.#schedule(lane);
      else this.#lanes.delete(lane.id);
    }
  }

  async #deliver(lane: Lane, pending: Pending, signal: AbortSignal): Promise<void> {
    try {
      await pending.written;
    } catch {
      return this.#drop(pending);
    }
    const { entry } = pending;
    let body: string;
    try {
      body = await this.#spool.read(entry);
    } catch (err) {
      this.#log.error({ err, seq: entry.seq }, 'lineage spool file vanished; the event cannot be sent');
      return this.#drop(pending);
    }
    // Parsed and checked again: the file is outside this process (a previous one wrote it, or a person).
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      const error = new LineageEmitterError('LIN_EMITTER_SPOOL_IO', 'spooled event is not JSON', {
        cause: err,
      });
      return this.#deadLetter(pending, body, error);
    }
    const checked = checkEvent(parsed);
    if (!checked.ok) {
      const error = new LineageEmitterError(
        'LIN_EMITTER_SPOOL_IO',
        `spooled event is not an event: ${checked.message}`,
      );
      return this.#deadLetter(pending, body, error);
    }
    const event = checked.event;
    const retry = this.#options.retry;
    while (!signal.aborted) {
      const release = await this.#gate.enter(signal);
      if (signal.aborted) return release();
      try {
        await this.#transport.send({ id: String(entry.seq), event, body }, signal);
      } catch (err) {
        if (signal.aborted) return; // closing: the event stays spooled
        pending.attempts++;
        if (!isRetriable(err)) return await this.#deadLetter(pending, body, err);
        if (pending.attempts >= retry.maxAttempts)
          return await this.#deadLetter(
            pending,
            body,
            new LineageEmitterError(
              'LIN_EMITTER_MAX_ATTEMPTS',
              `gave up after ${pending.attempts} attempts: ${(err as Error).message}`,
              { cause: err },
            ),
          );
        const delayMs = this.#gate.failed(retryAfterOf(err));
        this.#metrics.retried(retryReason(err));
        const failures = this.#gate.failures;
        if (failures === 1 || failures % 50 === 0)
          this.#log.warn(
            { code: (err as LineageEmitterError).code, failures, delayMs, pending: this.#pendingCount },
            'lineage delivery failing; retrying',
          );
        // A START that arrived while this event was failing goes first (the lane is one run).
        if (this.#startOvertakes(lane, pending)) return;
        continue;
      } finally {
        release();
      }
      const ended = this.#gate.succeeded();
      if (ended > 0) this.#log.info({ after: ended }, 'lineage delivery recovered');
      await this.#spool.remove(entry);
      this.#metrics.sent(eventTypeOf(event));
      return this.#drop(pending);
    }
  }

  /** Moves a pending START of the lane to its head, ahead of `pending`; true if there was one. */
  #startOvertakes(lane: Lane, pending: Pending): boolean {
    if (this.#options.ordering !== 'run' || pending.entry.kind === 'S' || lane.queue[0] !== pending)
      return false;
    const at = lane.queue.findIndex((p) => p.entry.kind === 'S');
    if (at <= 0) return false;
    const [start] = lane.queue.splice(at, 1);
    lane.queue.unshift(start as Pending);
    return true;
  }

  async #deadLetter(pending: Pending, body: string, error: unknown): Promise<void> {
    const code = error instanceof LineageEmitterError ? error.code : 'UNKNOWN';
    try {
      await this.#spool.deadLetter(pending.entry, body, error, pending.attempts);
    } catch (err) {
      // The event stays in the spool and is tried again, after a pause: not a tight loop on a full disk.
      this.#log.error({ err, seq: pending.entry.seq }, 'lineage dead-letter write failed');
      await sleep(this.#options.retry.maxMs, this.#abort.signal);
      return;
    }
    this.#log.warn(
      { code, seq: pending.entry.seq, attempts: pending.attempts },
      'lineage event dead-lettered',
    );
    this.#metrics.deadLettered(code);
    this.#drop(pending);
  }

  #reject(error: LineageEmitterError): LineageEmitterError {
    this.#metrics.rejected(error.code ?? 'UNKNOWN');
    return error;
  }

  #wakeAll(): void {
    for (const w of this.#readyWaiters) w();
    this.#readyWaiters = [];
    this.#gate.wakeAll();
  }
}

function retryReason(err: unknown): RetryReason {
  if (!(err instanceof LineageEmitterError)) return 'other';
  switch (err.code) {
    case 'LIN_EMITTER_HTTP_STATUS':
      return err.status === 429 ? 'http_429' : 'http_5xx';
    case 'LIN_EMITTER_TIMEOUT':
      return 'timeout';
    case 'LIN_EMITTER_NETWORK':
      return 'network';
    case 'LIN_EMITTER_KAFKA':
      return 'kafka';
    case 'LIN_EMITTER_FILE':
      return 'file';
    default:
      return 'other';
  }
}

function eventTypeOf(event: LineageEvent): string {
  if ('run' in event) return event.eventType ?? 'OTHER';
  return 'dataset' in event ? 'DatasetEvent' : 'JobEvent';
}
