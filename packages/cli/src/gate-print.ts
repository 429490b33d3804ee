import type { DecisionResponse } from '@data-spine/residency-gate';

type Shown = Omit<DecisionResponse, 'decision_id'> & { decision_id?: string };

const LABEL = { deny: 'DENY ', allow: 'ALLOW', allow_with_obligations: 'OBLIG' } as const;

/** Denied, or would be once shadow rules (or a matrix in shadow mode) are enforced: CI blocks both. */
export const wouldDeny = (d: Shown): boolean => d.decision === 'deny' || d.shadow?.decision === 'deny';

/** One line per route, then what stops or conditions it; `DENY (shadow)` when only enforcement would deny. */
export function printRouteLine(title: string, d: Shown): void {
  const shadowDeny = d.decision !== 'deny' && d.shadow?.decision === 'deny';
  const label = shadowDeny ? 'DENY (shadow)' : LABEL[d.decision];
  console.log(`${label} ${title}${d.enforced || shadowDeny ? '' : ' (shadow: not enforced)'}`);
  const reasons = shadowDeny ? (d.shadow?.reasons ?? []) : d.reasons;
  for (const r of reasons) {
    if (d.decision === 'allow' && r.code === 'RESIDENCY_ALLOWED') continue;
    console.log(`        ${r.code.padEnd(38)} ${r.message}`);
  }
  if (d.decision === 'deny' || shadowDeny) for (const m of d.remedies) console.log(`        remedy: ${m}`);
}

/** A decision for a person: the paragraph, each field, the reasons and the remedies. */
export function printExplanation(d: Shown): void {
  console.log(
    `${d.decision.toUpperCase()}${d.enforced ? '' : ' (shadow mode: not enforced)'}  policy ${d.policy.version} (${d.policy.digest.slice(0, 19)}...)`,
  );
  console.log('');
  console.log(d.explanation);
  console.log('');
  if (d.fields.length > 0) {
    console.log('fields:');
    for (const f of d.fields)
      console.log(`  ${f.name.padEnd(24)} ${f.verdict.padEnd(6)} ${f.rule ?? '(no rule)'}`);
  }
  console.log('reasons:');
  for (const r of d.reasons) console.log(`  ${r.code.padEnd(38)} ${r.message}`);
  if (d.remedies.length > 0) {
    console.log('remedies:');
    for (const m of d.remedies) console.log(`  - ${m}`);
  }
  if (d.shadow) console.log(`shadow: enforcement would answer ${d.shadow.decision}`);
}
