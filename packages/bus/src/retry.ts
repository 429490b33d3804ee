/** Errors may say whether trying again can help (kafkajs's habit); absent means yes. */
export function isRetriable(error: unknown): boolean {
  return !(
    typeof error === 'object' &&
    error !== null &&
    (error as { retriable?: unknown }).retriable === false
  );
}

/** Exponential backoff with full jitter. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Runs `handle` until it succeeds, backing off between attempts. A non-retriable error, or an abort,
 * ends the loop: the first rethrows, the second returns false (the batch was not handled).
 */
export async function handleWithRetry(
  handle: () => Promise<void>,
  signal: AbortSignal,
  initialMs: number,
  maxMs: number,
  onRetry: (error: unknown, attempt: number) => void,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    if (signal.aborted) return false;
    try {
      await handle();
      return true;
    } catch (err) {
      if (!isRetriable(err)) throw err;
      onRetry(err, attempt);
      await sleep(backoffMs(attempt, initialMs, maxMs), signal);
    }
  }
}
