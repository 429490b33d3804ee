import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluateUncached, parseMatrix, SAMPLE_MATRIX } from '@data-spine/residency-gate';
import type { EvaluationInput } from '@data-spine/residency-gate';
import { diffDecisions } from './gate-diff.ts';

const sample = compilePolicy(parseMatrix(readFileSync(SAMPLE_MATRIX, 'utf8'), 'sample'));

const input: EvaluationInput = {
  route: {
    source: { dataset: 'postgres://oltp:5432/shop.public.customer', region: 'eu-west-1' },
    sink: { id: 'analytics-us', region: 'us-east-1' },
    purpose: 'analytics',
  },
  classification: 'confidential',
  fields: [
    { name: 'id', tags: [] },
    { name: 'email', tags: ['pii'] },
  ],
};

/** A decision as the audit log holds it, decided by `policy` at `at`. */
function logged(seq: number, at: string) {
  const d = evaluateUncached(sample, input, Date.parse(at));
  return {
    type: 'decision',
    seq,
    timestamp: at,
    input_hash: `sha256:${seq}`,
    input,
    result: {
      decision: d.decision,
      fields: d.fields.map((f) => ({ name: f.name, verdict: f.verdict })),
      reason_codes: d.reasons.map((r) => r.code),
    },
  };
}

describe('spine gate diff: replay', () => {
  it('replays each decision at its own time: the same matrix changes nothing, before or after an SCC lapsed', () => {
    // The sample's SCC for EEA -> US expires 2027-12-31: before, PII is hashed; after, it is denied.
    const before = logged(1, '2027-06-01T00:00:00.000Z');
    const after = logged(2, '2028-02-01T00:00:00.000Z');
    expect(before.result.decision).toBe('allow_with_obligations');
    expect(after.result.decision).toBe('deny');
    expect(diffDecisions([before, after], sample)).toEqual({ replayed: 2, skipped: 0, changes: [] });
  });

  it('tells apart the same logged answer on either side of an expiry in the candidate', () => {
    // The candidate adds an SCC for EEA -> US that ends mid-2027; two identical logged decisions, one
    // before and one after: only the later would change (hash -> deny).
    const candidate = compilePolicy(
      parseMatrix(
        readFileSync(SAMPLE_MATRIX, 'utf8').replace("expires: '2027-12-31'", "expires: '2027-06-30'"),
        'candidate',
      ),
    );
    const first = logged(1, '2027-03-01T00:00:00.000Z');
    const second = { ...logged(2, '2027-09-01T00:00:00.000Z'), input_hash: first.input_hash };
    second.result = first.result;
    const r = diffDecisions([first, second], candidate);
    expect(r.replayed).toBe(2);
    expect(r.changes).toEqual([
      expect.objectContaining({ seq: 2, before: 'allow_with_obligations', after: 'deny' }),
    ]);
  });

  it('lists what a candidate changes, with the fields', () => {
    const stricter = compilePolicy(
      parseMatrix(
        readFileSync(SAMPLE_MATRIX, 'utf8') +
          '\n  - id: no-pii-to-us\n    match: { tags: [pii], to: [US] }\n    effect: deny\n',
        'candidate',
      ),
    );
    const r = diffDecisions([logged(1, '2027-06-01T00:00:00.000Z')], stricter);
    expect(r.changes).toEqual([
      expect.objectContaining({
        before: 'allow_with_obligations',
        after: 'deny',
        fields: ['email: hash -> deny'],
      }),
    ]);
  });
});
