import type pg from 'pg';

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Drops a database even when Debezium left a replication slot in it (which `drop database ... with (force)`
 * refuses): ends the slot's walsender, drops the slot, then the database. `admin` is connected to another
 * database of the cluster.
 */
export async function dropDatabaseWithSlots(admin: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await admin.query(
      'select pg_terminate_backend(active_pid) from pg_replication_slots where database = $1 and active_pid is not null',
      [name],
    );
    try {
      await admin.query(
        'select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = $1',
        [name],
      );
      break;
    } catch (err) {
      // A terminated walsender releases its slot a moment later ("replication slot ... is active").
      if (attempt >= 40) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await admin.query(`drop database if exists ${quoteIdent(name)} with (force)`);
}
