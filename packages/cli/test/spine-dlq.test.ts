import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp as buildRouter, loadRouterConfig, parseRoutes } from '@data-spine/cdc-router';
import {
  buildApp as buildGate,
  generateSigningKey,
  loadGateConfig,
  SAMPLE_MATRIX,
} from '@data-spine/residency-gate';
import { buildApp as buildRegistry, DEFAULT_FORMATS, loadRegistryConfig } from '@data-spine/schema-registry';
import { createLogger, hashSecret, MemoryCredentialStore } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { main } from '../src/main.ts';
import { parseSince, progressBar } from '../src/commands/dlq.ts';

describe('spine dlq', () => {
  it('reads --since as a duration ago or an ISO date-time', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(parseSince('1h', now)).toBe('2026-12-01T11:00:00.000Z');
    expect(parseSince('30m', now)).toBe('2026-12-01T11:30:00.000Z');
    expect(parseSince('2026-11-30T00:00:00Z', now)).toBe('2026-11-30T00:00:00.000Z');
    expect(() => parseSince('yesterday', now)).toThrow(/neither an ISO date-time nor a duration/);
  });

  it('draws a progress bar', () => {
    expect(progressBar(0, 4, 8)).toBe('[........] 0/4 0%');
    expect(progressBar(2, 4, 8)).toBe('[####....] 2/4 50%');
    expect(progressBar(5, 4, 8)).toBe('[########] 5/4 100%');
  });

  it('exits 2 with a clear message when no router can be found or reached', async () => {
    const dir = `/tmp/spine-dlq-test-${process.pid}`;
    process.env.SPINE_DATA_DIR = dir;
    delete process.env.SPINE_ROUTER_URL;
    expect(await main(['dlq', 'list'])).toBe(2);
    expect(await main(['dlq', 'list', '--router', 'http://127.0.0.1:9'])).toBe(2);
    expect(await main(['dlq', 'frobnicate', '--router', 'http://127.0.0.1:9'])).toBe(2);
    delete process.env.SPINE_DATA_DIR;
  });
});

/**
 * `spine dlq` against a real router (embedded path: the test's own database read through pgoutput), the
 * real registry and gate, and a Postgres sink: changes refused for want of a contract or by a deny land in
 * the dead-letter table with their reason, decision id and source position; `list` filters and `show`;
 * `replay` after the cause is fixed delivers them, is idempotent per replay id, and `--dry-run` changes
 * nothing. The CLI runs in this process (its command code, over HTTP to the router).
 */
