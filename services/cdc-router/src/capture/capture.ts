import pg from 'pg';
import { AckLedger } from './ack-ledger.ts';
import { ConsumerWakeup } from './consumer-wakeup.ts';
import { CaptureAckInvalid, CaptureOptionsInvalid, CaptureSourceUnavailable } from './errors.ts';
import type { EnvelopeContext } from './envelope.ts';
import { formatLsn, parseLsn } from './lsn.ts';
import { CaptureOptions } from './options.ts';
import type { CaptureOptionsInput } from './options.ts';
import { RecordQueue } from './record-queue.ts';
import { asCaptureError, isRetriable, reconnectDelay } from './retry-policy.ts';
import { readSnapshot } from './snapshot.ts';
import * as catalogSql from './source-catalog.ts';
import { prepareSource } from './source-setup.ts';
import type { TableInfo } from './source-catalog.ts';
import { StreamDecoder } from './stream-decoder.ts';
import type { StreamItem } from './stream-decoder.ts';
import type { Capture, CaptureBatch, CaptureLogger, Lsn } from './types.ts';
import type { TypeCatalog } from './value-decoder.ts';
import { WireClient, paramsFromUrl } from './wire-client.ts';

/** Session settings that fix the text forms the value decoders read. */
const SESSION_SETTINGS = {
  TimeZone: 'UTC',
  DateStyle: 'ISO, YMD',
  IntervalStyle: 'iso_8601',
  extra_float_digits: '3',
  bytea_output: 'hex',
  lc_monetary: 'C',
} as const;

const silent: CaptureLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Creates an embedded change capture of a Postgres database. Nothing connects until `start()`.
 * Throws `CDC_CAPTURE_OPTIONS_INVALID` for bad options.
 */
export function createCapture(input: CaptureOptionsInput, logger: CaptureLogger = silent): Capture {
  const parsed = CaptureOptions.safeParse(input);
  if (!parsed.success) {
    throw new CaptureOptionsInvalid(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    );
  }
  return new PgOutputCapture(Object.freeze(parsed.data), logger);
}

class PgOutputCapture implements Capture {
  private readonly pool: pg.Pool;
  private readonly queue = new RecordQueue();
  private readonly ctx: EnvelopeContext;
  private wire: WireClient | null = null;
  private tables = new Map<string, TableInfo>();
  private catalog: TypeCatalog = new Map();
  private decoder: StreamDecoder | null = null;
  private running: Promise<void> | null = null;
  private started = false;
  private closing = false;
  private failure: Error | null = null;
  private paused = false;
  private consuming = false;
  private readonly wakeup = new ConsumerWakeup(() => this.queue.records >= this.options.batchMaxChanges);
  private spaceWaiter: (() => void) | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private seq = 0;
  private readonly ledger = new AckLedger();
  private readonly startedListeners: Array<(err: Error | null) => void> = [];
  /** The state write that records a finished snapshot, awaited by `close()`. */
  private stateWrite: Promise<void> = Promise.resolve();

  private readonly options: CaptureOptions;
  private readonly log: CaptureLogger;

