import type { FieldVerdict } from '../contract/decision-contract.ts';
import { durationSeconds, expiryMs } from '../matrix/duration.ts';
import type { LoadedMatrix } from '../matrix/load-matrix.ts';
import type { IdList, Matrix, MatrixRule } from '../matrix/matrix-types.ts';
import type { ReasonCode } from './reason-codes.ts';

/** A way a transfer out of the source jurisdiction is lawful, checked against the clock at decision time. */
export interface MechanismCandidate {
  id: string;
  kind: 'adequacy' | 'DPF' | 'SCC' | 'BCR';
  expiresMs: number | null;
  expires: string | null;
}

export interface RetentionCap {
  seconds: number;
  text: string;
  rule: string;
}

/** The combined effect of every rule that matches a field with one tag set, on one route. */
export interface FieldOutcome {
  verdict: FieldVerdict;
  rule: string | null;
  code: ReasonCode;
  /** The rule requiring a transfer mechanism, if one does. */
  mechanismRule: string | null;
  caps: RetentionCap[];
  maxRetentionSeconds: number | null;
  maxRetentionText: string | null;
  maxRetentionFrom: string | null;
  hashKey: string | null;
  /** Tags of the set (sorted), for messages. */
  tags: readonly string[];
  /** The unknown tag, when the code is RESIDENCY_UNKNOWN_TAG. */
  unknownTag: string | null;
}

export interface RuleSet {
  wide: MatrixRule[];
  byTag: Map<string, MatrixRule[]>;
  cache: Map<string, FieldOutcome>;
  untagged: FieldOutcome;
  limits: RetentionLimits;
  matrix: Matrix;
}

export interface RetentionLimits {
  classMax: number | null;
  classMaxText: string | null;
  classification: string;
}

export interface RouteTable {
  sourceRegion: string;
  sourceJurisdiction: string;
  sinkId: string;
  sinkRegion: string;
  sinkJurisdiction: string;
  recipient: string | null;
  purpose: string;
  classification: string;
  sameRegion: boolean;
  sameJurisdiction: boolean;
  sinkTtlSeconds: number;
  sinkTtlText: string;
  enforced: RuleSet;
  /** Every rule, shadow ones included; null when no shadow rule applies to this route. */
  withShadow: RuleSet | null;
  mechanisms: MechanismCandidate[];
}

export interface CompiledPolicy {
  version: string;
  digest: string;
  mode: 'enforce' | 'shadow';
  matrix: Matrix;
  text: string;
  regions: ReadonlyMap<string, { jurisdiction: string; country: string }>;
  sinks: ReadonlyMap<string, { region: string }>;
  purposes: ReadonlySet<string>;
  classifications: ReadonlySet<string>;
  tags: ReadonlySet<string>;
  routes: ReadonlyMap<string, RouteTable>;
  /**
   * Decisions already made, by input; an entry holds until the next expiry of a mechanism it could use.
   * `parts` are the input's strings (and counts) in key order: a hit counts only if they all match.
   */
  memo: Map<string, MemoEntry>;
}

/** A decision made for one input, and what else is known of that input (see `CompiledPolicy.memo`). */
export interface MemoEntry {
  core: unknown;
  fromMs: number;
  untilMs: number;
  parts: ReadonlyArray<string | number | undefined>;
  /**
   * The input's part of its audit entries (its canonical form and hash, see `EntryLines`), once the
   * decision service has made it: every input this entry answers has the same parts, so the same form.
   */
  auditPart?: Uint8Array;
}

export const routeKey = (sourceRegion: string, sink: string, purpose: string, classification: string) =>
  `${sourceRegion}\u0000${sink}\u0000${purpose}\u0000${classification}`;

const inList = (list: IdList | undefined, id: string) =>
  list === undefined || list === '*' || list.includes(id);

function routeMatches(
  rule: MatrixRule,
  t: Omit<RouteTable, 'enforced' | 'withShadow' | 'mechanisms'>,
): boolean {
  const m = rule.match;
  if (m.classifications && !m.classifications.includes(t.classification)) return false;
  if (!inList(m.from, t.sourceJurisdiction) || !inList(m.to, t.sinkJurisdiction)) return false;
  if (!inList(m.purposes, t.purpose) || !inList(m.sinks, t.sinkId)) return false;
  switch (m.transfer ?? 'any') {
    case 'any':
      return true;
    case 'same-region':
      return t.sameRegion;
    case 'cross-region':
      return !t.sameRegion;
    case 'same-jurisdiction':
      return t.sameJurisdiction;
    case 'cross-jurisdiction':
      return !t.sameJurisdiction;
  }
}

