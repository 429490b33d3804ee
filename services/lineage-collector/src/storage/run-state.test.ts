import { describe, expect, it } from 'vitest';
import { runState } from './run-state.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

describe('runState', () => {
  it('takes the latest terminal event, whatever the order', () => {
    expect(
      runState([
        { type: 'COMPLETE', time: at(9) },
        { type: 'START', time: at(1) },
        { type: 'FAIL', time: at(5) },
      ]),
    ).toEqual({
      state: 'COMPLETED',
      started_at: at(1),
      ended_at: at(9),
    });
  });
  it('is RUNNING with START or RUNNING only, NEW with OTHER only', () => {
    expect(
      runState([
        { type: 'RUNNING', time: at(3) },
        { type: 'START', time: at(2) },
      ]).state,
    ).toBe('RUNNING');
    expect(runState([{ type: 'OTHER', time: at(3) }])).toEqual({
      state: 'NEW',
      started_at: null,
      ended_at: null,
    });
    expect(runState([{ type: 'ABORT', time: at(3) }]).state).toBe('ABORTED');
  });
});
