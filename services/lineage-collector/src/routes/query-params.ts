import { z } from 'zod';
import { withIssues } from '@data-spine/service-kit';
import { BadQuery } from '../errors.ts';

/** Parses a querystring with a zod schema; problems become a 400 LIN_BAD_QUERY naming each parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const r = schema.safeParse(query ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({
    pointer: '/' + i.path.map(String).join('/'),
    rule: i.code,
    message: i.message,
  }));
  throw withIssues(new BadQuery(issues.map((i) => `${i.pointer.slice(1)}: ${i.message}`).join('; ')), issues);
}

export const Paging = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
};

/** An ISO 8601 time (or ms since the epoch) as ms since the epoch. */
export const Instant = z.string().transform((s, c) => {
  const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (Number.isNaN(n)) {
    c.addIssue({ code: 'custom', message: 'not an ISO 8601 time' });
    return z.NEVER;
  }
  return n;
});
