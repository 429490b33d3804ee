import { z } from 'zod';
import { parseWith } from '@data-spine/contracts';
import { GateUnavailable } from '../errors.ts';
import type { RouterMetrics } from '../metrics.ts';

/** DESIGN.md's route decision request. */
export interface DecisionRequest {
  route: {
    source: { dataset: string; region: string };
    sink: { id: string; region: string; ttl?: string };
    purpose: string;
  };
  classification: string;
  fields: { name: string; tags: string[] }[];
}

const Verdict = z.enum(['allow', 'mask', 'hash', 'drop', 'deny']);
export type Verdict = z.infer<typeof Verdict>;

/** The answer as the router reads it: DESIGN.md's keys; the gate's extras are kept but not required. */
export const Decision = z.looseObject({
  decision_id: z.string().min(1),
  decision: z.enum(['deny', 'allow', 'allow_with_obligations']),
  enforced: z.boolean(),
  policy: z.looseObject({ version: z.string(), digest: z.string() }),
  fields: z.array(z.looseObject({ name: z.string(), verdict: Verdict, rule: z.string().nullish() })),
  reasons: z.array(
    z.looseObject({
      code: z.string(),
      rule: z.string().nullish(),
      field: z.string().nullish(),
      message: z.string(),
    }),
  ),
  explanation: z.string().optional(),
  valid_until: z.string().nullish(),
  /** What an allowed route must do: per-field ones mirror the verdicts; route-wide ones are kept here. */
  obligations: z
    .array(
      z.looseObject({
        type: z.string(),
        field: z.string().nullish(),
        ttl: z.string().nullish(),
        rule: z.string().nullish(),
      }),
    )
    .default([]),
});
export type Decision = z.infer<typeof Decision>;

const BatchAnswer = z.looseObject({ decisions: z.array(Decision) });
const PolicyAnswer = z.looseObject({ version: z.string(), digest: z.string().optional() });

export interface GateClientOptions {
  url: string;
  timeoutMs: number;
  /** `key:secret`, sent as a Bearer credential. */
  credential?: string;
  metrics?: RouterMetrics;
}

/** Talks to the residency gate: batched decisions and the current policy version. */
export class GateClient {
  readonly #o: GateClientOptions;

  constructor(options: GateClientOptions) {
    this.#o = options;
  }

  async #call(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.#o.url), {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.#o.credential ? { authorization: `Bearer ${this.#o.credential}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: signal ?? AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (err) {
      throw new GateUnavailable(`${this.#o.url} cannot be reached (${(err as Error).message})`, {
        cause: err,
      });
    }
    const text = await res.text();
    // Any refusal is the gate's or ours to fix; the data waits either way (never ungoverned).
    if (!res.ok) throw new GateUnavailable(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GateUnavailable(`${method} ${path} answered something that is not JSON`);
    }
  }

  /** One decision per request, in order. Throws CDC_GATE_UNAVAILABLE (retriable) when there is no answer. */
  async decide(requests: readonly DecisionRequest[]): Promise<Decision[]> {
    if (requests.length === 0) return [];
    const t0 = performance.now();
    let outcome = 'error';
    try {
      const raw = await this.#call('POST', '/v1/decisions:batch', { decisions: requests });
      const parsed = parseWith(BatchAnswer, raw);
      if (!parsed.ok)
        throw new GateUnavailable(`unexpected decision answer: ${JSON.stringify(parsed.issues.slice(0, 3))}`);
      if (parsed.value.decisions.length !== requests.length)
        throw new GateUnavailable(`asked ${requests.length} decisions, got ${parsed.value.decisions.length}`);
      outcome = 'ok';
      return parsed.value.decisions;
    } finally {
      this.#o.metrics?.gateLatency.observe({ outcome }, (performance.now() - t0) / 1000);
    }
  }

  async policyVersion(signal?: AbortSignal): Promise<string> {
    const parsed = parseWith(PolicyAnswer, await this.#call('GET', '/v1/policy', undefined, signal));
    if (!parsed.ok) throw new GateUnavailable('GET /v1/policy answered without a version');
    return parsed.value.version;
  }
}
