import { describe, expect, it } from 'vitest';
import { evaluate, evaluateUncached } from './evaluate.ts';
import { compilePolicy } from './compile-policy.ts';
import { parseMatrix } from '../matrix/load-matrix.ts';
import { extendedPolicy, NOW, route, SAMPLE_TEXT, samplePolicy } from './sample-policy.fixture.ts';

const policy = samplePolicy();

type Row = [
  label: string,
  input: ReturnType<typeof route>,
  decision: string,
  verdicts: Record<string, string>,
  codes: string[],
];

/** Golden decisions over the sample matrix: the outcome, each field's verdict and the reason codes. */
const GOLDEN: Row[] = [
  [
    'PII inside the EEA is allowed',
    route('eu-west-1', 'analytics-eu', 'analytics', 'confidential', [['email', 'pii'], ['country']]),
    'allow',
    { email: 'allow', country: 'allow' },
    ['RESIDENCY_ALLOWED'],
  ],
  [
    'PII from the EEA reaches analytics-us only hashed, under the SCC',
    route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [
      ['email', 'pii'],
      ['name', 'pii'],
      ['country'],
    ]),
    'allow_with_obligations',
    { email: 'hash', name: 'hash', country: 'allow' },
    ['RESIDENCY_FIELD_HASHED', 'RESIDENCY_FIELD_HASHED', 'RESIDENCY_TRANSFER_MECHANISM'],
  ],
  [
    'PII from eu-central-1 to analytics-us is hashed too',
    route('eu-central-1', 'analytics-us', 'analytics', 'internal', [['email', 'pii']]),
    'allow_with_obligations',
    { email: 'hash' },
    ['RESIDENCY_FIELD_HASHED', 'RESIDENCY_TRANSFER_MECHANISM'],
  ],
  [
    'tag case does not matter (registry PII)',
    route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [['email', 'PII']]),
    'allow_with_obligations',
    { email: 'hash' },
    ['RESIDENCY_FIELD_HASHED', 'RESIDENCY_TRANSFER_MECHANISM'],
  ],
  [
    'PII from the EEA to Singapore: no mechanism, denied',
    route('eu-west-1', 'analytics-apac', 'analytics', 'confidential', [['email', 'pii'], ['country']]),
    'deny',
    { email: 'deny', country: 'allow' },
    ['RESIDENCY_TRANSFER_MECHANISM_MISSING'],
  ],
  [
    'PII for support never leaves its jurisdiction',
    route('eu-west-1', 'analytics-us', 'support', 'confidential', [['email', 'pii']]),
    'deny',
    { email: 'deny' },
    ['RESIDENCY_DENIED_BY_RULE'],
  ],
  [
    'PII for support inside the EEA is allowed',
    route('eu-central-1', 'analytics-eu', 'support', 'confidential', [['email', 'pii']]),
    'allow',
    { email: 'allow' },
    ['RESIDENCY_ALLOWED'],
  ],
  [
    'PCI never leaves its region (EEA to US)',
    route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [['card', 'pci'], ['country']]),
    'deny',
    { card: 'deny', country: 'allow' },
    ['RESIDENCY_DENIED_BY_RULE'],
  ],
  [
    'PCI never leaves its region (even inside the EEA)',
    route('eu-central-1', 'analytics-eu', 'analytics', 'confidential', [['card', 'pci']]),
    'deny',
    { card: 'deny' },
    ['RESIDENCY_DENIED_BY_RULE'],
  ],
  [
    'PCI in its region is masked, retention capped',
    route('eu-west-1', 'analytics-eu', 'analytics', 'confidential', [['card', 'pci']]),
    'allow_with_obligations',
    { card: 'mask' },
    ['RESIDENCY_FIELD_MASKED', 'RESIDENCY_RETENTION_CAPPED'],
  ],
  [
    'PCI and PII together: deny wins over obligations',
    route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [['card', 'pci', 'pii']]),
    'deny',
    { card: 'deny' },
    ['RESIDENCY_DENIED_BY_RULE'],
  ],
  [
    'public data flows anywhere',
    route('eu-west-1', 'analytics-apac', 'support', 'public', [['page'], ['title']]),
    'allow',
    { page: 'allow', title: 'allow' },
    ['RESIDENCY_ALLOWED'],
  ],
  [
    'public data from the US flows to the EEA',
    route('us-east-1', 'analytics-eu', 'analytics', 'public', [['page']]),
    'allow',
    { page: 'allow' },
    ['RESIDENCY_ALLOWED'],
  ],
  [
    'restricted data stays in its jurisdiction (EEA to US, no PII)',
    route('eu-west-1', 'analytics-us', 'analytics', 'restricted', [['x']]),
    'deny',
    { x: 'deny' },
    ['RESIDENCY_DENIED_BY_RULE'],
  ],
  [
    'restricted data with PII does not leave its jurisdiction hashed (deny beats pii-eea-export)',
    route('eu-west-1', 'analytics-us', 'analytics', 'restricted', [['email', 'pii'], ['id']]),
    'deny',
    { email: 'deny', id: 'deny' },
    ['RESIDENCY_DENIED_BY_RULE', 'RESIDENCY_DENIED_BY_RULE'],
  ],
  [
    'restricted data: the route alone (no fields) is denied across jurisdictions',
    route('eu-central-1', 'analytics-us', 'analytics', 'restricted', []),
    'deny',
    {},
    ['RESIDENCY_DENIED_BY_RULE'],
  ],
  [
    'restricted data with PII from Singapore to the EEA is denied too',
    route('ap-southeast-1', 'analytics-eu', 'analytics', 'restricted', [['email', 'pii']]),
    'deny',
    { email: 'deny' },
    ['RESIDENCY_DENIED_BY_RULE'],
  ],
  [
    'restricted data in its jurisdiction, retention within P1Y? analytics-eu keeps P2Y: denied',
    route('eu-west-1', 'analytics-eu', 'analytics', 'restricted', [['x']]),
    'deny',
    { x: 'deny' },
    ['RESIDENCY_RETENTION_EXCEEDED'],
  ],
  [
    'restricted data in Singapore stays there (P1Y sink)',
    route('ap-southeast-1', 'analytics-apac', 'analytics', 'restricted', [['x']]),
    'allow',
    { x: 'allow' },
    ['RESIDENCY_ALLOWED'],
  ],
  [
    'PHI is dropped',
    route('eu-west-1', 'analytics-eu', 'analytics', 'confidential', [['diagnosis', 'phi'], ['id']]),
    'allow_with_obligations',
    { diagnosis: 'drop', id: 'allow' },
    ['RESIDENCY_FIELD_DROPPED'],
  ],
  [
    'PII from the UK is masked',
    route('eu-west-2', 'analytics-eu', 'analytics', 'internal', [['email', 'pii']]),
    'allow_with_obligations',
    { email: 'mask' },
    ['RESIDENCY_FIELD_MASKED'],
  ],
  [
    'an unknown tag is denied',
    route('eu-west-1', 'analytics-eu', 'analytics', 'confidential', [
      ['email', 'pii'],
      ['dna', 'genetic'],
    ]),
    'deny',
    { email: 'allow', dna: 'deny' },
    ['RESIDENCY_UNKNOWN_TAG'],
  ],
  [
    'an unknown source region is denied',
    route('mars-1', 'analytics-eu', 'analytics', 'public', [['page']]),
    'deny',
    { page: 'deny' },
    ['RESIDENCY_UNKNOWN_SOURCE_REGION'],
  ],
  [
    'an unknown sink is denied',
    route('eu-west-1', 'warehouse', 'analytics', 'public', [['page']]),
    'deny',
    { page: 'deny' },
    ['RESIDENCY_UNKNOWN_SINK', 'RESIDENCY_UNKNOWN_SINK_REGION'],
  ],
  [
    'an unknown purpose is denied',
    route('eu-west-1', 'analytics-eu', 'marketing', 'public', [['page']]),
    'deny',
    { page: 'deny' },
    ['RESIDENCY_UNKNOWN_PURPOSE'],
  ],
  [
    'an unknown classification is denied',
    route('eu-west-1', 'analytics-eu', 'analytics', 'secret', [['page']]),
    'deny',
    { page: 'deny' },
    ['RESIDENCY_UNKNOWN_CLASSIFICATION'],
  ],
  [
    'no fields: decided on the route alone',
    route('eu-west-1', 'analytics-us', 'analytics', 'internal', []),
    'allow',
    {},
    ['RESIDENCY_ALLOWED'],
  ],
];

