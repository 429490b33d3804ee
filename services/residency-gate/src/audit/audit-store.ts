import pg from 'pg';
import type { Logger } from '@data-spine/service-kit';
import { AUDIT_ROLE, MIGRATIONS, ROLE_SETUP } from './audit-migrations.ts';
import type { SignedCheckpoint } from './audit-record.ts';
import type { RowBlock } from './row-block.ts';

const MIGRATION_LOCK = 8_181_001;

export interface ChainHead {
  seq: number;
  hash: string | null;
  checkpointSeq: number;
  checkpointAt: number;
}

export interface StoredRow {
  seq: number;
  decision_id: string;
  ts: Date;
  record: string;
  hash: string;
}

/** A transaction of appends, fed a chunk at a time (see `AuditStore.openAppend`). */
export interface ChunkedAppend {
  /** Sends the block's insert now; its result is awaited at commit. Blocks follow one another in seq. */
  add(block: RowBlock): void;
  /** Appends the checkpoint, if any, and commits; rejects with the first failure (then nothing is kept). */
  commit(checkpoint: SignedCheckpoint | null): Promise<void>;
  /** Rolls back. */
  abort(): Promise<void>;
}

const APPEND_STATEMENT = 'gate_audit_append';
/** A block of rows (see `RowBlock`), and a checkpoint when $6 is not null. */
const APPEND_SQL = `with r as (
    insert into gate_audit (seq, decision_id, ts, record, hash)
    select $1::bigint + x.n - 1, x.d, x.t::timestamptz, x.r, x.h
      from unnest(string_to_array($2::text, E'\\n'), string_to_array($3, E'\\n'),
                  string_to_array($4, E'\\n'), string_to_array($5, E'\\n'))
           with ordinality as x(r, d, t, h, n)
    returning 1
  )
  insert into gate_audit_checkpoint (seq, hash, ts, key_id, public_key, signature)
  select $6::bigint, $7::text, $8::timestamptz, $9::text, $10::text, $11::text where $6::bigint is not null`;

function appendParams(block: RowBlock | null, checkpoint: SignedCheckpoint | null): unknown[] {
  const some = block !== null && block.count > 0;
  return [
    some ? block.first : 0,
    some ? block.records : null,
    some ? block.ids : null,
    some ? block.times : null,
    some ? block.hashes : null,
    checkpoint?.seq ?? null,
    checkpoint?.hash ?? null,
    checkpoint?.timestamp ?? null,
    checkpoint?.key_id ?? null,
    checkpoint?.public_key ?? null,
    checkpoint?.signature ?? null,
  ];
}

/** The audit tables in Postgres. After `migrate`, every session runs as the append-only role when it exists. */
export class AuditStore {
  private pool: pg.Pool;
  /** One pipelined connection for chunked appends (`openAppend`). */
  private pipelined: pg.Pool;
  private restricted = false;
  private readonly log: Logger | undefined;
  private readonly url: string;
  private readonly max: number;

  constructor(url: string, log?: Logger, max = 4) {
    this.url = url;
    this.max = max;
    this.log = log;
    this.pool = this.newPool(null);
    this.pipelined = this.newPool(null, true);
  }

  private newPool(role: string | null, pipeline = false): pg.Pool {
    const pool = new pg.Pool({
      connectionString: this.url,
      max: pipeline ? 1 : this.max,
      // Pipelined: statements are written as they are issued, without waiting for the one before.
      ...(pipeline ? { pipeline: true } : {}),
      application_name: 'residency-gate',
      // The role is a startup parameter, so no session of this pool ever has the owner's rights.
      ...(role ? { options: `-c role=${role}` } : {}),
    });
    pool.on('error', (err) => this.log?.warn({ err }, 'idle Postgres connection failed'));
    return pool;
  }

