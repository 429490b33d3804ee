import { z } from 'zod';

/** A Kafka Connect schema as the JsonConverter writes it when `schemas.enable=true`. */
export interface ConnectSchema {
  type: string;
  optional?: boolean;
  name?: string;
  version?: number;
  field?: string;
  parameters?: Record<string, string>;
  default?: unknown;
  doc?: string;
  fields?: ConnectSchema[];
  items?: ConnectSchema;
  keys?: ConnectSchema;
  values?: ConnectSchema;
}

export const ConnectSchema: z.ZodType<ConnectSchema> = z.lazy(() =>
  z.looseObject({
    type: z.string(),
    optional: z.boolean().optional(),
    name: z.string().optional(),
    version: z.number().int().optional(),
    field: z.string().optional(),
    parameters: z.record(z.string(), z.string()).optional(),
    default: z.unknown().optional(),
    doc: z.string().optional(),
    fields: z.array(ConnectSchema).optional(),
    items: ConnectSchema.optional(),
    keys: ConnectSchema.optional(),
    values: ConnectSchema.optional(),
  }),
);

/** `{schema, payload}`: the JsonConverter's wrapper. */
export const ConnectJsonWrapper = z.object({ schema: ConnectSchema, payload: z.unknown() });

/** True when the value looks like the wrapper rather than a bare payload. */
export function isConnectJsonWrapper(value: unknown): value is { schema: unknown; payload: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'schema' in value &&
    'payload' in value &&
    Object.keys(value).length === 2
  );
}
