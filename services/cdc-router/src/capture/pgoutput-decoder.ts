/**
 * Decodes the messages of the pgoutput plugin (protocol versions 1 and 2, without streaming of in-progress
 * transactions), as documented in "Logical Replication Message Formats".
 */

/** A column whose TOASTed value did not change, so pgoutput did not send it. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');
export type TupleValue = string | null | typeof UNCHANGED_TOAST;
export type Tuple = TupleValue[];

export interface RelationColumn {
  name: string;
  typeOid: number;
  typeMod: number;
  /** Part of the replica identity (the primary key under REPLICA IDENTITY DEFAULT). */
  isKey: boolean;
}

/** `d` default, `n` nothing, `f` full, `i` index. */
export type ReplicaIdentity = 'd' | 'n' | 'f' | 'i';

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: bigint; xid: number }
  | { tag: 'commit'; flags: number; commitLsn: bigint; endLsn: bigint; commitTime: bigint }
  | { tag: 'origin'; originLsn: bigint; name: string }
  | {
      tag: 'relation';
      relationId: number;
      schema: string;
      name: string;
      replicaIdentity: ReplicaIdentity;
      columns: RelationColumn[];
    }
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relationId: number; after: Tuple }
  | { tag: 'update'; relationId: number; oldKind: 'K' | 'O' | null; before: Tuple | null; after: Tuple }
  | { tag: 'delete'; relationId: number; oldKind: 'K' | 'O'; before: Tuple }
  | { tag: 'truncate'; cascade: boolean; restartIdentity: boolean; relationIds: number[] }
  | { tag: 'message'; transactional: boolean; lsn: bigint; prefix: string; content: Buffer };

class Reader {
  offset = 0;
  private readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  u8(): number {
    const v = this.buf[this.offset];
    if (v === undefined) throw new RangeError('pgoutput message truncated');
    this.offset += 1;
    return v;
  }
  i16(): number {
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  i32(): number {
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u32(): number {
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u64(): bigint {
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  i64(): bigint {
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) throw new RangeError('pgoutput string not terminated');
    const s = this.buf.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    if (this.offset + n > this.buf.length) throw new RangeError('pgoutput message truncated');
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
  tuple(): Tuple {
    const n = this.i16();
    const out: Tuple = new Array<TupleValue>(n);
    for (let i = 0; i < n; i++) {
      const kind = this.u8();
      switch (kind) {
        case 0x6e: // 'n'
          out[i] = null;
          break;
        case 0x75: // 'u'
          out[i] = UNCHANGED_TOAST;
          break;
        case 0x74: {
          // 't'
          const len = this.i32();
          out[i] = this.buf.toString('utf8', this.offset, this.offset + len);
          this.offset += len;
          break;
        }
        case 0x62: // 'b' (only with the `binary` option, which the capture never asks for)
          throw new RangeError('binary tuple data is not supported');
        default:
          throw new RangeError(`unknown tuple data kind 0x${kind.toString(16)}`);
      }
    }
    return out;
  }
}

/** Decodes one pgoutput message (the payload of an XLogData). Unknown message types throw. */
export function decodePgOutput(buf: Buffer): PgOutputMessage {
  const r = new Reader(buf);
  const tag = r.u8();
  switch (tag) {
    case 0x42: // 'B'
      return { tag: 'begin', finalLsn: r.u64(), commitTime: r.i64(), xid: r.u32() };
    case 0x43: // 'C'
      return { tag: 'commit', flags: r.u8(), commitLsn: r.u64(), endLsn: r.u64(), commitTime: r.i64() };
    case 0x4f: // 'O'
      return { tag: 'origin', originLsn: r.u64(), name: r.cstring() };
    case 0x52: {
      // 'R'
      const relationId = r.u32();
      const schema = r.cstring();
      const name = r.cstring();
      const replicaIdentity = String.fromCharCode(r.u8()) as ReplicaIdentity;
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.u8();
        columns.push({ isKey: (flags & 1) === 1, name: r.cstring(), typeOid: r.u32(), typeMod: r.i32() });
      }
      return { tag: 'relation', relationId, schema, name, replicaIdentity, columns };
    }
    case 0x59: // 'Y'
      return { tag: 'type', typeOid: r.u32(), schema: r.cstring(), name: r.cstring() };
    case 0x49: {
      // 'I'
      const relationId = r.u32();
      const n = r.u8();
      if (n !== 0x4e) throw new RangeError('insert without a new tuple');
      return { tag: 'insert', relationId, after: r.tuple() };
    }
    case 0x55: {
      // 'U'
      const relationId = r.u32();
      let kind = r.u8();
      let oldKind: 'K' | 'O' | null = null;
      let before: Tuple | null = null;
      if (kind === 0x4b || kind === 0x4f) {
        oldKind = kind === 0x4b ? 'K' : 'O';
        before = r.tuple();
        kind = r.u8();
      }
      if (kind !== 0x4e) throw new RangeError('update without a new tuple');
      return { tag: 'update', relationId, oldKind, before, after: r.tuple() };
    }
    case 0x44: {
      // 'D'
      const relationId = r.u32();
      const kind = r.u8();
      if (kind !== 0x4b && kind !== 0x4f) throw new RangeError('delete without an old tuple');
      return { tag: 'delete', relationId, oldKind: kind === 0x4b ? 'K' : 'O', before: r.tuple() };
    }
    case 0x54: {
      // 'T'
      const n = r.i32();
      const options = r.u8();
      const relationIds: number[] = [];
      for (let i = 0; i < n; i++) relationIds.push(r.u32());
      return {
        tag: 'truncate',
        cascade: (options & 1) === 1,
        restartIdentity: (options & 2) === 2,
        relationIds,
      };
    }
    case 0x4d: {
      // 'M'
      const flags = r.u8();
      const lsn = r.u64();
      const prefix = r.cstring();
      const len = r.i32();
      return {
        tag: 'message',
        transactional: (flags & 1) === 1,
        lsn,
        prefix,
        content: Buffer.from(r.bytes(len)),
      };
    }
    default:
      throw new RangeError(`unknown pgoutput message type 0x${tag.toString(16)}`);
  }
}
