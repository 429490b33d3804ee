import type { z } from 'zod';

/** One problem with an input: where (RFC 6901 JSON pointer), what rule, and a sentence for a person. */
export interface Issue {
  pointer: string;
  rule: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** Escapes one reference token of a JSON pointer (RFC 6901 section 3). */
export function escapePointerToken(token: string | number): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function toPointer(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p) => '/' + escapePointerToken(typeof p === 'symbol' ? String(p.description) : p))
    .join('');
}

/** Parses with a zod schema and reports every issue with a JSON pointer instead of throwing. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({
      pointer: toPointer(i.path),
      rule: i.code,
      message: i.message,
    })),
  };
}
