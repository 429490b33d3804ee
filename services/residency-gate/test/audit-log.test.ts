import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { AuditLog } from '../src/audit/audit-log.ts';
import type { AuditEntry } from '../src/audit/audit-record.ts';
import { AuditStore } from '../src/audit/audit-store.ts';
import { generateSigningKey } from '../src/audit/signing-key.ts';
import { verifyAuditLines } from '../src/audit/verify-audit.ts';

const log = createLogger({ service: 'audit-test', level: 'silent' });
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

describe('audit log: group commit into real Postgres', () => {
  let ctx: TestContext;
  const stores: AuditStore[] = [];
  beforeAll(async () => {
    ctx = await useTestContext('gate-audit-log');
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await ctx?.[Symbol.asyncDispose]();
  });

  it('keeps one chain when two gates append to one database at once, losing nothing', async () => {
    const key = generateSigningKey();
    const logs = await Promise.all(
      ['a', 'b'].map(async () => {
        const store = new AuditStore(ctx.databaseUrl, log);
        stores.push(store);
        await store.migrate();
        return new AuditLog({ store, key, log, checkpointEvery: 50 });
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
    expect(new Set(rows.map((r) => r.decision_id)).size).toBe(600);
    const checkpoints = await store.checkpoints(1, max);
    expect(checkpoints.length).toBeGreaterThan(0);
    const lines = rows.map((r) => JSON.stringify({ ...(JSON.parse(r.record) as object), hash: r.hash }));
    lines.push(JSON.stringify(logs[0]?.head(max, rows[rows.length - 1]?.hash ?? '')));
    const report = verifyAuditLines(lines.join('\n'), { publicKey: key.publicKey });
    expect(report.problems).toEqual([]);
    for (const l of logs) await l.close();
  });

  it('refuses an append when Postgres is gone, rather than answering', async () => {
    const store = new AuditStore('postgres://nobody:x@127.0.0.1:9/none', log);
    stores.push(store);
    const l = new AuditLog({ store, key: generateSigningKey(), log });
    await expect(l.append([entry('c', 1)])).rejects.toThrow(/could not be written/);
    await l.close();
  });
});
