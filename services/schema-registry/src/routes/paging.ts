import { z } from 'zod';
import { parseWith } from '@data-spine/contracts';
import { errors, withIssues } from '@data-spine/service-kit';

const Page = z.object({
  offset: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().optional(),
});

/**
 * Confluent's `offset` (default 0) and `limit` ("ignored if negative") query parameters. A limit that is
 * absent, 0 or less, or above `max` is `fallback`, as Confluent's `normalizeLimit` does; `null` is no limit.
 * Anything but an integer is a 400 naming the parameter.
 */
export function pageOf(
  query: Record<string, string | undefined>,
  fallback: number | null,
  max: number = Number.MAX_SAFE_INTEGER,
): { offset: number; limit: number | null } {
  const parsed = parseWith(Page, { offset: query.offset, limit: query.limit });
  if (!parsed.ok) {
    const first = parsed.issues[0];
    throw withIssues(
      new errors.ValidationError(
        `query ${first?.pointer.slice(1) || 'paging'}: ${first?.message ?? 'invalid'}`,
      ),
      parsed.issues,
    );
  }
  const { offset, limit } = parsed.value;
  return {
    offset: Math.max(0, offset ?? 0),
    limit: limit !== undefined && limit > 0 && limit <= max ? limit : fallback,
  };
}
