import pg from 'pg';
import { DeadLetterUnavailable } from '../errors.ts';
import { qualified } from '../sinks/pg-identifiers.ts';
import type { DeadLetterFilter, DeadLetterRecord, DeadLetterView } from './dead-letter.ts';
import { dedupeKey } from './dead-letter.ts';

interface Row {
  id: string;
  created_at: Date;
  route_id: string | null;
  source_id: string | null;
  table_name: string | null;
  topic: string;
  partition: number | null;
  record_offset: string | null;
  record_key: string | null;
  record_value: string | null;
  headers: Record<string, string>;
  source_position: string | null;
  reason: string;
  decision_id: string | null;
  error: string;
  attempts: number;
  replayed_at: Date | null;
  replay_id: string | null;
}

export interface StoredDeadLetter {
  view: DeadLetterView;
  record: DeadLetterRecord;
}

/**
 * The dead letters in the router's database: the table of embedded mode, and in Kafka mode the index the
 * API lists and replays from (the dead-letter topic carries the same records). Writes are idempotent.
 */
export class DeadLetterStore {
  readonly #pool: pg.Pool;
  readonly #table: string;
  readonly #replays: string;

  constructor(url: string, table: string) {
    this.#pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000 });
    this.#pool.on('error', () => {});
    this.#table = qualified(table);
    this.#replays = qualified(`${table.split('.')[0]}.cdc_replay_item`);
  }

  /**
   * Creates the tables; several routers starting at once take turns (`create ... if not exists` races).
   * One simple query is one transaction, so the lock is held to its end.
   */
  async migrate(): Promise<void> {
    await this.#pool.query(`
      select pg_advisory_xact_lock(hashtext('spine.dead_letters.migrate'));
      create table if not exists ${this.#table} (
        id bigserial primary key,
        dedupe_key text not null unique,
        created_at timestamptz not null default now(),
        route_id text, source_id text, table_name text,
        topic text not null, partition int, record_offset text,
        record_key text, record_value text, headers jsonb not null default '{}',
        source_position text, reason text not null, decision_id text, error text not null,
        attempts int not null default 1, replayed_at timestamptz, replay_id text);
      create index if not exists cdc_dead_letter_pending on ${this.#table} (id) where replayed_at is null;
      create table if not exists ${this.#replays} (
        replay_id text not null, dead_letter_id bigint not null, outcome text not null,
        at timestamptz not null default now(), primary key (replay_id, dead_letter_id))`);
  }

  async ping(): Promise<void> {
    await this.#pool.query('select 1');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  /** Durable when it resolves; a failure stops the pipeline (the batch is not committed). */
  async write(records: readonly DeadLetterRecord[]): Promise<void> {
    if (records.length === 0) return;
    const cols = (f: (r: DeadLetterRecord) => unknown) => records.map(f);
    try {
      await this.#pool.query(
        `insert into ${this.#table} (dedupe_key, route_id, source_id, table_name, topic, partition, record_offset,
           record_key, record_value, headers, source_position, reason, decision_id, error)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
           $8::text[], $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::text[], $14::text[])
         on conflict (dedupe_key) do update set attempts = ${this.#table}.attempts + 1,
           reason = excluded.reason, error = excluded.error, decision_id = excluded.decision_id`,
        [
          cols(dedupeKey),
          cols((r) => r.routeId),
          cols((r) => r.sourceId),
          cols((r) => r.table),
          cols((r) => r.topic),
          cols((r) => r.partition),
          cols((r) => r.offset),
          cols((r) => r.key),
          cols((r) => r.value),
          cols((r) => JSON.stringify(r.headers)),
          cols((r) => r.position),
          cols((r) => r.reason),
          cols((r) => r.decisionId),
          cols((r) => r.error.slice(0, 4000)),
        ],
      );
    } catch (err) {
      throw new DeadLetterUnavailable((err as Error).message, { cause: err });
    }
  }

  async depth(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: string }>(
      `select count(*) as n from ${this.#table} where replayed_at is null`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async list(filter: DeadLetterFilter): Promise<StoredDeadLetter[]> {
    const { where, params } = whereOf(filter);
    params.push(filter.limit ?? 100);
    const { rows } = await this.#pool.query<Row>(
      `select * from ${this.#table} ${where} order by id limit $${params.length}`,
      params,
    );
    return rows.map(toStored);
  }

  /** How many dead letters match the filter (its status included; `limit` and `afterId` ignored). */
  async count(filter: DeadLetterFilter): Promise<number> {
    const { where, params } = whereOf(filter, false);
    const { rows } = await this.#pool.query<{ n: string }>(
      `select count(*) as n from ${this.#table} ${where}`,
      params,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async get(id: string): Promise<StoredDeadLetter | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const { rows } = await this.#pool.query<Row>(`select * from ${this.#table} where id = $1`, [id]);
    return rows[0] ? toStored(rows[0]) : null;
  }

  /** Dead letters this replay id already handled (a repeated replay call skips them). */
  async handledBy(replayId: string, ids: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.#pool.query<{ dead_letter_id: string }>(
      `select dead_letter_id::text from ${this.#replays} where replay_id = $1 and dead_letter_id = any($2::bigint[])`,
      [replayId, ids],
    );
    return new Set(rows.map((r) => r.dead_letter_id));
  }

