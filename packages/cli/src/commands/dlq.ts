import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliEnv } from '../cli-config.ts';
import { UsageError } from '../cli-config.ts';

const USAGE = `spine dlq <command>
  list [--since ISO|1h] [--until ISO] [--table schema.table] [--reason CDC_...] [--route ID]
       [--status pending|replayed|all] [--limit N] [--output text|json]
  show <id> [--output text|json]                 one dead letter with the record as it arrived
  replay [filters as for list] [--id N ...] [--dry-run] [--rate N/s] [--replay-id ID]
         decides again under the current policy; idempotent per --replay-id; progress on stderr
Options: --router URL (default: SPINE_ROUTER_URL, or the running spine's cdc-router)
Credentials: SPINE_ROUTER_KEY (key:secret), else the spine's admin key.
Exit codes: 0 ok, 1 some records were dead-lettered again, 2 usage or connection error.`;

interface Target {
  url: string;
  credential: string | null;
}

interface DeadLetter {
  id: string;
  created_at: string;
  route: string | null;
  table: string | null;
  topic: string;
  partition: number | null;
  offset: string | null;
  key: string | null;
  source_position: string | null;
  reason: string;
  decision_id: string | null;
  error: string;
  attempts: number;
  status: string;
}

interface ReplayAnswer {
  replay_id: string;
  considered: number;
  replayed: number;
  dead_lettered: number;
  already_handled: number;
  remaining: number;
  items: { id: string; outcome: string; reason?: string; error?: string }[];
}

async function target(flag: string | undefined, env: NodeJS.ProcessEnv, dataDir: string): Promise<Target> {
  let url = flag ?? env.SPINE_ROUTER_URL;
  if (!url) {
    try {
      const m = JSON.parse(await readFile(join(dataDir, 'spine.json'), 'utf8')) as {
        services?: Record<string, string>;
      };
      url = m.services?.['cdc-router'];
    } catch {
      // no running spine
    }
  }
  if (!url)
    throw new UsageError('no router: pass --router URL, set SPINE_ROUTER_URL, or start one with spine up');
  const credential =
    env.SPINE_ROUTER_KEY ??
    ((await readFile(join(dataDir, 'admin-key'), 'utf8').catch(() => '')).trim() || null);
  return { url: url.replace(/\/+$/, ''), credential };
}

async function call(t: Target, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(t.credential ? { authorization: `Bearer ${t.credential}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (err) {
    throw new UsageError(`cannot reach the router at ${t.url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const b = parsed as { code?: string; message?: string };
    throw new UsageError(`router answered ${res.status} ${b.code ?? ''}: ${b.message ?? text}`.trim());
  }
  return parsed;
}

/** `1h`, `30m`, `2d` ago, or an ISO date-time. */
export function parseSince(value: string, now = Date.now()): string {
  const rel = /^(\d+)([smhd])$/.exec(value);
  if (rel) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(rel[1]) * unit).toISOString();
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`"${value}" is neither an ISO date-time nor a duration like 1h`);
  return new Date(t).toISOString();
}

