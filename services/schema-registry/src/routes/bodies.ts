import { z } from 'zod';
import { parseWith } from '@data-spine/contracts';
import { withIssues } from '@data-spine/service-kit';
import { InvalidSchema } from '../errors.ts';

export const SchemaTypeName = z.enum(['AVRO', 'PROTOBUF', 'JSON']);

export const SchemaReferenceBody = z.object({
  name: z.string().min(1),
  subject: z.string().min(1),
  version: z.number().int(),
});

/** The body of register, lookup and compatibility requests (Confluent's RegisterSchemaRequest). */
export const SchemaBody = z.looseObject({
  schema: z.string().min(1),
  schemaType: SchemaTypeName.optional(),
  references: z.array(SchemaReferenceBody).optional(),
  id: z.number().int().positive().optional(),
  version: z.number().int().optional(),
  metadata: z.unknown().optional(),
  ruleSet: z.unknown().optional(),
});
export type SchemaBody = z.infer<typeof SchemaBody>;

/** Confluent's Metadata of a schema version. */
export const ContractMetadataBody = z.looseObject({
  tags: z.record(z.string(), z.array(z.string())).optional(),
  properties: z.record(z.string(), z.string()).optional(),
  sensitive: z.array(z.string()).optional(),
});

export const CompatibilityBody = z.object({ compatibility: z.string() });
export const ModeBody = z.object({ mode: z.string() });

/** Parses a body, or answers Confluent's 42201 with a pointer to the first problem. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = parseWith(schema, body);
  if (parsed.ok) return parsed.value;
  const first = parsed.issues[0];
  throw withIssues(
    new InvalidSchema(`${first?.pointer || '/'}: ${first?.message ?? 'invalid body'}`),
    parsed.issues,
  );
}

export const truthy = (v: unknown): boolean => v === 'true' || v === true;