const ACTION_RANK: Record<string, number> = { mask: 1, hash: 2, drop: 3 };

/** The precedence: deny over obligations over allow; among obligations drop over hash over mask. */
function combine(
  rules: readonly MatrixRule[],
  tags: readonly string[],
  limits: RetentionLimits,
  matrix: Matrix,
): FieldOutcome {
  let maxRetentionSeconds = limits.classMax;
  let maxRetentionText = limits.classMaxText;
  let maxRetentionFrom: string | null =
    limits.classMax === null ? null : `classification ${limits.classification}`;
  for (const tag of tags) {
    const text = matrix.tags[tag]?.max_retention;
    const s = text === undefined ? null : durationSeconds(text);
    if (s !== null && (maxRetentionSeconds === null || s < maxRetentionSeconds)) {
      maxRetentionSeconds = s;
      maxRetentionText = text ?? null;
      maxRetentionFrom = `tag ${tag}`;
    }
  }
  const base = {
    mechanismRule: null,
    caps: [] as RetentionCap[],
    maxRetentionSeconds,
    maxRetentionText,
    maxRetentionFrom,
    hashKey: null,
    tags,
    unknownTag: null,
  };
  const unknown = tags.find((t) => !Object.hasOwn(matrix.tags, t));
  if (unknown !== undefined) {
    return { ...base, verdict: 'deny', rule: null, code: 'RESIDENCY_UNKNOWN_TAG', unknownTag: unknown };
  }
  if (rules.length === 0) return { ...base, verdict: 'deny', rule: null, code: 'RESIDENCY_NO_MATCHING_RULE' };
  const deny = rules.find((r) => r.effect === 'deny');
  if (deny) return { ...base, verdict: 'deny', rule: deny.id, code: 'RESIDENCY_DENIED_BY_RULE' };
  const obligations = rules.filter((r) => r.effect === 'obligations');
  if (obligations.length > 0) {
    let strongest: MatrixRule | null = null;
    for (const r of obligations) {
      const rank = ACTION_RANK[r.obligations?.fields ?? ''] ?? 0;
      if (rank > 0 && (strongest === null || rank > (ACTION_RANK[strongest.obligations?.fields ?? ''] ?? 0)))
        strongest = r;
    }
    const caps: RetentionCap[] = [];
    for (const r of obligations) {
      const text = r.obligations?.cap_retention;
      const s = text === undefined ? null : durationSeconds(text);
      if (text !== undefined && s !== null) caps.push({ seconds: s, text, rule: r.id });
    }
    const mechanism = obligations.find((r) => r.obligations?.require_transfer_mechanism === true);
    const action = strongest?.obligations?.fields;
    const verdict: FieldVerdict = action ?? 'allow';
    const code: ReasonCode =
      action === 'mask'
        ? 'RESIDENCY_FIELD_MASKED'
        : action === 'hash'
          ? 'RESIDENCY_FIELD_HASHED'
          : action === 'drop'
            ? 'RESIDENCY_FIELD_DROPPED'
            : 'RESIDENCY_ALLOWED_WITH_OBLIGATIONS';
    return {
      ...base,
      verdict,
      rule: (strongest ?? obligations[0] ?? null)?.id ?? null,
      code,
      mechanismRule: mechanism?.id ?? null,
      caps,
      hashKey: action === 'hash' ? (strongest?.obligations?.hash_key ?? strongest?.id ?? null) : null,
    };
  }
  // Allow: name the most specific rule (a tag rule before a route-wide one).
  const tagged = rules.find((r) => r.match.tags !== undefined);
  return { ...base, verdict: 'allow', rule: (tagged ?? rules[0])?.id ?? null, code: 'RESIDENCY_ALLOWED' };
}

function ruleSet(rules: MatrixRule[], limits: RetentionLimits, matrix: Matrix): RuleSet {
  const wide: MatrixRule[] = [];
  const byTag = new Map<string, MatrixRule[]>();
  for (const r of rules) {
    if (!r.match.tags) wide.push(r);
    else for (const t of r.match.tags) byTag.set(t, [...(byTag.get(t) ?? []), r]);
  }
  return { wide, byTag, cache: new Map(), untagged: combine(wide, [], limits, matrix), limits, matrix };
}

