import { isCodedError } from '@data-spine/service-kit';
import { CaptureSetupFailed, CaptureSourceUnavailable } from './errors.ts';

/**
 * Worth reconnecting for: anything but our own non-retriable errors and the server's errors another attempt
 * cannot fix (authentication, undefined objects and syntax, a missing database, unsupported features).
 */
export function isRetriable(err: unknown): boolean {
  if (isCodedError(err)) return err.retriable;
  const state = (err as { sqlState?: unknown } | null)?.sqlState;
  if (typeof state === 'string') return !/^(28|42|3D|0A)/.test(state);
  return true;
}

/** The error `next()` rejects with when the capture stops: always one of our coded errors. */
export function asCaptureError(err: unknown): Error {
  if (isCodedError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return isRetriable(err)
    ? new CaptureSourceUnavailable(message, { cause: err })
    : new CaptureSetupFailed(message, { cause: err });
}

/** Exponential backoff between reconnects. */
export function reconnectDelay(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 16));
}
