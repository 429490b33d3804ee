import pg from 'pg';

/** One row: the key every router of a consumer group hashes with. */
const TABLE = 'public.cdc_router_hash_key';

/**
 * The hash key the routers sharing a router database use (Kafka mode: replicas of one consumer group must
 * hash a value alike, since the hash is a join key in the sinks). The first router to get here stores
 * `seed`; every later one, and every restart, reads that key back. An advisory lock orders routers that
 * start together (concurrent `create table if not exists` can fail in Postgres).
 */
export async function sharedHashKey(databaseUrl: string, seed: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(hashtext('${TABLE}'))`);
    await client.query(`create table if not exists ${TABLE} (
      id boolean primary key default true check (id),
      hash_key text not null,
      created_at timestamptz not null default now())`);
    await client.query(`insert into ${TABLE} (hash_key) values ($1) on conflict (id) do nothing`, [seed]);
    const { rows } = await client.query<{ hash_key: string }>(`select hash_key from ${TABLE}`);
    await client.query('commit');
    return (rows[0] as { hash_key: string }).hash_key;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}