export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${Math.round(ratio * 100)}%`;
}

const OPTIONS = {
  router: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  table: { type: 'string' },
  reason: { type: 'string' },
  route: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  output: { type: 'string' },
  id: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  rate: { type: 'string' },
  'replay-id': { type: 'string' },
} as const;

export async function dlqCommand(argv: readonly string[], env: Readonly<CliEnv>): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === 'help' || sub === '--help') {
    console.log(USAGE);
    return sub ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  const json = v.output === 'json';
  if (v.output && v.output !== 'json' && v.output !== 'text')
    throw new UsageError('--output is text or json');
  const t = await target(v.router, process.env, env.SPINE_DATA_DIR);
  const filter: Record<string, string> = {};
  if (v.since) filter.since = parseSince(v.since);
  if (v.until) filter.until = parseSince(v.until);
  if (v.table) filter.table = v.table;
  if (v.reason) filter.reason = v.reason;
  if (v.route) filter.route = v.route;

  switch (sub) {
    case 'list': {
      const q = new URLSearchParams({
        ...filter,
        ...(v.status ? { status: v.status } : {}),
        limit: v.limit ?? '100',
      });
      const body = (await call(t, 'GET', `/v1/dlq?${q.toString()}`)) as {
        dead_letters: DeadLetter[];
        total: number;
        depth: number;
      };
      if (json) console.log(JSON.stringify(body, null, 2));
      else {
        for (const d of body.dead_letters)
          console.log(
            `${d.id.padStart(6)}  ${d.created_at}  ${(d.table ?? '-').padEnd(24)} ${(d.route ?? '-').padEnd(28)} ${d.reason.padEnd(26)} ${d.status}`,
          );
        console.log(
          `${body.dead_letters.length} shown of ${body.total} matching; ${body.depth} pending in all`,
        );
      }
      return 0;
    }
    case 'show': {
      const id = parsed.positionals[0];
      if (!id) throw new UsageError('spine dlq show <id>');
      const body = (await call(t, 'GET', `/v1/dlq/${encodeURIComponent(id)}`)) as DeadLetter & {
        record: unknown;
      };
      if (json) console.log(JSON.stringify(body, null, 2));
      else {
        for (const k of [
          'id',
          'created_at',
          'status',
          'route',
          'table',
          'topic',
          'partition',
          'offset',
          'key',
          'source_position',
          'reason',
          'decision_id',
          'attempts',
          'error',
        ] as const)
          console.log(`${k.padEnd(16)} ${String(body[k] ?? '-')}`);
        console.log(`record           ${JSON.stringify(body.record)}`);
      }
      return 0;
    }
    case 'replay': {
      const replayId = v['replay-id'] ?? `cli-${Date.now().toString(36)}`;
      // The bar's total: the pending dead letters these filters match (not every pending one).
      const countQ = new URLSearchParams({ ...filter, status: 'pending', limit: '1' });
      const total =
        v.id?.length ?? ((await call(t, 'GET', `/v1/dlq?${countQ.toString()}`)) as { total: number }).total;
      const rate = v.rate ? Number(v.rate) : undefined;
      if (rate !== undefined && !(rate > 0))
        throw new UsageError('--rate is a positive number of records per second');
      let afterId: string | undefined;
      const sum = { replayed: 0, dead_lettered: 0, already_handled: 0 };
      const again: ReplayAnswer['items'] = [];
      for (;;) {
        const answer = (await call(t, 'POST', '/v1/dlq:replay', {
          replay_id: replayId,
          filter: { ...filter, ...(v.id ? { ids: v.id } : {}) },
          dry_run: v['dry-run'] === true,
          limit: 100,
          ...(rate ? { rate_per_second: rate } : {}),
          ...(afterId ? { after_id: afterId } : {}),
        })) as ReplayAnswer;
        sum.replayed += answer.replayed;
        sum.dead_lettered += answer.dead_lettered;
        sum.already_handled += answer.already_handled;
        again.push(...answer.items.filter((i) => i.outcome.includes('dead_letter')));
        const done = sum.replayed + sum.dead_lettered + sum.already_handled;
        if (!json) process.stderr.write(`\r${progressBar(done, Math.max(total, done))}`);
        if (answer.items.length === 0) break;
        afterId = answer.items.at(-1)?.id;
        // Every item was handled by an earlier call with this id and nothing new came: done.
        if (answer.considered === answer.already_handled && answer.considered < 100) break;
      }
      if (!json) process.stderr.write('\n');
      const result = {
        replay_id: replayId,
        dry_run: v['dry-run'] === true,
        ...sum,
        dead_lettered_again: again,
      };
      if (json) console.log(JSON.stringify(result, null, 2));
      else {
        console.log(
          `${result.dry_run ? 'dry run: would replay' : 'replayed'} ${sum.replayed}, ${result.dry_run ? 'would dead-letter' : 'dead-lettered again'} ${sum.dead_lettered}, already handled ${sum.already_handled} (replay id ${replayId})`,
        );
        for (const i of again) console.log(`  ${i.id}: ${i.reason ?? ''} ${i.error ?? ''}`);
      }
      return sum.dead_lettered > 0 ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown dlq command ${sub}\n\n${USAGE}`);
  }
}
