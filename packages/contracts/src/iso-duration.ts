const ISO =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * An ISO 8601 duration (retention: a sink's `ttl`, a matrix limit, a decision's `cap_retention`) in seconds,
 * with a year as 365 days and a month as 30: retention periods are compared, never added to dates, so a
 * calendar-exact answer is not needed. Null when not a duration.
 */
export function durationSeconds(text: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  return (
    n(1) * 365 * 86_400 +
    n(2) * 30 * 86_400 +
    n(3) * 7 * 86_400 +
    n(4) * 86_400 +
    n(5) * 3_600 +
    n(6) * 60 +
    n(7)
  );
}

/** The shorter of two durations (a malformed one never wins over a valid one). */
export function shorterDuration(a: string, b: string): string {
  const x = durationSeconds(a);
  const y = durationSeconds(b);
  if (x === null) return b;
  if (y === null) return a;
  return x <= y ? a : b;
}
