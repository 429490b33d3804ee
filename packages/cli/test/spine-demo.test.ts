import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@data-spine/testkit';

/**
 * The whole spine (issue 6, item 9): `spine up` starts registry, gate, lineage and router in embedded mode
 * with the demo, `spine demo` drives a workload, and the rows arrive in analytics-eu whole but for card
 * data (masked), and in analytics-us with PII only as keyed hashes and card data absent (the route does not
 * carry it); `spine dlq list` talks to the router.
 */
const bin = join(import.meta.dirname, '../src/bin.ts');

function spine(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
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

async function rows<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(sql)).rows;
  } finally {
    await c.end();
  }
}

/** The demo's contracts: per `schema.table`, its fields' tags (lower case). */
const CONTRACTS = join(import.meta.dirname, '../../../schema/contracts');
const contracts = readdirSync(CONTRACTS)
  .filter((f) => f.endsWith('.avsc'))
  .map((f) => {
    const doc = JSON.parse(readFileSync(join(CONTRACTS, f), 'utf8')) as {
      fields: { name: string; 'confluent:tags'?: string[] }[];
    };
    return {
      table: f.replace(/^shop\./, '').replace(/\.avsc$/, ''),
      tagged: (tag: string) =>
        doc.fields
          .filter((x) => (x['confluent:tags'] ?? []).some((t) => t.toLowerCase() === tag))
          .map((x) => x.name),
    };
  });

/**
 * One comparable form for a value read from the source (typed columns) or a sink (columns made from the
 * contract: timestamps as Debezium's ISO text, integers as bigint): instants as epoch ms, numbers as text.
 */
function comparable(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d/.test(v))
    return Date.parse(v.replace(' ', 'T'));
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return String(Number(v));
  return v;
}

async function tableRows(
  url: string,
  table: string,
  columns: readonly string[],
): Promise<Record<string, unknown>[]> {
  const list = columns.map((c) => `"${c}"`).join(', ');
  const got = await rows<Record<string, unknown>>(url, `select ${list} from ${table} order by id::text`);
  return got.map((r) => Object.fromEntries(columns.map((c) => [c, comparable(r[c])])));
}

