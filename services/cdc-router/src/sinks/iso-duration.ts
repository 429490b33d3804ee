/**
 * An ISO 8601 duration's approximate length in seconds (a year 365.25 days, a month 30.44), to compare
 * retention caps with one another; Postgres reads the exact interval. NaN for what is not a duration.
 */
export function durationSeconds(iso: string): number {
  const m =
    /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      iso,
    );
  if (!m || iso === 'P' || iso.endsWith('T')) return Number.NaN;
  const n = (i: number) => Number(m[i] ?? 0);
  return (
    n(1) * 31_557_600 + n(2) * 2_629_800 + n(3) * 604_800 + n(4) * 86_400 + n(5) * 3_600 + n(6) * 60 + n(7)
  );
}

/** The shorter of two durations (a malformed one never wins over a valid one). */
export function shorter(a: string, b: string): string {
  const x = durationSeconds(a);
  const y = durationSeconds(b);
  if (Number.isNaN(x)) return b;
  if (Number.isNaN(y)) return a;
  return x <= y ? a : b;
}
