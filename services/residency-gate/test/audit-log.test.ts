import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { AuditLog } from '../src/audit/audit-log.ts';
import type { AuditEntry, SignedCheckpoint } from '../src/audit/audit-record.ts';
import { AuditStore } from '../src/audit/audit-store.ts';
import { MIGRATIONS } from '../src/audit/audit-migrations.ts';
import { GENESIS_HASH, recordHash } from '../src/audit/audit-record.ts';
import type { StoredRow } from '../src/audit/audit-store.ts';
import { generateSigningKey } from '../src/audit/signing-key.ts';
import { verifyAuditLines } from '../src/audit/verify-audit.ts';

const log = createLogger({
  service: 'audit-test',
  level: (process.env.AUDIT_TEST_LOG as 'error') ?? 'silent',
});
const entry = (who: string, i: number): AuditEntry => ({
  type: 'decision',
  decision_id: `${who}-${i}`,
  timestamp: new Date().toISOString(),
  path: 'data_spine/residency/route',
  input: { fields: [{ name: 'email', tags: ['pii'] }] },
  input_hash: 'sha256:x',
  result: { decision: 'allow', enforced: true, fields: [], reason_codes: [], shadow_decision: null },
  result_hash: 'sha256:y',
  bundles: { residency: { revision: 'v', digest: 'd' } },
  requested_by: who,
  req_id: String(i),
});

/** An export as GET /v1/audit writes it: the rows, each checkpoint after its record, a head over the range. */
const idOf = (r: StoredRow) => (JSON.parse(r.record) as { decision_id: string }).decision_id;

function exportLines(rows: StoredRow[], checkpoints: SignedCheckpoint[], log: AuditLog): string {
  const lines: string[] = [];
  let c = 0;
  for (const r of rows) {
    lines.push(JSON.stringify({ ...(JSON.parse(r.record) as object), hash: r.hash }));
    while (c < checkpoints.length && (checkpoints[c] as SignedCheckpoint).seq <= r.seq)
      lines.push(JSON.stringify(checkpoints[c++]));
  }
  const first = JSON.parse(rows[0]?.record ?? '{}') as { seq?: number; prev_hash?: string };
  lines.push(
    JSON.stringify(
      log.head({
        firstSeq: first.seq ?? 1,
        firstPrevHash: first.prev_hash ?? null,
        lastSeq: rows.at(-1)?.seq ?? 0,
        lastHash: rows.at(-1)?.hash ?? '',
        checkpoints: c,
      }),
    ),
  );
  return lines.join('\n');
}

/** Every write on the thread; large ones on the thread and small ones inline (the default); all inline. */
const WRITERS = [
  { name: 'thread', writer: 'thread', threadFrom: 1 },
  { name: 'hybrid', writer: 'thread' },
  { name: 'inline', writer: 'inline' },
] as const;

