import { parseWith } from '@data-spine/contracts';
import { RegistryUnavailable } from '../errors.ts';
import type { RouterMetrics } from '../metrics.ts';
import { contractOf, RegistryVersion } from './contract.ts';
import type { Contract } from './contract.ts';

/** A contract lookup: the contract, or why there is none (which sends the record to the dead letters). */
export type ContractLookup =
  | { ok: true; contract: Contract }
  | { ok: false; reason: 'CDC_NO_CONTRACT' | 'CDC_CONTRACT_INVALID'; message: string };

export interface RegistryClientOptions {
  url: string;
  ttlMs: number;
  timeoutMs: number;
  metrics?: RouterMetrics;
}

/**
 * Reads `<topic>-value` contracts from the schema registry. Answers are cached for `ttlMs` (absences for
 * less, so a contract registered later is picked up soon). An unreachable registry is an error to retry:
 * the record waits, it is never routed without its contract.
 */
export class RegistryClient {
  readonly #o: RegistryClientOptions;
  readonly #cache = new Map<string, { at: number; ttl: number; value: Promise<ContractLookup> }>();

  constructor(options: RegistryClientOptions) {
    this.#o = options;
  }

  async lookup(subject: string): Promise<ContractLookup> {
    const hit = this.#cache.get(subject);
    if (hit && Date.now() - hit.at < hit.ttl) return hit.value;
    const value = this.#fetch(subject);
    const entry = { at: Date.now(), ttl: this.#o.ttlMs, value };
    this.#cache.set(subject, entry);
    try {
      const result = await value;
      if (!result.ok) entry.ttl = Math.min(this.#o.ttlMs, 2_000);
      return result;
    } catch (err) {
      this.#cache.delete(subject);
      throw err;
    }
  }

  invalidate(): void {
    this.#cache.clear();
  }

  async ping(signal?: AbortSignal): Promise<void> {
    const res = await this.#get('/subjects?subjectPrefix=__spine_ping', signal);
    await res.body?.cancel();
    if (!res.ok) throw new RegistryUnavailable(`GET /subjects answered ${res.status}`);
  }

  async #get(path: string, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetch(new URL(path, this.#o.url), {
        headers: { accept: 'application/vnd.schemaregistry.v1+json' },
        signal: signal ?? AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (err) {
      throw new RegistryUnavailable(`${this.#o.url} cannot be reached (${(err as Error).message})`, {
        cause: err,
      });
    }
  }

  async #fetch(subject: string): Promise<ContractLookup> {
    const t0 = performance.now();
    let outcome = 'error';
    try {
      const res = await this.#get(`/subjects/${encodeURIComponent(subject)}/versions/latest`);
      const text = await res.text();
      if (res.status === 404) {
        outcome = 'absent';
        return { ok: false, reason: 'CDC_NO_CONTRACT', message: `no contract under subject ${subject}` };
      }
      if (!res.ok) throw new RegistryUnavailable(`GET ${subject} latest answered ${res.status}`);
      const parsed = parseWith(RegistryVersion, JSON.parse(text));
      if (!parsed.ok) throw new RegistryUnavailable(`unexpected answer: ${JSON.stringify(parsed.issues)}`);
      outcome = 'ok';
      try {
        return { ok: true, contract: contractOf(parsed.value) };
      } catch (err) {
        return {
          ok: false,
          reason: 'CDC_CONTRACT_INVALID',
          message: `${subject} v${parsed.value.version}: ${(err as Error).message}`,
        };
      }
    } finally {
      this.#o.metrics?.registryLatency.observe({ outcome }, (performance.now() - t0) / 1000);
    }
  }
}
