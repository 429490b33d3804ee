import type {
  DecisionOutcome,
  FieldDecision,
  FieldInput,
  Obligation,
  Reason,
  ShadowOutcome,
} from '../contract/decision-contract.ts';
import { durationSeconds } from '../matrix/duration.ts';
import { outcomeFor, routeKey } from './compile-policy.ts';
import type {
  CompiledPolicy,
  FieldOutcome,
  MechanismCandidate,
  MemoEntry,
  RouteTable,
  RuleSet,
} from './compile-policy.ts';
import { explainDeniedInput, explainOutcome } from './explain.ts';
import type { ReasonCode } from './reason-codes.ts';

/** What the evaluator needs: DESIGN.md's request with classification and fields resolved. */
export interface EvaluationInput {
  route: {
    source: { dataset: string; region: string };
    sink: { id: string; region: string; ttl?: string | undefined };
    purpose: string;
  };
  classification: string;
  fields: readonly FieldInput[];
}

/** A decision without its id: a pure function of the input, the policy and the clock. */
export interface DecisionCore {
  decision: DecisionOutcome;
  enforced: boolean;
  policy: { version: string; digest: string };
  fields: FieldDecision[];
  reasons: Reason[];
  explanation: string;
  remedies: string[];
  obligations: Obligation[];
  shadow?: ShadowOutcome;
  valid_until: string | null;
}

/** One rule set's result for a route: the parts of a decision explain.ts turns into words. */
export interface SetResult {
  decision: DecisionOutcome;
  fields: FieldDecision[];
  reasons: Reason[];
  obligations: Obligation[];
  /** Outcomes per field, in input order, with the final code (after mechanism and retention checks). */
  detail: Array<{
    name: string;
    outcome: FieldOutcome;
    code: ReasonCode;
    verdict: FieldDecision['verdict'];
    rule: string | null;
  }>;
  mechanism: MechanismCandidate | null;
  mechanismProblem: {
    code: 'RESIDENCY_TRANSFER_MECHANISM_MISSING' | 'RESIDENCY_TRANSFER_MECHANISM_EXPIRED';
    expired: MechanismCandidate | null;
  } | null;
  effectiveTtl: { seconds: number; text: string; cappedBy: string | null };
}

function tagKey(tags: readonly string[]): { key: string; tags: readonly string[] } {
  if (tags.length === 0) return { key: '', tags };
  if (tags.length === 1) {
    const t = (tags[0] as string).toLowerCase();
    return { key: t, tags: [t] };
  }
  const norm = [...new Set(tags.map((t) => t.toLowerCase()))].sort();
  return { key: norm.join(','), tags: norm };
}

function pickMechanism(table: RouteTable, nowMs: number) {
  let best: MechanismCandidate | null = null;
  let expired: MechanismCandidate | null = null;
  for (const c of table.mechanisms) {
    if (c.expiresMs !== null && c.expiresMs < nowMs) {
      expired ??= c;
      continue;
    }
    if (best === null || (best.expiresMs !== null && (c.expiresMs === null || c.expiresMs > best.expiresMs)))
      best = c;
  }
  return { best, expired };
}

function fieldMessage(code: ReasonCode, rule: string | null): string {
  switch (code) {
    case 'RESIDENCY_FIELD_MASKED':
      return `must be masked (rule ${rule})`;
    case 'RESIDENCY_FIELD_HASHED':
      return `must be replaced by a keyed hash (rule ${rule})`;
    case 'RESIDENCY_FIELD_DROPPED':
      return `must be dropped (rule ${rule})`;
    case 'RESIDENCY_DENIED_BY_RULE':
      return `is denied by rule ${rule}`;
    case 'RESIDENCY_NO_MATCHING_RULE':
      return 'is covered by no rule for this route, so it is denied by default';
    case 'RESIDENCY_ALLOWED_WITH_OBLIGATIONS':
      return `is allowed under the obligations of rule ${rule}`;
    default:
      return `is allowed by rule ${rule}`;
  }
}

