import { expect } from 'vitest';
import { eventually } from './router.ts';
import type { TestBed } from './test-bed.ts';

/**
 * `public.account (id, version, note)` and a workload on it in which per-key order is visible: every change
 * writes a higher version, so a sink that applied two changes of a key out of order ends with a lower one.
 */
export const ACCOUNT_DDL =
  'create table public.account (id int primary key, version bigint not null, note text)';
export const ACCOUNT_CONTRACT = {
  type: 'object',
  'data-spine:classification': 'internal',
  properties: {
    id: { type: 'integer', description: 'Key.' },
    version: { type: 'integer', description: 'Bumped by every change.' },
    note: { type: ['null', 'string'], description: 'Free text.' },
  },
};

const ACCOUNT_ROWS = 'select id::int as id, version::text, note from public.account order by id';
type AccountRow = { id: number; version: string; note: string };

/**
 * Waits for the EU sink to hold exactly the source's accounts (no row missing, none extra, every version
 * the last one); on a timeout, names the first keys that differ and adds `context()`.
 */
export async function expectSinkEqualsSource(bed: TestBed, context: () => string = () => ''): Promise<void> {
  const expected = (await bed.ctx.sql<AccountRow>(ACCOUNT_ROWS)).rows;
  const sink = await eventually(
    'the sink to equal the source',
    () => bed.dbs.query<AccountRow>('eu', ACCOUNT_ROWS),
    (rows) => JSON.stringify(rows) === JSON.stringify(expected),
    120_000,
  ).catch(async () => {
    const got = await bed.dbs.query<AccountRow>('eu', ACCOUNT_ROWS);
    const want = new Map(expected.map((r) => [r.id, JSON.stringify(r)]));
    const have = new Map(got.map((r) => [r.id, JSON.stringify(r)]));
    const diff = [...new Set([...want.keys(), ...have.keys()])]
      .filter((k) => want.get(k) !== have.get(k))
      .slice(0, 10);
    throw new Error(
      `sink differs (${expected.length} vs ${got.length} rows): ${diff.map((k) => `${k}: want ${want.get(k)} have ${have.get(k)}`).join('; ')}\n${context()}`,
    );
  });
  expect(sink).toEqual(expected);
}

export class AccountWorkload {
  version = 0;
  readonly #keys: number;
  readonly #mix: { insert: number; update: number };

  /** `mix`: the share of inserts (upserts) and of updates; the rest are deletes. */
  constructor(keys: number, mix = { insert: 0.5, update: 0.35 }) {
    this.#keys = keys;
    this.#mix = mix;
  }

  /** One transaction of `n` random changes of random keys, as one SQL string. */
  transaction(n: number): string {
    const stmts: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = Math.floor(Math.random() * this.#keys);
      const r = Math.random();
      const v = ++this.version;
      if (r < this.#mix.insert)
        stmts.push(
          `insert into public.account values (${id}, ${v}, 'n${v}') on conflict (id) do update set version = excluded.version, note = excluded.note`,
        );
      else if (r < this.#mix.insert + this.#mix.update)
        stmts.push(`update public.account set version = ${v}, note = 'u${v}' where id = ${id}`);
      else stmts.push(`delete from public.account where id = ${id}`);
    }
    return `begin; ${stmts.join('; ')}; commit`;
  }
}
