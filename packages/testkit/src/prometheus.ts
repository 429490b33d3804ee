import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestkitError } from './errors.ts';
import { requireExecutable } from './find-executable.ts';
import { freePort } from './free-port.ts';
import { httpReady } from './http-ready.ts';
import type { TestkitLogger } from './logger.ts';
import { ManagedProcess } from './managed-process.ts';

export interface StartPrometheusOptions {
  /** prometheus.yml; a 1 s scrape/evaluation interval and no targets by default. */
  config?: string;
  /** Files the config refers to by relative name (rule files, file_sd targets): name -> content. */
  files?: Readonly<Record<string, string>>;
  /** Where `prometheus-<port>.log` goes; the temporary directory by default (removed at stop). */
  logDir?: string;
  /** More flags. `--rules.alert.resend-delay=1s` is the default here, so a test sees alerts in seconds. */
  extraArgs?: readonly string[];
  logger?: TestkitLogger;
}

export interface PrometheusHandle {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The temporary directory with the config, the files and the TSDB. */
  readonly dir: string;
  readonly pid: number | undefined;
  /** Rewrites the config and files, then POST /-/reload (the lifecycle API is on). */
  reload(config?: string, files?: Readonly<Record<string, string>>): Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_CONFIG = `global:
  scrape_interval: 1s
  evaluation_interval: 1s
`;

function writeConfig(dir: string, config: string, files: Readonly<Record<string, string>>): void {
  writeFileSync(join(dir, 'prometheus.yml'), config);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

/** Debian's `prometheus` on a free loopback port, its config and storage in a temporary directory. */
export async function startPrometheus(options: StartPrometheusOptions = {}): Promise<PrometheusHandle> {
  const command = requireExecutable(['prometheus'], 'apt-get install prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'spine-prometheus-'));
  writeConfig(dir, options.config ?? DEFAULT_CONFIG, options.files ?? {});
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const extra = options.extraArgs ?? [];
  // Alerts evaluated before the Alertmanager is discovered are dropped and resent only after the resend
  // delay (1m by default): far longer than a test waits.
  const resend = extra.some((a) => a.startsWith('--rules.alert.resend-delay'))
    ? []
    : ['--rules.alert.resend-delay=1s'];
  const proc = new ManagedProcess({
    name: `prometheus-${port}`,
    command,
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      ...resend,
      ...extra,
    ],
    cwd: dir,
    logDir: options.logDir ?? dir,
    install: 'apt-get install prometheus',
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
  return {
    url,
    dir,
    pid: proc.pid,
    async reload(config, files) {
      writeConfig(dir, config ?? options.config ?? DEFAULT_CONFIG, files ?? options.files ?? {});
      const res = await fetch(`${url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      if (!res.ok)
        throw new TestkitError(
          'TESTKIT_COMMAND_FAILED',
          'prometheus',
          `reload failed: ${res.status} ${await res.text()}`,
        );
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