describe('spine dlq against a running router', () => {
  const ADMIN = { key: 'spine-admin', secret: 'test-secret-0123456789abcdef' };
  const adminHeader = `Bearer ${ADMIN.key}:${ADMIN.secret}`;
  const dir = mkdtempSync(join(tmpdir(), 'spine-dlq-'));
  let ctx: TestContext;
  const urls: Record<'sink' | 'router' | 'registry' | 'gate', string> = {
    sink: '',
    router: '',
    registry: '',
    gate: '',
  };
  const apps: { close(): Promise<unknown> }[] = [];
  let registryUrl: string;
  let gateUrl: string;
  let routerUrl: string;
  const matrix = readFileSync(SAMPLE_MATRIX, 'utf8');

  const query = async <R extends pg.QueryResultRow>(url: string, sql: string, params?: unknown[]) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<R>(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  const eventually = async <T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean) => {
    const end = Date.now() + 60_000;
    let last: T | undefined;
    while (Date.now() < end) {
      last = await probe().catch(() => undefined);
      if (last !== undefined && ok(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 1000)}`);
  };
  const admin = (method: string, url: string, body: unknown) =>
    fetch(url, {
      method,
      headers: { authorization: adminHeader, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (res) => {
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    });
  const registerContract = (table: string, classification: string) =>
    admin('POST', `${registryUrl}/subjects/${ctx.topicPrefix}.${table}-value/versions`, {
      schemaType: 'JSON',
      schema: JSON.stringify({
        type: 'object',
        'data-spine:classification': classification,
        properties: {
          id: { type: 'integer', description: 'Key.' },
          v: { type: ['null', 'string'], description: 'Value.' },
        },
      }),
    });
  /** A policy version; `deny` leaves internal data out of the allowed classifications (nothing allows it). */
  const setPolicy = async (version: string, deny: boolean) => {
    let text = matrix.replace("version: '2026.12.7'", `version: '${version}'`);
    if (deny)
      text = text.replace(
        'match: { classifications: [internal, confidential] }',
        'match: { classifications: [confidential] }',
      );
    await admin('PUT', `${gateUrl}/v1/policy`, { matrix: text });
    await eventually(
      `the router to see policy ${version}`,
      async () => (await (await fetch(`${routerUrl}/v1/routes`)).json()) as { policy_version: string },
      (r) => r.policy_version === version,
    );
  };
  const sinkRows = (table: string) =>
    query<{ id: number; v: string; lsn: string; at: Date }>(
      urls.sink,
      `select id::int as id, v, _spine_lsn::text as lsn, _spine_updated_at as at from ${table} order by id`,
    ).catch(() => []);
  const stored = () =>
    query<{
      id: string;
      table_name: string;
      reason: string;
      decision_id: string | null;
      source_position: string | null;
      attempts: number;
      replay_id: string | null;
      replayed: boolean;
    }>(
      urls.router,
      `select id::text, table_name, reason, decision_id, source_position, attempts, replay_id,
              replayed_at is not null as replayed from public.cdc_dead_letter order by id`,
    );

  /** `spine dlq ...` in this process: exit code, stdout, and what went to stderr (the progress bar). */
  async function dlq(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const log = vi
      .spyOn(console, 'log')
      .mockImplementation((...a: unknown[]) => void (out += `${a.join(' ')}\n`));
    const error = vi
      .spyOn(console, 'error')
      .mockImplementation((...a: unknown[]) => void (err += `${a.join(' ')}\n`));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err += String(chunk);
      return true;
    });
    const saved = process.env.SPINE_DATA_DIR;
    process.env.SPINE_DATA_DIR = dir;
    try {
      return { code: await main(['dlq', ...args, '--router', routerUrl]), out, err };
    } finally {
      log.mockRestore();
      error.mockRestore();
      stderr.mockRestore();
      if (saved === undefined) delete process.env.SPINE_DATA_DIR;
      else process.env.SPINE_DATA_DIR = saved;
    }
  }
  const json = async <T>(...args: string[]): Promise<T> => {
    const r = await dlq(...args, '--output', 'json');
    if (r.code === 2) throw new Error(`spine dlq ${args.join(' ')}: ${r.err}`);
    return JSON.parse(r.out) as T;
  };
  type Listed = {
    dead_letters: { id: string; table: string; reason: string }[];
    total: number;
    depth: number;
  };
  type Replayed = { replayed: number; dead_lettered: number; already_handled: number };

  beforeAll(async () => {
    ctx = await useTestContext('cli-dlq');
    for (const name of Object.keys(urls) as (keyof typeof urls)[]) {
      const db = `${ctx.database}_${name}`.slice(0, 63);
      await query(ctx.stack.postgres.url, `create database "${db}"`);
      const u = new URL(ctx.stack.postgres.url);
      u.pathname = `/${db}`;
      urls[name] = u.toString();
    }
    await ctx.sql('create table public.item (id int primary key, v text)');
    await ctx.sql('create table public.note (id int primary key, v text)');
    const keyFile = join(dir, 'admin-key');
    writeFileSync(keyFile, `${ADMIN.key}:${ADMIN.secret}\n`, { mode: 0o600 });
    const credentials = () =>
      new MemoryCredentialStore([
        { key: ADMIN.key, secretHash: hashSecret(ADMIN.secret), roles: ['admin'], scopes: ['*'] },
      ]);
    const registry = await buildRegistry(
      loadRegistryConfig({ SPINE_DATABASE_URL: urls.registry, SPINE_LOG_LEVEL: 'silent' }),
      {
        formats: DEFAULT_FORMATS,
        logger: createLogger({ service: 'schema-registry', level: 'silent' }),
        credentials: credentials(),
      },
    );
    apps.push(registry);
    registryUrl = await registry.listen({ host: '127.0.0.1', port: 0 });
    const matrixFile = join(dir, 'matrix.yaml');
    writeFileSync(matrixFile, matrix);
    const gate = await buildGate(
      loadGateConfig({
        SPINE_DATABASE_URL: urls.gate,
        SPINE_DATA_DIR: dir,
        SPINE_GATE_MATRIX_FILE: matrixFile,
        SPINE_GATE_WATCH_MATRIX: 'false',
        SPINE_LOG_LEVEL: 'silent',
        SPINE_REGISTRY_URL: registryUrl,
      }),
      {
        logger: createLogger({ service: 'residency-gate', level: 'silent' }),
        signingKey: generateSigningKey(),
        credentials: credentials(),
      },
    );
    apps.push(gate);
    gateUrl = await gate.listen({ host: '127.0.0.1', port: 0 });
    await registerContract('public.item', 'internal');
    const router = await buildRouter(
      loadRouterConfig({
        SPINE_ROUTER_MODE: 'embedded',
        SPINE_DATABASE_URL: urls.router,
        SPINE_DATA_DIR: dir,
        SPINE_ADMIN_KEY_FILE: keyFile,
        SPINE_ROUTER_SOURCE_URLS: JSON.stringify({ shop: ctx.databaseUrl }),
        SPINE_ROUTER_SINK_URLS: JSON.stringify({ 'analytics-eu': urls.sink }),
        SPINE_REGISTRY_URL: registryUrl,
        SPINE_GATE_URL: gateUrl,
        SPINE_ROUTER_HASH_KEY: 'test-hash-key-0123456789',
        SPINE_ROUTER_CONTRACT_TTL_MS: '1000',
        SPINE_ROUTER_POLICY_POLL_MS: '300',
        SPINE_LOG_LEVEL: 'silent',
      }),
      {
        routes: parseRoutes(`version: 1
sources:
  - { id: shop, type: postgres, region: eu-west-1, database: ${ctx.database}, topicPrefix: ${ctx.topicPrefix}, tables: [public.item, public.note], slot: ${ctx.topicPrefix}_dlq }
sinks:
  - { id: analytics-eu, type: postgres, region: eu-west-1, database: analytics_eu }
routes:
  - { source: shop, tables: [public.item, public.note], sink: analytics-eu, purpose: analytics }
`),
        logger: createLogger({ service: 'cdc-router', level: 'silent' }),
      },
    );
    apps.unshift(router);
    routerUrl = await router.listen({ host: '127.0.0.1', port: 0 });
    await router.cdc.runtime.start();
    await ctx.sql(`insert into public.item values (1, 'one')`);
    await eventually(
      'the first row',
      () => sinkRows('public.item'),
      (r) => r.length === 1,
    );
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => {});
    await ctx?.[Symbol.asyncDispose]();
    for (const url of Object.values(urls))
      if (url)
        await query(
          ctx.stack.postgres.url,
          `drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`,
        ).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('refused changes are dead letters with reason, decision id and position; list filters them, show shows one', async () => {
    await ctx.sql(`insert into public.note values (1, 'n1'), (2, 'n2')`);
    await setPolicy('2026.12.2', true);
    await ctx.sql(`update public.item set v = 'two' where id = 1`);
    const rows = await eventually('three dead letters', stored, (r) => r.length === 3);
    const notes = rows.filter((r) => r.table_name === 'public.note');
    const denied = rows.find((r) => r.table_name === 'public.item');
    expect(notes.map((r) => [r.reason, r.decision_id])).toEqual([
      ['CDC_NO_CONTRACT', null],
      ['CDC_NO_CONTRACT', null],
    ]);
    expect(denied).toMatchObject({ reason: 'CDC_DENIED', attempts: 1, replayed: false });
    expect(denied?.decision_id).toMatch(/\S/);
    // Source positions: the changes' LSNs, the update after the inserts.
    for (const r of rows) expect(r.source_position).toMatch(/^\d+$/);
    expect(BigInt(denied?.source_position ?? 0)).toBeGreaterThan(BigInt(notes[1]?.source_position ?? 0));
    expect(await sinkRows('public.item')).toMatchObject([{ id: 1, v: 'one' }]);

    const byTable = await json<Listed>('list', '--table', 'public.note');
    expect(byTable.dead_letters.map((d) => d.table)).toEqual(['public.note', 'public.note']);
    expect(byTable).toMatchObject({ total: 2, depth: 3 });
    const byReason = await json<Listed>('list', '--reason', 'CDC_DENIED');
    expect(byReason.dead_letters.map((d) => d.id)).toEqual([denied?.id]);
    expect(byReason.total).toBe(1);
    expect((await json<Listed>('list', '--since', '1h')).dead_letters).toHaveLength(3);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await json<Listed>('list', '--since', future)).toMatchObject({ dead_letters: [], total: 0 });
    const limited = await dlq('list', '--limit', '1');
    expect(limited.code).toBe(0);
    expect(limited.out).toContain('1 shown of 3 matching; 3 pending in all');

    const shown = await json<{
      id: string;
      reason: string;
      decision_id: string;
      source_position: string;
      record: { value: string };
    }>('show', denied?.id ?? '');
    expect(shown).toMatchObject({
      id: denied?.id,
      reason: 'CDC_DENIED',
      decision_id: denied?.decision_id,
      source_position: denied?.source_position,
    });
    expect((JSON.parse(shown.record.value) as { op: string; after: unknown }).after).toEqual({
      id: 1,
      v: 'two',
    });
    const text = await dlq('show', denied?.id ?? '');
    expect(text.out).toMatch(new RegExp(`decision_id\\s+${denied?.decision_id}`));
    expect((await dlq('show', '999999')).code).toBe(2);
  });

  it('replay: the progress bar counts what the filters match; once fixed, delivered; idempotent per replay id; a dry run changes nothing', async () => {
    // The notes' contract arrives (confidential: allowed under either policy); they replay, while the
    // denied item stays pending and out of the bar's total.
    await registerContract('public.note', 'confidential');
    await new Promise((r) => setTimeout(r, 1_100)); // the router's contract cache (1 s here)
    const notes = await dlq('replay', '--table', 'public.note', '--replay-id', 'notes-1');
    expect(notes.code).toBe(0);
    expect(notes.err).toContain('2/2 100%');
    expect(notes.err).not.toMatch(/\/3\b/);
    expect(notes.out).toContain('replayed 2, dead-lettered again 0');
    expect((await sinkRows('public.note')).map((r) => [r.id, r.v])).toEqual([
      [1, 'n1'],
      [2, 'n2'],
    ]);

    // Still denied: refused again under r-1, and it stays pending.
    const refused = await dlq('replay', '--reason', 'CDC_DENIED', '--replay-id', 'r-1');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('dead-lettered again 1');
    const item = () => stored().then((r) => r.find((x) => x.table_name === 'public.item'));
    expect(await item()).toMatchObject({ reason: 'CDC_DENIED', attempts: 2, replayed: false });

    // The cause fixed: the policy allows it again.
    await setPolicy('2026.12.3', false);
    const before = await sinkRows('public.item');
    expect(before).toMatchObject([{ id: 1, v: 'one' }]);
    // The same replay id handled it already: skipped, not decided or written again, although pending.
    expect(await json<Replayed>('replay', '--reason', 'CDC_DENIED', '--replay-id', 'r-1')).toMatchObject({
      replayed: 0,
      dead_lettered: 0,
      already_handled: 1,
    });
    expect(await item()).toMatchObject({ attempts: 2, replayed: false, replay_id: null });
    // A dry run says what would happen and changes nothing.
    expect(
      await json<Replayed & { dry_run: boolean }>(
        'replay',
        '--reason',
        'CDC_DENIED',
        '--dry-run',
        '--replay-id',
        'dry',
      ),
    ).toMatchObject({ dry_run: true, replayed: 1, dead_lettered: 0, already_handled: 0 });
    expect(await sinkRows('public.item')).toEqual(before);
    expect(await item()).toMatchObject({ attempts: 2, replayed: false, replay_id: null });
    const recorded = () =>
      query<{ replay_id: string; outcome: string }>(
        urls.router,
        'select replay_id, outcome from public.cdc_replay_item order by replay_id',
      );
    expect(await recorded()).toEqual([
      { replay_id: 'notes-1', outcome: 'replayed' },
      { replay_id: 'notes-1', outcome: 'replayed' },
      { replay_id: 'r-1', outcome: 'dead_lettered' },
    ]);

    // A new replay id delivers it.
    const delivered = await dlq('replay', '--reason', 'CDC_DENIED', '--replay-id', 'r-2');
    expect(delivered.code).toBe(0);
    expect(delivered.err).toContain('1/1 100%');
    expect(delivered.out).toContain('replayed 1, dead-lettered again 0');
    const after = await sinkRows('public.item');
    expect(after).toMatchObject([{ id: 1, v: 'two' }]);
    expect(await item()).toMatchObject({ replayed: true, replay_id: 'r-2', attempts: 2 });
    // Again under r-2: nothing considered, nothing written.
    expect(await json<Replayed>('replay', '--reason', 'CDC_DENIED', '--replay-id', 'r-2')).toMatchObject({
      replayed: 0,
      dead_lettered: 0,
      already_handled: 0,
    });
    expect(await sinkRows('public.item')).toEqual(after);
    expect((await recorded()).filter((r) => r.replay_id === 'r-2')).toEqual([
      { replay_id: 'r-2', outcome: 'replayed' },
    ]);
    expect(await json<Listed>('list')).toMatchObject({ total: 0, depth: 0 });
  });
});
