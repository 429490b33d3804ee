import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { ScramClient } from './scram.ts';
import { PG_EPOCH_MICROS, md5, message, parseError } from './wire-protocol.ts';
import type { ConnectionParams, ServerError } from './wire-protocol.ts';

export { PG_EPOCH_MICROS, paramsFromUrl } from './wire-protocol.ts';
export type { ConnectionParams, ServerError } from './wire-protocol.ts';

/**
 * A minimal client of the Postgres frontend/backend protocol (v3) for a replication connection
 * (`replication=database`): startup and authentication (trust, password, md5, SCRAM-SHA-256), simple
 * queries with text results, and CopyBoth for `START_REPLICATION`. Nothing else: normal SQL goes through
 * `pg`. Own code rather than `pg` + `pg-copy-streams` so that CopyData is parsed straight from the socket's
 * buffers and backpressure is a plain `socket.pause()`.
 */

export interface QueryResult {
  command: string;
  columns: string[];
  rows: (string | null)[][];
}

export interface CopyBothHandlers {
  /** `w`: walStart, walEnd, the server's send time (µs since 2000-01-01), the pgoutput message. */
  onXLogData(walStart: bigint, walEnd: bigint, data: Buffer): void;
  /** `k`: the server's WAL end and whether it wants a status update now. */
  onKeepalive(walEnd: bigint, replyRequested: boolean): void;
  /** The stream ended: `null` when ended by us (CopyDone), else the error. */
  onEnd(error: Error | null): void;
}

type Pending =
  | { kind: 'startup'; resolve: () => void; reject: (e: Error) => void }
  | {
      kind: 'query';
      resolve: (r: QueryResult[]) => void;
      reject: (e: Error) => void;
      results: QueryResult[];
      current: QueryResult | null;
      error: Error | null;
    }
  | {
      kind: 'copy';
      resolve: () => void;
      reject: (e: Error) => void;
      handlers: CopyBothHandlers;
      started: boolean;
    };

export class WireClient {
  readonly parameters = new Map<string, string>();
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending | null = null;
  private scram: ScramClient | null = null;
  private closed = false;
  private closeError: Error | null = null;
  private copyEndWaiter: (() => void) | null = null;

  private readonly socket: Socket;
  private readonly params: ConnectionParams;

  private constructor(socket: Socket, params: ConnectionParams) {
    this.socket = socket;
    this.params = params;
  }

