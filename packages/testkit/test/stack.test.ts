import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ManagedProcess,
  readStackManifest,
  startStack,
  STACK_ENV,
  stopStack,
  TestkitError,
  useTestContext,
} from '../src/index.ts';

/** The shared stack with Postgres only (Kafka and Connect are covered in kafka-and-connect.test.ts). */
describe('startStack / useTestContext / stopStack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'testkit-stack-'));
  // Under the root vitest config this worker already points at the run's stack: put that back afterwards.
  const outer = process.env[STACK_ENV];
  afterAll(async () => {
    await stopStack().catch(() => {});
    if (outer === undefined) delete process.env[STACK_ENV];
    else process.env[STACK_ENV] = outer;
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells a test that runs without a stack how to get one', async () => {
    delete process.env[STACK_ENV];
    const err = await useTestContext('lonely').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TestkitError);
    expect((err as TestkitError).code).toBe('TESTKIT_NO_STACK');
    expect((err as TestkitError).message).toContain('run it through the root vitest config');
    process.env[STACK_ENV] = 'none';
    expect(() => readStackManifest()).toThrow(/SPINE_TEST_STACK=none/);
  });

  it('starts once, publishes a manifest, gives each test its own database, and cleans up', async () => {
    const stack = await startStack({ kafka: false, connect: false, dir });
    expect(process.env[STACK_ENV]).toBe(stack.manifestFile);
    const manifest = readStackManifest();
    expect(manifest).toMatchObject({
      version: 1,
      kafka: null,
      connect: null,
      postgres: { port: stack.postgres.port, pid: stack.postgres.pid },
    });
    expect(existsSync(manifest.postgres.logFile)).toBe(true);

    const a = await useTestContext('Orders API');
    const b = await useTestContext('Orders API');
    expect(a.database).toMatch(/^t_orders_api_[0-9a-f]{10}$/);
    expect(new Set([a.database, b.database]).size).toBe(2);
    expect(a.topicPrefix).not.toBe(b.topicPrefix);
    expect(a.groupId).not.toBe(b.groupId);
    expect(() => a.kafkaBootstrap()).toThrow(/needs Kafka/);
    expect(() => a.connect()).toThrow(/needs Kafka Connect/);

    await a.sql('create table t (v int)');
    await a.sql('insert into t values (1)');
    expect((await a.sql<{ v: number }>('select v from t')).rows).toEqual([{ v: 1 }]);
    await expect(b.sql('select v from t')).rejects.toThrow(/relation "t" does not exist/);
    // A slot left behind (a connector that was never deleted) does not block the drop.
    await a.sql(`select pg_create_logical_replication_slot('left_behind', 'pgoutput')`);

    await a[Symbol.asyncDispose]();
    await b[Symbol.asyncDispose]();
    const admin = new pg.Client({ connectionString: manifest.postgres.url });
    await admin.connect();
    const left = await admin.query('select datname from pg_database where datname = any($1)', [
      [a.database, b.database],
    ]);
    await admin.end();
    expect(left.rows).toEqual([]);

    await stopStack();
    expect(process.env[STACK_ENV]).toBeUndefined();
    expect(readFileSync(manifest.pidFile, 'utf8')).toMatch(
      /^start \d+ postgres-\d+\nexit \d+ postgres-\d+\n$/,
    );
  });

  it('fails the teardown, and kills the process, when something outlives the run', async () => {
    await startStack({ kafka: false, connect: false, dir: join(dir, 'leak') });
    const leaked = new ManagedProcess({ name: 'leaked-sleep', command: 'sleep', args: ['300'], logDir: dir });
    const err = await stopStack().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TestkitError);
    expect((err as TestkitError).code).toBe('TESTKIT_SURVIVORS');
    expect((err as TestkitError).message).toContain(`leaked-sleep (pid ${leaked.pid})`);
    await leaked.exited;
    expect(leaked.running).toBe(false);
  });
});