  constructor(options: CaptureOptions, log: CaptureLogger) {
    this.options = options;
    this.log = log;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: 2,
      application_name: `spine-capture-${options.slotName}`,
    });
    this.pool.on('error', (err) => this.log.warn({ err }, 'capture pool connection error'));
    this.ctx = {
      prefix: options.topicPrefix,
      database: new URL(options.connectionString).pathname.replace(/^\//, '') || 'postgres',
      transactionMetadata: options.transactionMetadata,
    };
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.prepare();
    this.running = this.run();
    // Resolve once the first session streams (or snapshots), so setup errors surface here.
    await new Promise<void>((resolve, reject) =>
      this.startedListeners.push((err) => (err ? reject(err) : resolve())),
    );
  }

  /** Setup over a normal connection: checks, publication, state table, what a fresh slot needs. */
  private async prepare(): Promise<void> {
    try {
      const confirmed = await prepareSource(this.pool, this.options, this.log);
      if (confirmed !== null) this.ledger.resetTo(confirmed);
    } catch (err) {
      await this.pool.end().catch(() => {});
      throw err;
    }
  }

  private async run(): Promise<void> {
    let attempts = 0;
    while (!this.closing) {
      try {
        await this.session(() => {
          attempts = 0;
        });
      } catch (err) {
        if (this.closing) break;
        attempts += 1;
        const o = this.options;
        const permanent = !isRetriable(err);
        if (permanent || (o.reconnectMaxAttempts > 0 && attempts > o.reconnectMaxAttempts)) {
          this.failure = asCaptureError(err);
          this.log.error({ err, attempts }, 'change capture stopped');
          this.notifyStarted(this.failure);
          this.wakeup.signal();
          break;
        }
        const delay = reconnectDelay(attempts, o.reconnectMinMs, o.reconnectMaxMs);
        this.log.warn({ err, attempts, delayMs: delay }, 'replication connection failed; reconnecting');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** One replication session: connect, create the slot (and snapshot) if needed, stream until it ends. */
  private async session(onStreaming: () => void): Promise<void> {
    const o = this.options;
    const params = paramsFromUrl(o.connectionString, `spine-capture-${o.slotName}`, SESSION_SETTINGS);
    const wire = await WireClient.connect(params);
    this.wire = wire;
    this.queue.clear();
    this.paused = false;
    // Whatever was delivered and not acknowledged comes again from the slot.
    this.ledger.rewind();
    try {
      // Primary keys and user types as they are now (DDL since the last session is picked up here).
      this.tables = await catalogSql.loadTables(this.pool, o.tables);
      this.catalog = await catalogSql.loadTypeCatalog(this.pool);
      let start = this.ledger.acked;
      let slot = await catalogSql.slotInfo(this.pool, o.slotName);
      const snapshot = this.ledger.snapshot;
      if (slot && o.snapshotMode === 'initial' && snapshot && !snapshot.recorded) {
        // The connection dropped before the snapshot was acknowledged: its undelivered rows are gone with the
        // queue, so take it again under a new slot (the sinks absorb what arrives twice).
        this.log.warn(
          { slot: o.slotName },
          'initial snapshot interrupted: dropping the slot and snapshotting again',
        );
        await catalogSql.dropSlot(this.pool, o.slotName);
        slot = null;
      }
      if (!slot) {
        start = await this.createSlotAndSnapshot(wire);
      } else if (this.ledger.acked === 0n) {
        this.ledger.resetTo(slot.confirmedFlush ?? 0n);
        start = this.ledger.acked;
      }
      if (this.closing) return;
      await this.stream(wire, start, onStreaming);
    } finally {
      this.stopTimers();
      this.wire = null;
      if (!wire.isClosed) await wire.close().catch(() => {});
    }
  }

  private async createSlotAndSnapshot(wire: WireClient): Promise<Lsn> {
    const o = this.options;
    const slot = catalogSql.quoteIdent(o.slotName);
    const withSnapshot = o.snapshotMode === 'initial';
    if (!withSnapshot) {
      const r = await wire.query(`CREATE_REPLICATION_SLOT ${slot} LOGICAL pgoutput NOEXPORT_SNAPSHOT`);
      const lsn = parseLsn(r[0]?.rows[0]?.[1] ?? '0/0');
      await catalogSql.writeState(this.pool, o.stateSchema, o.slotName, {
        snapshotLsn: formatLsn(lsn),
        completed: true,
        tables: o.tables,
      });
      this.ledger.resetTo(lsn);
      this.notifyStarted(null);
      return lsn;
    }
    await wire.query('BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ');
    const r = await wire.query(`CREATE_REPLICATION_SLOT ${slot} LOGICAL pgoutput USE_SNAPSHOT`);
    const point = parseLsn(r[0]?.rows[0]?.[1] ?? '0/0');
    await catalogSql.writeState(this.pool, o.stateSchema, o.slotName, {
      snapshotLsn: formatLsn(point),
      completed: false,
      tables: o.tables,
    });
    const progress = this.ledger.beginSnapshot(point);
    this.log.info({ slot: o.slotName, consistentPoint: formatLsn(point) }, 'slot created; initial snapshot');
    this.notifyStarted(null);
    const ordered = o.tables.map((t) => this.tables.get(t)).filter((t): t is TableInfo => t !== undefined);
    const rows = await readSnapshot(
      wire,
      this.ctx,
      ordered,
      this.catalog,
      point,
      o.snapshotFetchSize,
      async (records, final) => {
        if (this.closing) throw new CaptureSourceUnavailable('closed during the snapshot');
        for (const record of records) this.queue.push({ kind: 'record', record, phase: 'snapshot' });
        progress.queued += records.length;
        if (final) progress.read = true;
        this.wakeup.signal(true);
        this.maybeFinishSnapshot();
        if (!final) await this.waitForSpace();
      },
    );
    this.log.info({ slot: o.slotName, rows }, 'initial snapshot read');
    await wire.query('COMMIT');
    return point;
  }

  private async stream(wire: WireClient, start: Lsn, onStreaming: () => void): Promise<void> {
    const o = this.options;
    const decoder = new StreamDecoder(
      this.ctx,
      new Map([...this.tables].map(([k, v]) => [k, v.primaryKey])),
      this.catalog,
      start,
    );
    this.decoder = decoder;
    const optionsSql = [
      `proto_version '${o.protoVersion}'`,
      `publication_names '${catalogSql.quoteIdent(o.publicationName).replaceAll("'", "''")}'`,
    ];
    if (o.logicalMessages && wire.serverVersionNum >= 140000) optionsSql.push(`messages 'true'`);
    const items: StreamItem[] = [];
    const broken: { error: Error | null } = { error: null };
    const ended = new Promise<Error | null>((resolve) => {
      const onEnd = (err: Error | null) => resolve(err);
      void wire
        .startCopyBoth(
          `START_REPLICATION SLOT ${catalogSql.quoteIdent(o.slotName)} LOGICAL ${formatLsn(start)} (${optionsSql.join(', ')})`,
          {
            onXLogData: (walStart, _walEnd, data) => {
              if (broken.error) return;
              try {
                decoder.decode(walStart, data, items);
              } catch (err) {
                broken.error = err as Error;
                wire.destroy();
                return;
              }
              if (items.length > 0) {
                let commit = false;
                for (const item of items) {
                  if (item.kind === 'record')
                    this.queue.push({ kind: 'record', record: item.record, phase: 'stream' });
                  else {
                    this.queue.push(item);
                    commit = true;
                  }
                }
                items.length = 0;
                if (commit) this.wakeup.scheduleTxReady();
                this.wakeup.signal(false);
                if (this.queue.records >= o.maxBufferedRecords && !this.paused) {
                  this.paused = true;
                  wire.pause();
                }
              }
            },
            onKeepalive: (walEnd, replyRequested) => {
              // Caught up and idle: nothing between the last acknowledged end and the server's position needs us.
              if (!decoder.inTransaction && this.queue.length === 0) this.ledger.followServer(walEnd);
              if (replyRequested) this.report(true);
            },
            onEnd,
          },
        )
        .then(() => {
          onStreaming();
          this.notifyStarted(null);
          this.log.info({ slot: o.slotName, from: formatLsn(start) }, 'streaming changes');
        }, onEnd);
    });
    this.startTimers(decoder);
    const endError = await ended;
    const err = broken.error ?? endError;
    if (err) throw err;
  }

  private startTimers(decoder: StreamDecoder): void {
    this.stopTimers();
    this.statusTimer = setInterval(() => this.report(false), this.options.statusIntervalMs);
    this.statusTimer.unref();
    if (this.options.heartbeatIntervalMs > 0) {
      this.heartbeatTimer = setInterval(() => {
        if (decoder.inTransaction) return;
        this.queue.push({ kind: 'record', record: decoder.heartbeat(), phase: 'stream' });
        this.wakeup.scheduleTxReady();
        this.wakeup.signal(false);
      }, this.options.heartbeatIntervalMs);
      this.heartbeatTimer.unref();
    }
  }

  private stopTimers(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.statusTimer = this.heartbeatTimer = null;
  }

  /** Standby Status Update with the acknowledged position only. */
  private report(replyRequested: boolean): void {
    const wire = this.wire;
    if (!wire || wire.isClosed || !this.ledger.reportable) return;
    const lsn = this.ledger.acked;
    wire.sendStatus(lsn, lsn, lsn, replyRequested);
    this.ledger.reported = lsn;
  }

  async next(): Promise<CaptureBatch | null> {
    if (!this.started) throw new CaptureSourceUnavailable('start() the capture before reading from it');
    if (this.consuming) throw new CaptureAckInvalid('next() called again before the previous call resolved');
    this.consuming = true;
    try {
      return await this.nextBatch();
    } finally {
      this.consuming = false;
    }
  }

  private async nextBatch(): Promise<CaptureBatch | null> {
    const o = this.options;
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.closing) return null;
      const n = this.queue.records;
      if (n === 0 && this.queue.length > 0) {
        this.takeBatch(); // only transaction ends: advances the free position
        continue;
      }
      if (n > 0) {
        const age = Date.now() - this.queue.oldestAt;
        const snapshotting = !this.ledger.reportable;
        if (n >= o.batchMaxChanges || age >= o.batchMaxWaitMs || this.wakeup.txReady || snapshotting) {
          const batch = this.takeBatch();
          if (batch) return batch;
          continue;
        }
        await this.wakeup.sleep(o.batchMaxWaitMs - age, 'batch');
        continue;
      }
      await this.wakeup.sleep(1000, 'any');
    }
  }

  private takeBatch(): CaptureBatch | null {
    const taken = this.queue.take(this.options.batchMaxChanges);
    this.wakeup.txReady = false;
    if (this.paused && this.queue.records < this.options.maxBufferedRecords / 2) {
      this.paused = false;
      this.wire?.resume();
    }
    this.spaceWaiter?.();
    this.spaceWaiter = null;
    if (taken.records.length === 0) {
      if (taken.commitLsn !== null) this.ledger.skipTo(taken.commitLsn);
      return null;
    }
    const lsn =
      taken.phase === 'snapshot' && this.ledger.snapshot
        ? this.ledger.deliverSnapshot(taken.records.length)
        : this.ledger.deliverStream(taken.commitLsn);
    this.seq += 1;
    return { records: taken.records, phase: taken.phase, lsn, seq: this.seq };
  }

  ack(lsn: Lsn): void {
    if (typeof lsn !== 'bigint') throw new CaptureAckInvalid('the position must be a bigint (a batch.lsn)');
    const moved = this.ledger.ack(lsn, this.queue.records === 0);
    this.maybeFinishSnapshot();
    if (moved) this.report(false);
  }

  /** Records in the state table that the initial snapshot is complete, once every batch of it is acknowledged. */
  private maybeFinishSnapshot(): void {
    const s = this.ledger.takeSnapshotCompletion();
    if (!s) return;
    const o = this.options;
    this.stateWrite = catalogSql
      .writeState(this.pool, o.stateSchema, o.slotName, {
        snapshotLsn: formatLsn(s.consistentPoint),
        completed: true,
        tables: o.tables,
      })
      .then(
        () => this.log.info({ slot: o.slotName }, 'initial snapshot acknowledged'),
        (err: unknown) => {
          s.recorded = false;
          this.log.warn(
            { err },
            'could not record the finished snapshot (it will be retaken after a restart)',
          );
        },
      );
  }

  async slotLagBytes(): Promise<number | null> {
    return catalogSql.slotLagBytes(this.pool, this.options.slotName);
  }

  positions(): { delivered: Lsn; acknowledged: Lsn; reported: Lsn } {
    const l = this.ledger;
    return { delivered: l.deliveredEver, acknowledged: l.acked, reported: l.reported };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wakeup.signal();
    this.spaceWaiter?.();
    this.stopTimers();
    const wire = this.wire;
    if (wire && !wire.isClosed) {
      this.report(false);
      await wire.endCopy().catch(() => {});
      await wire.close().catch(() => {});
    }
    await this.running?.catch(() => {});
    await this.stateWrite;
    await this.pool.end().catch(() => {});
    this.notifyStarted(new CaptureSourceUnavailable('closed before it started'));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<CaptureBatch> {
    for (;;) {
      const batch = await this.next();
      if (!batch) return;
      yield batch;
    }
  }

  private notifyStarted(err: Error | null): void {
    const listeners = this.startedListeners.splice(0);
    for (const l of listeners) l(err);
  }

  private waitForSpace(): Promise<void> {
    if (this.queue.records < this.options.maxBufferedRecords || this.closing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.spaceWaiter = resolve;
    }).then(() => this.waitForSpace());
  }
}