describe.each(WRITERS)(
  'audit log: group commit into real Postgres (writer: $name)',
  ({ name: writer, ...mode }) => {
    let ctx: TestContext;
    const stores: AuditStore[] = [];
    beforeAll(async () => {
      ctx = await useTestContext(`gate-audit-log-${writer}`);
    });
    afterAll(async () => {
      for (const s of stores) await s.close();
      await ctx?.[Symbol.asyncDispose]();
    });

    it('keeps one chain when two gates append to one database at once, losing nothing', async () => {
      const key = generateSigningKey();
      const logs = await Promise.all(
        ['a', 'b'].map(async () => {
          const store = new AuditStore(ctx.databaseUrl, { log });
          stores.push(store);
          await store.migrate();
          return new AuditLog({ ...mode, store, key, log, checkpointEvery: 50 });
        }),
      );
      await Promise.all(
        logs.map((l, n) =>
          Promise.all(Array.from({ length: 300 }, (_, i) => l.append([entry(n === 0 ? 'a' : 'b', i)]))),
        ),
      );
      const store = stores[0] as AuditStore;
      const max = await store.maxSeq();
      expect(max).toBe(600);
      const rows = await store.rows(1, max);
      expect(new Set(rows.map((r) => idOf(r))).size).toBe(600);
      const checkpoints = await store.checkpoints(1, max);
      expect(checkpoints.length).toBeGreaterThan(0);
      const text = exportLines(rows, checkpoints, logs[0] as AuditLog);
      const report = verifyAuditLines(text, { publicKey: key.publicKey });
      expect(report.problems).toEqual([]);
      for (const l of logs) await l.close();
    });

    it('chunked appends (large batches) and single appends of two gates share one chain, in order', async () => {
      await using own = await useTestContext(`gate-audit-chunked-${writer}`);
      const db = own.databaseUrl;
      const key = generateSigningKey();
      const logs = await Promise.all(
        ['a', 'b'].map(async () => {
          const store = new AuditStore(db, { log });
          stores.push(store);
          await store.migrate();
          return new AuditLog({ ...mode, store, key, log, checkpointEvery: 100 });
        }),
      );
      async function* chunks(who: string, n: number, size: number): AsyncGenerator<AuditEntry[]> {
        for (let i = 0; i < n; i += size) {
          await new Promise((r) => setImmediate(r));
          yield Array.from({ length: Math.min(size, n - i) }, (_, k) => entry(who, i + k));
        }
      }
      // Each gate: three batches of 450 drawn 200 at a time, and 150 single appends between them. The two
      // gates collide on seq, so chunked transactions are rolled back and written again from the new head.
      await Promise.all(
        logs.map((l, g) =>
          Promise.all([
            ...[0, 1, 2].map((b) => l.appendChunks(chunks(`g${g}-batch${b}`, 450, 200), 450)),
            ...Array.from({ length: 150 }, (_, i) => l.append([entry(`g${g}-single`, i)])),
          ]),
        ),
      );
      const store = stores.at(-1) as AuditStore;
      const max = await store.maxSeq();
      expect(max).toBe(2 * (3 * 450 + 150));
      const rows = await store.rows(1, max);
      expect(new Set(rows.map((r) => idOf(r))).size).toBe(max);
      // A batch's records are consecutive: nothing else is placed in the middle of a chunked transaction.
      for (const batch of ['g0-batch1', 'g1-batch2']) {
        const seqs = rows.filter((r) => idOf(r).startsWith(`${batch}-`)).map((r) => r.seq);
        expect(seqs).toHaveLength(450);
        expect((seqs.at(-1) as number) - (seqs[0] as number)).toBe(449);
        expect(rows.filter((r) => idOf(r).startsWith(`${batch}-`)).map((r) => idOf(r))).toEqual(
          Array.from({ length: 450 }, (_, i) => `${batch}-${i}`),
        );
      }
      const cps = await store.checkpoints(1, max);
      expect(cps.length).toBeGreaterThan(0);
      const text = exportLines(rows, cps, logs[0] as AuditLog);
      expect(verifyAuditLines(text, { publicKey: key.publicKey }).problems).toEqual([]);
      for (const l of logs) await l.close();
      for (const st of stores.splice(-2)) await st.close();
    });

    it('writes nothing of a chunked append whose producer fails, and goes on with the next appends', async () => {
      await using own = await useTestContext(`gate-audit-chunked-fail-${writer}`);
      const db = own.databaseUrl;
      const store = new AuditStore(db, { log });
      stores.push(store);
      await store.migrate();
      const l = new AuditLog({ ...mode, store, key: generateSigningKey(), log });
      await l.append([entry('before', 0)]);
      async function* failing(): AsyncGenerator<AuditEntry[]> {
        yield Array.from({ length: 200 }, (_, k) => entry('doomed', k));
        await new Promise((r) => setImmediate(r));
        throw new Error('the producer broke');
      }
      await expect(l.appendChunks(failing(), 400)).rejects.toThrow(/could not be written/);
      await l.append([entry('after', 0)]);
      const rows = await store.rows(1, await store.maxSeq());
      expect(rows.map((r) => idOf(r))).toEqual(['before-0', 'after-0']);
      await l.close();
      await (stores.pop() as AuditStore).close();
    });

    it('reads the rows of one record each written before blocks, and chains the blocks after them', async () => {
      await using own = await useTestContext(`gate-audit-legacy-${writer}`);
      const store = new AuditStore(own.databaseUrl, { log });
      stores.push(store);
      // The owner writes three records the way gates before blocks did: a row each.
      const owner = new pg.Client({ connectionString: own.databaseUrl });
      await owner.connect();
      try {
        // The tables as they were before blocks.
        await owner.query(MIGRATIONS[0] as string);
        let prev = GENESIS_HASH;
        for (let seq = 1; seq <= 3; seq++) {
          const { canonical, hash } = recordHash({ ...entry('legacy', seq), seq, prev_hash: prev });
          await owner.query(
            'insert into gate_audit (seq, decision_id, ts, record, hash) values ($1, $2, now(), $3, $4)',
            [seq, `legacy-${seq}`, canonical, hash],
          );
          prev = hash;
        }
      } finally {
        await owner.end();
      }
      await store.migrate();
      // A gate of the old version can no longer write there (it would fork the chain beside the blocks).
      const old = new pg.Client({ connectionString: own.databaseUrl });
      await old.connect();
      await expect(
        old.query(
          `insert into gate_audit (seq, decision_id, ts, record, hash) values (4, 'late', now(), '{}', 'x')`,
        ),
      ).rejects.toThrow(/superseded by gate_audit_block/);
      await old.end();
      const key = generateSigningKey();
      const l = new AuditLog({ ...mode, store, key, log, checkpointEvery: 2 });
      await Promise.all(Array.from({ length: 5 }, (_, i) => l.append([entry('block', i)])));
      expect(await store.maxSeq()).toBe(8);
      const rows = await store.rows(2, 7);
      expect(rows.map((r) => r.seq)).toEqual([2, 3, 4, 5, 6, 7]);
      const all = await store.rows(1, 8);
      expect(all.slice(0, 3).map(idOf)).toEqual(['legacy-1', 'legacy-2', 'legacy-3']);
      const text = exportLines(all, await store.checkpoints(1, 8), l);
      expect(verifyAuditLines(text, { publicKey: key.publicKey }).problems).toEqual([]);
      await l.close();
    });

    it('refuses an append when Postgres is gone, rather than answering', async () => {
      const store = new AuditStore('postgres://nobody:x@127.0.0.1:9/none', { log });
      stores.push(store);
      const l = new AuditLog({ ...mode, store, key: generateSigningKey(), log });
      await expect(l.append([entry('c', 1)])).rejects.toThrow(/could not be written/);
      await l.close();
    });
  },
);

