import { randomUUID } from 'node:crypto';
import type { Logger } from '@data-spine/service-kit';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { DecisionRequest, FieldInput } from '../contract/decision-contract.ts';
import { DECISION_PATH, sha256 } from '../audit/audit-record.ts';
import { canonicalAuditInput } from '../audit/record-json.ts';
import type { AuditInput } from '../audit/record-json.ts';
import type { AuditEntry } from '../audit/audit-record.ts';
import { EntryLinesBuilder } from '../audit/entry-lines.ts';
import type { EntryLines } from '../audit/entry-lines.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { AuditUnavailableError } from '../audit/audit-log.ts';
import type { ContractLookup, LookupResult } from '../contracts-lookup/contract-lookup.ts';
import { denyCore, evaluateEntry } from '../evaluator/evaluate.ts';
import type { DecisionCore, EvaluationInput } from '../evaluator/evaluate.ts';
import type { CompiledPolicy, MemoEntry } from '../evaluator/compile-policy.ts';
import { canonicalize, str } from '../jcs/canonical-json.ts';
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

/**
 * UTF-8 kept for long (with a memoized decision): in memory of its own, where `Buffer.from` would slice a
 * small text from a shared 8 kB pool and keep all of it alive.
 */
function ownBytes(text: string): Buffer {
  const pooled = Buffer.from(text);
  const own = Buffer.allocUnsafeSlow(pooled.length);
  pooled.copy(own);
  return own;
}

/**
 * An input's part of its audit entries (see `EntryLines`): from the end of the decision id to `prev_hash`,
 * its canonical form and that text's hash in between.
 */
function inputPart(input: AuditInput): Uint8Array {
  const text = canonicalAuditInput(input);
  return ownBytes(`","input":${text},"input_hash":${str(sha256(text))},"path":${PATH_TEXT},"prev_hash":`);
}

/** What a decision's audit record and response take from its core. */
interface Prepared {
  /** Its part of an audit entry: the audit view of the result (canonical JSON), its hash, up to `seq`. */
  resultPart: Uint8Array;
  /** The response's JSON after its `decision_id` member. */
  jsonTail: string;
  /** ... and its UTF-8 bytes, so a batch answer is copied together, not encoded again. */
  tailBytes: Buffer;
  codes: string[];
  outcome: string;
  disagrees: boolean;
}

/** Decisions per chunk of a large batch. */
const CHUNK = 200;
/** Decisions in a large batch's last chunk (see `decideChunks`); less than CHUNK. */
const LAST_CHUNK = 50;

const PATH_TEXT = str(DECISION_PATH);

/** One call of `decide`: its snapshot, its answers so far and its counts. */
interface Run {
  policy: CompiledPolicy;
  contracts: Map<string, LookupResult>;
  now: number;
  /**
   * The parts of an audit entry the call's decisions share (see `EntryLines`): up to the decision id,
   * from `prev_hash` to the result, and from `seq` on.
   */
  head: Uint8Array;
  middle: Uint8Array;
  tail: Uint8Array;
  /** Each decision's id and prepared parts, in request order (see `Answers`). */
  ids: string[];
  parts: Prepared[];
  outcomes: Map<string, number>;
  codes: Map<string, number>;
  disagreements: number;
  /** Evaluation time, summed over chunks. */
  seconds: number;
}

const ID_OPEN = '{"decision_id":"';
const BATCH_OPEN = '{"decisions":[';

/** Decisions as their JSON answers (DecisionResponse), one by one or as a batch's body. */
export class Answers {
  private readonly ids: readonly string[];
  private readonly parts: readonly Prepared[];

  constructor(ids: readonly string[], parts: readonly Prepared[]) {
    this.ids = ids;
    this.parts = parts;
  }

  get length(): number {
    return this.ids.length;
  }

  /** Decision `i`'s answer. */
  text(i: number): string {
    return `${ID_OPEN}${this.ids[i] as string}"${(this.parts[i] as Prepared).jsonTail}`;
  }