function evaluateSet(
  table: RouteTable,
  set: RuleSet,
  input: EvaluationInput,
  ttl: { seconds: number; text: string },
  nowMs: number,
): SetResult {
  const detail: SetResult['detail'] = [];
  const source = input.fields.length === 0 ? null : input.fields;
  let needMechanism = false;
  let cap: { seconds: number; text: string; rule: string } | null = null;
  const outcomes: FieldOutcome[] = [];
  if (source === null) {
    outcomes.push(set.untagged);
  } else {
    for (const f of source) {
      const o =
        f.tags.length === 0
          ? set.untagged
          : (() => {
              const k = tagKey(f.tags);
              return outcomeFor(set, k.key, k.tags);
            })();
      outcomes.push(o);
    }
  }
  for (const o of outcomes) {
    if (o.verdict === 'deny') continue;
    if (o.mechanismRule !== null) needMechanism = true;
    for (const c of o.caps) if (cap === null || c.seconds < cap.seconds) cap = c;
  }
  let mechanism: MechanismCandidate | null = null;
  let mechanismProblem: SetResult['mechanismProblem'] = null;
  if (needMechanism && !table.sameJurisdiction) {
    const picked = pickMechanism(table, nowMs);
    mechanism = picked.best;
    if (mechanism === null) {
      mechanismProblem = {
        code: picked.expired
          ? 'RESIDENCY_TRANSFER_MECHANISM_EXPIRED'
          : 'RESIDENCY_TRANSFER_MECHANISM_MISSING',
        expired: picked.expired,
      };
    }
  }
  const effective =
    cap !== null && cap.seconds < ttl.seconds
      ? { seconds: cap.seconds, text: cap.text, cappedBy: cap.rule }
      : { seconds: ttl.seconds, text: ttl.text, cappedBy: null };

  const fields: FieldDecision[] = [];
  const reasons: Reason[] = [];
  const obligations: Obligation[] = [];
  let denied = false;
  let obliged = false;
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i] as FieldOutcome;
    const name = source === null ? null : (source[i] as FieldInput).name;
    let verdict = o.verdict;
    let code: ReasonCode = o.code;
    let rule = o.rule;
    let message: string;
    if (verdict !== 'deny' && o.mechanismRule !== null && mechanismProblem !== null) {
      verdict = 'deny';
      code = mechanismProblem.code;
      rule = o.mechanismRule;
      message = mechanismProblem.expired
        ? `${mechanismProblem.expired.id} covering ${table.sourceJurisdiction} -> ${table.sinkJurisdiction} expired on ${mechanismProblem.expired.expires}`
        : `rule ${rule} requires adequacy or a transfer mechanism for ${table.sourceJurisdiction} -> ${table.sinkJurisdiction}${table.recipient ? ` (recipient ${table.recipient})` : ''} and none exists`;
    } else if (
      verdict !== 'deny' &&
      verdict !== 'drop' &&
      o.maxRetentionSeconds !== null &&
      effective.seconds > o.maxRetentionSeconds
    ) {
      verdict = 'deny';
      code = 'RESIDENCY_RETENTION_EXCEEDED';
      message = `${table.sinkId} keeps data for ${effective.text}, longer than the ${o.maxRetentionText} allowed by ${o.maxRetentionFrom}`;
    } else if (code === 'RESIDENCY_UNKNOWN_TAG') {
      message = `tag "${o.unknownTag}" is not in the matrix`;
    } else {
      message = fieldMessage(code, rule);
    }
    if (verdict === 'deny') denied = true;
    detail.push({ name: name ?? '(route)', outcome: o, code, verdict, rule });
    if (name === null) {
      if (verdict === 'deny') reasons.push({ code, rule, field: null, message: `the route ${message}` });
      continue;
    }
    fields.push({ name, verdict, rule });
    if (verdict === 'allow' && code === 'RESIDENCY_ALLOWED') continue;
    reasons.push({ code, rule, field: name, message: `${name} ${message}` });
    if (verdict === 'mask' || verdict === 'drop') {
      obligations.push({ type: verdict, field: name, rule: rule as string });
      obliged = true;
    } else if (verdict === 'hash') {
      obligations.push({
        type: 'hash',
        field: name,
        rule: rule as string,
        algorithm: 'hmac-sha256',
        key_id: o.hashKey ?? (rule as string),
      });
      obliged = true;
    } else if (code === 'RESIDENCY_ALLOWED_WITH_OBLIGATIONS') obliged = true;
  }
  if (!denied) {
    if (effective.cappedBy !== null) {
      obligations.push({ type: 'cap_retention', ttl: effective.text, rule: effective.cappedBy });
      reasons.push({
        code: 'RESIDENCY_RETENTION_CAPPED',
        rule: effective.cappedBy,
        field: null,
        message: `${table.sinkId} may keep the data at most ${effective.text} (its retention is ${ttl.text})`,
      });
      obliged = true;
    }
    if (mechanism !== null) {
      const rule = outcomes.find((o) => o.mechanismRule !== null)?.mechanismRule as string;
      obligations.push({
        type: 'transfer_mechanism',
        mechanism: mechanism.id,
        kind: mechanism.kind,
        expires: mechanism.expires,
        rule,
      });
      reasons.push({
        code: 'RESIDENCY_TRANSFER_MECHANISM',
        rule,
        field: null,
        message: `the transfer ${table.sourceJurisdiction} -> ${table.sinkJurisdiction} relies on ${mechanism.kind} ${mechanism.id}${mechanism.expires ? ` (valid until ${mechanism.expires})` : ''}`,
      });
    }
  }
  const decision: DecisionOutcome = denied ? 'deny' : obliged ? 'allow_with_obligations' : 'allow';
  if (decision === 'allow') {
    const rules = [...new Set(fields.map((f) => f.rule).filter((r) => r !== null))];
    reasons.unshift({
      code: 'RESIDENCY_ALLOWED',
      rule: rules[0] ?? detail[0]?.rule ?? null,
      field: null,
      message: `allowed by ${rules.length > 0 ? `rule(s) ${rules.join(', ')}` : `rule ${detail[0]?.rule ?? ''}`}`,
    });
  }
  return {
    decision,
    fields,
    reasons,
    obligations,
    detail,
    mechanism,
    mechanismProblem,
    effectiveTtl: effective,
  };
}

