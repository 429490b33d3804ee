import type pg from 'pg';

/**
 * Ids come from `registry_schema_id_seq`, except in IMPORT mode, where the body brings them. Moving the
 * sequence past an imported id must not race a registration's `nextval`: `setval` is not compare-and-set,
 * so a `nextval` between reading the sequence and setting it could be handed out twice. Registrations hold
 * this advisory lock shared from their `nextval` to their commit and an import holds it exclusively:
 * registrations never wait for one another, an import waits for those in flight and they for it. Two-key
 * advisory locks are apart from the one-key ones subjects use.
 */
const ID_LOCK_KEYS = '8081, 1';
export const ID_LOCK_SHARED = `pg_advisory_xact_lock_shared(${ID_LOCK_KEYS})`;

/** Why an imported id cannot be used. */
export type ImportedIdConflict =
  | { kind: 'id-taken' }
  /** The schema is stored already, under another id: one schema has one id here. */
  | { kind: 'schema-has-id'; id: number };

/**
 * In the subject's transaction: takes the id lock, checks that `id` is free or already this schema's, and
 * moves the sequence past it, so that later registrations get ids above it. Returns the conflict, if any,
 * without moving the sequence.
 */
export async function claimImportedId(
  db: Pick<pg.PoolClient, 'query'>,
  id: number,
  identity: string,
): Promise<ImportedIdConflict | null> {
  await db.query(`select pg_advisory_xact_lock(${ID_LOCK_KEYS})`);
  const { rows } = await db.query<{ id: number; identity: string }>(
    'select id, identity from registry_schema where id = $1 or identity = $2',
    [id, identity],
  );
  for (const row of rows) {
    if (row.id === id && row.identity !== identity) return { kind: 'id-taken' };
    if (row.identity === identity && row.id !== id) return { kind: 'schema-has-id', id: row.id };
  }
  // The lock keeps every nextval out until commit, so reading and setting the sequence cannot interleave.
  await db.query(
    `select setval('registry_schema_id_seq', greatest(last_value, $1::bigint), true) from registry_schema_id_seq`,
    [id],
  );
  return null;
}
