import { denyCore, evaluate } from '@data-spine/residency-gate';
import type { CompiledPolicy, DecisionRequest, DecisionResponse } from '@data-spine/residency-gate';
import { UsageError } from '../cli-config.ts';
import { contractNames, localContract } from '../gate-contracts.ts';
import { printRouteLine } from '../gate-print.ts';
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

/** The request for one table on one route: fields from the local contract, else a registry subject. */
async function requestFor(t: TableRoute, contractsDir: string): Promise<DecisionRequest> {
  const contract = await localContract(contractsDir, contractNames(t.source, t.table));
  const route = {
    source: { dataset: dataset(t), region: t.source.region },
    sink: { id: t.sink.id, region: t.sink.region, ...(t.sink.ttl ? { ttl: t.sink.ttl } : {}) },
    purpose: t.purpose,
  };
  if (!contract)
    return { route, subject: subject(t), ...(t.classification ? { classification: t.classification } : {}) };
  // A route that selects columns is decided on those it carries (list the key columns too: they travel).
  const selected = t.columns ? new Set(t.columns) : undefined;
  return {
    route,
    classification: t.classification ?? contract.classification ?? '(none in the contract)',
    fields: selected ? contract.fields.filter((f) => selected.has(f.name)) : contract.fields,
  };
}

/** `spine gate check`: every table of every route, decided; exit 1 if any is denied. */
export async function gateCheck(o: CheckOptions): Promise<number> {
  const file = await readRoutesFile(o.routesFile);
  const routes = tableRoutes(file, o.routesFile);
  if (routes.length === 0) throw new UsageError(`${o.routesFile} declares no route with a table`);
  const requests = await Promise.all(routes.map((t) => requestFor(t, o.contractsDir)));
  let decisions: Decided[];
  if (o.gate) {
    const res = await callGate(o.gate, 'POST', '/v1/decisions:batch', { decisions: requests });
    if (res.status !== 200)
      throw new UsageError(`the gate refused the batch (${res.status}): ${res.text.slice(0, 500)}`);
    decisions = (JSON.parse(res.text) as { decisions: Decided[] }).decisions;
  } else {
    const policy = o.policy as CompiledPolicy;
    decisions = requests.map((r) =>
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
  const denied = decisions.filter((d) => d.decision === 'deny').length;
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
      `${denied === 0 ? 'ok' : 'FAILED'}: ${routes.length} route(s) checked, ${denied} denied${p ? `; policy ${p.version} (${p.digest.slice(0, 19)}...)` : ''}`,
    );
  }
  return denied === 0 ? 0 : 1;
}
