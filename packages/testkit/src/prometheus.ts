import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { ManagedProcess } from './managed-process.ts';

export interface PromHandle {
  readonly url: string;
  readonly dir: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function readyAt(url: string): Promise<boolean> {
  const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
  return res.ok;
}

function handle(proc: ManagedProcess, url: string, dir: string): PromHandle {
  const stop = async () => {
    await proc.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, dir, pid: proc.pid, stop, [Symbol.asyncDispose]: stop };
}

export interface StartPrometheusOptions {
  /** prometheus.yml content; rule files it names may be given in `files` (name -> content). */
  config: string;
  files?: Readonly<Record<string, string>>;
  logDir?: string;
}

/** Debian's `prometheus` on a free loopback port, with its config and storage in a temporary directory. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<PromHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'spine-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), options.config);
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), content);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    name: `prometheus-${port}`,
    command: 'prometheus',
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ],
    cwd: dir,
    logDir: options.logDir ?? dir,
  });
  await proc.waitUntil('ready (apt-get install prometheus if it is missing)', () => readyAt(url), 60_000);
  return handle(proc, url, dir);
}

export interface StartAlertmanagerOptions {
  config: string;
  logDir?: string;
}

/** Debian's `prometheus-alertmanager`, clustering off, on a free loopback port. */
export async function startAlertmanager(options: StartAlertmanagerOptions): Promise<PromHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'spine-alertmanager-'));
  writeFileSync(join(dir, 'alertmanager.yml'), options.config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const command = 'prometheus-alertmanager';
  const proc = new ManagedProcess({
    name: `alertmanager-${port}`,
    command: await which(command, 'alertmanager'),
    args: [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    cwd: dir,
    logDir: options.logDir ?? dir,
  });
  await proc.waitUntil('ready (apt-get install prometheus-alertmanager if it is missing)', () => readyAt(url), 60_000);
  return handle(proc, url, dir);
}

/** Debian names the binary prometheus-alertmanager; upstream tarballs name it alertmanager. */
async function which(...names: string[]): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  for (const n of names) {
    try {
      return execFileSync('sh', ['-c', `command -v ${n}`], { encoding: 'utf8' }).trim();
    } catch {
      // try the next
    }
  }
  return names[0] as string;
}
