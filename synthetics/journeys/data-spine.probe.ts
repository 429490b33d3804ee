/**
 * Synthetic probe: reads `<SPINE_DATA_DIR>/spine.json` and checks that every service the spine started is
 * alive, ready and exporting metrics, with a Server-Timing header. Prints one line per check and exits 1 if
 * any fails, so cron, CI or a blackbox exporter can run it:
 *
 *   node synthetics/journeys/data-spine.probe.ts [path/to/spine.json]
 *
 * Later journeys (schema publish/validate, a gate decision, lineage ingest) are added per service.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Check {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

async function probe(
  name: string,
  url: string,
  expect: (res: Response, body: string) => string | null,
): Promise<Check> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const body = await res.text();
    const problem = expect(res, body);
    return { name, ok: problem === null, ms: performance.now() - t0, detail: problem ?? `${res.status}` };
  } catch (err) {
    return { name, ok: false, ms: performance.now() - t0, detail: (err as Error).message };
  }
}

export async function runProbes(manifestFile: string): Promise<Check[]> {
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { services: Record<string, string> };
  const checks: Array<Promise<Check>> = [];
  for (const [service, base] of Object.entries(manifest.services)) {
    checks.push(probe(`${service} /healthz`, `${base}/healthz`, (r) => (r.ok ? null : `status ${r.status}`)));
    checks.push(
      probe(`${service} /readyz`, `${base}/readyz`, (r, b) =>
        r.ok ? null : `status ${r.status}: ${b.slice(0, 200)}`,
      ),
    );
    checks.push(
      probe(`${service} /metrics`, `${base}/metrics`, (r, b) =>
        !r.ok
          ? `status ${r.status}`
          : !b.includes('spine_http_request_duration_seconds')
            ? 'no spine_http_request_duration_seconds'
            : r.headers.get('server-timing') === null
              ? 'no Server-Timing header'
              : null,
      ),
    );
  }
  return Promise.all(checks);
}

if (import.meta.main) {
  const file = process.argv[2] ?? join(process.env.SPINE_DATA_DIR ?? '.spine', 'spine.json');
  const results = await runProbes(file);
  for (const c of results)
    console.log(
      `${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(36)} ${c.ms.toFixed(1).padStart(7)} ms  ${c.detail}`,
    );
  if (results.length === 0) console.log(`no services listed in ${file}`);
  process.exitCode = results.every((c) => c.ok) ? 0 : 1;
}
