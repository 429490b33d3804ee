/** The one ISO 8601 duration reading of the spine (retention limits, sink TTLs, caps). */
export { durationSeconds } from '@data-spine/contracts';

/** A date (YYYY-MM-DD, the whole day included) or timestamp as epoch ms; null when not one. */
export function expiryMs(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T23:59:59.999Z`) : Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
