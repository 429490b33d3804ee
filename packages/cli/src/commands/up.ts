import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '@data-spine/testkit';
import type { PostgresHandle } from '@data-spine/testkit';
import { ensureAdminKey, adminKeyPath } from '@data-spine/service-kit';
import type { CliEnv } from '../cli-config.ts';
import { UsageError } from '../cli-config.ts';
import { findPostgresBinaries } from '../pg-binaries.ts';
import { prepareDemo } from './demo-setup.ts';
import { resolveServices } from '../service-catalog.ts';
import type { ServiceEntry } from '../service-catalog.ts';
import { removeManifest, writeManifest } from '../spine-manifest.ts';
import type { SpineManifest } from '../spine-manifest.ts';

interface RunningService {
  entry: ServiceEntry;
  url: string;
  child: ChildProcess;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One spine per data directory: a second `spine up` on the same data would corrupt nothing but confuse. */
async function takeLock(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, 'spine.pid');
  const existing = await readFile(path, 'utf8').catch(() => '');
  const pid = Number(existing.trim());
  if (pid && pid !== process.pid && alive(pid)) {
    throw new UsageError(
      `a spine is already running on ${dataDir} (pid ${pid}); stop it first (Ctrl-C or kill ${pid})`,
    );
  }
  await writeFile(path, `${process.pid}\n`);
  return () => rm(path, { force: true });
}

async function waitReady(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  name: string,
  log: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}; see ${log}`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${name} not ready after ${timeoutMs} ms; see ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopChild(child: ChildProcess, boundMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
  await exited;
  clearTimeout(timer);
}

function startService(
  entry: ServiceEntry,
  env: NodeJS.ProcessEnv,
  logDir: string,
): { child: ChildProcess; log: string } {
  const server = fileURLToPath(import.meta.resolve(`${entry.packageName}/server`));
  const log = join(logDir, `${entry.name}.log`);
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn(process.execPath, [...(entry.nodeArgs ?? []), server], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return { child, log };
}

/** `spine up [service...]`: embedded Postgres, then the services, then spine.json; Ctrl-C stops it all. */
export async function up(args: readonly string[], env: Readonly<CliEnv>): Promise<number> {
  const services = resolveServices(args);
  const dataDir = resolve(env.SPINE_DATA_DIR);
  await mkdir(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });
  const releaseLock = await takeLock(dataDir);
  const started: RunningService[] = [];
  let pg: PostgresHandle | undefined;
  let stopping: Promise<void> | undefined;

  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      await removeManifest(dataDir);
      await Promise.all(started.map((s) => stopChild(s.child, 10_000)));
      await pg?.stop();
      await releaseLock();
    })());

  try {
    const t0 = performance.now();
    const { created } = await ensureAdminKey(dataDir);
    const bins = findPostgresBinaries(env.SPINE_PG_BIN);
    pg = await startPostgres({
      dataDir: join(dataDir, 'postgres'),
      port: env.SPINE_PG_PORT,
      binDir: bins.binDir,
      persistent: true,
    });
    const dbUrl = (db: string) => {
      const u = new URL(pg!.url);
      u.pathname = `/${db}`;
      return u.toString();
    };
    // Every service learns where the others listen: SPINE_REGISTRY_URL, SPINE_GATE_URL, SPINE_ROUTER_URL,
    // SPINE_LINEAGE_URL (only for those started), so the gate and the router find their dependencies.
    const peerUrls = Object.fromEntries(
      services.map((entry) => [
        entry.urlVariable,
        `http://${env.SPINE_HOST}:${Number(process.env[entry.portVariable] ?? entry.defaultPort)}`,
      ]),
    );
    for (const entry of services) {
      for (const db of entry.databases) await pg.createDatabase(db, { ifNotExists: true });
      const childEnv: NodeJS.ProcessEnv = {
        ...process.env,
        SPINE_DATA_DIR: dataDir,
        SPINE_ADMIN_KEY_FILE: adminKeyPath(dataDir),
        ...peerUrls,
        SPINE_DATABASE_URL: dbUrl(entry.databases[0] ?? 'postgres'),
        [entry.portVariable]: String(Number(process.env[entry.portVariable] ?? entry.defaultPort)),
        SPINE_HOST: env.SPINE_HOST,
      };
      // The collector reads field tags of the demo's source tables from the registry (subject
      // `shop.<schema>.<table>-value` for the dataset `shop.<schema>.<table>`), when the registry runs too.
      if (entry.name === 'lineage-collector' && childEnv.SPINE_REGISTRY_URL) {
        childEnv.SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES ??= 'shop=shop';
        if (childEnv.SPINE_READS_REQUIRE_AUTH === 'true')
          childEnv.SPINE_REGISTRY_KEY ??= (await readFile(adminKeyPath(dataDir), 'utf8')).trim();
      }
      // The demo's source tables and contracts (issue 6), before the router's capture looks for them.
      if (entry.name === 'cdc-router')
        await prepareDemo({
          shopUrl: dbUrl('shop'),
          registryUrl: peerUrls.SPINE_REGISTRY_URL,
          adminKey: (await readFile(adminKeyPath(dataDir), 'utf8')).trim(),
        });
      const { child, log } = startService(entry, childEnv, join(dataDir, 'logs'));
      const url = `http://${env.SPINE_HOST}:${childEnv[entry.portVariable]}`;
      started.push({ entry, url, child });
      await waitReady(url, child, env.SPINE_READY_TIMEOUT_MS, entry.name, log);
    }
    const manifest: SpineManifest = {
      mode: 'embedded',
      pid: process.pid,
      startedAt: new Date().toISOString(),
      services: Object.fromEntries(started.map((s) => [s.entry.name, s.url])),
      postgres: pg.url,
      ...(started.some((s) => s.entry.name === 'cdc-router')
        ? {
            sources: { shop: dbUrl('shop') },
            sinks: { 'analytics-eu': dbUrl('analytics_eu'), 'analytics-us': dbUrl('analytics_us') },
          }
        : { sources: {}, sinks: {} }),
    };
    await writeManifest(dataDir, manifest);
    const ms = Math.round(performance.now() - t0);
    console.log(`Data Spine is up (embedded mode) in ${ms} ms`);
    console.log(`  postgres            ${redactPassword(pg.url)} (${bins.source} binaries: ${bins.binDir})`);
    for (const s of started) console.log(`  ${s.entry.name.padEnd(19)} ${s.url}`);
    console.log(`  admin key           ${adminKeyPath(dataDir)}${created ? ' (created)' : ''}`);
    console.log(`  manifest            ${join(dataDir, 'spine.json')}`);
    console.log('Press Ctrl-C to stop.');

    const exitCode = await new Promise<number>((resolveExit) => {
      const onSignal = (signal: NodeJS.Signals) => {
        console.log(`\n${signal}: stopping...`);
        resolveExit(0);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      for (const s of started) {
        s.child.once('exit', (code) => {
          if (stopping) return;
          console.error(`spine: ${s.entry.name} exited unexpectedly (code ${code}); stopping the spine`);
          resolveExit(1);
        });
      }
    });
    await stopAll();
    console.log('stopped.');
    return exitCode;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function redactPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
