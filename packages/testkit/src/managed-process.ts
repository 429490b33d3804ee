import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestkitError } from './errors.ts';
import type { TestkitLogger } from './logger.ts';
import { silent } from './logger.ts';
import { groupAlive, registerProcess, unregisterProcess } from './process-registry.ts';

export interface StartProcessOptions {
  /** Names the log file (`<logDir>/<name>.log`) and appears in errors. */
  name: string;
  command: string;
  args: readonly string[];
  /** stdout and stderr are appended to `<logDir>/<name>.log`. */
  logDir: string;
  /** Said when `command` is missing, e.g. "install openjdk-17-jre-headless". */
  install?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (we are root and the program refuses to be). */
  uid?: number;
  gid?: number;
  logger?: TestkitLogger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A child process that leads its own process group, logs to a file, and is registered until it and every
 * process it forked are gone.
 */
export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal); rejects when the command cannot run. */
  readonly exited: Promise<number | null>;
  readonly #log: TestkitLogger;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #spawnError: TestkitError | undefined;

  constructor(options: StartProcessOptions) {
    this.name = options.name;
    this.#log = options.logger ?? silent;
    mkdirSync(options.logDir, { recursive: true });
    this.logFile = join(options.logDir, `${options.name}.log`);
    const fd = openSync(this.logFile, 'a');
    // Detached: the child leads its own process group, so stop() reaches whatever it forks.
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
      this.child.once('error', (err: NodeJS.ErrnoException) => {
        if (pid !== undefined) unregisterProcess(pid);
        this.#spawnError =
          err.code === 'ENOENT'
            ? new TestkitError(
                'TESTKIT_MISSING_DEPENDENCY',
                this.name,
                `${options.command} not found on PATH${options.install ? `: ${options.install}` : ''}`,
                { cause: err },
              )
            : new TestkitError(
                'TESTKIT_EXITED',
                this.name,
                `could not run ${options.command}: ${err.message}`,
                { cause: err },
              );
        reject(this.#spawnError);
      });
      this.child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        this.#log(`${this.name} exited`, { pid, code, signal });
        resolve(code);
      });
    });
    this.exited.catch(() => {});
    if (pid !== undefined) {
      registerProcess(pid, this.name);
      this.#log(`${this.name} started`, { pid, log: this.logFile });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined && this.#spawnError === undefined && this.child.pid !== undefined;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /**
   * Polls `ready` every 250 ms until it resolves true. Fails fast, with the tail of the log, when the process
   * exits first; fails after `timeoutMs` otherwise. A TestkitError thrown by `ready` is final (e.g. "Connect
   * runs but lacks the Debezium plugin"); any other error counts as "not yet".
   */
  async waitUntil(what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const started = Date.now();
    let lastError: unknown;
    // No pid: spawn failed, and the 'error' event (which says why) comes on a later tick.
    if (this.child.pid === undefined) await this.exited;
    for (;;) {
      if (this.#spawnError) throw this.#spawnError;
      if (!this.running) {
        const how = this.#exit?.signal ? `signal ${this.#exit.signal}` : `code ${this.#exit?.code}`;
        throw new TestkitError(
          'TESTKIT_EXITED',
          this.name,
          `exited (${how}) before ${what}; ${this.logFile} ends with:\n${this.logTail()}`,
        );
      }
      try {
        if (await ready()) {
          this.#log(`${this.name} ready`, { pid: this.pid, ms: Date.now() - started });
          return;
        }
      } catch (err) {
        if (err instanceof TestkitError) throw err;
        lastError = err;
      }
      if (Date.now() - started > timeoutMs) {
        const last = lastError instanceof Error ? lastError.message : 'no answer';
        throw new TestkitError(
          'TESTKIT_NOT_READY',
          this.name,
          `not ${what} after ${timeoutMs} ms (${last}); ${this.logFile} ends with:\n${this.logTail()}`,
        );
      }
      await Promise.race([this.exited.catch(() => null), sleep(250)]);
    }
  }

  #signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone.
    }
  }

  /**
   * `signal` (SIGTERM by default) to the whole process group, SIGKILL after `graceMs`; resolves once no
   * process of the group is left, so nothing outlives it.
   */
  async stop(graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (groupAlive(pid)) {
      this.#signalGroup(signal);
      const killer = setTimeout(() => this.#signalGroup('SIGKILL'), graceMs);
      await this.exited.catch(() => null);
      clearTimeout(killer);
      // Members that outlived the leader (e.g. a JVM's forks) do not get a second chance.
      for (let i = 0; groupAlive(pid); i++) {
        if (i === 200)
          throw new TestkitError(
            'TESTKIT_SURVIVORS',
            this.name,
            `process group ${pid} survives SIGKILL for 10 s`,
          );
        if (i % 20 === 0) this.#signalGroup('SIGKILL');
        await sleep(50);
      }
    }
    unregisterProcess(pid);
    this.#log(`${this.name} stopped`, { pid });
  }

  /** SIGKILL for the whole group at once: a crash, for tests of recovery. */
  async kill(): Promise<void> {
    await this.stop(0, 'SIGKILL');
  }
}
