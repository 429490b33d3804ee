import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../../src/server.ts', import.meta.url));

/** The router as a child process (`node src/server.ts`), so a test can kill -9 it. */
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
      env: { ...process.env, ...this.#env, SPINE_ROUTER_PORT: '0' },
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

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
    this.#child = null;
  }
}
