import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../matrix/load-matrix.ts';
import { compilePolicy } from './compile-policy.ts';
import { evaluateUncached } from './evaluate.ts';
import type { EvaluationInput } from './evaluate.ts';
import { NOW, SAMPLE_TEXT, samplePolicy } from './sample-policy.fixture.ts';

/** A seeded generator (mulberry32), so a failing case can be replayed from the seed in the message. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const word = () =>
    Array.from({ length: 3 + Math.floor(next() * 8) }, () =>
      pick([...'abcdefghijklmnopqrstuvwxyz0123456789-']),
    ).join('');
  return { next, pick, word };
}

const policy = samplePolicy();
const REGIONS = [...policy.regions.keys()];
const SINKS = [...policy.sinks.entries()];
const PURPOSES = [...policy.purposes];
const CLASSES = [...policy.classifications];
const TAGS = [...policy.tags];
const RUNS = 400;

function randomInput(r: ReturnType<typeof rng>): EvaluationInput {
  const [sink, s] = r.pick(SINKS);
  const n = Math.floor(r.next() * 6);
  return {
    route: {
      source: { dataset: `postgres://h:5432/db.public.${r.word()}`, region: r.pick(REGIONS) },
      sink: { id: sink, region: s.region },
      purpose: r.pick(PURPOSES),
    },
    classification: r.pick(CLASSES),
    fields: Array.from({ length: n }, (_, i) => ({
      name: `f${i}_${r.word()}`,
      tags: r.next() < 0.5 ? [] : [r.pick(TAGS)],
    })),
  };
}

describe('evaluator properties (seeded random inputs over the sample matrix)', () => {
  it('denies any unknown tag, region, sink or purpose, and says which', () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const r = rng(seed);
      const input = randomInput(r);
      const kind = r.pick(['tag', 'region', 'sink', 'purpose', 'classification'] as const);
      const unknown = `zz-${r.word()}`;
      let code: string;
      switch (kind) {
        case 'tag':
          input.fields = [...input.fields, { name: `u_${r.word()}`, tags: [unknown] }];
          code = 'RESIDENCY_UNKNOWN_TAG';
          break;
        case 'region':
          input.route.source.region = unknown;
          code = 'RESIDENCY_UNKNOWN_SOURCE_REGION';
          break;
        case 'sink':
          input.route.sink.id = unknown;
          code = 'RESIDENCY_UNKNOWN_SINK';
          break;
        case 'purpose':
          input.route.purpose = unknown;
          code = 'RESIDENCY_UNKNOWN_PURPOSE';
          break;
        case 'classification':
          input.classification = unknown;
          code = 'RESIDENCY_UNKNOWN_CLASSIFICATION';
          break;
      }
      const d = evaluateUncached(policy, input, NOW);
      expect(d.decision, `seed ${seed}`).toBe('deny');
      expect(
        d.reasons.map((x) => x.code),
        `seed ${seed}`,
      ).toContain(code);
      expect(
        d.reasons.some((x) => x.message.includes(unknown)),
        `seed ${seed}`,
      ).toBe(true);
    }
  });

  it('never turns a deny into an allow when a deny rule is added', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed * 7919);
      const match: string[] = [];
      if (r.next() < 0.6) match.push(`tags: [${r.pick(TAGS)}]`);
      if (r.next() < 0.5) match.push(`classifications: [${r.pick(CLASSES)}]`);
      if (r.next() < 0.5) match.push(`purposes: [${r.pick(PURPOSES)}]`);
      if (r.next() < 0.5)
        match.push(`transfer: ${r.pick(['cross-region', 'same-region', 'cross-jurisdiction', 'any'])}`);
      const extra = `\n  - id: added-deny-${seed}\n    match: { ${match.join(', ')} }\n    effect: deny\n`;
      const stricter = compilePolicy(parseMatrix(SAMPLE_TEXT.trimEnd() + extra, 'candidate'));
      for (let i = 0; i < 40; i++) {
        const input = randomInput(r);
        const before = evaluateUncached(policy, input, NOW);
        const after = evaluateUncached(stricter, input, NOW);
        const rank = { deny: 0, allow_with_obligations: 1, allow: 2 } as const;
        expect(rank[after.decision], `seed ${seed}/${i}`).toBeLessThanOrEqual(rank[before.decision]);
        before.fields.forEach((f, j) => {
          if (f.verdict === 'deny')
            expect(after.fields[j]?.verdict, `seed ${seed}/${i} ${f.name}`).toBe('deny');
        });
      }
    }
  });

  it('gives the same decision whatever the order of the fields (and of their tags)', () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const r = rng(seed * 31);
      const input = randomInput(r);
      input.fields = input.fields.map((f) => ({
        ...f,
        tags: r.next() < 0.3 ? [...f.tags, r.pick(TAGS)] : f.tags,
      }));
      const shuffled = {
        ...input,
        fields: [...input.fields]
          .sort(() => r.next() - 0.5)
          .map((f) => ({ ...f, tags: [...f.tags].reverse() })),
      };
      const a = evaluateUncached(policy, input, NOW);
      const b = evaluateUncached(policy, shuffled, NOW);
      expect(b.decision, `seed ${seed}`).toBe(a.decision);
      const byName = (d: typeof a) => Object.fromEntries(d.fields.map((f) => [f.name, [f.verdict, f.rule]]));
      expect(byName(b), `seed ${seed}`).toEqual(byName(a));
      expect(new Set(b.reasons.map((x) => x.code)), `seed ${seed}`).toEqual(
        new Set(a.reasons.map((x) => x.code)),
      );
    }
  });

  it('is deterministic: the same input twice gives the same decision', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const input = randomInput(rng(seed));
      expect(evaluateUncached(policy, input, NOW)).toEqual(
        evaluateUncached(policy, structuredClone(input), NOW),
      );
    }
  });
});
