import { z } from 'zod';

/**
 * `source.snapshot` as Debezium 3.x writes it for PostgreSQL. Older releases wrote a boolean, which is
 * still accepted and normalised to the string form so downstream code has one shape.
 */
export const SnapshotMarker = z
  .union([
    z.enum([
      'true',
      'false',
      'first',
      'first_in_data_collection',
      'last_in_data_collection',
      'last',
      'incremental',
    ]),
    z.boolean(),
  ])
  .transform((v) => (typeof v === 'boolean' ? (v ? 'true' : 'false') : v));

/** The `source` block of a Debezium PostgreSQL change event. Unknown keys are kept: Debezium adds them. */
export const PostgresSource = z.looseObject({
  version: z.string(),
  connector: z.literal('postgresql'),
  name: z.string(),
  ts_ms: z.number().int(),
  ts_us: z.number().int().optional(),
  // Nanoseconds since the epoch exceed 2^53: JSON numbers lose the last digits, so no integer check.
  ts_ns: z.number().nonnegative().optional(),
  snapshot: SnapshotMarker.optional(),
  db: z.string(),
  sequence: z.string().nullish(),
  schema: z.string(),
  table: z.string(),
  txId: z.number().int().nullish(),
  lsn: z.number().int().nullish(),
  xmin: z.number().int().nullish(),
});
export type PostgresSource = z.infer<typeof PostgresSource>;
