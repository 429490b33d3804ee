import { randomUUID } from 'node:crypto';
import type { Logger } from '@data-spine/service-kit';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { DecisionRequest, DecisionResponse, FieldInput } from '../contract/decision-contract.ts';
import { DECISION_PATH, sha256 } from '../audit/audit-record.ts';
import { canonicalAuditInput } from '../audit/record-json.ts';
import type { AuditEntry } from '../audit/audit-record.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { AuditUnavailableError } from '../audit/audit-log.ts';
import type { ContractLookup, LookupResult } from '../contracts-lookup/contract-lookup.ts';
import { denyCore, evaluate } from '../evaluator/evaluate.ts';
import type { DecisionCore, EvaluationInput } from '../evaluator/evaluate.ts';
import type { CompiledPolicy } from '../evaluator/compile-policy.ts';
import { canonicalize, canonicalizeFrozen } from '../jcs/canonical-json.ts';
import { METRICS } from '../metric-names.ts';
import { AuditUnavailable, NoPolicy } from '../errors.ts';
import type { PolicyManager } from '../policy/policy-manager.ts';

export interface DecisionContext {
  requestedBy: string;
  reqId: string;
}

export interface DecisionServiceOptions {
  policies: PolicyManager;
  contracts: ContractLookup;
  audit: AuditLog;
  log: Logger;
  registry?: Registry;
}

/** The audit record's view of a result: verdicts and codes, no prose. */
function auditResult(core: DecisionCore): AuditEntry['result'] {
  return {
    decision: core.decision,
    enforced: core.enforced,
    fields: core.fields.map((f) => ({ name: f.name, verdict: f.verdict, rule: f.rule })),
    reason_codes: core.reasons.map((r) => r.code),
    shadow_decision: core.shadow?.decision ?? null,
  };
}

/** Decides routes: resolves contracts, evaluates against one policy snapshot, appends audit, then answers. */
export class DecisionService {
  private readonly o: DecisionServiceOptions;
  private readonly decisions: Counter | undefined;
  private readonly reasons: Counter | undefined;
  private readonly shadow: Counter | undefined;
  private readonly seconds: Histogram | undefined;
  /** Memoized decisions are frozen and shared, so their result hashes and audit views are too. */
  private readonly resultHashes = new WeakMap<DecisionCore, string>();
  private readonly auditResults = new WeakMap<DecisionCore, AuditEntry['result']>();

  constructor(o: DecisionServiceOptions) {
    this.o = o;
    if (o.registry) {
      const registers = [o.registry];
      this.decisions = new Counter({
        name: METRICS.decisions,
        help: 'Decisions by outcome and whether enforced.',
        labelNames: ['outcome', 'enforced'],
        registers,
      });
      this.reasons = new Counter({
        name: METRICS.reasons,
        help: 'Reason codes given in decisions.',
        labelNames: ['code'],
        registers,
      });
      this.shadow = new Counter({
        name: METRICS.shadowDisagreements,
        help: 'Decisions where shadow evaluation disagreed with the enforced decision.',
        registers,
      });
      this.seconds = new Histogram({
        name: METRICS.evaluationSeconds,
        help: 'Policy evaluation time per request (contract lookups and audit excluded).',
        labelNames: ['kind'],
        buckets: [
          0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05, 0.1,
        ],
        registers,
      });
    }
  }

  private async resolveContracts(requests: readonly DecisionRequest[]): Promise<Map<string, LookupResult>> {
    const subjects = new Set<string>();
    for (const r of requests)
      if (r.subject !== undefined && (r.fields === undefined || r.classification === undefined))
        subjects.add(r.subject);
    const out = new Map<string, LookupResult>();
    await Promise.all([...subjects].map(async (s) => out.set(s, await this.o.contracts.get(s))));
    return out;
  }

