import pg from 'pg';
import type { TestContext } from '@data-spine/testkit';

/** Extra databases in the shared cluster for one test (sinks, router state, registry), dropped at dispose. */
export async function extraDatabases(ctx: TestContext, names: readonly string[]) {
  const admin = ctx.stack.postgres.url;
  const urls: Record<string, string> = {};
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    for (const n of names) {
      const db = `${ctx.database}_${n}`.slice(0, 63);
      await client.query(`create database "${db}"`);
      const u = new URL(admin);
      u.pathname = `/${db}`;
      urls[n] = u.toString();
    }
  } finally {
    await client.end();
  }
  return {
    urls,
    async query<R extends pg.QueryResultRow>(name: string, sql: string, params?: unknown[]): Promise<R[]> {
      const c = new pg.Client({ connectionString: urls[name] });
      await c.connect();
      try {
        return (await c.query<R>(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
    async drop(): Promise<void> {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        for (const n of names) {
          const db = `${ctx.database}_${n}`.slice(0, 63);
          await c.query(`drop database if exists "${db}" with (force)`);
        }
      } finally {
        await c.end();
      }
    },
  };
}
