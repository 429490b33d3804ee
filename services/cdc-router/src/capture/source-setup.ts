import type pg from 'pg';
import { CaptureOptionsInvalid, CaptureSourceUnavailable } from './errors.ts';
import type { CaptureOptions } from './options.ts';
import { isCodedError } from '@data-spine/service-kit';
import * as catalogSql from './source-catalog.ts';
import type { CaptureLogger, Lsn } from './types.ts';

/**
 * Setup over a normal connection before any replication: wal_level, the tables, the publication, the
 * state table, and whether an existing slot can be resumed. Returns the slot's confirmed position, or null
 * when a new slot (and snapshot) is due. Unknown failures come out as `CDC_CAPTURE_SOURCE_UNAVAILABLE`.
 */
export async function prepareSource(
  pool: pg.Pool,
  o: CaptureOptions,
  log: CaptureLogger,
): Promise<Lsn | null> {
  try {
    await catalogSql.checkWalLevel(pool);
    await catalogSql.loadTables(pool, o.tables);
    await catalogSql.ensurePublication(pool, o.publicationName, o.tables);
    await catalogSql.ensureStateTable(pool, o.stateSchema);
    const slot = await catalogSql.slotInfo(pool, o.slotName);
    if (!slot) return null;
    if (slot.plugin !== 'pgoutput') {
      throw new CaptureOptionsInvalid(`slot ${o.slotName} uses the ${slot.plugin} plugin, not pgoutput`);
    }
    const state = await catalogSql.readState(pool, o.stateSchema, o.slotName);
    if (o.snapshotMode === 'initial' && !state?.completed) {
      // A snapshot that never finished (a crash in the middle): its exported snapshot is gone, so start over.
      log.warn(
        { slot: o.slotName },
        'initial snapshot did not finish: dropping the slot and snapshotting again',
      );
      await catalogSql.dropSlot(pool, o.slotName);
      return null;
    }
    return slot.confirmedFlush ?? 0n;
  } catch (err) {
    if (isCodedError(err)) throw err;
    throw new CaptureSourceUnavailable((err as Error).message, { cause: err });
  }
}
