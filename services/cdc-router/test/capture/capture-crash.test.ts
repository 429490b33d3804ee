import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { waitFor } from './capture-helpers.ts';

let ctx: TestContext;
let child: ChildProcess | null = null;

beforeAll(async () => {
  ctx = await useTestContext('capture_crash');
  await ctx.sql('create table public.src (id int primary key, v text)');
  await ctx.sql('create table public.sink (id int primary key)');
  await ctx.sql('create table public.deliveries (id int)');
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await ctx[Symbol.asyncDispose]();
});

function spawnCapture(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = fork(
      join(import.meta.dirname, 'support/capture-child.ts'),
      [ctx.databaseUrl, ctx.topicPrefix],
      {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    );
    c.once('message', () => resolve(c));
    c.once('exit', (code) => reject(new Error(`capture child exited with ${code}`)));
  });
}

async function kill(c: ChildProcess): Promise<void> {
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await exited;
}

describe('embedded capture: crash safety', () => {
  it('loses nothing when the process is killed with SIGKILL at random moments', async () => {
    const total = 6000;
    child = await spawnCapture();
    let written = 0;
    const writer = (async () => {
      while (written < total) {
        await ctx.sql(`insert into public.src select i, 'v' from generate_series($1::int, $2::int) i`, [
          written + 1,
          written + 100,
        ]);
        written += 100;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    for (let k = 0; k < 4; k++) {
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 600));
      await kill(child);
      child = await spawnCapture();
    }
    await writer;
    await waitFor(async () => {
      const { rows } = await ctx.sql<{ n: number }>('select count(*)::int as n from public.sink');
      return rows[0]?.n === total;
    }, 60_000);
    const { rows } = await ctx.sql<{ n: number; lo: number; hi: number; deliveries: number }>(
      `select count(*)::int as n, min(id) as lo, max(id) as hi, (select count(*)::int from public.deliveries) as deliveries
         from public.sink`,
    );
    expect(rows[0]).toMatchObject({ n: total, lo: 1, hi: total });
    // At-least-once underneath: some changes came twice, and the idempotent sink absorbed them.
    expect(rows[0]?.deliveries).toBeGreaterThanOrEqual(total);
    await kill(child);
    child = null;
  }, 120_000);
});
