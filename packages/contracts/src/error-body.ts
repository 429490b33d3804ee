import { z } from 'zod';

/** A problem found in a request, pointing at where it is (RFC 6901). */
export const ErrorIssue = z.object({
  pointer: z.string(),
  rule: z.string(),
  message: z.string(),
});

/**
 * The JSON body of every error our services answer (the schema registry answers Confluent's
 * `{error_code, message}` instead on its Confluent-compatible paths).
 */
export const ErrorBody = z.object({
  statusCode: z.number().int().min(400).max(599),
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  error: z.string(),
  message: z.string(),
  requestId: z.string().optional(),
  issues: z.array(ErrorIssue).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