  async recordReplay(
    replayId: string,
    id: string,
    outcome: 'replayed' | 'dead_lettered',
    again?: { reason: string; error: string; decisionId: string | null },
  ): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into ${this.#replays} (replay_id, dead_letter_id, outcome) values ($1, $2, $3) on conflict do nothing`,
        [replayId, id, outcome],
      );
      if (outcome === 'replayed')
        await client.query(`update ${this.#table} set replayed_at = now(), replay_id = $2 where id = $1`, [
          id,
          replayId,
        ]);
      else if (again)
        await client.query(
          `update ${this.#table} set attempts = attempts + 1, reason = $2, error = $3, decision_id = $4 where id = $1`,
          [id, again.reason, again.error.slice(0, 4000), again.decisionId],
        );
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw new DeadLetterUnavailable((err as Error).message, { cause: err });
    } finally {
      client.release();
    }
  }
}

/** The `where` clause of a filter (`status` defaults to pending), with its parameters. */
function whereOf(filter: DeadLetterFilter, paged = true): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.since) add('created_at >= ?', filter.since);
  if (filter.until) add('created_at < ?', filter.until);
  if (filter.table) add('table_name = ?', filter.table);
  if (filter.reason) add('reason = ?', filter.reason);
  if (filter.route) add('route_id = ?', filter.route);
  if (filter.ids) add('id = any(?::bigint[])', filter.ids);
  if (paged && filter.afterId) add('id > ?::bigint', filter.afterId);
  const status = filter.status ?? 'pending';
  if (status === 'pending') where.push('replayed_at is null');
  if (status === 'replayed') where.push('replayed_at is not null');
  return { where: where.length ? `where ${where.join(' and ')}` : '', params };
}

function toStored(r: Row): StoredDeadLetter {
  return {
    view: {
      id: String(r.id),
      created_at: r.created_at.toISOString(),
      route: r.route_id,
      source: r.source_id,
      table: r.table_name,
      topic: r.topic,
      partition: r.partition,
      offset: r.record_offset,
      key: r.record_key,
      source_position: r.source_position,
      reason: r.reason,
      decision_id: r.decision_id,
      error: r.error,
      attempts: r.attempts,
      status: r.replayed_at ? 'replayed' : 'pending',
      replayed_at: r.replayed_at ? r.replayed_at.toISOString() : null,
      replay_id: r.replay_id,
    },
    record: {
      routeId: r.route_id,
      sourceId: r.source_id,
      table: r.table_name,
      topic: r.topic,
      partition: r.partition,
      offset: r.record_offset,
      key: r.record_key,
      value: r.record_value,
      headers: r.headers,
      position: r.source_position,
      reason: r.reason,
      decisionId: r.decision_id,
      error: r.error,
    },
  };
}
