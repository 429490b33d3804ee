import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../../src/server.ts', import.meta.url));

/**
 * The router as a child process (`node src/server.ts`), so a test can kill -9 it or stop it with SIGTERM.
 * It listens on `SPINE_ROUTER_PORT` if the env names one, else on a free port.
 */
export class RouterProcess {
  readonly #env: Record<string, string>;
  #child: ChildProcess | null = null;
  #log = '';
  starts = 0;

  constructor(env: Record<string, string>) {
    this.#env = env;
  }

  get log(): string {
    return this.#log.slice(-4000);
  }

  start(): void {
    this.starts++;
    const child = spawn(process.execPath, [SERVER], {
      env: { ...process.env, ...this.#env, SPINE_ROUTER_PORT: this.#env.SPINE_ROUTER_PORT ?? '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (this.#log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.#log += d.toString()));
    this.#child = child;
  }

  /** SIGKILL: no drain, no commit, no acknowledgement. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    this.#child = null;
  }

  /** SIGTERM (SIGKILL after 10 s): resolves with how the process ended (`code` 0 for a clean shutdown). */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return null;
    const gone = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once('exit', (code, signal) => r({ code, signal })),
    );
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const exit = await gone;
    clearTimeout(timer);
    this.#child = null;
    return exit;
  }
}
