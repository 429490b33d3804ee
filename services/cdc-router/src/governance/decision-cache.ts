import { createHash } from 'node:crypto';
import type { Decision, DecisionRequest, GateClient } from './gate-client.ts';
import type { RouterMetrics } from '../metrics.ts';

/** The cache key: the route, and the classification and field tags the decision was made for. */
export function decisionKey(routeId: string, request: DecisionRequest): string {
  const sig = createHash('sha256')
    .update(
      JSON.stringify([
        request.route.source.dataset,
        request.classification,
        request.fields.map((f) => [f.name, [...f.tags].sort()]),
      ]),
    )
    .digest('base64url')
    .slice(0, 22);
  return `${routeId}|${sig}`;
}

/**
 * Gate decisions cached per route, tag set and policy version. When the gate reports another policy
 * version (its `GET /v1/policy`, polled, or the version in any answer), every cached decision goes.
 */
export class DecisionCache {
  readonly #gate: GateClient;
  readonly #metrics: RouterMetrics | undefined;
  #policy: string | null = null;
  readonly #entries = new Map<string, Decision>();

  constructor(gate: GateClient, metrics?: RouterMetrics) {
    this.#gate = gate;
    this.#metrics = metrics;
  }

  get policyVersion(): string | null {
    return this.#policy;
  }

  /** Records the policy version the gate reports; a change drops every cached decision. */
  observePolicy(version: string): void {
    if (this.#policy !== version) {
      this.#entries.clear();
      this.#policy = version;
    }
  }

  /**
   * Asks the gate for its policy version. When the gate cannot answer, every cached decision goes too: the
   * policy may have changed meanwhile, so data waits for the gate rather than moving on old decisions.
   */
  async refreshPolicy(signal?: AbortSignal): Promise<string> {
    try {
      const version = await this.#gate.policyVersion(signal);
      this.observePolicy(version);
      return version;
    } catch (err) {
      this.#entries.clear();
      this.#policy = null;
      throw err;
    }
  }

  /** Decisions for every request (keys parallel to requests); misses go to the gate in one batch call. */
  async decide(keys: readonly string[], requests: readonly DecisionRequest[]): Promise<Decision[]> {
    const now = Date.now();
    const out: (Decision | undefined)[] = keys.map((k) => {
      const d = this.#entries.get(k);
      if (d && d.valid_until && Date.parse(d.valid_until) <= now) {
        this.#entries.delete(k);
        return undefined;
      }
      return d;
    });
    const missing = [...new Set(keys.filter((_, i) => !out[i]))];
    this.#metrics?.decisionCache.inc({ result: 'hit' }, keys.length - keys.filter((_, i) => !out[i]).length);
    if (missing.length > 0) {
      this.#metrics?.decisionCache.inc({ result: 'miss' }, missing.length);
      const asked = missing.map((k) => requests[keys.indexOf(k)] as DecisionRequest);
      const answers = await this.#gate.decide(asked);
      const versions = new Set(answers.map((a) => a.policy.version));
      // Answers from two policy versions (a reload mid-call): cache none of them, use them once.
      const cacheable = versions.size === 1;
      if (cacheable) this.observePolicy([...versions][0] as string);
      const fresh = new Map(missing.map((k, i) => [k, answers[i] as Decision]));
      for (const [k, d] of fresh) if (cacheable) this.#entries.set(k, d);
      keys.forEach((k, i) => {
        if (!out[i]) out[i] = fresh.get(k);
      });
    }
    return out as Decision[];
  }

  clear(): void {
    this.#entries.clear();
  }
}
