import { randomUUID } from 'node:crypto';
import type { Logger } from '@data-spine/service-kit';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { DecisionRequest, FieldInput } from '../contract/decision-contract.ts';
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

/** What a decision's audit record and response take from its core. */
interface Prepared {
  resultHash: string;
  result: AuditEntry['result'];
  /** The response's JSON after its `decision_id` member. */
  jsonTail: string;
  codes: string[];
  outcome: string;
  disagrees: boolean;
}

/** Distinct inputs whose hash is remembered (the map is emptied when full). */
const INPUT_HASH_LIMIT = 50_000;

/** Decides routes: resolves contracts, evaluates against one policy snapshot, appends audit, then answers. */
export class DecisionService {
  private readonly o: DecisionServiceOptions;
  private readonly decisions: Counter | undefined;
  private readonly reasons: Counter | undefined;
  private readonly shadow: Counter | undefined;
  private readonly seconds: Histogram | undefined;
  /** Memoized decisions are frozen and shared, so their hashes, audit views and JSON are too. */
  private readonly preparedCores = new WeakMap<DecisionCore, Prepared>();
  private readonly inputHashes = new Map<string, string>();

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

  /** The parts of a decision that depend only on its (frozen, memoized) core, computed once per core. */
  private prepared(core: DecisionCore): Prepared {
    let p = this.preparedCores.get(core);
    if (p !== undefined) return p;
    const result = auditResult(core);
    canonicalizeFrozen(result);
    const json = JSON.stringify(core);
    p = {
      resultHash: sha256(canonicalize(core)),
      result,
      // `{"decision_id":"…",` + the core's members: the response is `{decision_id, ...core}`.
      jsonTail: json.length > 2 ? `,${json.slice(1)}` : '}',
      codes: core.reasons.map((r) => r.code),
      outcome: `${core.decision}\u0000${core.enforced}`,
      disagrees: core.shadow !== undefined && core.shadow.decision !== core.decision,
    };
    if (Object.isFrozen(core)) this.preparedCores.set(core, p);
    return p;
  }

  /** The input's canonical form and its hash; the hash is remembered per distinct input. */
  private inputHash(canonicalInput: string): string {
    let h = this.inputHashes.get(canonicalInput);
    if (h === undefined) {
      h = sha256(canonicalInput);
      if (this.inputHashes.size >= INPUT_HASH_LIMIT) this.inputHashes.clear();
      this.inputHashes.set(canonicalInput, h);
    }
    return h;
  }

  /**
   * Decides every request against one policy snapshot; answers only once every audit record is committed.
   * Each decision is returned as its JSON text (DecisionResponse): memoized decisions share their
   * serialized members, so a decision costs its id and a few concatenations.
   */
  async decide(requests: readonly DecisionRequest[], ctx: DecisionContext): Promise<string[]> {
    const policy = this.o.policies.current;
    if (policy === null) throw new NoPolicy('no valid residency policy is loaded; every decision is refused');
    const contracts = await this.resolveContracts(requests);
    const now = Date.now();
    const t0 = performance.now();
    const responses: string[] = new Array<string>(requests.length);
    const entries: AuditEntry[] = new Array<AuditEntry>(requests.length);
    const timestamp = new Date(now).toISOString();
    const bundles = { residency: { revision: policy.version, digest: policy.digest } };
    const outcomes = new Map<string, number>();
    const codes = new Map<string, number>();
    let disagreements = 0;
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i] as DecisionRequest;
      const { input, core } = this.core(policy, r, contracts, now);
      const decisionId = randomUUID();
      const p = this.prepared(core);
      responses[i] = `{"decision_id":"${decisionId}"${p.jsonTail}`;
      const auditInput = {
        route: input.route,
        classification: input.classification,
        fields: input.fields,
        ...(r.subject !== undefined ? { subject: r.subject } : {}),
      };
      entries[i] = {
        type: 'decision',
        decision_id: decisionId,
        timestamp,
        path: DECISION_PATH,
        input: auditInput,
        input_hash: this.inputHash(canonicalAuditInput(auditInput)),
        result: p.result,
        result_hash: p.resultHash,
        bundles,
        requested_by: ctx.requestedBy,
        req_id: ctx.reqId,
      };
      outcomes.set(p.outcome, (outcomes.get(p.outcome) ?? 0) + 1);
      for (const code of p.codes) codes.set(code, (codes.get(code) ?? 0) + 1);
      if (p.disagrees) disagreements++;
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
