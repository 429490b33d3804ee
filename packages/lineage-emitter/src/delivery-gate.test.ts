import { describe, expect, it } from 'vitest';
import { DeliveryGate } from './delivery-gate.ts';

const signal = new AbortController().signal;

describe('DeliveryGate', () => {
  it('passes freely while nothing fails', async () => {
    const gate = new DeliveryGate({ initialMs: 100, maxMs: 1_000, maxRetryAfterMs: 5_000 });
    const t0 = Date.now();
    const releases = await Promise.all([gate.enter(signal), gate.enter(signal), gate.enter(signal)]);
    expect(Date.now() - t0).toBeLessThan(50);
    releases.forEach((r) => r());
  });

  it('after a failure: waits the Retry-After (capped), then lets one probe through at a time', async () => {
    const gate = new DeliveryGate({ initialMs: 1, maxMs: 1, maxRetryAfterMs: 150 });
    expect(gate.failed(10_000)).toBe(150);
    const t0 = Date.now();
    const first = await gate.enter(signal);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    let second = false;
    const waiting = gate.enter(signal).then((release) => {
      second = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(second).toBe(false); // the probe slot is held
    first();
    (await waiting)();
    expect(second).toBe(true);
    expect(gate.succeeded()).toBe(1);
    expect(gate.failures).toBe(0);
  });

  it('an abort lets waiters go at once', async () => {
    const gate = new DeliveryGate({ initialMs: 1, maxMs: 1, maxRetryAfterMs: 60_000 });
    gate.failed(60_000);
    const abort = new AbortController();
    const entering = gate.enter(abort.signal);
    abort.abort();
    gate.wakeAll();
    const t0 = Date.now();
    (await entering)();
    expect(Date.now() - t0).toBeLessThan(100);
  });
});
