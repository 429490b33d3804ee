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
  /** The record's canonical JSON (RFC 8785), as hashed. */
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

const APPEND_STATEMENT = 'gate_audit_append_block';
/** A block of records (see `RowBlock`) when $1 is not null, and a checkpoint when $6 is not null. */
const APPEND_SQL = `with b as (
    insert into gate_audit_block (first_seq, last_seq, last_hash, records, hashes)
    select $1::bigint, $2::bigint, $3::text, $4::text, $5::text where $1::bigint is not null
    returning 1
  )
  insert into gate_audit_checkpoint (seq, hash, ts, key_id, public_key, signature)
  select $6::bigint, $7::text, $8::timestamptz, $9::text, $10::text, $11::text where $6::bigint is not null`;

function appendParams(block: RowBlock | null, checkpoint: SignedCheckpoint | null): unknown[] {
  const some = block !== null && block.count > 0;
  return [
    some ? block.first : null,
    some ? block.first + block.count - 1 : null,
    some ? block.lastHash : null,
    some ? block.records : null,
    some ? block.hashes : null,
    checkpoint?.seq ?? null,
    checkpoint?.hash ?? null,
    checkpoint?.timestamp ?? null,
    checkpoint?.key_id ?? null,
    checkpoint?.public_key ?? null,
    checkpoint?.signature ?? null,
  ];
}

export interface AuditStoreOptions {
  log?: Logger | undefined;
  /** Sessions per pool (default 4). */
  max?: number;
  /**
   * A login of its own for the service's sessions (SPINE_GATE_AUDIT_DATABASE_URL): `migrate` runs as the
   * owner (the store's URL) and makes this login a member of the append-only role, so no session of the
   * service ever holds the owner's rights, even after RESET ROLE. Without it, sessions log in as the
   * owner and take the append-only role as a startup parameter.
   */
  sessionUrl?: string | undefined;
  /** Sessions take this role from the start (the writer thread, given what its owner's `migrate` set up). */
  role?: string | null;
}

/** The audit tables in Postgres. After `migrate`, every session runs as the append-only role when it exists. */
export class AuditStore {
  private pool: pg.Pool;
  /** One pipelined connection for chunked appends (`openAppend`). */
  private pipelined: pg.Pool;
  private restricted = false;
  private readonly log: Logger | undefined;
  private readonly url: string;
  private readonly sessionUrl: string | undefined;
  private readonly max: number;

  constructor(url: string, o: AuditStoreOptions = {}) {
    this.url = url;
    this.sessionUrl = o.sessionUrl;
    this.max = o.max ?? 4;
    this.log = o.log;
    const role = o.role ?? null;
    this.pool = this.newPool(role);
    this.pipelined = this.newPool(role, true);
    this.restricted = role !== null;
  }

  /** How another thread opens its own sessions to this store, with the same rights. */
  get connection(): { url: string; max: number; role: string | null } {
    return this.sessionUrl !== undefined
      ? { url: this.sessionUrl, max: this.max, role: null }
      : { url: this.url, max: this.max, role: this.restricted ? AUDIT_ROLE : null };
  }

  private newPool(role: string | null, pipeline = false): pg.Pool {
    const pool = new pg.Pool({
      connectionString: this.sessionUrl ?? this.url,
      max: pipeline ? 1 : this.max,
      // Pipelined: statements are written as they are issued, without waiting for the one before.
      ...(pipeline ? { pipeline: true } : {}),
      application_name: 'residency-gate',
      // The role is a startup parameter, so no session of this pool ever has the owner's rights.
      ...(role && this.sessionUrl === undefined ? { options: `-c role=${role}` } : {}),
    });
    pool.on('error', (err) => this.log?.warn({ err }, 'idle Postgres connection failed'));
    return pool;
  }

  /** Whether sessions run as a role that cannot UPDATE or DELETE audit rows. */
  get appendOnlyRole(): boolean {
    return this.restricted;
  }