describe('golden decisions over the sample matrix', () => {
  it.each(GOLDEN)('%s', (_label, input, decision, verdicts, codes) => {
    const d = evaluateUncached(policy, input, NOW);
    expect(d.decision).toBe(decision);
    expect(Object.fromEntries(d.fields.map((f) => [f.name, f.verdict]))).toEqual(verdicts);
    expect(d.reasons.map((r) => r.code)).toEqual(codes);
    expect(d.policy).toEqual({ version: '2026.12.7', digest: policy.digest });
    expect(d.explanation.length).toBeGreaterThan(20);
    if (decision === 'deny') expect(d.remedies.length).toBeGreaterThan(0);
    // The memoized path answers the same.
    expect(evaluate(policy, input, NOW)).toEqual(d);
  });

  it('never lets PII from the EEA reach analytics-us in clear, for any purpose or classification', () => {
    for (const purpose of ['analytics', 'support'])
      for (const c of ['public', 'internal', 'confidential', 'restricted'])
        for (const region of ['eu-west-1', 'eu-central-1']) {
          const d = evaluateUncached(
            policy,
            route(region, 'analytics-us', purpose, c, [['email', 'pii']]),
            NOW,
          );
          const v = d.fields[0]?.verdict;
          if (c === 'public') continue; // public data is, by its classification, not personal
          expect(['hash', 'mask', 'drop', 'deny']).toContain(v);
        }
  });

  it('names the transfer mechanism and says until when the decision holds', () => {
    const d = evaluateUncached(
      policy,
      route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [['email', 'pii']]),
      NOW,
    );
    expect(d.valid_until).toBe('2027-12-31');
    expect(d.obligations).toContainEqual({
      type: 'hash',
      field: 'email',
      rule: 'pii-eea-export',
      algorithm: 'hmac-sha256',
      key_id: 'pii-hmac-2026',
    });
    expect(d.explanation).toContain('scc-acme-2027');
  });

  it('denies once the SCC has expired, and says to renew it', () => {
    const later = Date.parse('2028-01-01T00:00:00Z');
    const input = route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [['email', 'pii']]);
    expect(evaluate(policy, input, NOW).decision).toBe('allow_with_obligations');
    const d = evaluate(policy, input, later);
    expect(d.decision).toBe('deny');
    expect(d.reasons[0]?.code).toBe('RESIDENCY_TRANSFER_MECHANISM_EXPIRED');
    expect(d.remedies.join(' ')).toContain('scc-acme-2027');
  });

  it('gives a remedy a person can act on', () => {
    const d = evaluateUncached(
      policy,
      route('eu-west-1', 'analytics-apac', 'analytics', 'confidential', [['email', 'pii']]),
      NOW,
    );
    expect(d.remedies[0]).toMatch(
      /allowed if analytics-apac .* gets an SCC or BCR covering EEA -> SG, or if email is dropped/,
    );
  });

  it('uses the longer of the declared and the matrix TTL', () => {
    const input = route('eu-west-1', 'analytics-eu', 'analytics', 'confidential', [['x']]);
    expect(evaluateUncached(policy, input, NOW).decision).toBe('allow');
    input.route.sink.ttl = 'P3Y';
    const d = evaluateUncached(policy, input, NOW);
    expect(d.decision).toBe('deny');
    expect(d.reasons[0]?.code).toBe('RESIDENCY_RETENTION_EXCEEDED');
    input.route.sink.ttl = 'three years';
    expect(evaluateUncached(policy, input, NOW).reasons[0]?.code).toBe('RESIDENCY_INVALID_SINK_TTL');
  });

  it('denies a sink region that differs from the matrix', () => {
    const input = route('eu-west-1', 'analytics-eu', 'analytics', 'public', [['x']]);
    input.route.sink.region = 'us-east-1';
    expect(evaluateUncached(policy, input, NOW).reasons.map((r) => r.code)).toEqual([
      'RESIDENCY_SINK_REGION_MISMATCH',
    ]);
  });

  it('never answers one input with the memoized decision of another whose strings run together', () => {
    const p = samplePolicy();
    // A valid route, memoized first; then an invalid ttl whose text holds what follows it in a naive key.
    const valid = route('eu-west-1', 'analytics-eu', 'analytics', 'internal', [['id']]);
    valid.route.sink.ttl = 'P1D';
    valid.route.source.dataset = 'public\u0000d';
    const tricky = route('eu-west-1', 'analytics-eu', 'internal', 'public', [['id']]);
    tricky.route.sink.ttl = 'P1D\u0000analytics';
    tricky.route.source.dataset = 'd';
    expect(evaluate(p, valid, NOW).decision).toBe('allow');
    expect(evaluate(p, tricky, NOW)).toEqual(evaluateUncached(p, tricky, NOW));
    expect(evaluate(p, tricky, NOW).decision).toBe('deny');
    // A dataset that looks like a field list, against a route with that field.
    const ds = route('eu-west-1', 'analytics-eu', 'analytics', 'internal', []);
    ds.route.source.dataset = 'x\u0001email\u0002pci';
    const withField = route('eu-west-1', 'analytics-eu', 'analytics', 'internal', [['email', 'pci']]);
    withField.route.source.dataset = 'x';
    evaluate(p, withField, NOW);
    expect(evaluate(p, ds, NOW)).toEqual(evaluateUncached(p, ds, NOW));
  });
});

