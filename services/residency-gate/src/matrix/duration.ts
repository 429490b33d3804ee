const ISO =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * An ISO 8601 duration in seconds, with a year as 365 days and a month as 30: retention limits are
 * compared, never added to dates, so a calendar-exact answer is not needed. Null when not a duration.
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

/** A date (YYYY-MM-DD, the whole day included) or timestamp as epoch ms; null when not one. */
export function expiryMs(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T23:59:59.999Z`) : Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
