import type { Reason } from '../contract/decision-contract.ts';
import type { CompiledPolicy, RouteTable } from './compile-policy.ts';
import type { EvaluationInput, SetResult } from './evaluate.ts';

const MAX_NAMED = 6;

function list(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMED);
  const more = names.length - shown.length;
  const head =
    shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : head;
}

function routeWords(t: RouteTable, input: EvaluationInput): string {
  return `${input.route.source.dataset} (${t.sourceRegion}, ${t.sourceJurisdiction}) -> ${t.sinkId} (${t.sinkRegion}, ${t.sinkJurisdiction}) for ${t.purpose}, classified ${t.classification}`;
}

const VERB = { mask: 'masked', hash: 'replaced by a keyed hash', drop: 'dropped' } as const;

/** The paragraph and the remedies for an evaluated route. */
export function explainOutcome(
  _policy: CompiledPolicy,
  t: RouteTable,
  input: EvaluationInput,
  r: SetResult,
  options: { shadow?: 'global' },
): { explanation: string; remedies: string[] } {
  const parts: string[] = [];
  const remedies: string[] = [];
  const label =
    r.decision === 'deny' ? 'Denied' : r.decision === 'allow' ? 'Allowed' : 'Allowed with obligations';
  parts.push(
    `${options.shadow ? `Shadow mode (not enforced); enforcement would answer: ${label}` : label}: ${routeWords(t, input)}.`,
  );
  const by = (pred: (d: SetResult['detail'][number]) => boolean) => r.detail.filter(pred).map((d) => d.name);

  if (r.decision === 'deny') {
    const groups = new Map<string, string[]>();
    for (const d of r.detail) {
      if (d.verdict !== 'deny') continue;
      const key = `${d.code}\u0000${d.rule ?? ''}\u0000${d.outcome.unknownTag ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), d.name]);
    }
    for (const [key, names] of groups) {
      const [code, rule, tag] = key.split('\u0000') as [string, string, string];
      const who = list(names);
      const drop = `or if ${who} ${names.length > 1 ? 'are' : 'is'} dropped from the route`;
      switch (code) {
        case 'RESIDENCY_TRANSFER_MECHANISM_MISSING':
          parts.push(
            `${who} may leave ${t.sourceJurisdiction} only under adequacy or a transfer mechanism (rule ${rule}), and none covers ${t.sourceJurisdiction} -> ${t.sinkJurisdiction}${t.recipient ? ` for recipient ${t.recipient}` : ''}.`,
          );
          remedies.push(
            `allowed if ${t.sinkId}${t.recipient ? ` (recipient ${t.recipient})` : ''} gets an SCC or BCR covering ${t.sourceJurisdiction} -> ${t.sinkJurisdiction}${t.sinkJurisdiction === 'US' && t.sourceJurisdiction === 'EEA' ? ', or a DPF certification' : ''}, ${drop}`,
          );
          break;
        case 'RESIDENCY_TRANSFER_MECHANISM_EXPIRED': {
          const exp = r.mechanismProblem?.expired;
          parts.push(
            `${who} relied on ${exp?.id ?? 'a transfer mechanism'}, which expired on ${exp?.expires ?? '?'} (rule ${rule}).`,
          );
          remedies.push(
            `allowed if ${exp?.id ?? 'the transfer mechanism'} is renewed in the matrix, ${drop}`,
          );
          break;
        }
        case 'RESIDENCY_DENIED_BY_RULE':
          parts.push(
            `${who} ${names.length > 1 ? 'are' : 'is'} denied by rule ${rule}, and deny wins over every obligation and allow.`,
          );
          remedies.push(
            `allowed if ${who} ${names.length > 1 ? 'are' : 'is'} dropped from the route (rule ${rule} forbids ${names.length > 1 ? 'them' : 'it'} here)`,
          );
          break;
        case 'RESIDENCY_NO_MATCHING_RULE':
          parts.push(
            `No rule covers ${who} on this route, so ${names.length > 1 ? 'they are' : 'it is'} denied by default.`,
          );
          remedies.push(
            `add a rule to the matrix for ${t.classification} data${names.length === 1 && r.detail.find((d) => d.name === names[0])?.outcome.tags.length ? ` tagged ${r.detail.find((d) => d.name === names[0])?.outcome.tags.join(', ')}` : ''} from ${t.sourceJurisdiction} to ${t.sinkJurisdiction} for ${t.purpose}, ${drop.slice(3)}`,
          );
          break;
        case 'RESIDENCY_UNKNOWN_TAG':
          parts.push(
            `${who} ${names.length > 1 ? 'carry' : 'carries'} the tag "${tag}", which the matrix does not know; unknown tags are denied.`,
          );
          remedies.push(
            `declare tag "${tag}" in the matrix (tags:), or correct the contract's tags of ${who}`,
          );
          break;
        case 'RESIDENCY_RETENTION_EXCEEDED': {
          const d = r.detail.find((x) => x.name === names[0]);
          parts.push(
            `${t.sinkId} keeps data for ${r.effectiveTtl.text}, longer than ${d?.outcome.maxRetentionText ?? '?'} allowed for ${who} by ${d?.outcome.maxRetentionFrom ?? 'the matrix'}.`,
          );
          remedies.push(
            `allowed if ${t.sinkId} keeps the data at most ${d?.outcome.maxRetentionText ?? '?'} (its retention is ${r.effectiveTtl.text}), or a rule caps retention to that, ${drop}`,
          );
          break;
        }
        default:
          parts.push(`${who}: ${code}.`);
      }
    }
  } else {
    for (const action of ['hash', 'mask', 'drop'] as const) {
      const names = by((d) => d.verdict === action);
      if (names.length > 0)
        parts.push(
          `${list(names)} must be ${VERB[action]} before ${t.sinkId} receives ${names.length > 1 ? 'them' : 'it'}.`,
        );
    }
    if (r.mechanism)
      parts.push(
        `The transfer ${t.sourceJurisdiction} -> ${t.sinkJurisdiction} relies on ${r.mechanism.kind} ${r.mechanism.id}${r.mechanism.expires ? `, valid until ${r.mechanism.expires}` : ''}.`,
      );
    if (r.effectiveTtl.cappedBy)
      parts.push(
        `${t.sinkId} may keep the data at most ${r.effectiveTtl.text} (rule ${r.effectiveTtl.cappedBy}).`,
      );
    if (r.decision === 'allow') {
      const rules = [...new Set(r.detail.map((d) => d.rule).filter((x) => x !== null))];
      parts.push(`Every field is allowed as is (rule${rules.length > 1 ? 's' : ''} ${rules.join(', ')}).`);
    }
  }
  return { explanation: parts.join(' '), remedies };
}

/** Words for input the matrix cannot evaluate: which names are unknown, and what would fix them. */
export function explainDeniedInput(
  _policy: CompiledPolicy,
  input: EvaluationInput,
  reasons: readonly Reason[],
): { explanation: string; remedies: string[] } {
  const r = input.route;
  const head = `Denied: ${r.source.dataset} (${r.source.region}) -> ${r.sink.id} (${r.sink.region}) for ${r.purpose}, classified ${input.classification}, cannot be evaluated: `;
  const remedies = reasons.map((x) => {
    switch (x.code) {
      case 'RESIDENCY_CONTRACT_UNAVAILABLE':
        return 'retry when the schema registry answers, or send the fields and tags in the request';
      case 'RESIDENCY_CONTRACT_NOT_FOUND':
        return 'register the contract in the schema registry, or send the fields and tags in the request';
      case 'RESIDENCY_SINK_REGION_MISMATCH':
        return 'send the region the matrix gives the sink, or correct the matrix';
      default:
        return `use a name the matrix knows, or add it to the matrix (${x.message})`;
    }
  });
  return {
    explanation: `${head}${reasons.map((x) => x.message).join('; ')}. Anything unknown is denied.`,
    remedies: [...new Set(remedies)],
  };
}