describe('restricted data and transfer mechanisms (the sample plus UK, DPF, BCR and one-year EEA sinks)', () => {
  const ext = extendedPolicy();
  const decide = (input: ReturnType<typeof route>, now = NOW) => {
    const d = evaluateUncached(ext, input, now);
    expect(evaluate(ext, input, now)).toEqual(d);
    return d;
  };
  const pii = (sink: string, classification = 'confidential') =>
    route('eu-west-1', sink, 'analytics', classification, [['email', 'pii'], ['id']]);
  const mechanism = (d: ReturnType<typeof decide>) =>
    d.obligations.find((o) => o.type === 'transfer_mechanism');

  it('restricted data moves inside its jurisdiction (EEA to EEA), with and without PII', () => {
    for (const fields of [[['email', 'pii'], ['id']], [['id']]] as Array<Array<[string, ...string[]]>>) {
      const d = decide(route('eu-west-1', 'archive-eu', 'analytics', 'restricted', fields));
      expect(d.decision).toBe('allow');
      expect(d.reasons.map((r) => r.code)).toEqual(['RESIDENCY_ALLOWED']);
      expect(d.fields.every((f) => f.verdict === 'allow')).toBe(true);
    }
  });

  it('restricted data never leaves its jurisdiction, whatever mechanism covers the route', () => {
    for (const sink of ['analytics-us', 'analytics-dpf', 'analytics-bcr', 'analytics-uk']) {
      for (const fields of [[['email', 'pii'], ['id']], [['id']]] as Array<Array<[string, ...string[]]>>) {
        const d = decide(route('eu-west-1', sink, 'analytics', 'restricted', fields));
        expect(d.decision, sink).toBe('deny');
        expect(new Set(d.fields.map((f) => f.rule))).toEqual(new Set(['restricted-stays-in-jurisdiction']));
        expect(d.obligations).toEqual([]);
      }
    }
  });

  it('DPF: a certified US recipient receives EEA PII hashed, relying on its certification', () => {
    const d = decide(pii('analytics-dpf'));
    expect(d.decision).toBe('allow_with_obligations');
    expect(Object.fromEntries(d.fields.map((f) => [f.name, f.verdict]))).toEqual({
      email: 'hash',
      id: 'allow',
    });
    expect(mechanism(d)).toMatchObject({ kind: 'DPF', mechanism: 'dpf:dpf-corp', expires: '2027-06-30' });
    expect(d.reasons.map((r) => r.code)).toEqual(['RESIDENCY_FIELD_HASHED', 'RESIDENCY_TRANSFER_MECHANISM']);
    expect(d.valid_until).toBe('2027-06-30');
  });

  it('DPF: an expired certification is denied, and says which one to renew', () => {
    const lapsed = decide(pii('analytics-dpf-lapsed'));
    expect(lapsed.decision).toBe('deny');
    expect(lapsed.fields.find((f) => f.name === 'email')?.verdict).toBe('deny');
    expect(lapsed.reasons[0]?.code).toBe('RESIDENCY_TRANSFER_MECHANISM_EXPIRED');
    expect(lapsed.remedies.join(' ')).toContain('dpf:dpf-lapsed');
    // The valid one, the day after it ends.
    const later = decide(pii('analytics-dpf'), Date.parse('2027-07-01T12:00:00Z'));
    expect(later.decision).toBe('deny');
    expect(later.reasons[0]?.code).toBe('RESIDENCY_TRANSFER_MECHANISM_EXPIRED');
  });

  it('the memo answers only within the span it was decided in: a clock set back is decided anew', () => {
    const fresh = extendedPolicy();
    const r = pii('analytics-dpf');
    const after = evaluate(fresh, r, Date.parse('2027-07-01T12:00:00Z'));
    expect(after.decision).toBe('deny');
    // Memoized after the certification ended; asked about a time before, the answer is not that one.
    const before = evaluate(fresh, r, Date.parse('2027-06-01T00:00:00Z'));
    expect(before.decision).toBe('allow_with_obligations');
    expect(before).toEqual(evaluateUncached(fresh, r, Date.parse('2027-06-01T00:00:00Z')));
    expect(evaluate(fresh, r, Date.parse('2027-07-02T00:00:00Z')).decision).toBe('deny');
  });

  it('BCR: a recipient bound by binding corporate rules receives EEA PII hashed', () => {
    const d = decide(pii('analytics-bcr'));
    expect(d.decision).toBe('allow_with_obligations');
    expect(mechanism(d)).toMatchObject({ kind: 'BCR', mechanism: 'bcr-group-2029', expires: '2029-12-31' });
    expect(d.explanation).toContain('BCR bcr-group-2029');
    // The SCC of another recipient does not cover this one: past the BCR, nothing does.
    const after = decide(pii('analytics-bcr'), Date.parse('2030-01-02T00:00:00Z'));
    expect(after.decision).toBe('deny');
    expect(after.reasons[0]?.code).toBe('RESIDENCY_TRANSFER_MECHANISM_EXPIRED');
  });

  it('adequacy: EEA PII reaches the UK under the adequacy decision, until it expires', () => {
    const d = decide(pii('analytics-uk'));
    expect(d.decision).toBe('allow_with_obligations');
    expect(mechanism(d)).toMatchObject({
      kind: 'adequacy',
      mechanism: 'adequacy:EEA->UK',
      expires: '2031-06-27',
    });
    expect(d.valid_until).toBe('2031-06-27');
    const after = decide(pii('analytics-uk'), Date.parse('2031-06-28T12:00:00Z'));
    expect(after.decision).toBe('deny');
    expect(after.reasons[0]?.code).toBe('RESIDENCY_TRANSFER_MECHANISM_EXPIRED');
  });

  it('no mechanism at all (Singapore) is denied as missing, not expired', () => {
    const d = decide(pii('analytics-apac'));
    expect(d.decision).toBe('deny');
    expect(d.reasons[0]?.code).toBe('RESIDENCY_TRANSFER_MECHANISM_MISSING');
  });
});

