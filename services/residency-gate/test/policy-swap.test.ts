import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchResponse, PolicyInfo } from '../src/index.ts';
import { ADMIN, basic, customerRequest, startGate } from './gate-harness.ts';
import type { Gate } from './gate-harness.ts';

/** Batches over 200 routes are decided 200 at a time (decision-service.ts): enough chunks to swap between. */
const ROUTES = 6_000;

describe('a policy swapped in the middle of a chunked batch', () => {
  let gate: Gate;
  beforeAll(async () => {
    gate = await startGate('gate-policy-swap', { SPINE_GATE_WATCH_MATRIX: 'false' });
  });
  afterAll(async () => {
    await gate?.close();
  });

  it('decides every route of the batch against the one version it names', async () => {
    const base = readFileSync(gate.matrixFile, 'utf8');
    // Even versions allow EEA PII to analytics-us hashed; odd ones deny it: the outcome shows the version.
    const text = (n: number) => {
      const t = base.replace("version: '2026.12.7'", `version: 'swap-${n}'`);
      return n % 2 === 0
        ? t
        : `${t.trimEnd()}\n  - id: no-pii-to-us\n    match: { tags: [pii], to: [US] }\n    effect: deny\n`;
    };
    const expected = (version: string) =>
      Number(version.slice('swap-'.length)) % 2 === 0
        ? { decision: 'allow_with_obligations', verdict: 'hash' }
        : { decision: 'deny', verdict: 'deny' };
    const put = async (n: number) => {
      const res = await gate.app.inject({
        method: 'PUT',
        url: '/v1/policy',
        headers: { 'content-type': 'application/json', authorization: basic(ADMIN) },
        payload: JSON.stringify({ matrix: text(n) }),
      });
      expect(res.statusCode).toBe(200);
      return PolicyInfo.parse(res.json());
    };
    await put(0);

    let done = false;
    const batch = gate.app
      .inject({
        method: 'POST',
        url: '/v1/decisions:batch',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          decisions: Array.from({ length: ROUTES }, () =>
            customerRequest({ fields: [{ name: 'email', tags: ['pii'] }] }),
          ),
        }),
      })
      .finally(() => (done = true));
    // Swap versions, alternating outcomes, for as long as the batch is in flight.
    const swaps: Array<{ version: string; loadedAt: number; midBatch: boolean }> = [];
    for (let n = 1; !done && n < 10_000; n++) {
      const info = await put(n);
      swaps.push({ version: info.version, loadedAt: Date.parse(info.loaded_at), midBatch: !done });
      await new Promise((r) => setImmediate(r));
    }
    const res = await batch;
    expect(res.statusCode).toBe(200);
    const decisions = BatchResponse.parse(res.json()).decisions;
    expect(decisions).toHaveLength(ROUTES);

    // One version for the whole batch, and every outcome is that version's.
    const versions = new Set(decisions.map((d) => `${d.policy.version} ${d.policy.digest}`));
    expect(versions.size).toBe(1);
    const version = decisions[0]?.policy.version as string;
    const want = expected(version);
    const wrong = decisions.filter(
      (d) => d.decision !== want.decision || d.fields[0]?.verdict !== want.verdict,
    );
    expect(wrong).toEqual([]);

    // A swap really landed while the batch was being decided: after its snapshot (the records' timestamp
    // is taken right after it) and before its answer.
    const audit = await gate.app.inject({
      url: `/v1/audit?tail=${ROUTES}`,
      headers: { authorization: basic(ADMIN) },
    });
    const records = audit.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; decision_id?: string; timestamp: string })
      .filter((r) => r.type === 'decision');
    const snapshotAt = Date.parse(
      records.find((r) => r.decision_id === decisions[0]?.decision_id)?.timestamp ?? '',
    );
    expect(Number.isFinite(snapshotAt)).toBe(true);
    const during = swaps.filter((s) => s.midBatch && s.loadedAt > snapshotAt);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((s) => s.version !== version)).toBe(true);

    // The next decision names the version active now.
    const after = await gate.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(customerRequest({ fields: [{ name: 'email', tags: ['pii'] }] })),
    });
    const latest = swaps.at(-1)?.version as string;
    expect(after.json()).toMatchObject({ policy: { version: latest }, decision: expected(latest).decision });
  });
});
