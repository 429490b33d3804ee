import {
  heartbeatRecord,
  buildRelation,
  messageRecord,
  rowChangeRecords,
  transactionRecord,
  truncateRecord,
} from './envelope.ts';
import type { EnvelopeContext, Relation, TxInfo } from './envelope.ts';
import { CaptureProtocolError } from './errors.ts';
import { decodePgOutput } from './pgoutput-decoder.ts';
import type { CaptureRecord, Lsn } from './types.ts';
import type { TypeCatalog } from './value-decoder.ts';
import { PG_EPOCH_MICROS } from './wire-client.ts';

/** A decoded record, or the end of a transaction: the position a consumer may acknowledge after it. */
export type StreamItem = { kind: 'record'; record: CaptureRecord } | { kind: 'commit'; lsn: Lsn };

/**
 * Turns the pgoutput messages of one replication session into Debezium records (stateful: relations and
 * the open transaction). Pure: no I/O, so it is tested with hand-made messages.
 */
export class StreamDecoder {
  private readonly relations = new Map<number, Relation>();
  private tx: TxInfo | null = null;
  /** End of the last whole transaction seen (the start position before any). */
  lastCommitEnd: Lsn;
  /** End of the last transaction seen in this session, null before the first. */
  private sessionCommitEnd: Lsn | null = null;

  private readonly ctx: EnvelopeContext;
  /** `schema.table` -> primary-key columns, for every captured table; other tables are ignored. */
  private readonly primaryKeys: ReadonlyMap<string, readonly string[]>;
  private readonly catalog: TypeCatalog;

  constructor(
    ctx: EnvelopeContext,
    primaryKeys: ReadonlyMap<string, readonly string[]>,
    catalog: TypeCatalog,
    start: Lsn,
  ) {
    this.ctx = ctx;
    this.primaryKeys = primaryKeys;
    this.catalog = catalog;
    this.lastCommitEnd = start;
  }

  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /** Decodes one XLogData payload (`walStart` is the WAL position pgoutput wrote it for). */
  decode(walStart: Lsn, data: Buffer, out: StreamItem[]): void {
    let msg;
    try {
      msg = decodePgOutput(data);
    } catch (err) {
      throw new CaptureProtocolError((err as Error).message, { cause: err });
    }
    switch (msg.tag) {
      case 'begin':
        this.tx = {
          xid: msg.xid,
          commitMicros: Number(msg.commitTime + PG_EPOCH_MICROS),
          firstLsn: walStart,
          previousCommitEnd: this.sessionCommitEnd,
          origin: null,
          originLsn: null,
          totalOrder: 0,
          perTable: new Map(),
        };
        if (this.ctx.transactionMetadata)
          out.push({ kind: 'record', record: transactionRecord(this.ctx, this.tx, 'BEGIN', walStart) });
        return;
      case 'commit': {
        const tx = this.tx;
        if (tx && this.ctx.transactionMetadata && tx.totalOrder > 0) {
          out.push({ kind: 'record', record: transactionRecord(this.ctx, tx, 'END', msg.endLsn) });
        }
        this.tx = null;
        this.lastCommitEnd = msg.endLsn;
        this.sessionCommitEnd = msg.endLsn;
        out.push({ kind: 'commit', lsn: msg.endLsn });
        return;
      }
      case 'origin':
        if (this.tx) {
          this.tx.origin = msg.name;
          this.tx.originLsn = msg.originLsn;
        }
        return;
      case 'relation': {
        const key = `${msg.schema}.${msg.name}`;
        const pk = this.primaryKeys.get(key);
        if (pk === undefined) {
          this.relations.delete(msg.relationId);
          return;
        }
        this.relations.set(msg.relationId, buildRelation(this.ctx.prefix, msg, pk, this.catalog));
        return;
      }
      case 'type':
        return;
      case 'insert': {
        const rel = this.relations.get(msg.relationId);
        if (rel)
          this.push(
            out,
            rowChangeRecords(this.ctx, rel, { op: 'c', after: msg.after }, walStart, this.requireTx()),
          );
        return;
      }
      case 'update': {
        const rel = this.relations.get(msg.relationId);
        if (rel) {
          this.push(
            out,
            rowChangeRecords(
              this.ctx,
              rel,
              { op: 'u', before: msg.before, after: msg.after },
              walStart,
              this.requireTx(),
            ),
          );
        }
        return;
      }
      case 'delete': {
        const rel = this.relations.get(msg.relationId);
        if (rel)
          this.push(
            out,
            rowChangeRecords(this.ctx, rel, { op: 'd', before: msg.before }, walStart, this.requireTx()),
          );
        return;
      }
      case 'truncate': {
        const tx = this.requireTx();
        for (const id of msg.relationIds) {
          const rel = this.relations.get(id);
          if (rel) out.push({ kind: 'record', record: truncateRecord(this.ctx, rel, walStart, tx) });
        }
        return;
      }
      case 'message': {
        if (msg.transactional) {
          const tx = this.requireTx();
          out.push({
            kind: 'record',
            record: messageRecord(this.ctx, msg, walStart, tx, 0, tx.previousCommitEnd),
          });
          return;
        }
        // Outside any transaction: acknowledged by itself (just past its LSN, so a restart skips it).
        const now = Date.now() * 1000;
        // Debezium counts it as its own commit: `sequence` is [lsn, lsn].
        out.push({ kind: 'record', record: messageRecord(this.ctx, msg, walStart, null, now, walStart) });
        this.lastCommitEnd = walStart + 1n;
        out.push({ kind: 'commit', lsn: walStart + 1n });
        return;
      }
    }
  }

  heartbeat(): CaptureRecord {
    return heartbeatRecord(this.ctx, this.lastCommitEnd);
  }

  private push(out: StreamItem[], records: CaptureRecord[]): void {
    for (const record of records) out.push({ kind: 'record', record });
  }

  private requireTx(): TxInfo {
    if (!this.tx) throw new CaptureProtocolError('a change outside of a transaction');
    return this.tx;
  }
}
