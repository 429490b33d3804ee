/**
 * Parses Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date. Returns milliseconds from `now`, or
 * undefined when the header is absent or unreadable (then our own backoff applies).
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a weekday and GMT; Date.parse also takes looser forms we should not trust.
  if (!/GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