describe('spine up + spine demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spine-demo-'));
  let up: ReturnType<typeof spine> | undefined;
  afterAll(async () => {
    if (up && up.child.exitCode === null) {
      up.child.kill('SIGTERM');
      await up.exit;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('moves the demo workload into both sinks, governed', { timeout: 170_000 }, async () => {
    const env = {
      SPINE_DATA_DIR: dataDir,
      SPINE_PG_PORT: String(await freePort()),
      SPINE_REGISTRY_PORT: String(await freePort()),
      SPINE_GATE_PORT: String(await freePort()),
      SPINE_LINEAGE_PORT: String(await freePort()),
      SPINE_ROUTER_PORT: String(await freePort()),
      SPINE_READY_TIMEOUT_MS: '120000',
    };
    up = spine(['up'], env);
    const manifestFile = join(dataDir, 'spine.json');
    for (let i = 0; !existsSync(manifestFile); i++) {
      if (up.child.exitCode !== null || i > 1200)
        throw new Error(`spine up did not come up:\n${up.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
      services: Record<string, string>;
      sources: Record<string, string>;
      sinks: Record<string, string>;
    };
    expect(Object.keys(m.services)).toContain('cdc-router');
    expect(Object.keys(m.sources)).toEqual(['shop']);
    expect(Object.keys(m.sinks).sort()).toEqual(['analytics-eu', 'analytics-us']);

    const demo = spine(['demo', '--rate', '50', '--duration', '5'], env);
    expect(await demo.exit).toBe(0);
    expect(demo.output()).toMatch(/demo: done, \d+ changes/);

    type Customer = { id: string; name: string | null; email: string | null; status: string | null };
    const source = await rows<Customer>(
      m.sources.shop as string,
      'select id::text, name, email, status from public.customer order by id',
    );
    expect(source.length).toBeGreaterThan(10);
    const eu = async () =>
      rows<Customer>(
        m.sinks['analytics-eu'] as string,
        'select id::text, name, email, status from public.customer order by id',
      ).catch(() => []);
    for (let i = 0; i < 240 && JSON.stringify(await eu()) !== JSON.stringify(source); i++)
      await new Promise((r) => setTimeout(r, 250));
    expect(await eu()).toEqual(source);

    const key = readFileSync(join(dataDir, 'router-hash-key'), 'utf8').trim();
    const hash = (v: string) => createHmac('sha256', key).update(v).digest('hex');
    const us = await rows<Customer>(
      m.sinks['analytics-us'] as string,
      'select id::text, name, email, status from public.customer order by id',
    );
    expect(us.map((r) => r.id)).toEqual(source.map((r) => r.id));
    const first = source.find((r) => r.email !== null) as Customer;
    expect(us.find((r) => r.id === first.id)).toEqual({
      ...first,
      name: hash(first.name as string),
      email: hash(first.email as string),
    });
    expect(JSON.stringify(us)).not.toContain('@example.com');

    // Every demo table, governed by its contract: in the EU whole but for card data, masked (rule
    // pci-same-region); in the US PII only as keyed hashes and PCI not there at all (not even as a column).
    expect(contracts.map((c) => c.table).sort()).toEqual([
      'public.app_user',
      'public.customer',
      'public.payment_card',
      'public.support_ticket',
      'public.usage_event',
    ]);
    // The personal and card data of the demo, as its contracts must tag it.
    expect(Object.fromEntries(contracts.map((c) => [c.table, [c.tagged('pii'), c.tagged('pci')]]))).toEqual({
      'public.app_user': [['email', 'full_name'], []],
      'public.customer': [['name', 'email'], []],
      'public.payment_card': [[], ['card_number', 'expires_on']],
      'public.support_ticket': [['subject', 'body'], []],
      'public.usage_event': [[], []],
    });
    for (const c of contracts) {
      const columns = (
        await rows<{ column_name: string }>(
          m.sources.shop as string,
          `select column_name from information_schema.columns where table_schema || '.' || table_name = '${c.table}' order by ordinal_position`,
        )
      ).map((r) => r.column_name);
      const want = await tableRows(m.sources.shop as string, c.table, columns);
      expect(want.length, `${c.table} has demo rows`).toBeGreaterThan(0);
      const pii = c.tagged('pii');
      const pci = c.tagged('pci');
      const wantEu = want.map((r) =>
        Object.fromEntries(
          columns.map((col) => [col, pci.includes(col) && r[col] !== null ? '****' : r[col]]),
        ),
      );
      let euRows: unknown[] = [];
      for (let i = 0; i < 120; i++) {
        euRows = await tableRows(m.sinks['analytics-eu'] as string, c.table, columns).catch(() => []);
        if (JSON.stringify(euRows) === JSON.stringify(wantEu)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(euRows, `${c.table} in analytics-eu`).toEqual(wantEu);

      const usColumns = (
        await rows<{ column_name: string }>(
          m.sinks['analytics-us'] as string,
          `select column_name from information_schema.columns where table_schema || '.' || table_name = '${c.table}'`,
        )
      ).map((r) => r.column_name);
      for (const col of pci) expect(usColumns, `${c.table}.${col} (PCI) in analytics-us`).not.toContain(col);
      const kept = columns.filter((col) => !pci.includes(col));
      const usRows = await tableRows(m.sinks['analytics-us'] as string, c.table, kept);
      expect(JSON.stringify(usRows)).not.toContain('@example.com');
      expect(usRows, `${c.table} in analytics-us`).toEqual(
        want.map((r) =>
          Object.fromEntries(
            kept.map((col) => [col, pii.includes(col) && r[col] !== null ? hash(r[col] as string) : r[col]]),
          ),
        ),
      );
    }

    // No card number reaches either sink in clear, in any column.
    for (const sink of ['analytics-eu', 'analytics-us']) {
      const all = await rows(m.sinks[sink] as string, 'select * from public.payment_card');
      expect(all.length, `payment cards in ${sink}`).toBeGreaterThan(0);
      expect(JSON.stringify(all)).not.toMatch(/4111111111111111|5555555555554444|378282246310005/);
    }
    // The decision capped the retention of card data in analytics-eu (P2Y) to P90D: the sink's expiry
    // sweeps that table by the cap.
    const caps = await rows<{ tbl: string; days: number; rule: string }>(
      m.sinks['analytics-eu'] as string,
      `select tbl, extract(day from ttl)::int as days, rule from spine.retention_caps order by tbl`,
    );
    expect(caps).toEqual([{ tbl: 'public.payment_card', days: 90, rule: 'pci-same-region' }]);

    // The lineage UI's API shows the flow: the source table to both sinks through one job per route, the
    // contract's PII tags on the source's fields (from the registry), its residency, and no conflict (the
    // router records the gate's allow decision with each run).
    const lineage = m.services['lineage-collector'] as string;
    const ns = new URL(m.sources.shop as string);
    const namespace = `postgres://${ns.hostname}:${ns.port}`;
    const node = `dataset:${namespace}:shop.public.customer`;
    type Graph = { graph: { id: string }[] };
    let ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`${lineage}/api/v1/lineage?nodeId=${encodeURIComponent(node)}&depth=2`);
      ids = res.ok ? ((await res.json()) as Graph).graph.map((n) => n.id) : [];
      if (ids.includes(`dataset:${namespace}:analytics_us.public.customer`)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(ids).toEqual(
      expect.arrayContaining([
        node,
        'job:data-spine:cdc.shop-to-analytics-eu',
        'job:data-spine:cdc.shop-to-analytics-us',
        `dataset:${namespace}:analytics_eu.public.customer`,
        `dataset:${namespace}:analytics_us.public.customer`,
      ]),
    );
    type Dataset = {
      fields: { name: string; tags: string[] }[];
      policyTags: { key: string; value: string; field: string | null }[];
    };
    const customer = (await (
      await fetch(
        `${lineage}/api/v1/namespaces/${encodeURIComponent(namespace)}/datasets/shop.public.customer`,
      )
    ).json()) as Dataset;
    expect(customer.fields.filter((f) => f.tags.includes('pii')).map((f) => f.name)).toEqual([
      'name',
      'email',
    ]);
    expect(customer.policyTags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'residency', value: 'EEA', field: null }),
        expect.objectContaining({ key: 'region', value: 'eu-west-1', field: null }),
      ]),
    );
    const conflicts = (await (await fetch(`${lineage}/api/v1/residency/conflicts`)).json()) as {
      totalCount: number;
    };
    expect(conflicts.totalCount).toBe(0);

    const dlq = spine(['dlq', 'list', '--output', 'json'], env);
    expect(await dlq.exit).toBe(0);
    expect(JSON.parse(dlq.output())).toHaveProperty('dead_letters');
  });
});
