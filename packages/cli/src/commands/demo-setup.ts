import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The demo's source tables (DESIGN.md "The demo"), created if missing in the `shop` database. */
export const DEMO_TABLES_SQL = `
  create table if not exists public.customer (
    id uuid primary key, name text, email text, status text, created_at timestamptz,
    annual_revenue numeric(14,2), industry text);
  alter table public.customer replica identity full;
  create table if not exists public.app_user (
    id uuid primary key, customer_id uuid, email text, full_name text, role text, created_at timestamptz);
  create table if not exists public.usage_event (
    id bigserial primary key, customer_id uuid, event_type text, quantity int, occurred_at timestamptz);
  create table if not exists public.support_ticket (
    id bigserial primary key, customer_id uuid, subject text, body text, priority text, created_at timestamptz);
  create table if not exists public.payment_card (
    id uuid primary key, customer_id uuid, card_number text, expires_on text, brand text, created_at timestamptz)`;

export const CONTRACTS_DIR = fileURLToPath(new URL('../../../../schema/contracts/', import.meta.url));

const TYPES: Record<string, string> = { avsc: 'AVRO', proto: 'PROTOBUF', json: 'JSON' };

/**
 * What `spine up` does before it starts the cdc-router: the shop tables exist (the capture needs them), and
 * every contract in schema/contracts/ (`<schema>.<table>.<avsc|proto|json>`) is registered under
 * `shop.<schema>.<table>-value` with the admin key. Idempotent: a registered schema is answered with its id.
 */
export async function prepareDemo(o: {
  shopUrl: string;
  registryUrl: string | undefined;
  adminKey: string;
}): Promise<string[]> {
  const client = new pg.Client({ connectionString: o.shopUrl });
  await client.connect();
  try {
    await client.query(DEMO_TABLES_SQL);
  } finally {
    await client.end();
  }
  if (!o.registryUrl) return [];
  const registered: string[] = [];
  for (const file of (await readdir(CONTRACTS_DIR)).sort()) {
    const ext = file.split('.').pop() ?? '';
    const schemaType = TYPES[ext];
    if (!schemaType) continue;
    const subject = `shop.${basename(file, `.${ext}`).replace(/^shop\./, '')}-value`;
    const schema = await readFile(join(CONTRACTS_DIR, file), 'utf8');
    const res = await fetch(`${o.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/vnd.schemaregistry.v1+json',
        authorization: 'Basic ' + Buffer.from(o.adminKey).toString('base64'),
      },
      body: JSON.stringify({ schemaType, schema }),
    });
    if (!res.ok) throw new Error(`registering ${file} as ${subject}: ${res.status} ${await res.text()}`);
    registered.push(subject);
  }
  return registered;
}