  async migrate(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'residency-gate' });
    await client.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      for (const sql of MIGRATIONS) await client.query(sql);
      try {
        for (const sql of ROLE_SETUP) await client.query(sql);
        if (this.sessionUrl !== undefined) await this.grantSessionLogin(client);
        this.restricted = true;
      } catch (err) {
        if (this.sessionUrl !== undefined) throw err;
        this.log?.warn(
          { err },
          `cannot set up the ${AUDIT_ROLE} role; the triggers alone keep the audit log append-only`,
        );
      }
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    } finally {
      await client.end();
    }
    if (this.restricted && this.sessionUrl === undefined) {
      // Every session from here on runs as the role that may only SELECT and INSERT.
      const owner = this.pool;
      const ownerPipelined = this.pipelined;
      this.pool = this.newPool(AUDIT_ROLE);
      this.pipelined = this.newPool(AUDIT_ROLE, true);
      await Promise.all([owner.end(), ownerPipelined.end()]);
    }
  }

  /**
   * Makes the service's own login a member of the append-only role, after checking it holds no more: not
   * the owner, nor a superuser, a member of the owner, or the owner of an audit table.
   */
  private async grantSessionLogin(owner: pg.Client): Promise<void> {
    const login = (await this.pool.query<{ u: string }>('select session_user as u')).rows[0]?.u ?? '';
    const r = await owner.query<{ same: boolean; superuser: boolean; member: boolean; owns: boolean }>(
      `select $1 = session_user as same,
              coalesce((select rolsuper from pg_roles where rolname = $1), false) as superuser,
              pg_has_role($1, session_user, 'MEMBER') as member,
              exists (select 1 from pg_tables where tablename like 'gate\\_audit%' and tableowner = $1) as owns`,
      [login],
    );
    const why = r.rows[0];
    const refusals = [
      [why?.same, 'logs in as the owner'],
      [why?.superuser, 'logs in as a superuser'],
      [why?.member, 'logs in as a member of the owner'],
      [why?.owns, 'logs in as the owner of audit tables'],
    ] as const;
    const problem = refusals.find(([holds]) => holds === true)?.[1] ?? null;
    if (problem !== null)
      throw new Error(
        `SPINE_GATE_AUDIT_DATABASE_URL ${problem} (${login}); it needs a login of its own, with no more rights than ${AUDIT_ROLE}`,
      );
    const member = await owner.query<{ m: boolean }>(
      `select pg_has_role($1, '${AUDIT_ROLE}', 'MEMBER') as m`,
      [login],
    );
    if (member.rows[0]?.m !== true) await owner.query(`grant ${AUDIT_ROLE} to ${pg.escapeIdentifier(login)}`);
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  /** The chain head and the last checkpoint, as committed. */
  async readHead(): Promise<ChainHead> {
    const r = await this.pool.query<{
      bseq: string | null;
      bhash: string | null;
      seq: string | null;
      hash: string | null;
      cseq: string | null;
      cts: Date | null;
    }>(
      `select b.last_seq as bseq, b.last_hash as bhash, h.seq, h.hash, c.seq as cseq, c.ts as cts
         from (select 1) one
         left join lateral (select last_seq, last_hash from gate_audit_block order by first_seq desc limit 1) b on true
         left join lateral (select seq, hash from gate_audit order by seq desc limit 1) h on true
         left join lateral (select seq, ts from gate_audit_checkpoint order by seq desc limit 1) c on true`,
    );
    const row = r.rows[0];
    // Blocks follow the rows of one record each written before them.
    const seq = row?.bseq ?? row?.seq ?? null;
    return {
      seq: seq !== null ? Number(seq) : 0,
      hash: row?.bhash ?? row?.hash ?? null,
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
    // A checked-out client has no pool listener: a dropped connection would be an uncaught 'error'.
    client.on('error', fail);
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
      client.off('error', fail);
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
    const r = await this.pool.query<{ m: string | null }>(
      `select coalesce((select last_seq from gate_audit_block order by first_seq desc limit 1),
                       (select max(seq) from gate_audit)) as m`,
    );
    return Number(r.rows[0]?.m ?? 0);
  }

  /** Records seq `fromSeq`..`toSeq`, in order: rows written one per record, then the blocks' records. */
  async rows(fromSeq: number, toSeq: number): Promise<StoredRow[]> {
    if (fromSeq > toSeq) return [];
    const [single, blocks] = await Promise.all([
      this.pool.query<{ seq: string; record: string; hash: string }>(
        'select seq, record, hash from gate_audit where seq between $1 and $2 order by seq',
        [fromSeq, toSeq],
      ),
      this.pool.query<{ first_seq: string; records: string; hashes: string }>(
        `select first_seq, records, hashes from gate_audit_block
          where int8range(first_seq, last_seq, '[]') && int8range($1::bigint, $2::bigint, '[]') order by first_seq`,
        [fromSeq, toSeq],
      ),
    ]);
    const out: StoredRow[] = single.rows.map((x) => ({ seq: Number(x.seq), record: x.record, hash: x.hash }));
    for (const b of blocks.rows) {
      const first = Number(b.first_seq);
      const records = b.records.split('\n');
      const hashes = b.hashes.split('\n');
      const from = Math.max(0, fromSeq - first);
      const to = Math.min(records.length - 1, toSeq - first);
      for (let i = from; i <= to; i++)
        out.push({ seq: first + i, record: records[i] as string, hash: hashes[i] as string });
    }
    return out;
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
