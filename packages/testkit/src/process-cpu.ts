import { readdirSync, readFileSync } from 'node:fs';

/** utime, stime, cutime and cstime of a process from /proc (Linux), in seconds; undefined once it is gone. */
function cpuFields(pid: number): { own: number; children: number; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = (i: number) => Number(f[i]) / 100; // clock ticks; USER_HZ is 100 on Linux
    return { ppid: Number(f[1]), own: ticks(11) + ticks(12), children: ticks(13) + ticks(14) };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far, for benchmarks; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  return cpuFields(pid)?.own ?? 0;
}

/**
 * CPU seconds of a process tree one level deep, e.g. a Postgres cluster: the process, its children that
 * have exited (reaped into its own counters) and the ones still running (backends).
 */
export function processTreeCpuSeconds(pid: number): number {
  const root = cpuFields(pid);
  if (!root) return 0;
  let total = root.own + root.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = cpuFields(Number(entry));
    if (child?.ppid === pid) total += child.own;
  }
  return total;
}
