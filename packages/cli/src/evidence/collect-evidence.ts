import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CollectOptions {
  /** The repository checkout the bundle describes. */
  root: string;
  /** Where a running spine's spine.json and admin key are; its live state is included when it answers. */
  dataDir: string;
  out: string;
}

export interface Collected {
  commit: string | null;
  skipped: Array<{ item: string; reason: string }>;
}

/** Files of the checkout that say what the spine enforces and how it is watched. */
const STATIC_ITEMS: ReadonlyArray<{ from: string; to: string }> = [
  { from: 'schema/data-residency-matrix.yaml', to: 'policy/data-residency-matrix.yaml' },
  { from: 'streaming/cdc/data-spine.yaml', to: 'policy/cdc-routes.yaml' },
  { from: 'alertmanager', to: 'ops/alertmanager' },
  { from: 'dashboard/grafana', to: 'ops/dashboards' },
  { from: '.evidence/runbooks.md', to: 'ops/runbooks.md' },
  { from: 'adr', to: 'adr' },
  { from: 'schema/contracts', to: 'contracts' },
  { from: '.evidence/bench', to: 'measurements/bench' },
  { from: '.test-artifacts/lineage-ui', to: 'measurements/lineage-ui-screenshots' },
];

async function copyTree(from: string, to: string): Promise<number> {
  const info = await stat(from);
  if (info.isFile()) {
    await mkdir(dirname(to), { recursive: true });
    await copyFile(from, to);
    return 1;
  }
  let n = 0;
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    n += await copyTree(join(from, entry.name), join(to, entry.name));
  }
  return n;
}

async function git(root: string, ...args: string[]): Promise<string | null> {
  try {
    return (await run('git', ['-C', root, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch {
    return null;
  }
}

interface LiveSpine {
  services: Record<string, string>;
  auth: string | null;
}

async function liveSpine(dataDir: string): Promise<LiveSpine | null> {
  try {
    const manifest = JSON.parse(await readFile(join(dataDir, 'spine.json'), 'utf8')) as {
      services?: Record<string, string>;
    };
    const key = (await readFile(join(dataDir, 'admin-key'), 'utf8').catch(() => '')).trim();
    return {
      services: manifest.services ?? {},
      auth: key ? 'Basic ' + Buffer.from(key).toString('base64') : null,
    };
  } catch {
    return null;
  }
}

/** The live state worth keeping: what a running spine says about its policy, audit, contracts and flows. */
const LIVE_ITEMS: ReadonlyArray<{ service: string; path: string; to: string }> = [
  { service: 'residency-gate', path: '/v1/policy', to: 'live/gate-policy.json' },
  { service: 'residency-gate', path: '/v1/audit', to: 'live/gate-audit.jsonl' },
  { service: 'schema-registry', path: '/subjects', to: 'live/registry-subjects.json' },
  {
    service: 'lineage-collector',
    path: '/api/v1/residency/conflicts',
    to: 'live/lineage-residency-conflicts.json',
  },
  { service: 'cdc-router', path: '/v1/dlq', to: 'live/cdc-dead-letters.json' },
];

async function fetchLive(spine: LiveSpine, service: string, path: string): Promise<string> {
  const base = spine.services[service];
  if (!base) throw new Error(`${service} is not running`);
  const res = await fetch(`${base}${path}`, {
    headers: spine.auth ? { authorization: spine.auth } : {},
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`${service} ${path} answered ${res.status}`);
  return res.text();
}

/** Copies and fetches everything into `out`; what cannot be had is listed with the reason, not guessed. */
export async function collectEvidence(options: CollectOptions): Promise<Collected> {
  const skipped: Collected['skipped'] = [];
  const { root, out } = options;
  const commit = (await git(root, 'rev-parse', 'HEAD'))?.trim() ?? null;
  if (commit) {
    const status = (await git(root, 'status', '--porcelain')) ?? '';
    await mkdir(join(out, 'source'), { recursive: true });
    await writeFile(
      join(out, 'source/commit.txt'),
      `${commit}\n${status.trim() ? `uncommitted changes:\n${status}` : 'clean working tree\n'}`,
    );
    // The policy diff the compliance packet asks for: the matrix's last ten changes.
    const policyLog = await git(root, 'log', '-n', '10', '-p', '--', 'schema/data-residency-matrix.yaml');
    if (policyLog) {
      await mkdir(join(out, 'policy'), { recursive: true });
      await writeFile(join(out, 'policy/policy-history.diff'), policyLog);
    }
  } else skipped.push({ item: 'source', reason: 'not a git checkout' });

  for (const item of STATIC_ITEMS) {
    try {
      await copyTree(join(root, item.from), join(out, item.to));
    } catch (err) {
      skipped.push({ item: item.from, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
    }
  }

  const spine = await liveSpine(options.dataDir);
  if (!spine) {
    skipped.push({ item: 'live', reason: `no running spine (no ${join(options.dataDir, 'spine.json')})` });
    return { commit, skipped };
  }
  await mkdir(join(out, 'live'), { recursive: true });
  for (const item of LIVE_ITEMS) {
    try {
      await writeFile(join(out, item.to), await fetchLive(spine, item.service, item.path));
    } catch (err) {
      skipped.push({ item: `${item.service} ${item.path}`, reason: (err as Error).message });
    }
  }
  // Every subject's latest contract: its semver, classification, owner, retention and field tags.
  try {
    const subjects = JSON.parse(await fetchLive(spine, 'schema-registry', '/subjects')) as string[];
    for (const subject of subjects) {
      const contract = await fetchLive(
        spine,
        'schema-registry',
        `/contracts/${encodeURIComponent(subject)}/versions/latest`,
      );
      await mkdir(join(out, 'live/contracts'), { recursive: true });
      await writeFile(
        join(out, 'live/contracts', `${basename(subject).replace(/[^\w.-]/g, '_')}.json`),
        contract,
      );
    }
  } catch (err) {
    skipped.push({ item: 'registry contracts', reason: (err as Error).message });
  }
  return { commit, skipped };
}
