/** Exponential backoff with full jitter (AWS architecture blog): uniform in [0, min(max, initial * 2^n)). */
export function fullJitterMs(
  failures: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.floor(random() * cap);
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
