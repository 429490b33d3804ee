import { z } from 'zod';
import { PostgresSource } from './source-block.ts';

/** c=create, u=update, d=delete, r=read (snapshot), t=truncate, m=logical decoding message. */
export const Op = z.enum(['c', 'u', 'd', 'r', 't', 'm']);
export type Op = z.infer<typeof Op>;

export const Row = z.record(z.string(), z.unknown());
export type Row = z.infer<typeof Row>;

export const TransactionBlock = z.looseObject({
  id: z.string(),
  total_order: z.number().int(),
  data_collection_order: z.number().int(),
});
export type TransactionBlock = z.infer<typeof TransactionBlock>;

export const LogicalMessage = z.looseObject({
  prefix: z.string(),
  content: z.string().nullable(),
});

const timestamps = {
  ts_ms: z.number().int(),
  ts_us: z.number().int().optional(),
  // Beyond 2^53: approximate once parsed from JSON (lag uses ts_ms).
  ts_ns: z.number().nonnegative().optional(),
  transaction: TransactionBlock.nullish(),
};

const RowChange = z.looseObject({
  ...timestamps,
  op: z.enum(['c', 'r']),
  before: Row.nullish(),
  after: Row,
  source: PostgresSource,
});
const RowUpdate = z.looseObject({
  ...timestamps,
  op: z.literal('u'),
  // Without REPLICA IDENTITY FULL, pgoutput gives no old row image, so `before` is null.
  before: Row.nullish(),
  after: Row,
  source: PostgresSource,
});
const RowDelete = z.looseObject({
  ...timestamps,
  op: z.literal('d'),
  before: Row,
  after: z.null().optional(),
  source: PostgresSource,
});
const Truncate = z.looseObject({
  ...timestamps,
  op: z.literal('t'),
  before: z.null().optional(),
  after: z.null().optional(),
  source: PostgresSource,
});
const Message = z.looseObject({
  ...timestamps,
  op: z.literal('m'),
  source: PostgresSource,
  message: LogicalMessage,
});

/** The Debezium PostgreSQL change event envelope (the `payload` when the JsonConverter wraps it). */
export const ChangeEvent = z.discriminatedUnion('op', [RowChange, RowUpdate, RowDelete, Truncate, Message]);
export type ChangeEvent = z.infer<typeof ChangeEvent>;