  /** `{"decisions":[...]}` as UTF-8: the ids written in, each decision's members copied from its bytes. */
  batchBody(): Buffer {
    let size = BATCH_OPEN.length + 2 + Math.max(0, this.ids.length - 1);
    for (let i = 0; i < this.ids.length; i++)
      size +=
        ID_OPEN.length + (this.ids[i] as string).length + 1 + (this.parts[i] as Prepared).tailBytes.length;
    const out = Buffer.allocUnsafe(size);
    let at = out.write(BATCH_OPEN, 0, 'latin1');
    for (let i = 0; i < this.ids.length; i++) {
      if (i > 0) out[at++] = 0x2c; // ,
      at += out.write(ID_OPEN, at, 'latin1');
      // A decision id is a UUID: ASCII.
      at += out.write(this.ids[i] as string, at, 'latin1');
      out[at++] = 0x22; // "
      at += (this.parts[i] as Prepared).tailBytes.copy(out, at);
    }
    at += out.write(']}', at, 'latin1');
    return at === size ? out : out.subarray(0, at);
  }
}

/** Decides routes: resolves contracts, evaluates against one policy snapshot, appends audit, then answers. */
export class DecisionService {
  private readonly o: DecisionServiceOptions;
  private readonly decisions: Counter | undefined;
  private readonly reasons: Counter | undefined;
  private readonly shadow: Counter | undefined;
  private readonly seconds: Histogram | undefined;
  /** Memoized decisions are frozen and shared, so their hashes, audit views and JSON are too. */
  private readonly preparedCores = new WeakMap<DecisionCore, Prepared>();

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
  ): { input: EvaluationInput; entry: MemoEntry } {
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
        const core = denyCore(policy, input, [
          { code: reason.code, rule: null, field: null, message: reason.message },
        ]);
        return { input, entry: { core, fromMs: now, untilMs: now, parts: [] } };
      }
      fields ??= found.contract.fields;
      classification ??= found.contract.classification ?? '(none in the contract)';
    }
    const input: EvaluationInput = {
      route: r.route,
      classification: classification as string,
      fields: fields ?? [],
    };
    return { input, entry: evaluateEntry(policy, input, now) };
  }

  /** The parts of a decision that depend only on its (frozen, memoized) core, computed once per core. */
  private prepared(core: DecisionCore): Prepared {
    let p = this.preparedCores.get(core);
    if (p !== undefined) return p;
    const json = JSON.stringify(core);
    // `{"decision_id":"…",` + the core's members: the response is `{decision_id, ...core}`.
    const jsonTail = json.length > 2 ? `,${json.slice(1)}` : '}';
    p = {
      resultPart: ownBytes(
        `${canonicalize(auditResult(core))},"result_hash":${str(sha256(canonicalize(core)))},"seq":`,
      ),
      jsonTail,
      tailBytes: ownBytes(jsonTail),
      codes: core.reasons.map((r) => r.code),
      outcome: `${core.decision}\u0000${core.enforced}`,
      disagrees: core.shadow !== undefined && core.shadow.decision !== core.decision,
    };
    if (Object.isFrozen(core)) this.preparedCores.set(core, p);
    return p;
  }

  /**
   * Decides every request against one policy snapshot; answers only once every audit record is committed.
   * The decisions are given to `render` as `Answers` (JSON text, DecisionResponse): memoized decisions
   * share their serialized members, so a decision costs its id and a copy. `render` runs as soon as the
   * decisions are made, while their audit records are still being written; what it returns is returned
   * once they are committed. A large batch is decided a chunk at a time, each chunk's audit records
   * handed to the writer while the next chunk is decided.
   */
  async decide<T>(
    requests: readonly DecisionRequest[],
    ctx: DecisionContext,
    render: (answers: Answers) => T,
  ): Promise<T> {
    const policy = this.o.policies.current;
    if (policy === null) throw new NoPolicy('no valid residency policy is loaded; every decision is refused');
    const contracts = await this.resolveContracts(requests);
    const now = Date.now();
    const run: Run = {
      policy,
      contracts,
      now,
      head: Buffer.from(
        `{"bundles":${canonicalize({ residency: { revision: policy.version, digest: policy.digest } })},"decision_id":"`,
      ),
      middle: Buffer.from(`,"req_id":${str(ctx.reqId)},"requested_by":${str(ctx.requestedBy)},"result":`),
      tail: Buffer.from(`,"timestamp":${str(new Date(now).toISOString())},"type":"decision"}`),
      ids: new Array<string>(requests.length),
      parts: new Array<Prepared>(requests.length),
      outcomes: new Map<string, number>(),
      codes: new Map<string, number>(),
      disagreements: 0,
      seconds: 0,
    };
    let rendered: T;
    try {
      let committed: Promise<void>;
      if (requests.length <= CHUNK) {
        committed = this.o.audit.append(this.decideRange(run, requests, 0, requests.length));
      } else {
        let drawn!: () => void;
        const allDrawn = new Promise<void>((r) => (drawn = r));
        committed = this.o.audit.appendChunks(this.decideChunks(run, requests, drawn), requests.length);
        await Promise.race([allDrawn, committed]);
      }
      // Rendered while the writer finishes; a failed commit surfaces just below, and nothing is answered.
      committed.catch(() => undefined);
      rendered = render(new Answers(run.ids, run.parts));
      await committed;
    } catch (err) {
      if (err instanceof AuditUnavailableError)
        throw new AuditUnavailable(`${err.message}; no decision is given without its audit record`, {
          cause: err,
        });
      throw err;
    }
    this.seconds?.observe({ kind: requests.length === 1 ? 'single' : 'batch' }, run.seconds);
    const { outcomes, codes, disagreements } = run;
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
    return rendered;
  }

  /**
   * Decides a large batch a chunk at a time, as the audit log draws the chunks; `drawn` is called once
   * the last one is, so the answer is rendered while the writer finishes.
   */
  private async *decideChunks(
    run: Run,
    requests: readonly DecisionRequest[],
    drawn: () => void,
  ): AsyncGenerator<EntryLines> {
    // The last chunk is small: what is left to chain and store once everything is decided is the
    // answer's wait. (A batch this large holds more than CHUNK routes.)
    const last = requests.length - LAST_CHUNK;
    for (let from = 0; from < last; from += CHUNK)
      yield this.decideRange(run, requests, from, Math.min(last, from + CHUNK));
    yield this.decideRange(run, requests, last, requests.length);
    drawn();
  }

  /** Decides requests [from, to) into `run.ids` and `run.parts`; returns their audit entries. */
  private decideRange(run: Run, requests: readonly DecisionRequest[], from: number, to: number): EntryLines {
    const t0 = performance.now();
    const lines = new EntryLinesBuilder(to - from);
    for (let i = from; i < to; i++) {
      const r = requests[i] as DecisionRequest;
      const { input, entry } = this.core(run.policy, r, run.contracts, run.now);
      const decisionId = randomUUID();
      const p = this.prepared(entry.core as DecisionCore);
      run.ids[i] = decisionId;
      run.parts[i] = p;
      // A memoized input keeps its part with its decision; a subject is audited with the input.
      const part =
        r.subject === undefined
          ? (entry.auditPart ??= inputPart(input))
          : inputPart({ ...input, subject: r.subject });
      lines
        .bytes(run.head)
        .text(decisionId)
        .bytes(part)
        .prevHash()
        .bytes(run.middle)
        .bytes(p.resultPart)
        .seq()
        .bytes(run.tail)
        .end();
      run.outcomes.set(p.outcome, (run.outcomes.get(p.outcome) ?? 0) + 1);
      for (const code of p.codes) run.codes.set(code, (run.codes.get(code) ?? 0) + 1);
      if (p.disagrees) run.disagreements++;
    }
    run.seconds += (performance.now() - t0) / 1000;
    return lines.build();
  }
}