  static async connect(params: ConnectionParams): Promise<WireClient> {
    const socket = netConnect({ host: params.host, port: params.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${params.host}:${params.port} timed out`));
      }, params.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const client = new WireClient(socket, params);
    socket.on('data', (chunk: Buffer) => client.onData(chunk));
    socket.on('error', (err) => client.fail(err));
    socket.on('close', () => client.fail(new Error('the server closed the connection')));
    await new Promise<void>((resolve, reject) => {
      client.pending = { kind: 'startup', resolve, reject };
      client.sendStartup();
    });
    return client;
  }

  get serverVersionNum(): number {
    const v = this.parameters.get('server_version') ?? '0';
    const [major = '0', minor = '0'] = v.split(/[.\s]/);
    return Number(major) * 10_000 + (Number(major) >= 10 ? Number(minor) : Number(minor) * 100);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs one simple query (possibly several statements); text results. */
  query(sql: string): Promise<QueryResult[]> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closeError ?? new Error('connection closed'));
      if (this.pending) return reject(new Error('another command is in progress'));
      this.pending = { kind: 'query', resolve, reject, results: [], current: null, error: null };
      const body = Buffer.from(`${sql}\0`, 'utf8');
      this.socket.write(message(0x51, body));
    });
  }

  /** Sends `START_REPLICATION ...`; resolves once the server switched to CopyBoth. */
  startCopyBoth(sql: string, handlers: CopyBothHandlers): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closeError ?? new Error('connection closed'));
      if (this.pending) return reject(new Error('another command is in progress'));
      this.pending = { kind: 'copy', resolve, reject, handlers, started: false };
      this.socket.write(message(0x51, Buffer.from(`${sql}\0`, 'utf8')));
    });
  }

  /** Standby Status Update: written, flushed and applied positions. */
  sendStatus(written: bigint, flushed: bigint, applied: bigint, replyRequested = false): void {
    if (this.closed) return;
    const body = Buffer.alloc(34);
    body[0] = 0x72; // 'r'
    body.writeBigUInt64BE(written, 1);
    body.writeBigUInt64BE(flushed, 9);
    body.writeBigUInt64BE(applied, 17);
    body.writeBigInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_MICROS, 25);
    body[33] = replyRequested ? 1 : 0;
    this.socket.write(message(0x64, body));
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Ends CopyBoth (CopyDone) and waits, at most `timeoutMs`, for the server to finish the command. */
  async endCopy(timeoutMs = 2000): Promise<void> {
    if (this.closed || this.pending?.kind !== 'copy') return;
    this.socket.resume();
    const done = new Promise<void>((resolve) => {
      this.copyEndWaiter = resolve;
    });
    this.socket.write(message(0x63, Buffer.alloc(0)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Terminate and close the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closeError = new Error('connection closed');
    await new Promise<void>((resolve) => {
      this.socket.end(message(0x58, Buffer.alloc(0)), () => resolve());
      setTimeout(resolve, 1000).unref();
    });
    this.socket.destroy();
    this.settle(null);
  }

  /** Drops the socket without a goodbye (tests simulate a crash with it). */
  destroy(): void {
    this.socket.destroy();
    this.fail(new Error('connection destroyed'));
  }

  private sendStartup(): void {
    const parts: Buffer[] = [];
    const put = (k: string, v: string) => parts.push(Buffer.from(`${k}\0${v}\0`, 'utf8'));
    put('user', this.params.user);
    put('database', this.params.database);
    put('replication', 'database');
    put('application_name', this.params.applicationName);
    put('client_encoding', 'UTF8');
    for (const [k, v] of Object.entries(this.params.settings)) put(k, v);
    parts.push(Buffer.from([0]));
    const body = Buffer.concat(parts);
    const head = Buffer.alloc(8);
    head.writeInt32BE(body.length + 8, 0);
    head.writeInt32BE(196608, 4);
    this.socket.write(Buffer.concat([head, body]));
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    const buf = this.buffer;
    try {
      while (buf.length - offset >= 5) {
        const type = buf[offset] as number;
        const length = buf.readInt32BE(offset + 1);
        if (buf.length - offset < length + 1) break;
        const body = buf.subarray(offset + 5, offset + 1 + length);
        offset += length + 1;
        this.handle(type, body);
      }
    } catch (err) {
      this.buffer = Buffer.alloc(0);
      this.fail(err as Error);
      this.socket.destroy();
      return;
    }
    this.buffer = offset === buf.length ? Buffer.alloc(0) : buf.subarray(offset);
  }

  private handle(type: number, body: Buffer): void {
    switch (type) {
      case 0x64: // 'd' CopyData
        return this.onCopyData(body);
      case 0x52: // 'R' authentication
        return this.onAuth(body);
      case 0x53: {
        // 'S' ParameterStatus
        const [k = '', v = ''] = body.toString('utf8').split('\0');
        this.parameters.set(k, v);
        return;
      }
      case 0x4b: // 'K' BackendKeyData
      case 0x4e: // 'N' notice
      case 0x41: // 'A' notification
        return;
      case 0x45: // 'E' error
        return this.onError(parseError(body));
      case 0x5a: // 'Z' ReadyForQuery
        return this.onReady();
      case 0x54: // 'T' RowDescription
        return this.onRowDescription(body);
      case 0x44: // 'D' DataRow
        return this.onDataRow(body);
      case 0x43: {
        // 'C' CommandComplete
        const p = this.pending;
        if (p?.kind === 'query') {
          const r = p.current ?? { command: '', columns: [], rows: [] };
          r.command = body.toString('utf8', 0, body.length - 1);
          p.results.push(r);
          p.current = null;
        }
        return;
      }
      case 0x49: // 'I' EmptyQueryResponse
        return;
      case 0x57: {
        // 'W' CopyBothResponse
        const p = this.pending;
        if (p?.kind !== 'copy') throw new Error('unexpected CopyBothResponse');
        p.started = true;
        p.resolve();
        return;
      }
      case 0x63: // 'c' CopyDone from the server
        return;
      case 0x48: // 'H' CopyOutResponse (not expected for logical replication)
        throw new Error('unexpected CopyOutResponse');
      default:
        throw new Error(`unexpected message type ${String.fromCharCode(type)}`);
    }
  }

  private onCopyData(body: Buffer): void {
    const p = this.pending;
    if (p?.kind !== 'copy') throw new Error('CopyData outside of a copy');
    const tag = body[0];
    if (tag === 0x77) {
      // 'w' XLogData
      p.handlers.onXLogData(body.readBigUInt64BE(1), body.readBigUInt64BE(9), body.subarray(25));
    } else if (tag === 0x6b) {
      // 'k' primary keepalive
      p.handlers.onKeepalive(body.readBigUInt64BE(1), body[17] === 1);
    }
  }

  private onAuth(body: Buffer): void {
    const code = body.readInt32BE(0);
    switch (code) {
      case 0:
        return; // AuthenticationOk
      case 3:
        this.socket.write(message(0x70, Buffer.from(`${this.params.password}\0`, 'utf8')));
        return;
      case 5: {
        const salt = body.subarray(4, 8);
        const inner = md5(this.params.password + this.params.user);
        const outer = `md5${md5(Buffer.concat([Buffer.from(inner), salt]))}`;
        this.socket.write(message(0x70, Buffer.from(`${outer}\0`, 'utf8')));
        return;
      }
      case 10: {
        const mechanisms = body.toString('utf8', 4).split('\0');
        if (!mechanisms.includes('SCRAM-SHA-256')) {
          throw new Error(`no supported SASL mechanism among ${mechanisms.filter(Boolean).join(', ')}`);
        }
        this.scram = new ScramClient(this.params.password);
        const first = Buffer.from(this.scram.clientFirst(), 'utf8');
        const name = Buffer.from('SCRAM-SHA-256\0', 'utf8');
        const len = Buffer.alloc(4);
        len.writeInt32BE(first.length, 0);
        this.socket.write(message(0x70, Buffer.concat([name, len, first])));
        return;
      }
      case 11: {
        if (!this.scram) throw new Error('SASL continue without a SASL start');
        const final = this.scram.clientFinal(body.toString('utf8', 4));
        this.socket.write(message(0x70, Buffer.from(final, 'utf8')));
        return;
      }
      case 12:
        this.scram?.verifyServerFinal(body.toString('utf8', 4));
        return;
      default:
        throw new Error(`authentication method ${code} is not supported`);
    }
  }

  private onRowDescription(body: Buffer): void {
    const p = this.pending;
    if (p?.kind !== 'query') return;
    const count = body.readInt16BE(0);
    const columns: string[] = [];
    let off = 2;
    for (let i = 0; i < count; i++) {
      const end = body.indexOf(0, off);
      columns.push(body.toString('utf8', off, end));
      off = end + 1 + 18;
    }
    p.current = { command: '', columns, rows: [] };
  }

  private onDataRow(body: Buffer): void {
    const p = this.pending;
    if (p?.kind !== 'query' || !p.current) return;
    const count = body.readInt16BE(0);
    const row = new Array<string | null>(count);
    let off = 2;
    for (let i = 0; i < count; i++) {
      const len = body.readInt32BE(off);
      off += 4;
      if (len < 0) row[i] = null;
      else {
        row[i] = body.toString('utf8', off, off + len);
        off += len;
      }
    }
    p.current.rows.push(row);
  }

  private onError(error: ServerError): void {
    const p = this.pending;
    if (!p) throw error;
    if (p.kind === 'query') {
      p.error ??= error;
      return;
    }
    // Startup and copy errors end the exchange (the server follows with ReadyForQuery, or closes).
    if (p.kind === 'copy' && p.started) {
      this.pending = {
        kind: 'query',
        resolve: () => {},
        reject: () => {},
        results: [],
        current: null,
        error,
      };
      p.handlers.onEnd(error);
      return;
    }
    this.pending = null;
    p.reject(error);
  }

  private onReady(): void {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    if (p.kind === 'startup') p.resolve();
    else if (p.kind === 'query') {
      if (p.error) p.reject(p.error);
      else p.resolve(p.results);
    } else if (p.kind === 'copy') {
      if (p.started) p.handlers.onEnd(null);
      else p.reject(new Error('START_REPLICATION ended without streaming'));
    }
    const waiter = this.copyEndWaiter;
    this.copyEndWaiter = null;
    waiter?.();
  }

  private fail(error: Error): void {
    if (!this.closed) {
      this.closed = true;
      this.closeError = error;
    }
    this.settle(error);
  }

  private settle(error: Error | null): void {
    const p = this.pending;
    this.pending = null;
    const waiter = this.copyEndWaiter;
    this.copyEndWaiter = null;
    waiter?.();
    if (!p) return;
    if (p.kind === 'copy' && p.started) p.handlers.onEnd(error);
    else p.reject(error ?? new Error('connection closed'));
  }
}