describe('audit log: the writer thread', () => {
  it('refuses what a dead writer thread had in hand, and the main thread writes on', async () => {
    await using own = await useTestContext('gate-audit-thread-death');
    const store = new AuditStore(own.databaseUrl, { log });
    await store.migrate();
    const key = generateSigningKey();
    // Every write goes to the thread (by default, only writes of 64 records or more do).
    const registry = new Registry();
    const l = new AuditLog({ store, key, log, threadFrom: 1, registry });
    await l.append([entry('first', 0)]);
    // Reach the thread as an operator's kill would: it dies with an append in flight.
    const sink = (l as unknown as { thread: { worker: { terminate(): Promise<number> } | null } }).thread;
    const inFlight = l.append([entry('lost', 0)]);
    await sink.worker?.terminate();
    await expect(inFlight).rejects.toThrow(/could not be written/);
    await l.append([entry('after', 0)]);
    expect(await registry.getSingleMetricAsString('spine_gate_audit_writer_restarts_total')).toMatch(
      /spine_gate_audit_writer_restarts_total 1$/m,
    );
    const rows = await store.rows(1, await store.maxSeq());
    const ids = rows.map(idOf);
    // The killed append may or may not have committed before the thread died; it is never answered as
    // written unless it was, and the chain stays whole either way.
    expect(ids[0]).toBe('first-0');
    expect(ids.at(-1)).toBe('after-0');
    const text = exportLines(rows, await store.checkpoints(1, rows.length), l);
    expect(verifyAuditLines(text, { publicKey: key.publicKey }).problems).toEqual([]);
    await l.close();
    await store.close();
  });
});
