import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBinDir, groupAlive, livePids, startPostgres, TestkitError } from '../src/index.ts';
import type { PostgresHandle } from '../src/index.ts';

/** The effective uid of a running process, from /proc. */
function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[2]);
}

describe('startPostgres (temporary cluster)', () => {
  let pgh: PostgresHandle;
  let startMs = 0;
  beforeAll(async () => {
    const t0 = performance.now();
    pgh = await startPostgres();
    startMs = performance.now() - t0;
  });
  afterAll(async () => {
    await pgh?.stop();
  });

  it('starts in a few seconds, on loopback, with logical decoding on', async () => {
    expect(startMs).toBeLessThan(30_000);
    expect(pgh.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    const settings = await pgh.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings where name in ('wal_level', 'listen_addresses', 'max_replication_slots', 'fsync')`,
    );
    expect(Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]))).toEqual({
      wal_level: 'logical',
      listen_addresses: '127.0.0.1',
      max_replication_slots: '32',
      fsync: 'off',
    });
  });

  it('runs as an unprivileged user when we are root', () => {
    const uid = uidOf(pgh.pid!);
    if (process.getuid?.() === 0) expect(uid).not.toBe(0);
    else expect(uid).toBe(process.getuid?.());
  });

  it('refuses a wrong password', async () => {
    const url = new URL(pgh.url);
    url.password = 'wrong';
    const client = new pg.Client({ connectionString: url.toString() });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
  });

  it('creates and drops databases, even one holding a replication slot', async () => {
    const url = await pgh.createDatabase('shop');
    expect(await pgh.createDatabase('shop', { ifNotExists: true })).toBe(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('create table t (id int primary key)');
    await client.query(`select pg_create_logical_replication_slot('testkit_slot', 'pgoutput')`);
    await client.end();
    await pgh.dropDatabase('shop');
    const left = await pgh.query(
      `select 1 from pg_database where datname = 'shop' union all select 1 from pg_replication_slots`,
    );
    expect(left.rowCount).toBe(0);
  });

  it('stops without leaving a process behind', async () => {
    const pid = pgh.pid!;
    await pgh.stop();
    expect(groupAlive(pid)).toBe(false);
    expect(livePids()).toEqual([]);
  });
});

describe('startPostgres (persistent data directory)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'testkit-pgdata-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reuses an initialized directory and keeps its data', async () => {
    const dataDir = join(dir, 'pg');
    const first = await startPostgres({ dataDir, persistent: true });
    await first.query('create table kept (v text)');
    await first.query(`insert into kept values ('still here')`);
    await first.stop();

    await using second = await startPostgres({ dataDir, persistent: true });
    const rows = await second.query<{ v: string }>('select v from kept');
    expect(rows.rows).toEqual([{ v: 'still here' }]);
    expect((await second.query<{ fsync: string }>('show fsync')).rows[0]?.fsync).toBe('on');
  });
});

describe('findPostgresBinDir', () => {
  it('names what is missing', () => {
    let err: unknown;
    try {
      findPostgresBinDir('/nonexistent/bin');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TestkitError);
    expect((err as TestkitError).code).toBe('TESTKIT_MISSING_DEPENDENCY');
    expect((err as TestkitError).message).toContain(
      '/nonexistent/bin lacks initdb or postgres: apt-get install postgresql',
    );
  });
});
