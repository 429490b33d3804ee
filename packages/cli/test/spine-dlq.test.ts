import { describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';
import { parseSince, progressBar } from '../src/commands/dlq.ts';

describe('spine dlq', () => {
  it('reads --since as a duration ago or an ISO date-time', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(parseSince('1h', now)).toBe('2026-12-01T11:00:00.000Z');
    expect(parseSince('30m', now)).toBe('2026-12-01T11:30:00.000Z');
    expect(parseSince('2026-11-30T00:00:00Z', now)).toBe('2026-11-30T00:00:00.000Z');
    expect(() => parseSince('yesterday', now)).toThrow(/neither an ISO date-time nor a duration/);
  });

  it('draws a progress bar', () => {
    expect(progressBar(0, 4, 8)).toBe('[........] 0/4 0%');
    expect(progressBar(2, 4, 8)).toBe('[####....] 2/4 50%');
    expect(progressBar(5, 4, 8)).toBe('[########] 5/4 100%');
  });

  it('exits 2 with a clear message when no router can be found or reached', async () => {
    const dir = `/tmp/spine-dlq-test-${process.pid}`;
    process.env.SPINE_DATA_DIR = dir;
    delete process.env.SPINE_ROUTER_URL;
    expect(await main(['dlq', 'list'])).toBe(2);
    expect(await main(['dlq', 'list', '--router', 'http://127.0.0.1:9'])).toBe(2);
    expect(await main(['dlq', 'frobnicate', '--router', 'http://127.0.0.1:9'])).toBe(2);
    delete process.env.SPINE_DATA_DIR;
  });
});