  private core(
    policy: CompiledPolicy,
    r: DecisionRequest,
    contracts: Map<string, LookupResult>,
    now: number,
  ): { input: EvaluationInput; core: DecisionCore } {
    let fields: readonly FieldInput[] | undefined = r.fields;
    let classification = r.classification;
    if (r.subject !== undefined && (fields === undefined || classification === undefined)) {
      const found = contracts.get(r.subject);
      if (!found?.ok) {
        const input: EvaluationInput = {
          route: r.route,
          classification: classification ?? '(unknown)',
          fields: fields ?? [],
        };
        const reason =
          found && !found.ok
            ? found
            : { code: 'RESIDENCY_CONTRACT_UNAVAILABLE' as const, message: 'no contract' };
        return {
          input,
          core: denyCore(policy, input, [
            { code: reason.code, rule: null, field: null, message: reason.message },
          ]),
        };
      }
      fields ??= found.contract.fields;
      classification ??= found.contract.classification ?? '(none in the contract)';
    }
    const input: EvaluationInput = {
      route: r.route,
      classification: classification as string,
      fields: fields ?? [],
    };
    return { input, core: evaluate(policy, input, now) };
  }

  /** Decides every request against one policy snapshot; answers only once every audit record is committed. */
  async decide(requests: readonly DecisionRequest[], ctx: DecisionContext): Promise<DecisionResponse[]> {
    const policy = this.o.policies.current;
    if (policy === null) throw new NoPolicy('no valid residency policy is loaded; every decision is refused');
    const contracts = await this.resolveContracts(requests);
    const now = Date.now();
    const t0 = performance.now();
    const responses: DecisionResponse[] = new Array<DecisionResponse>(requests.length);
    const entries: AuditEntry[] = new Array<AuditEntry>(requests.length);
    const timestamp = new Date(now).toISOString();
    const outcomes = new Map<string, number>();
    const codes = new Map<string, number>();
    let disagreements = 0;
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i] as DecisionRequest;
      const { input, core } = this.core(policy, r, contracts, now);
      const decisionId = randomUUID();
      responses[i] = { decision_id: decisionId, ...core };
      let resultHash = this.resultHashes.get(core);
      if (resultHash === undefined) {
        resultHash = sha256(canonicalize(core));
        if (Object.isFrozen(core)) this.resultHashes.set(core, resultHash);
      }
      const auditInput = {
        route: input.route,
        classification: input.classification,
        fields: input.fields,
        ...(r.subject !== undefined ? { subject: r.subject } : {}),
      };
      const inputHash = sha256(canonicalAuditInput(auditInput));
      let result = this.auditResults.get(core);
      if (result === undefined) {
        result = auditResult(core);
        canonicalizeFrozen(result);
        if (Object.isFrozen(core)) this.auditResults.set(core, result);
      }
      entries[i] = {
        type: 'decision',
        decision_id: decisionId,
        timestamp,
        path: DECISION_PATH,
        input: auditInput,
        input_hash: inputHash,
        result,
        result_hash: resultHash,
        bundles: { residency: { revision: policy.version, digest: policy.digest } },
        requested_by: ctx.requestedBy,
        req_id: ctx.reqId,
      };
      const ok = `${core.decision}\u0000${core.enforced}`;
      outcomes.set(ok, (outcomes.get(ok) ?? 0) + 1);
      for (const reason of core.reasons) codes.set(reason.code, (codes.get(reason.code) ?? 0) + 1);
      if (core.shadow && core.shadow.decision !== core.decision) disagreements++;
    }
    this.seconds?.observe(
      { kind: requests.length === 1 ? 'single' : 'batch' },
      (performance.now() - t0) / 1000,
    );
    try {
      await this.o.audit.append(entries);
    } catch (err) {
      if (err instanceof AuditUnavailableError)
        throw new AuditUnavailable(`${err.message}; no decision is given without its audit record`, {
          cause: err,
        });
      throw err;
    }
    for (const [k, n] of outcomes) {
      const [outcome, enforced] = k.split('\u0000') as [string, string];
      this.decisions?.inc({ outcome, enforced }, n);
    }
    for (const [code, n] of codes) this.reasons?.inc({ code }, n);
    if (disagreements > 0) {
      this.shadow?.inc(disagreements);
      this.o.log.info(
        { disagreements, policy: policy.version, req_id: ctx.reqId },
        'shadow evaluation disagreed with enforcement',
      );
    }
    return responses;
  }
}
