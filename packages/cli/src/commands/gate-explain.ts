import { evaluate } from '@data-spine/residency-gate';
import type { CompiledPolicy, DecisionRequest, DecisionResponse } from '@data-spine/residency-gate';
import { UsageError } from '../cli-config.ts';
import { contractNames, localContract } from '../gate-contracts.ts';
import { printExplanation } from '../gate-print.ts';
import { readRoutesFile, tableRoutes } from '../gate-routes-file.ts';
import { callGate } from '../gate-target.ts';
import type { GateTarget } from '../gate-target.ts';

export interface ExplainFlags {
  dataset?: string | undefined;
  'source-region'?: string | undefined;
  sink?: string | undefined;
  'sink-region'?: string | undefined;
  purpose?: string | undefined;
  classification?: string | undefined;
  field?: string[] | undefined;
  subject?: string | undefined;
}

/** `--field email:pii,pci` (tags after the colon). */
const parseField = (spec: string) => {
  const [name, tags] = spec.split(':', 2) as [string, string | undefined];
  if (!name) throw new UsageError(`--field ${spec}: a name is required (name[:tag,tag])`);
  return { name, tags: tags ? tags.split(',').filter(Boolean) : [] };
};

/** Builds the request from `<table> <sink>` and the routes file, or from flags. */
export async function explainRequest(
  positionals: readonly string[],
  flags: ExplainFlags,
  routesFile: string,
  contractsDir: string,
  policy: CompiledPolicy | null,
): Promise<DecisionRequest> {
  if (positionals.length === 2) {
    const [table, sink] = positionals as [string, string];
    const file = await readRoutesFile(routesFile);
    const t = tableRoutes(file, routesFile).find(
      (r) => r.table === table && r.sink.id === sink && (!flags.purpose || r.purpose === flags.purpose),
    );
    if (!t) throw new UsageError(`${routesFile} has no route of ${table} to ${sink}`);
    const contract = await localContract(contractsDir, contractNames(t.source, table));
    const route = {
      source: {
        dataset: `postgres://${t.source.id}/${t.source.database ?? t.source.id}.${table}`,
        region: t.source.region,
      },
      sink: { id: sink, region: t.sink.region, ...(t.sink.ttl ? { ttl: t.sink.ttl } : {}) },
      purpose: t.purpose,
    };
    if (!contract) return { route, subject: `${t.source.topicPrefix ?? t.source.id}.${table}-value` };
    if (contract.unreadable !== null)
      throw new UsageError(`the contract ${contract.file} cannot be read: ${contract.unreadable}`);
    return {
      route,
      classification: flags.classification ?? t.classification ?? contract.classification ?? '(none)',
      fields: contract.fields,
    };
  }
  if (positionals.length !== 0)
    throw new UsageError('spine gate explain: give <table> <sink>, or the route as flags');
  const need = (k: keyof ExplainFlags) => {
    const v = flags[k];
    if (typeof v !== 'string' || v === '') throw new UsageError(`spine gate explain: --${k} is required`);
    return v;
  };
  const sink = need('sink');
  const sinkRegion = flags['sink-region'] ?? policy?.sinks.get(sink)?.region;
  if (!sinkRegion)
    throw new UsageError(
      'spine gate explain: --sink-region is required (the sink is not in the local matrix)',
    );
  const route = {
    source: { dataset: flags.dataset ?? 'cli', region: need('source-region') },
    sink: { id: sink, region: sinkRegion },
    purpose: need('purpose'),
  };
  if (flags.subject && !flags.field)
    return {
      route,
      subject: flags.subject,
      ...(flags.classification ? { classification: flags.classification } : {}),
    };
  return { route, classification: need('classification'), fields: (flags.field ?? []).map(parseField) };
}

/** `spine gate explain`: one decision, for a person. Exit 0 allowed, 1 denied. */
export async function gateExplain(
  req: DecisionRequest,
  policy: CompiledPolicy | null,
  gate: GateTarget | null,
  json: boolean,
): Promise<number> {
  let d: Omit<DecisionResponse, 'decision_id'>;
  if (gate) {
    const res = await callGate(gate, 'POST', '/v1/decisions', req);
    if (res.status !== 200)
      throw new UsageError(`the gate refused the request (${res.status}): ${res.text.slice(0, 500)}`);
    d = JSON.parse(res.text) as DecisionResponse;
  } else {
    if (!req.fields || !req.classification)
      throw new UsageError(
        'without --gate, give the fields (a local contract or --field) and --classification',
      );
    d = evaluate(policy as CompiledPolicy, {
      route: req.route,
      classification: req.classification,
      fields: req.fields,
    });
  }
  if (json) console.log(JSON.stringify(d, null, 2));
  else printExplanation(d);
  return d.decision === 'deny' ? 1 : 0;
}
