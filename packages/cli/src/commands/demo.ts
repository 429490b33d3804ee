import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { CliEnv } from '../cli-config.ts';
import { UsageError } from '../cli-config.ts';

const USAGE = `spine demo [--rate N] [--duration S] [--shop URL]
  A steady workload on the demo's shop database: new customers, status and revenue updates, some deletes,
  usage events, tickets, app users and payment cards. --rate changes per second (default 20); --duration seconds (default: until Ctrl-C).
  --shop defaults to spine.json's sources.shop (the running spine).`;

const NAMES = [
  'Ada Lovelace',
  'Grace Hopper',
  'Alan Turing',
  'Katherine Johnson',
  'Edsger Dijkstra',
  'Barbara Liskov',
];
const INDUSTRIES = ['Computing', 'Healthcare', 'Retail', 'Finance', 'Logistics'];
const STATUSES = ['trial', 'active', 'churned'];
const pick = <T>(a: readonly T[]): T => a[Math.floor(Math.random() * a.length)] as T;

async function shopUrl(flag: string | undefined, dataDir: string): Promise<string> {
  if (flag) return flag;
  try {
    const m = JSON.parse(await readFile(join(dataDir, 'spine.json'), 'utf8')) as {
      sources?: Record<string, string>;
    };
    if (m.sources?.shop) return m.sources.shop;
  } catch {
    // no running spine
  }
  throw new UsageError('no shop database: start the spine (spine up) or pass --shop URL');
}

/**
 * One change: customer inserts (45%), updates (40%), deletes (5%), and 10% on the other demo tables, in
 * turn: usage events (two in five), support tickets, app users and payment cards.
 */
async function step(
  client: pg.Client,
  known: string[],
  others: { n: number },
): Promise<'insert' | 'update' | 'delete' | 'event'> {
  const r = Math.random();
  if (r < 0.45 || known.length < 5) {
    const id = randomUUID();
    const name = pick(NAMES);
    await client.query(`insert into public.customer values ($1, $2, $3, $4, now(), $5, $6)`, [
      id,
      name,
      `${name.split(' ')[0]?.toLowerCase()}.${id.slice(0, 6)}@example.com`,
      'trial',
      (Math.random() * 1e6).toFixed(2),
      pick(INDUSTRIES),
    ]);
    known.push(id);
    return 'insert';
  }
  if (r < 0.85) {
    await client.query(`update public.customer set status = $2, annual_revenue = $3 where id = $1`, [
      pick(known),
      pick(STATUSES),
      (Math.random() * 1e6).toFixed(2),
    ]);
    return 'update';
  }
  if (r < 0.9) {
    const i = Math.floor(Math.random() * known.length);
    const [id] = known.splice(i, 1);
    await client.query('delete from public.customer where id = $1', [id]);
    return 'delete';
  }
  const customer = pick(known);
  const turn = others.n++ % 5;
  if (turn === 4) {
    // A test card number (the PAN ranges card networks publish for testing), never a real one.
    await client.query(
      `insert into public.payment_card (id, customer_id, card_number, expires_on, brand, created_at) values ($1, $2, $3, $4, $5, now())`,
      [
        randomUUID(),
        customer,
        pick(['4111111111111111', '5555555555554444', '378282246310005']),
        `20${28 + Math.floor(Math.random() * 4)}-0${1 + Math.floor(Math.random() * 9)}`,
        pick(['visa', 'mastercard', 'amex']),
      ],
    );
  } else if (turn === 3) {
    const name = pick(NAMES);
    await client.query(
      `insert into public.app_user (id, customer_id, email, full_name, role, created_at) values ($1, $2, $3, $4, $5, now())`,
      [
        randomUUID(),
        customer,
        `${name.split(' ')[0]?.toLowerCase()}.${Math.random().toString(36).slice(2, 8)}@example.com`,
        name,
        pick(['admin', 'member', 'viewer']),
      ],
    );
  } else if (turn !== 2)
    await client.query(
      `insert into public.usage_event (customer_id, event_type, quantity, occurred_at) values ($1, $2, $3, now())`,
      [customer, pick(['login', 'export', 'api_call']), Math.ceil(Math.random() * 10)],
    );
  else
    await client.query(
      `insert into public.support_ticket (customer_id, subject, body, priority, created_at) values ($1, $2, $3, $4, now())`,
      [
        customer,
        pick(['Cannot log in', 'Invoice question', 'Feature request']),
        'Details of the request.',
        pick(['low', 'normal', 'high']),
      ],
    );
  return 'event';
}

export async function demoCommand(argv: readonly string[], env: Readonly<CliEnv>): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        rate: { type: 'string' },
        duration: { type: 'string' },
        shop: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const rate = Number(values.rate ?? 20);
  const duration = values.duration === undefined ? Infinity : Number(values.duration);
  if (!(rate > 0 && rate <= 10_000)) throw new UsageError('--rate is between 1 and 10000 changes per second');
  if (!(duration > 0)) throw new UsageError('--duration is a positive number of seconds');
  const client = new pg.Client({ connectionString: await shopUrl(values.shop, env.SPINE_DATA_DIR) });
  try {
    await client.connect();
  } catch (err) {
    throw new UsageError(`cannot reach the shop database: ${(err as Error).message}`);
  }
  const known = (await client.query<{ id: string }>('select id::text from public.customer')).rows.map(
    (r) => r.id,
  );
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const counts = { insert: 0, update: 0, delete: 0, event: 0 };
  const others = { n: 0 };
  const start = Date.now();
  let lastReport = start;
  let done = 0;
  try {
    while (!stop && Date.now() - start < duration * 1000) {
      const due = Math.floor(((Date.now() - start) / 1000) * rate);
      if (done >= due) {
        await new Promise((r) => setTimeout(r, Math.max(1, 1000 / rate / 2)));
        continue;
      }
      counts[await step(client, known, others)]++;
      done++;
      if (Date.now() - lastReport >= 5_000) {
        lastReport = Date.now();
        console.log(
          `demo: ${done} changes (${counts.insert} inserts, ${counts.update} updates, ${counts.delete} deletes, ${counts.event} events/tickets/users)`,
        );
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await client.end();
  }
  console.log(`demo: done, ${done} changes in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return 0;
}
