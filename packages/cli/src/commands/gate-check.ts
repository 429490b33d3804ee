import { denyCore, evaluate } from '@data-spine/residency-gate';
import type { CompiledPolicy, DecisionRequest, DecisionResponse } from '@data-spine/residency-gate';
import { UsageError } from '../cli-config.ts';
import { contractNames, localContract, selectedBy } from '../gate-contracts.ts';
import { printRouteLine, wouldDeny } from '../gate-print.ts';
import { readRoutesFile, tableRoutes } from '../gate-routes-file.ts';
import type { TableRoute } from '../gate-routes-file.ts';
import { callGate } from '../gate-target.ts';
import type { GateTarget } from '../gate-target.ts';

export interface CheckOptions {
  routesFile: string;
  contractsDir: string;
  /** Evaluate in process with this matrix, or ask this gate. */
  policy: CompiledPolicy | null;
  gate: GateTarget | null;
  json: boolean;
}

type Decided = Omit<DecisionResponse, 'decision_id'> & { decision_id?: string };

const dataset = (t: TableRoute) => `postgres://${t.source.id}/${t.source.database ?? t.source.id}.${t.table}`;
const subject = (t: TableRoute) => `${t.source.topicPrefix ?? t.source.id}.${t.table}-value`;

/**
 * The request for one table on one route (fields from the local contract, else a registry subject), or
 * why the local contract cannot be read.
 */
async function requestFor(
  t: TableRoute,
  contractsDir: string,
): Promise<DecisionRequest | { unreadable: string }> {
  const contract = await localContract(contractsDir, contractNames(t.source, t.table));
  const route = {
    source: { dataset: dataset(t), region: t.source.region },
    sink: { id: t.sink.id, region: t.sink.region, ...(t.sink.ttl ? { ttl: t.sink.ttl } : {}) },
    purpose: t.purpose,
  };
  if (!contract)
    return { route, subject: subject(t), ...(t.classification ? { classification: t.classification } : {}) };
  if (contract.unreadable !== null)
    return { unreadable: `the contract ${contract.file} cannot be read: ${contract.unreadable}` };
  // A route that selects columns is decided on those it carries (list the key columns too: they travel).
  const selected = t.columns ? new Set(t.columns) : undefined;
  return {
    route,
    classification: t.classification ?? contract.classification ?? '(none in the contract)',
    fields: selected ? contract.fields.filter((f) => selectedBy(selected, f.name)) : contract.fields,
  };
}

/** The deny for a table whose local contract cannot be read: nothing in it can be decided. */
function unreadableDeny(message: string, policy: Decided['policy']): Decided {
  return {
    decision: 'deny',
    enforced: true,
    policy,
    fields: [],
    reasons: [{ code: 'RESIDENCY_CONTRACT_UNREADABLE', rule: null, field: null, message }],
    explanation: `Denied: ${message}. A contract that cannot be read for fields and tags is denied.`,
    remedies: ['fix the contract so that it declares its fields (and their tags)'],
  };
}

/** `spine gate check`: every table of every route, decided; exit 1 if any is denied, now or in shadow. */
export async function gateCheck(o: CheckOptions): Promise<number> {
  const file = await readRoutesFile(o.routesFile);
  const routes = tableRoutes(file, o.routesFile);
  if (routes.length === 0) throw new UsageError(`${o.routesFile} declares no route with a table`);
  const prepared = await Promise.all(routes.map((t) => requestFor(t, o.contractsDir)));
  const requests = prepared.filter((r): r is DecisionRequest => !('unreadable' in r));
  let decided: Decided[];
  if (o.gate) {
    const res = await callGate(o.gate, 'POST', '/v1/decisions:batch', { decisions: requests });
    if (res.status !== 200)
      throw new UsageError(`the gate refused the batch (${res.status}): ${res.text.slice(0, 500)}`);
    decided = (JSON.parse(res.text) as { decisions: Decided[] }).decisions;
  } else {
    const policy = o.policy as CompiledPolicy;
    decided = requests.map((r) =>
      r.fields === undefined || r.classification === undefined
        ? denyCore(policy, { route: r.route, classification: r.classification ?? '(unknown)', fields: [] }, [
            {
              code: 'RESIDENCY_CONTRACT_NOT_FOUND',
              rule: null,
              field: null,
              message: `no contract for ${r.subject ?? '?'} in ${o.contractsDir} (pass --gate to look it up in the registry)`,
            },
          ])
        : evaluate(policy, { route: r.route, classification: r.classification, fields: r.fields }),
    );
  }
  const policyRef =
    decided[0]?.policy ??
    (o.policy
      ? { version: o.policy.version, digest: o.policy.digest }
      : { version: '(unknown)', digest: '' });
  let next = 0;
  const decisions = prepared.map((r) =>
    'unreadable' in r ? unreadableDeny(r.unreadable, policyRef) : (decided[next++] as Decided),
  );
  // A route a shadow rule (or a matrix in shadow mode) would deny fails too: CI blocks what enforcement would.
  const denied = decisions.filter(wouldDeny).length;
  const shadowDenied = decisions.filter((d) => d.decision !== 'deny' && wouldDeny(d)).length;
  if (o.json) {
    console.log(
      JSON.stringify(
        {
          routes: routes.map((t, i) => ({
            source: t.source.id,
            table: t.table,
            sink: t.sink.id,
            purpose: t.purpose,
            ...decisions[i],
          })),
          denied,
          shadow_denied: shadowDenied,
        },
        null,
        2,
      ),
    );
  } else {
    routes.forEach((t, i) =>
      printRouteLine(`${t.source.id} ${t.table} -> ${t.sink.id} (${t.purpose})`, decisions[i] as Decided),
    );
    const p = decisions[0]?.policy;
    console.log(
      `${denied === 0 ? 'ok' : 'FAILED'}: ${routes.length} route(s) checked, ${denied} denied${shadowDenied > 0 ? ` (${shadowDenied} only once shadow rules are enforced)` : ''}${p ? `; policy ${p.version} (${p.digest.slice(0, 19)}...)` : ''}`,
    );
  }
  return denied === 0 ? 0 : 1;
}
