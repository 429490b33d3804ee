const TERMINAL: Record<string, string> = { COMPLETE: 'COMPLETED', FAIL: 'FAILED', ABORT: 'ABORTED' };

/** A run's state from state events in any order: the latest terminal one, else RUNNING, else NEW. */
export function runState(states: ReadonlyArray<{ type: string; time: string }>): {
  state: string;
  started_at: string | null;
  ended_at: string | null;
} {
  let terminal: { type: string; time: string } | null = null;
  let started: string | null = null;
  for (const s of states) {
    if (s.type in TERMINAL) {
      if (!terminal || Date.parse(s.time) >= Date.parse(terminal.time)) terminal = s;
    } else if (
      (s.type === 'START' || s.type === 'RUNNING') &&
      (!started || Date.parse(s.time) < Date.parse(started))
    ) {
      started = s.time;
    }
  }
  return {
    state: terminal ? TERMINAL[terminal.type]! : started ? 'RUNNING' : 'NEW',
    started_at: started,
    ended_at: terminal?.time ?? null,
  };
}
