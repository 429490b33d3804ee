import type { SinkSpec } from '../routes-file/routes-model.ts';
import { durationSeconds, shorterDuration } from '@data-spine/contracts';
import type { RetentionCap } from '../sinks/sink-op.ts';
import type { Decision } from './gate-client.ts';

/** What a decision asks of a whole route, beyond the per-field verdicts; or why the route cannot do it. */
export type RouteObligations = { ok: true; retention: RetentionCap | null } | { ok: false; message: string };

/** Obligations the verdicts already carry (mask, hash, drop) or that the gate itself checked. */
const FIELD_OR_CHECKED = new Set(['mask', 'hash', 'drop', 'transfer_mechanism']);

/**
 * Reads a decision's obligations for a sink. Field obligations are applied by `governRow` from the verdicts;
 * a transfer mechanism was verified by the gate; a retention cap is kept with the rows, and only a Postgres
 * sink can keep it (its expiry sweeps by it). Anything else is an obligation the router cannot fulfil, so
 * the route may not carry the data (deny by default): the caller dead-letters the rows.
 */
export function routeObligations(decision: Decision, sink: SinkSpec): RouteObligations {
  let retention: RetentionCap | null = null;
  for (const o of decision.obligations) {
    if (FIELD_OR_CHECKED.has(o.type)) continue;
    if (o.type === 'cap_retention') {
      if (!o.ttl || durationSeconds(o.ttl) === null)
        return { ok: false, message: `a cap_retention obligation without a valid ttl (${o.ttl ?? 'none'})` };
      if (sink.type !== 'postgres')
        return {
          ok: false,
          message: `the decision caps retention at ${o.ttl} (rule ${o.rule ?? '?'}); ${sink.type} sink ${sink.id} cannot expire rows by table`,
        };
      // Several caps: the shortest holds.
      if (retention === null || shorterDuration(o.ttl, retention.ttl) !== retention.ttl)
        retention = { ttl: o.ttl, rule: o.rule ?? 'unnamed' };
      continue;
    }
    return {
      ok: false,
      message: `the decision carries a ${o.type} obligation${o.rule ? ` (rule ${o.rule})` : ''}, which the router does not know how to fulfil`,
    };
  }
  return { ok: true, retention };
}
