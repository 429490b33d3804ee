/**
 * pnpm bench:registry - the registry as a real process (node src/server.ts) on a private Postgres, driven
 * from this machine over loopback. Prints the figures issue #3 sets floors for.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, processCpuSeconds, processTreeCpuSeconds, startPostgres } from '@data-spine/testkit';

const ADMIN = 'bench:bench-secret';
const auth = 'Basic ' + Buffer.from(ADMIN).toString('base64');
const CT = 'application/vnd.schemaregistry.v1+json';
const SCHEMAS = Number(process.env.BENCH_SCHEMAS ?? 10_000);

const pg = await startPostgres();
const dir = mkdtempSync(join(tmpdir(), 'registry-bench-'));
writeFileSync(join(dir, 'admin-key'), ADMIN + '\n', { mode: 0o600 });
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
// The server runs with the node flags of the package's `start` script (`node <flags> src/server.ts`), which
// `spine up` and docker-compose use too (the README's Memory section). BENCH_NODE_ARGS (e.g. "--cpu-prof
// --cpu-prof-dir=/tmp/prof" or "--heapsnapshot-signal=SIGUSR2") are added after them.
const startScript = (
  JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')) as {
    scripts: { start: string };
  }
).scripts.start;
const DEPLOYED_NODE_ARGS = startScript.split(' ').filter((arg) => arg.startsWith('--'));
const nodeArgs = [...DEPLOYED_NODE_ARGS, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
const server = spawn(process.execPath, [...nodeArgs, join(import.meta.dirname, '../src/server.ts')], {
  env: {
    ...process.env,
    SPINE_REGISTRY_PORT: String(port),
    SPINE_DATABASE_URL: await pg.createDatabase('registry_bench'),
    SPINE_ADMIN_KEY_FILE: join(dir, 'admin-key'),
    SPINE_LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

async function waitReady(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('registry not ready');
}

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': CT, authorization: auth },
    body: JSON.stringify(body),
  });
}

const record = (name: string, fields: number, extra = 0) =>
  JSON.stringify({
    type: 'record',
    name,
    namespace: 'bench',
    doc: 'benchmark record',
    fields: Array.from({ length: fields + extra }, (_, i) => ({
      name: `field_${i}`,
      type: i < fields ? ['null', i % 2 ? 'string' : 'long'] : ['null', 'string'],
      default: null,
      doc: `field ${i}`,
    })),
  });

/** CPU seconds so far of the server, of Postgres (postmaster and backends) and of this load generator. */
const cpuMark = () => ({
  server: processCpuSeconds(server.pid as number),
  postgres: processTreeCpuSeconds(pg.pid as number),
  client: process.cpuUsage(),
});
/** CPU per operation since `mark`, in microseconds: figures that load elsewhere skews less than rates. */
function cpuPer(mark: ReturnType<typeof cpuMark>, operations: number): string {
  const client = process.cpuUsage(mark.client);
  const us = (seconds: number) => Math.round((seconds * 1e6) / operations);
  return `server ${us(processCpuSeconds(server.pid as number) - mark.server)} us, postgres ${us(processTreeCpuSeconds(pg.pid as number) - mark.postgres)} us, load generator ${us((client.user + client.system) / 1e6)} us`;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;

try {
  await waitReady();
  const props = { metadata: { properties: { 'data-spine.retention': 'P1Y' } } };

  // Registrations: distinct schemas, 16 concurrent producers, 500 subjects each evolving compatibly (every
  // new version adds an optional field, so it passes the default BACKWARD check against the latest).
  const t0 = performance.now();
  const regMark = cpuMark();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < SCHEMAS) {
        const i = next++;
        const res = await post(`/subjects/bench.s${i % 500}-value/versions`, {
          schema: record(`R${i % 500}`, 5, Math.floor(i / 500)),
          ...props,
        });
        if (!res.ok) throw new Error(`register ${i}: ${res.status} ${await res.text()}`);
      }
    }),
  );
  const regPerSec = SCHEMAS / ((performance.now() - t0) / 1000);
  const regCpu = cpuPer(regMark, SCHEMAS);

  // Transitive compatibility: a 50-field record against 20 versions.
  await fetch(`${url}/config/bench.compat-value`, {
    method: 'PUT',
    headers: { 'content-type': CT, authorization: auth },
    body: JSON.stringify({ compatibility: 'FULL_TRANSITIVE' }),
  });
  for (let v = 0; v < 20; v++) {
    const res = await post('/subjects/bench.compat-value/versions', {
      schema: record('Wide', 50, v),
      ...props,
    });
    if (!res.ok) throw new Error(`compat version ${v}: ${res.status} ${await res.text()}`);
  }
  const candidate = { schema: record('Wide', 50, 20) };
  const compatMs: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    const res = await post('/compatibility/subjects/bench.compat-value/versions', candidate);
    await res.json();
    compatMs.push(performance.now() - t);
  }

  // Reads by id at 100 connections, over every stored id.
  const ids = SCHEMAS;
  const byIdMark = cpuMark();
  const result = await autocannon({
    url,
    connections: 100,
    duration: 10,
    requests: [
      { setupRequest: (req) => ({ ...req, path: `/schemas/ids/${1 + Math.floor(Math.random() * ids)}` }) },
    ],
  });
  const byIdCpu = cpuPer(byIdMark, result.requests.total);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const rss = Number(/process_resident_memory_bytes\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? NaN);

  console.log(
    `registry benchmark (${SCHEMAS.toLocaleString('en-US')} schemas stored, Postgres ${pg.port}, load generator on this machine)`,
  );
  console.log(
    `GET /schemas/ids/{id}, 100 connections, 10 s: ${Math.round(result.requests.average).toLocaleString('en-US')} req/s (median ${Math.round(result.requests.p50).toLocaleString('en-US')}), p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
  );
  console.log(`  CPU per request: ${byIdCpu}`);
  console.log(
    `new registrations: ${Math.round(regPerSec).toLocaleString('en-US')} /s (16 concurrent producers)`,
  );
  console.log(`  CPU per registration: ${regCpu}`);
  console.log(
    `transitive compatibility, 50-field record vs 20 versions (HTTP): p50 ${pct(compatMs, 50).toFixed(2)} ms, p95 ${pct(compatMs, 95).toFixed(2)} ms`,
  );
  console.log(
    `registry RSS with ${SCHEMAS.toLocaleString('en-US')} schemas stored and read: ${(rss / 1024 / 1024).toFixed(0)} MB`,
  );
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await pg.stop();
}
