import { z } from 'zod';

const identifier = z.string().regex(/^[a-z_][a-z0-9_$]{0,62}$/, 'a lowercase Postgres identifier');
const qualifiedTable = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*$/, 'schema.table');

/** Options of `createCapture`, validated once and frozen. */
export const CaptureOptions = z.object({
  /** A normal Postgres URL of the source database; the replication connection is opened from it. */
  connectionString: z.string().min(1),
  /** Debezium's `topic.prefix`: topic names `<prefix>.<schema>.<table>` and `source.name`. */
  topicPrefix: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  /** Tables to capture, `schema.table`; the publication is created `FOR TABLE` these. */
  tables: z.array(qualifiedTable).min(1),
  slotName: identifier,
  publicationName: identifier,
  /** `initial`: snapshot the tables when the slot is created (Debezium's default); `never`: stream only. */
  snapshotMode: z.enum(['initial', 'never']).default('initial'),
  /** Where the capture keeps whether a slot's snapshot finished (`<schema>.capture_state`). */
  stateSchema: identifier.default('spine_cdc'),
  batchMaxChanges: z.number().int().min(1).max(1_000_000).default(5000),
  batchMaxWaitMs: z.number().int().min(0).max(60_000).default(20),
  /** Records decoded but not yet delivered before the socket is paused (backpressure). */
  maxBufferedRecords: z.number().int().min(1).default(20_000),
  snapshotFetchSize: z.number().int().min(1).default(5000),
  /** Standby status updates at least this often (Postgres' `wal_sender_timeout` is 60 s by default). */
  statusIntervalMs: z.number().int().min(100).default(10_000),
  /** Debezium `heartbeat.interval.ms`: heartbeat records when > 0. */
  heartbeatIntervalMs: z.number().int().min(0).default(0),
  /** Debezium `provide.transaction.metadata`: the `transaction` block and BEGIN/END records. */
  transactionMetadata: z.boolean().default(false),
  /** pgoutput `messages`: logical decoding messages (`pg_logical_emit_message`) as op `m` (Postgres 14+). */
  logicalMessages: z.boolean().default(true),
  /** pgoutput `proto_version` (2 needs Postgres 14; streaming of in-progress transactions stays off). */
  protoVersion: z.union([z.literal(1), z.literal(2)]).default(1),
  /** Reconnect backoff of the replication connection. */
  reconnectMinMs: z.number().int().min(1).default(200),
  reconnectMaxMs: z.number().int().min(1).default(10_000),
  /** Give up (the next `next()` rejects) after this many failed reconnects in a row; 0 = never. */
  reconnectMaxAttempts: z.number().int().min(0).default(0),
});
export type CaptureOptionsInput = z.input<typeof CaptureOptions>;
export type CaptureOptions = Readonly<z.output<typeof CaptureOptions>>;