/** Unknown names in the input, each a deny reason; empty when the route is fully known. */
function unknowns(policy: CompiledPolicy, input: EvaluationInput): Reason[] {
  const out: Reason[] = [];
  const r = input.route;
  const known = (set: Iterable<string>) => [...set].join(', ');
  if (!policy.regions.has(r.source.region))
    out.push({
      code: 'RESIDENCY_UNKNOWN_SOURCE_REGION',
      rule: null,
      field: null,
      message: `source region "${r.source.region}" is not in the matrix (known: ${known(policy.regions.keys())})`,
    });
  const sink = policy.sinks.get(r.sink.id);
  if (!sink)
    out.push({
      code: 'RESIDENCY_UNKNOWN_SINK',
      rule: null,
      field: null,
      message: `sink "${r.sink.id}" is not in the matrix (known: ${known(policy.sinks.keys())})`,
    });
  if (!policy.regions.has(r.sink.region))
    out.push({
      code: 'RESIDENCY_UNKNOWN_SINK_REGION',
      rule: null,
      field: null,
      message: `sink region "${r.sink.region}" is not in the matrix (known: ${known(policy.regions.keys())})`,
    });
  else if (sink && sink.region !== r.sink.region)
    out.push({
      code: 'RESIDENCY_SINK_REGION_MISMATCH',
      rule: null,
      field: null,
      message: `sink ${r.sink.id} is in ${sink.region} according to the matrix, not ${r.sink.region}`,
    });
  if (!policy.purposes.has(r.purpose))
    out.push({
      code: 'RESIDENCY_UNKNOWN_PURPOSE',
      rule: null,
      field: null,
      message: `purpose "${r.purpose}" is not in the matrix (known: ${known(policy.purposes)})`,
    });
  if (!policy.classifications.has(input.classification))
    out.push({
      code: 'RESIDENCY_UNKNOWN_CLASSIFICATION',
      rule: null,
      field: null,
      message: `classification "${input.classification}" is not in the matrix (known: ${known(policy.classifications)})`,
    });
  if (r.sink.ttl !== undefined && durationSeconds(r.sink.ttl) === null)
    out.push({
      code: 'RESIDENCY_INVALID_SINK_TTL',
      rule: null,
      field: null,
      message: `sink ttl "${r.sink.ttl}" is not an ISO 8601 duration`,
    });
  return out;
}

/** A deny decision for input that cannot be evaluated (unknown names, an unavailable contract). */
export function denyCore(policy: CompiledPolicy, input: EvaluationInput, reasons: Reason[]): DecisionCore {
  const { explanation, remedies } = explainDeniedInput(policy, input, reasons);
  return {
    decision: 'deny',
    enforced: true,
    policy: { version: policy.version, digest: policy.digest },
    fields: input.fields.map((f) => ({ name: f.name, verdict: 'deny', rule: null })),
    reasons,
    explanation,
    remedies,
    obligations: [],
    valid_until: null,
  };
}

const shadowOf = (s: SetResult): ShadowOutcome => ({
  decision: s.decision,
  fields: s.fields,
  reasons: s.reasons,
});

/**
 * Global shadow mode, and a field carries a tag the matrix does not know: an enforced deny, as for any
 * unknown name. The fields with unknown tags are denied; `shadow` still says what the rules would answer.
 */
