import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** Thrown when a component cannot start; the message says what is missing or what it printed. */
export class ComponentStartError extends Error {
  readonly component: string;
  constructor(component: string, message: string, options?: { cause?: unknown }) {
    super(`${component}: ${message}`, options);
    this.component = component;
  }
}

export interface StartProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  logDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

const live = new Map<number, string>();
let pidFile: string | undefined;

/** Also records live pids in `file`, so a check in another process can see what outlived a run. */
export function recordPidsIn(file: string): void {
  pidFile = file;
}

function recordPid(event: 'start' | 'exit', pid: number, name: string): void {
  if (pidFile) appendFileSync(pidFile, `${event} ${pid} ${name}\n`);
}

/** Pids started by this process that have not exited yet. */
export function livePids(): ReadonlyMap<number, string> {
  return live;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a pid file written by `recordPidsIn` and returns the pids started and not seen to exit that still live. */
export function survivorsIn(file: string): Array<{ pid: number; name: string }> {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const open = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [event, pid, ...name] = line.split(' ');
    if (event === 'start') open.set(Number(pid), name.join(' '));
    if (event === 'exit') open.delete(Number(pid));
  }
  return [...open].filter(([pid]) => pidAlive(pid)).map(([pid, name]) => ({ pid, name }));
}

export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  constructor(options: StartProcessOptions) {
    this.name = options.name;
    mkdirSync(options.logDir, { recursive: true });
    this.logFile = join(options.logDir, `${options.name}.log`);
    const fd = openSync(this.logFile, 'a');
    // Detached: the child leads its own process group, so stop() reaches whatever it forks (JVMs, postgres).
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: true,
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    });
    closeSync(fd);
    const pid = this.child.pid;
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', (err) => {
        if (pid !== undefined) live.delete(pid);
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new ComponentStartError(this.name, missing ? `${options.command} not found` : err.message, { cause: err }));
      });
      this.child.once('exit', (code) => {
        this.#exitCode = code;
        if (pid !== undefined) {
          live.delete(pid);
          recordPid('exit', pid, this.name);
        }
        resolve(code);
      });
    });
    this.exited.catch(() => {});
    if (pid !== undefined) {
      live.set(pid, this.name);
      recordPid('start', pid, this.name);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.#exitCode === undefined && this.child.pid !== undefined;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /**
   * Polls `ready` until it resolves true. Fails fast, with the log's tail, if the process exits first or
   * the bound passes.
   */
  async waitUntil(what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 0))]);
      if (!this.running) {
        throw new ComponentStartError(this.name, `exited (code ${this.#exitCode}) before ${what}; log ${this.logFile}:\n${this.logTail()}`);
      }
      try {
        if (await ready()) return;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > end) {
        throw new ComponentStartError(
          this.name,
          `not ${what} after ${timeoutMs} ms (${(lastError as Error | undefined)?.message ?? 'no answer'}); log ${this.logFile}:\n${this.logTail()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const pid = this.child.pid;
    if (!this.running || pid === undefined) return;
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
      } catch {
        try {
          process.kill(pid, sig);
        } catch {
          // already gone
        }
      }
    };
    kill(signal);
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    await this.exited.catch(() => {});
    clearTimeout(timer);
    // Children of the group that outlived the leader (e.g. a JVM's forks) go too.
    kill('SIGKILL');
  }

  /** For crash tests: SIGKILL the whole group at once. */
  async kill(): Promise<void> {
    await this.stop(0, 'SIGKILL');
  }
}
