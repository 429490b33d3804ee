import { describe, expect, it } from 'vitest';
import { DecisionRequest } from '../contract/decision-contract.ts';
import { fastDecisionRequest } from './fast-request.ts';

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
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick };
}

type Rng = ReturnType<typeof rng>;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ODD_STRINGS = [
  '',
  'a\u0000b',
  'tab\there',
  'del\u007f',
  'x'.repeat(513),
  'é',
  '"quoted"',
  'a\\b',
  '\ud800',
];
const word = (r: Rng) =>
  r.next() < 0.1
    ? r.pick(ODD_STRINGS)
    : Array.from({ length: 1 + r.int(10) }, () => r.pick([...'abcdefghijk-_.:/ PIIpci0123'])).join('');

function validRequest(r: Rng): Record<string, Json> {
  const sink: Record<string, Json> = { id: word(r), region: word(r) };
  if (r.next() < 0.3) sink.ttl = r.pick(['P30D', 'P1Y', 'nonsense', '']);
  const req: Record<string, Json> = {
    route: { source: { dataset: word(r), region: word(r) }, sink, purpose: word(r) },
  };
  if (r.next() < 0.9) req.classification = word(r);
  if (r.next() < 0.9)
    req.fields = Array.from({ length: r.int(6) }, () => ({
      name: word(r),
      tags: Array.from({ length: r.int(3) }, () => word(r)),
    }));
  if (r.next() < 0.2) req.subject = word(r);
  return req;
}

const JUNK: Json[] = [null, 0, 1.5, true, '', 'x', [], {}, ['a'], { a: 1 }, 'x'.repeat(3000)];

/** Replaces, removes or adds one value somewhere in the tree. */
function mutate(r: Rng, v: Json): Json {
  if (r.next() < 0.25 || v === null || typeof v !== 'object') return r.pick(JUNK);
  if (Array.isArray(v)) {
    if (v.length === 0 || r.next() < 0.2) return [...v, r.pick(JUNK)];
    const i = r.int(v.length);
    return v.map((x, k) => (k === i ? mutate(r, x) : x));
  }
  const keys = Object.keys(v);
  const roll = r.next();
  if (keys.length === 0 || roll < 0.15)
    return { ...v, [r.pick(['extra', 'tags', 'ttl', 'name'])]: r.pick(JUNK) };
  const k = r.pick(keys);
  if (roll < 0.3) {
    const { [k]: _drop, ...rest } = v;
    return rest;
  }
  return { ...v, [k]: mutate(r, v[k] as Json) };
}

describe('the hand-written request check agrees with the zod contract', () => {
  it('accepts only what zod accepts, with the same value, and takes the common valid shape itself', () => {
    let fastAccepted = 0;
    for (let seed = 1; seed <= 4000; seed++) {
      const r = rng(seed);
      const base = validRequest(r);
      const input: Json = seed % 2 === 0 ? base : mutate(r, mutate(r, base));
      const fast = fastDecisionRequest(input);
      const zod = DecisionRequest.safeParse(input);
      if (fast !== null) {
        fastAccepted++;
        expect(zod.success, `seed ${seed}: fast accepted what zod refuses: ${JSON.stringify(input)}`).toBe(
          true,
        );
        expect(fast, `seed ${seed}`).toEqual(zod.data);
      } else if (zod.success && seed % 2 === 0) {
        // An unmutated request with tags everywhere is the hot shape: the fast check must take it.
        throw new Error(
          `seed ${seed}: fast check fell back on a plain valid request ${JSON.stringify(input)}`,
        );
      }
    }
    expect(fastAccepted).toBeGreaterThan(1000);
  });

  it('copies what it returns, so later freezing or edits never reach the parsed body', () => {
    const body = {
      route: { source: { dataset: 'd', region: 'eu-west-1' }, sink: { id: 's', region: 'r' }, purpose: 'p' },
      classification: 'internal',
      fields: [{ name: 'email', tags: ['pii'] }],
    };
    const out = fastDecisionRequest(body);
    expect(out).toEqual(body);
    expect(out?.fields?.[0]).not.toBe(body.fields[0]);
    expect(out?.route).not.toBe(body.route);
  });
});
