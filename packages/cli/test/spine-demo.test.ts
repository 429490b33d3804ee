import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@data-spine/testkit';

/**
 * The whole spine (issue 6, item 9): `spine up` starts registry, gate, lineage and router in embedded mode
 * with the demo, `spine demo` drives a workload, and the rows arrive in analytics-eu whole and in
 * analytics-us with PII only as keyed hashes; `spine dlq list` talks to the router.
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

    const demo = spine(['demo', '--rate', '40', '--duration', '4'], env);
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

    const dlq = spine(['dlq', 'list', '--output', 'json'], env);
    expect(await dlq.exit).toBe(0);
    expect(JSON.parse(dlq.output())).toHaveProperty('dead_letters');
  });
});
