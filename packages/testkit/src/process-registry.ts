import { appendFileSync, readdirSync, readFileSync } from 'node:fs';

/**
 * Every process the testkit starts is registered here and, when a pid file is set, recorded in it too, so
 * a test (or a check in another process, e.g. vitest's global teardown) can assert nothing outlived teardown.
 * Processes are spawned as group leaders, so "alive" means: any non-zombie member of the group remains.
 */

export interface TrackedProcess {
  pid: number;
  name: string;
}

const live = new Map<number, string>();
let pidFile: string | undefined;

/** Also append `start <pid> <name>` / `exit <pid> <name>` lines to `file`, for checks from other processes. */
export function recordPidsIn(file: string | undefined): void {
  pidFile = file;
}

export function registerProcess(pid: number, name: string): void {
  live.set(pid, name);
  if (pidFile) appendFileSync(pidFile, `start ${pid} ${name}\n`);
}

export function unregisterProcess(pid: number): void {
  const name = live.get(pid);
  if (name === undefined) return;
  live.delete(pid);
  if (pidFile) appendFileSync(pidFile, `exit ${pid} ${name}\n`);
}

/** Processes started in this Node process whose group still has a living member. */
export function livePids(): TrackedProcess[] {
  return [...live].filter(([pid]) => groupAlive(pid)).map(([pid, name]) => ({ pid, name }));
}

/** Linux: the state letter and process group from /proc; null when the pid does not exist. */
function procStat(pid: number): { state: string; pgid: number } | null {
  try {
    // The command name in parentheses may contain spaces; the fields after the last ')' do not.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', pgid: Number(fields[2]) };
  } catch {
    return null;
  }
}

const hasProc = (() => {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
})();

/** True when `pid` runs (a zombie, dead but not yet reaped, does not count). */
export function pidAlive(pid: number): boolean {
  if (hasProc) {
    const stat = procStat(pid);
    return stat !== null && stat.state !== 'Z';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when any non-zombie process is in process group `pgid` (a JVM's or postgres's children count). */
export function groupAlive(pgid: number): boolean {
  if (!hasProc) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.pgid === pgid && stat.state !== 'Z') return true;
  }
  return false;
}

/** Reads a pid file written through `recordPidsIn`: processes started and still alive (even if seen to exit). */
export function survivorsIn(file: string): TrackedProcess[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const started = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [event, pid, ...name] = line.split(' ');
    if (event === 'start') started.set(Number(pid), name.join(' '));
  }
  // An `exit` line means the leader exited; its group may not have. Check every group that was started.
  return [...started].filter(([pid]) => groupAlive(pid)).map(([pid, name]) => ({ pid, name }));
}