  /** Whether sessions run as the role that cannot UPDATE or DELETE audit rows. */
  get appendOnlyRole(): boolean {
    return this.restricted;
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      for (const sql of MIGRATIONS) await client.query(sql);
      try {
        for (const sql of ROLE_SETUP) await client.query(sql);
        this.restricted = true;
      } catch (err) {
        this.log?.warn(
          { err },
          `cannot set up the ${AUDIT_ROLE} role; the triggers alone keep the audit log append-only`,
        );
      }
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    } finally {
      client.release();
    }
    if (this.restricted) {
      // Every session from here on runs as the role that may only SELECT and INSERT.
      const owner = this.pool;
      const ownerPipelined = this.pipelined;
      this.pool = this.newPool(AUDIT_ROLE);
      this.pipelined = this.newPool(AUDIT_ROLE, true);
      await Promise.all([owner.end(), ownerPipelined.end()]);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  /** The chain head and the last checkpoint, as committed. */
  async readHead(): Promise<ChainHead> {
    const r = await this.pool.query<{
      seq: string | null;
      hash: string | null;
      cseq: string | null;
      cts: Date | null;
    }>(
      `select h.seq, h.hash, c.seq as cseq, c.ts as cts
         from (select 1) one
         left join lateral (select seq, hash from gate_audit order by seq desc limit 1) h on true
         left join lateral (select seq, ts from gate_audit_checkpoint order by seq desc limit 1) c on true`,
    );
    const row = r.rows[0];
    return {
      seq: row?.seq != null ? Number(row.seq) : 0,
      hash: row?.hash ?? null,
      checkpointSeq: row?.cseq != null ? Number(row.cseq) : 0,
      checkpointAt: row?.cts?.getTime() ?? 0,
    };
  }

  /**
   * Appends records, and a checkpoint when given, in one statement: one round trip and one commit. The
   * sequence number is the primary key, so an append computed from a stale head fails (23505) instead of
   * forking the chain.
   */
  async append(block: RowBlock | null, checkpoint: SignedCheckpoint | null): Promise<void> {
    await this.pool.query({
      name: APPEND_STATEMENT,
      text: APPEND_SQL,
      values: appendParams(block, checkpoint),
    });
  }

  /**
   * One transaction fed chunk by chunk: each chunk's insert is sent as soon as it is added, so the caller
   * computes the next chunk while Postgres stores this one. Nothing is visible until `commit`.
   */
  async openAppend(): Promise<ChunkedAppend> {
    const client = await this.pipelined.connect();
    let failure: unknown = null;
    const fail = (err: unknown) => {
      failure ??= err;
    };
    // The connection is pipelined: each statement is written at once, so Postgres stores a chunk while
    // the caller computes the next. After a failed statement the rest fail too (the transaction is
    // aborted, and its COMMIT only rolls back): the first failure is the one reported.
    const sent: Promise<unknown>[] = [client.query('begin').catch(fail)];
    const send = (block: RowBlock | null, checkpoint: SignedCheckpoint | null) => {
      const values = appendParams(block, checkpoint);
      sent.push(client.query({ name: APPEND_STATEMENT, text: APPEND_SQL, values }).catch(fail));
    };
    let done = false;
    const finish = async (ok: boolean) => {
      if (done) return;
      done = true;
      const end = client.query(ok ? 'commit' : 'rollback').then(
        () => null,
        (err: unknown) => err,
      );
      await Promise.all(sent);
      const endFailure = await end;
      // A connection whose COMMIT or ROLLBACK failed is not given back to the pool.
      client.release(endFailure === null ? undefined : endFailure instanceof Error ? endFailure : true);
      if (ok && (failure ?? endFailure) !== null) throw failure ?? endFailure;
    };
    return {
      add: (block) => {
        if (done) throw new Error('the append is finished');
        if (block.count > 0) send(block, null);
      },
      commit: async (checkpoint) => {
        if (!done && checkpoint) send(null, checkpoint);
        await finish(true);
      },
      abort: () => finish(false),
    };
  }

  async maxSeq(): Promise<number> {
    const r = await this.pool.query<{ m: string | null }>('select max(seq) as m from gate_audit');
    return Number(r.rows[0]?.m ?? 0);
  }

  async rows(fromSeq: number, toSeq: number): Promise<StoredRow[]> {
    const r = await this.pool.query<{
      seq: string;
      decision_id: string;
      ts: Date;
      record: string;
      hash: string;
    }>('select seq, decision_id, ts, record, hash from gate_audit where seq between $1 and $2 order by seq', [
      fromSeq,
      toSeq,
    ]);
    return r.rows.map((x) => ({ ...x, seq: Number(x.seq) }));
  }

  async checkpoints(fromSeq: number, toSeq: number): Promise<SignedCheckpoint[]> {
    const r = await this.pool.query<{
      seq: string;
      hash: string;
      ts: Date;
      key_id: string;
      public_key: string;
      signature: string;
    }>(
      'select seq, hash, ts, key_id, public_key, signature from gate_audit_checkpoint where seq between $1 and $2 order by seq',
      [fromSeq, toSeq],
    );
    return r.rows.map((x) => ({
      type: 'checkpoint',
      seq: Number(x.seq),
      hash: x.hash,
      timestamp: x.ts.toISOString(),
      key_id: x.key_id,
      public_key: x.public_key,
      signature: x.signature,
    }));
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.pipelined.end()]);
  }
}
