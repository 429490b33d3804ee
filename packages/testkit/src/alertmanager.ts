import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireExecutable } from './find-executable.ts';
import { freePort } from './free-port.ts';
import { httpReady } from './http-ready.ts';
import type { TestkitLogger } from './logger.ts';
import { ManagedProcess } from './managed-process.ts';

export interface StartAlertmanagerOptions {
  /** alertmanager.yml; one route to a receiver that sends nothing by default. */
  config?: string;
  /** Where `alertmanager-<port>.log` goes; the temporary directory by default (removed at stop). */
  logDir?: string;
  extraArgs?: readonly string[];
  logger?: TestkitLogger;
}

export interface AlertmanagerHandle {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly dir: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_CONFIG = `route:
  receiver: blackhole
receivers:
  - name: blackhole
`;

/**
 * Alertmanager on a free loopback port, clustering off, storage in a temporary directory. Debian's package
 * names the binary `prometheus-alertmanager`; upstream's tarball names it `alertmanager`: either will do.
 */
export async function startAlertmanager(options: StartAlertmanagerOptions = {}): Promise<AlertmanagerHandle> {
  const install = 'apt-get install prometheus-alertmanager';
  const command = requireExecutable(['alertmanager', 'prometheus-alertmanager'], install);
  const dir = mkdtempSync(join(tmpdir(), 'spine-alertmanager-'));
  writeFileSync(join(dir, 'alertmanager.yml'), options.config ?? DEFAULT_CONFIG);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    name: `alertmanager-${port}`,
    command,
    args: [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty disables the gossip cluster, which would otherwise listen on 0.0.0.0:9094.
      '--cluster.listen-address=',
      ...(options.extraArgs ?? []),
    ],
    cwd: dir,
    logDir: options.logDir ?? dir,
    install,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const stop = async () => {
    await proc.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await proc.waitUntil('ready on /-/ready', () => httpReady(`${url}/-/ready`), 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, dir, pid: proc.pid, stop, [Symbol.asyncDispose]: stop };
}