function unknownTagDeny(
  policy: CompiledPolicy,
  input: EvaluationInput,
  would: SetResult,
  reasons: Reason[],
): DecisionCore {
  const unknown = new Set(reasons.map((x) => x.field));
  const words = explainDeniedInput(policy, input, reasons);
  return {
    decision: 'deny',
    enforced: true,
    policy: { version: policy.version, digest: policy.digest },
    fields: input.fields.map((f) => ({
      name: f.name,
      verdict: unknown.has(f.name) ? ('deny' as const) : ('allow' as const),
      rule: null,
    })),
    reasons: [
      ...reasons,
      {
        code: 'RESIDENCY_SHADOW_MODE',
        rule: null,
        field: null,
        message: `the matrix is in shadow mode, but unknown tags are always denied; enforcing the rules would have answered ${would.decision}`,
      },
    ],
    explanation: `${words.explanation} The matrix is in shadow mode: only the rules are not enforced.`,
    remedies: words.remedies,
    obligations: [],
    shadow: shadowOf(would),
    valid_until: null,
  };
}

/**
 * Decides one route. Pure: the same input, policy and clock give the same decision. Unknown names
 * (regions, sinks, purposes, classifications, tags) are denied, enforced even in shadow mode: shadow covers
 * only what the rules decide. Otherwise deny beats obligations beats allow per field.
 */
export function evaluate(
  policy: CompiledPolicy,
  input: EvaluationInput,
  nowMs: number = Date.now(),
): DecisionCore {
  return evaluateEntry(policy, input, nowMs).core as DecisionCore;
}

/**
 * `evaluate`, answering with the memo entry that holds the decision, so a caller can keep what it derives
 * from the input there. An input that is not memoized gets an entry of its own, kept nowhere.
 */
export function evaluateEntry(policy: CompiledPolicy, input: EvaluationInput, nowMs: number): MemoEntry {
  const r = input.route;
  // Separators keep the key short; as a dataset, a ttl or a registry's field name may contain them, a hit
  // is taken only when the input's parts equal the ones the entry was made from (so no two inputs share one).
  let key = `${r.source.region}\u0000${r.sink.id}\u0000${r.sink.region}\u0000${r.sink.ttl ?? ''}\u0000${r.purpose}\u0000${input.classification}\u0000${r.source.dataset}`;
  for (const f of input.fields)
    key += f.tags.length === 0 ? `\u0001${f.name}` : `\u0001${f.name}\u0002${f.tags.join('\u0002')}`;
  const hit = policy.memo.get(key);
  const current = hit !== undefined && hit.fromMs <= nowMs && nowMs < hit.untilMs;
  if (current && sameParts(hit.parts, input)) return hit;
  const core = evaluateUncached(policy, input, nowMs);
  // A different input with the same key: not memoized.
  if (current) return { core, fromMs: nowMs, untilMs: nowMs, parts: [] };
  if (policy.memo.size >= MEMO_LIMIT) policy.memo.clear();
  const [fromMs, untilMs] = boundaries(policy, input, nowMs);
  const entry: MemoEntry = { core: deepFreeze(core), fromMs, untilMs, parts: partsOf(input) };
  policy.memo.set(key, entry);
  return entry;
}

/** The input's strings and counts in key order (a copy: callers may reuse their input objects). */
function partsOf(input: EvaluationInput): Array<string | number | undefined> {
  const r = input.route;
  const parts: Array<string | number | undefined> = [
    r.source.region,
    r.sink.id,
    r.sink.region,
    r.sink.ttl,
    r.purpose,
    input.classification,
    r.source.dataset,
    input.fields.length,
  ];
  for (const f of input.fields) parts.push(f.name, f.tags.length, ...f.tags);
  return parts;
}

function sameParts(parts: ReadonlyArray<string | number | undefined>, input: EvaluationInput): boolean {
  const r = input.route;
  if (
    parts[0] !== r.source.region ||
    parts[1] !== r.sink.id ||
    parts[2] !== r.sink.region ||
    parts[3] !== r.sink.ttl ||
    parts[4] !== r.purpose ||
    parts[5] !== input.classification ||
    parts[6] !== r.source.dataset ||
    parts[7] !== input.fields.length
  )
    return false;
  let k = 8;
  for (const f of input.fields) {
    if (parts[k++] !== f.name || parts[k++] !== f.tags.length) return false;
    for (const t of f.tags) if (parts[k++] !== t) return false;
  }
  return true;
}

const MEMO_LIMIT = 100_000;

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * The span of time around `nowMs` in which no transfer mechanism the route could rely on expires: a
 * memoized decision holds within it, and only there (a clock set back, or a replay of a past decision,
 * asks about another span).
 */
