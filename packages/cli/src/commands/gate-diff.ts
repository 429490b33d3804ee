import { readFile } from 'node:fs/promises';
import { evaluate } from '@data-spine/residency-gate';
import type { CompiledPolicy, EvaluationInput } from '@data-spine/residency-gate';
import { UsageError } from '../cli-config.ts';
import { callGate } from '../gate-target.ts';
import type { GateTarget } from '../gate-target.ts';

interface LoggedDecision {
  type: string;
  seq: number;
  timestamp?: string;
  input_hash: string;
  input: EvaluationInput & { subject?: string };
  result: { decision: string; fields: Array<{ name: string; verdict: string }>; reason_codes: string[] };
  bundles?: { residency?: { revision?: string } };
}

export interface Change {
  seq: number;
  count: number;
  route: string;
  before: string;
  after: string;
  fields: string[];
}

/**
 * Replays logged decisions against a candidate matrix, each at the time it was decided, so what changed
 * is the matrix's doing, not time's (a transfer mechanism that expired since would otherwise show as a
 * change). Records with the same input, logged answer and candidate answer count as one, with how often
 * they were seen; the candidate's memo answers repeated inputs within a span between expiries.
 */
export function diffDecisions(
  records: readonly LoggedDecision[],
  candidate: CompiledPolicy,
): { replayed: number; skipped: number; changes: Change[] } {
  const seen = new Map<string, Change | null>();
  let skipped = 0;
  for (const r of records) {
    if (r.type !== 'decision') continue;
    // A decision without its contract (registry down) says nothing about the matrix.
    if (r.result.reason_codes.some((c) => c.startsWith('RESIDENCY_CONTRACT_'))) {
      skipped++;
      continue;
    }
    const decidedAt = r.timestamp === undefined ? Number.NaN : Date.parse(r.timestamp);
    const d = evaluate(
      candidate,
      { route: r.input.route, classification: r.input.classification, fields: r.input.fields },
      Number.isNaN(decidedAt) ? Date.now() : decidedAt,
    );
    const before = new Map(r.result.fields.map((f) => [f.name, f.verdict]));
    const fields = d.fields
      .filter((f) => before.get(f.name) !== f.verdict)
      .map((f) => `${f.name}: ${before.get(f.name) ?? '?'} -> ${f.verdict}`);
    const key = `${r.input_hash}\u0000${r.result.decision}\u0000${JSON.stringify(r.result.fields)}\u0000${d.decision}\u0000${fields.join('\u0001')}`;
    const known = seen.get(key);
    if (known !== undefined) {
      if (known) known.count++;
      continue;
    }
    if (d.decision === r.result.decision && fields.length === 0) {
      seen.set(key, null);
      continue;
    }
    const route = `${r.input.route.source.dataset} (${r.input.route.source.region}) -> ${r.input.route.sink.id} (${r.input.route.purpose})`;
    seen.set(key, { seq: r.seq, count: 1, route, before: r.result.decision, after: d.decision, fields });
  }
  return { replayed: seen.size, skipped, changes: [...seen.values()].filter((c): c is Change => c !== null) };
}

/** Logged decisions: from an exported file, or the gate's last `tail` records. */
export async function loggedDecisions(
  file: string | undefined,
  gate: GateTarget | null,
  tail: number,
): Promise<LoggedDecision[]> {
  let text: string;
  if (file) {
    text = await readFile(file, 'utf8').catch((err: Error) => {
      throw new UsageError(`cannot read ${file}: ${err.message}`);
    });
  } else {
    if (!gate) throw new UsageError('spine gate diff: pass --audit FILE or --gate URL (or run a spine)');
    const res = await callGate(gate, 'GET', `/v1/audit?tail=${tail}`);
    if (res.status !== 200)
      throw new UsageError(`the gate refused the audit export (${res.status}): ${res.text.slice(0, 300)}`);
    text = res.text;
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LoggedDecision)
    .filter((r) => r.type === 'decision');
}

export function printDiff(
  result: ReturnType<typeof diffDecisions>,
  candidate: CompiledPolicy,
  json: boolean,
): number {
  if (json)
    console.log(
      JSON.stringify(
        { candidate: { version: candidate.version, digest: candidate.digest }, ...result },
        null,
        2,
      ),
    );
  else {
    for (const c of result.changes) {
      console.log(
        `CHANGE ${c.before} -> ${c.after}  ${c.route}  (seq ${c.seq}${c.count > 1 ? `, ${c.count} decisions` : ''})`,
      );
      for (const f of c.fields) console.log(`        ${f}`);
    }
    console.log(
      `${result.changes.length} of ${result.replayed} distinct logged decision(s) would change under ${candidate.version} (${result.skipped} skipped: no contract at the time)`,
    );
  }
  return result.changes.length === 0 ? 0 : 1;
}
