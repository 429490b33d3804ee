import { fullJitterMs, sleep } from './backoff.ts';

export interface GateTiming {
  initialMs: number;
  maxMs: number;
  maxRetryAfterMs: number;
}

/**
 * The backoff every lane shares. Failures are about the destination, not the event, so after a retriable
 * failure all lanes wait (full jitter, or the server's Retry-After up to a cap), and while failing only one
 * attempt at a time goes out to probe the destination; the first success lets every lane go again.
 */
export class DeliveryGate {
  readonly #timing: GateTiming;
  #failures = 0;
  #notBefore = 0;
  #probeHeld = false;
  #waiters: (() => void)[] = [];

  constructor(timing: GateTiming) {
    this.#timing = timing;
  }

  /** Consecutive failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Waits out the backoff (and, while failing, for the probe slot). Call the result when the attempt ends. */
  async enter(signal: AbortSignal): Promise<() => void> {
    await sleep(this.#notBefore - Date.now(), signal);
    if (this.#failures === 0 || signal.aborted) return () => {};
    while (this.#probeHeld && !signal.aborted)
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    if (signal.aborted) return () => {};
    this.#probeHeld = true;
    await sleep(this.#notBefore - Date.now(), signal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#probeHeld = false;
      this.#waiters.shift()?.();
    };
  }

  /** A retriable failure; returns the delay before the next attempt. */
  failed(retryAfterMs: number | undefined): number {
    this.#failures++;
    const t = this.#timing;
    const delay =
      retryAfterMs !== undefined
        ? Math.min(retryAfterMs, t.maxRetryAfterMs)
        : fullJitterMs(this.#failures, t.initialMs, t.maxMs);
    this.#notBefore = Math.max(this.#notBefore, Date.now() + delay);
    return delay;
  }

  /** A success; returns how many failures it ends. */
  succeeded(): number {
    const ended = this.#failures;
    this.#failures = 0;
    return ended;
  }

  /** Lets every waiter go (on close; they see the aborted signal). */
  wakeAll(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