function boundaries(policy: CompiledPolicy, input: EvaluationInput, nowMs: number): [number, number] {
  const r = input.route;
  const table = policy.routes.get(routeKey(r.source.region, r.sink.id, r.purpose, input.classification));
  let from = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  for (const m of table?.mechanisms ?? []) {
    if (m.expiresMs === null) continue;
    // A mechanism is valid through expiresMs: decisions change at expiresMs + 1.
    const change = m.expiresMs + 1;
    if (change > nowMs && change < until) until = change;
    if (change <= nowMs && change > from) from = change;
  }
  return [from, until];
}

/** `evaluate` without the memo (benchmarks and tests use it to measure and check the tables themselves). */
export function evaluateUncached(
  policy: CompiledPolicy,
  input: EvaluationInput,
  nowMs: number = Date.now(),
): DecisionCore {
  const r = input.route;
  const table = policy.routes.get(routeKey(r.source.region, r.sink.id, r.purpose, input.classification));
  if (
    table === undefined ||
    table.sinkRegion !== r.sink.region ||
    (r.sink.ttl !== undefined && durationSeconds(r.sink.ttl) === null)
  ) {
    const reasons = unknowns(policy, input);
    return denyCore(
      policy,
      input,
      reasons.length > 0
        ? reasons
        : [
            {
              code: 'RESIDENCY_NO_MATCHING_RULE',
              rule: null,
              field: null,
              message: 'no route table for this input',
            },
          ],
    );
  }
  const declared = r.sink.ttl === undefined ? null : (durationSeconds(r.sink.ttl) as number);
  const ttl =
    declared !== null && declared > table.sinkTtlSeconds
      ? { seconds: declared, text: r.sink.ttl as string }
      : { seconds: table.sinkTtlSeconds, text: table.sinkTtlText };
  const policyRef = { version: policy.version, digest: policy.digest };

  if (policy.mode === 'shadow') {
    const would = evaluateSet(table, table.withShadow ?? table.enforced, input, ttl, nowMs);
    // Unknown tags are unknown names: denied and enforced in shadow mode too. Shadow covers only the rules.
    const unknownTag = would.reasons.filter((x) => x.code === 'RESIDENCY_UNKNOWN_TAG');
    if (unknownTag.length > 0) return unknownTagDeny(policy, input, would, unknownTag);
    const fields = input.fields.map((f) => ({ name: f.name, verdict: 'allow' as const, rule: null }));
    const reasons: Reason[] = [
      {
        code: 'RESIDENCY_SHADOW_MODE',
        rule: null,
        field: null,
        message: `the matrix is in shadow mode: its rules are not enforced; enforcing them would have answered ${would.decision}`,
      },
    ];
    const words = explainOutcome(policy, table, input, would, { shadow: 'global' });
    return {
      decision: 'allow',
      enforced: false,
      policy: policyRef,
      fields,
      reasons,
      explanation: words.explanation,
      remedies: words.remedies,
      obligations: [],
      shadow: shadowOf(would),
      valid_until: null,
    };
  }
  const result = evaluateSet(table, table.enforced, input, ttl, nowMs);
  const words = explainOutcome(policy, table, input, result, {});
  const core: DecisionCore = {
    decision: result.decision,
    enforced: true,
    policy: policyRef,
    fields: result.fields,
    reasons: result.reasons,
    explanation: words.explanation,
    remedies: words.remedies,
    obligations: result.obligations,
    valid_until: result.mechanism?.expires ?? null,
  };
  if (table.withShadow !== null) {
    const would = evaluateSet(table, table.withShadow, input, ttl, nowMs);
    const shadowRules = new Set(policy.matrix.rules.filter((x) => x.shadow === true).map((x) => x.id));
    const involved =
      would.detail.some((d) => d.rule !== null && shadowRules.has(d.rule)) ||
      would.decision !== result.decision;
    if (involved) {
      // The answer is still the enforced rules' answer (so `enforced` stays true); `shadow` says what
      // enforcing the shadow rules too would have answered.
      core.shadow = shadowOf(would);
      const ids = [
        ...new Set(
          would.detail.map((d) => d.rule).filter((x): x is string => x !== null && shadowRules.has(x)),
        ),
      ];
      core.reasons = [
        ...core.reasons,
        {
          code: 'RESIDENCY_SHADOW_RULE',
          rule: ids[0] ?? null,
          field: null,
          message: `shadow rule(s) ${ids.join(', ') || '(none)'} matched; enforcing them would answer ${would.decision}`,
        },
      ];
    }
  }
  return core;
}
