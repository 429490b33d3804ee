import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { METRICS } from '../metric-names.ts';
import { contractFields } from './schema-fields.ts';
import type { ContractFields } from './schema-fields.ts';

export type LookupResult =
  | { ok: true; contract: ContractFields }
  | {
      ok: false;
      code:
        'RESIDENCY_CONTRACT_NOT_FOUND' | 'RESIDENCY_CONTRACT_UNAVAILABLE' | 'RESIDENCY_CONTRACT_UNREADABLE';
      message: string;
    };

export interface ContractLookupOptions {
  /** The schema registry's base URL; null: lookups answer "unavailable". */
  url: string | null;
  ttlMs: number;
  maxEntries: number;
  timeoutMs: number;
  /** `key:secret` for registries whose reads need credentials. */
  credentials?: string | null;
  registry?: Registry;
}

/**
 * Contracts from the schema registry by subject (latest version), cached with a bound on entries and age.
 * A fresh entry answers; a stale one is refetched, and when the registry cannot answer the lookup fails:
 * a stale contract could miss a newly tagged field, so the decision is a deny.
 */
export class ContractLookup {
  private readonly cache = new Map<string, { at: number; contract: ContractFields }>();
  private readonly inflight = new Map<string, Promise<LookupResult>>();
  private readonly o: ContractLookupOptions;
  private readonly counter: Counter | undefined;

  constructor(o: ContractLookupOptions) {
    this.o = o;
    if (o.registry)
      this.counter = new Counter({
        name: METRICS.contractLookups,
        help: 'Contract lookups by result.',
        labelNames: ['result'],
        registers: [o.registry],
      });
  }

  async get(subject: string, now = Date.now()): Promise<LookupResult> {
    const hit = this.cache.get(subject);
    if (hit && now - hit.at < this.o.ttlMs) {
      this.counter?.inc({ result: 'hit' });
      return { ok: true, contract: hit.contract };
    }
    let p = this.inflight.get(subject);
    if (!p) {
      p = this.fetchContract(subject).finally(() => this.inflight.delete(subject));
      this.inflight.set(subject, p);
    }
    const r = await p;
    this.counter?.inc({
      result: r.ok
        ? 'fetched'
        : hit
          ? 'stale_denied'
          : r.code === 'RESIDENCY_CONTRACT_NOT_FOUND'
            ? 'not_found'
            : 'unavailable',
    });
    return r;
  }

  private async fetchContract(subject: string): Promise<LookupResult> {
    if (this.o.url === null)
      return {
        ok: false,
        code: 'RESIDENCY_CONTRACT_UNAVAILABLE',
        message: `no schema registry is configured to look up ${subject}`,
      };
    let res: Response;
    try {
      res = await fetch(
        `${this.o.url.replace(/\/+$/, '')}/subjects/${encodeURIComponent(subject)}/versions/latest`,
        {
          headers: {
            accept: 'application/vnd.schemaregistry.v1+json',
            ...(this.o.credentials
              ? { authorization: `Basic ${Buffer.from(this.o.credentials).toString('base64')}` }
              : {}),
          },
          signal: AbortSignal.timeout(this.o.timeoutMs),
        },
      );
    } catch (err) {
      return {
        ok: false,
        code: 'RESIDENCY_CONTRACT_UNAVAILABLE',
        message: `the schema registry did not answer for ${subject}: ${(err as Error).message}`,
      };
    }
    const text = await res.text().catch(() => '');
    if (res.status === 404)
      return {
        ok: false,
        code: 'RESIDENCY_CONTRACT_NOT_FOUND',
        message: `subject ${subject} has no version in the schema registry`,
      };
    if (!res.ok)
      return {
        ok: false,
        code: 'RESIDENCY_CONTRACT_UNAVAILABLE',
        message: `the schema registry answered ${res.status} for ${subject}`,
      };
    let contract: ContractFields;
    try {
      contract = contractFields(subject, JSON.parse(text) as unknown);
    } catch (err) {
      return {
        ok: false,
        code: 'RESIDENCY_CONTRACT_UNREADABLE',
        message: `the contract of ${subject} cannot be read: ${(err as Error).message}`,
      };
    }
    this.cache.delete(subject);
    this.cache.set(subject, { at: Date.now(), contract });
    while (this.cache.size > this.o.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return { ok: true, contract };
  }
}