/** The combined outcome for a (normalized: lower-case, unique, sorted) tag set, memoized per route. */
export function outcomeFor(set: RuleSet, key: string, tags: readonly string[]): FieldOutcome {
  const { limits, matrix } = set;
  const cached = set.cache.get(key);
  if (cached) return cached;
  const seen = new Set<MatrixRule>(set.wide);
  for (const t of tags) for (const r of set.byTag.get(t) ?? []) seen.add(r);
  // File order, so the named rule is deterministic.
  const rules = [...seen].sort((a, b) => order(matrix, a) - order(matrix, b));
  const outcome = combine(rules, tags, limits, matrix);
  if (set.cache.size < 4096) set.cache.set(key, outcome);
  return outcome;
}

const ORDER = new WeakMap<Matrix, Map<MatrixRule, number>>();
function order(matrix: Matrix, rule: MatrixRule): number {
  let m = ORDER.get(matrix);
  if (!m) {
    m = new Map(matrix.rules.map((r, i) => [r, i]));
    ORDER.set(matrix, m);
  }
  return m.get(rule) ?? 0;
}

function mechanismsFor(m: Matrix, from: string, to: string, recipient: string | null): MechanismCandidate[] {
  const out: MechanismCandidate[] = [];
  for (const a of m.adequacy ?? []) {
    if (a.from === from && a.to === to)
      out.push({
        id: `adequacy:${from}->${to}`,
        kind: 'adequacy',
        expires: a.expires ?? null,
        expiresMs: expiryMs(a.expires),
      });
  }
  const r = recipient === null ? undefined : m.recipients?.[recipient];
  // The EU-US Data Privacy Framework: a certified US recipient receives EEA data without an SCC.
  if (
    r &&
    recipient !== null &&
    from === 'EEA' &&
    to === 'US' &&
    r.dpf_certified_until !== undefined &&
    r.dpf_certified_until !== null
  ) {
    out.push({
      id: `dpf:${recipient}`,
      kind: 'DPF',
      expires: r.dpf_certified_until,
      expiresMs: expiryMs(r.dpf_certified_until),
    });
  }
  for (const t of m.transfer_mechanisms ?? []) {
    if (t.from === from && t.to === to && (t.recipient === undefined || t.recipient === recipient))
      out.push({ id: t.id, kind: t.type, expires: t.expires, expiresMs: expiryMs(t.expires) });
  }
  return out;
}

export function limitsOf(m: Matrix, classification: string): RetentionLimits {
  const text = m.classifications[classification]?.max_retention ?? null;
  return { classMax: text === null ? null : durationSeconds(text), classMaxText: text, classification };
}

/** Compiles a validated matrix into lookup tables: one per (source region, sink, purpose, classification). */
export function compilePolicy(loaded: LoadedMatrix): CompiledPolicy {
  const m = loaded.matrix;
  const routes = new Map<string, RouteTable>();
  for (const [sourceRegion, src] of Object.entries(m.regions)) {
    for (const [sinkId, sink] of Object.entries(m.sinks)) {
      const dst = m.regions[sink.region];
      if (!dst) continue;
      for (const purpose of Object.keys(m.purposes)) {
        for (const classification of Object.keys(m.classifications)) {
          const head = {
            sourceRegion,
            sourceJurisdiction: src.jurisdiction,
            sinkId,
            sinkRegion: sink.region,
            sinkJurisdiction: dst.jurisdiction,
            recipient: sink.recipient ?? null,
            purpose,
            classification,
            sameRegion: sourceRegion === sink.region,
            sameJurisdiction: src.jurisdiction === dst.jurisdiction,
            sinkTtlSeconds: durationSeconds(sink.retention) ?? Number.POSITIVE_INFINITY,
            sinkTtlText: sink.retention,
          };
          const matching = m.rules.filter((r) => routeMatches(r, head));
          const limits = limitsOf(m, classification);
          const enforced = ruleSet(
            matching.filter((r) => r.shadow !== true),
            limits,
            m,
          );
          const anyShadow = matching.some((r) => r.shadow === true);
          routes.set(routeKey(sourceRegion, sinkId, purpose, classification), {
            ...head,
            enforced,
            withShadow: anyShadow ? ruleSet(matching, limits, m) : null,
            mechanisms: mechanismsFor(m, src.jurisdiction, dst.jurisdiction, sink.recipient ?? null),
          });
        }
      }
    }
  }
  return {
    version: m.version,
    digest: loaded.digest,
    mode: m.mode ?? 'enforce',
    matrix: m,
    text: loaded.text,
    regions: new Map(Object.entries(m.regions)),
    sinks: new Map(Object.entries(m.sinks)),
    purposes: new Set(Object.keys(m.purposes)),
    classifications: new Set(Object.keys(m.classifications)),
    tags: new Set(Object.keys(m.tags)),
    routes,
    memo: new Map(),
  };
}