describe('shadow mode: only the rules are shadowed; unknown names are always denied', () => {
  const shadow = compilePolicy(parseMatrix(SAMPLE_TEXT.replace('mode: enforce', 'mode: shadow'), 'shadow'));
  const perRule = compilePolicy(
    parseMatrix(
      `${SAMPLE_TEXT.trimEnd()}\n  - id: no-pii-to-us\n    shadow: true\n    match: { tags: [pii], to: [US] }\n    effect: deny\n`,
      'per-rule',
    ),
  );

  it('denies, enforced, a field with an unknown tag in shadow mode', () => {
    const input = route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [
      ['email', 'pii'],
      ['dna', 'genetic'],
    ]);
    const d = evaluateUncached(shadow, input, NOW);
    expect(d).toMatchObject({ decision: 'deny', enforced: true, shadow: { decision: 'deny' } });
    expect(Object.fromEntries(d.fields.map((f) => [f.name, f.verdict]))).toEqual({
      email: 'allow',
      dna: 'deny',
    });
    expect(d.reasons.map((r) => r.code)).toEqual(['RESIDENCY_UNKNOWN_TAG', 'RESIDENCY_SHADOW_MODE']);
    expect(d.remedies.join(' ')).toContain('genetic');
    expect(evaluate(shadow, input, NOW)).toEqual(d);
  });

  it('denies, enforced, every other unknown name in shadow mode', () => {
    const cases: Array<[ReturnType<typeof route>, string]> = [
      [route('mars-1', 'analytics-eu', 'analytics', 'public', [['x']]), 'RESIDENCY_UNKNOWN_SOURCE_REGION'],
      [route('eu-west-1', 'warehouse', 'analytics', 'public', [['x']]), 'RESIDENCY_UNKNOWN_SINK'],
      [route('eu-west-1', 'analytics-eu', 'marketing', 'public', [['x']]), 'RESIDENCY_UNKNOWN_PURPOSE'],
      [
        route('eu-west-1', 'analytics-eu', 'analytics', 'secret', [['x']]),
        'RESIDENCY_UNKNOWN_CLASSIFICATION',
      ],
    ];
    for (const [input, code] of cases) {
      const d = evaluateUncached(shadow, input, NOW);
      expect(d, code).toMatchObject({ decision: 'deny', enforced: true });
      expect(d.reasons.map((r) => r.code)).toContain(code);
    }
  });

  it('answers a known route allow, not enforced, with what enforcement would have said', () => {
    const d = evaluateUncached(
      shadow,
      route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [['card', 'pci']]),
      NOW,
    );
    expect(d).toMatchObject({ decision: 'allow', enforced: false, shadow: { decision: 'deny' } });
  });

  it('a shadow rule never makes an enforced decision look unenforced', () => {
    // pci-in-region (enforced) denies the card; the shadow rule would deny the email too.
    const both = evaluateUncached(
      perRule,
      route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [
        ['email', 'pii'],
        ['card', 'pci'],
      ]),
      NOW,
    );
    expect(both).toMatchObject({ decision: 'deny', enforced: true, shadow: { decision: 'deny' } });
    expect(both.reasons.map((r) => r.code)).toContain('RESIDENCY_SHADOW_RULE');
    // The enforced rules allow the email hashed; enforcing the shadow rule would deny it.
    const email = evaluateUncached(
      perRule,
      route('eu-west-1', 'analytics-us', 'analytics', 'confidential', [['email', 'pii']]),
      NOW,
    );
    expect(email).toMatchObject({
      decision: 'allow_with_obligations',
      enforced: true,
      shadow: { decision: 'deny' },
    });
    expect(email.fields).toEqual([{ name: 'email', verdict: 'hash', rule: 'pii-eea-export' }]);
  });
});
