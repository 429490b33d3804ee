import { z } from 'zod';

/** Records of the `<prefix>.transaction` topic when `provide.transaction.metadata=true`. */
export const TransactionEvent = z.looseObject({
  status: z.enum(['BEGIN', 'END']),
  id: z.string(),
  event_count: z.number().int().nullish(),
  data_collections: z
    .array(z.looseObject({ data_collection: z.string(), event_count: z.number().int() }))
    .nullish(),
  ts_ms: z.number().int(),
});
export type TransactionEvent = z.infer<typeof TransactionEvent>;

/** Records of `__debezium-heartbeat.<prefix>`. */
export const HeartbeatEvent = z.looseObject({ ts_ms: z.number().int() });
export type HeartbeatEvent = z.infer<typeof HeartbeatEvent>;
