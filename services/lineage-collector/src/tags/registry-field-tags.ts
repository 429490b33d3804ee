import { z } from 'zod';
import type { Logger } from '@data-spine/service-kit';
import type { LineageGraph } from '../graph/lineage-graph.ts';
import type { LineageStore } from '../storage/lineage-store.ts';
import { contractFieldTags } from './contract-field-names.ts';
import { registrySubject } from './registry-subject.ts';

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * Field tags written inline in a registered schema: `confluent:tags` on top-level Avro fields and JSON
 * properties. Only for a registry without the contracts endpoint (a Confluent one): ours merges inline and
 * `metadata.tags` tags of every field, nested and Protobuf ones too.
 */
export function inlineFieldTags(schemaType: string, schemaText: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch {
    return out;
  }
  const tagsOf = (v: unknown) => {
    const t = obj(v)?.['confluent:tags'];
    return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
  };
  if (schemaType === 'JSON') {
    for (const [name, prop] of Object.entries(obj(obj(schema)?.properties) ?? {})) {
      const tags = tagsOf(prop);
      if (tags.length > 0) out.set(name, tags);
    }
  } else if (schemaType === 'AVRO') {
    const fields = obj(schema)?.fields;
    for (const f of Array.isArray(fields) ? fields : []) {
      const name = obj(f)?.name;
      const tags = tagsOf(f);
      if (typeof name === 'string' && tags.length > 0) out.set(name, tags);
    }
  }
  return out;
}

/** Our registry's `GET /contracts/{subject}/versions/{version}` (only what is read here). */
const ContractAnswer = z.object({
  version: z.number().int(),
  schemaType: z.string().optional(),
  fields: z.array(
    z.object({ name: z.string(), path: z.string(), type: z.string().optional(), tags: z.array(z.string()) }),
  ),
});
/** Confluent's `GET /subjects/{subject}/versions/{version}`. */
const VersionAnswer = z.object({
  version: z.number().int(),
  schemaType: z.string().optional(),
  schema: z.string(),
});
/** Confluent's error body; these codes say the subject or version is not there (or is soft-deleted). */
const ErrorAnswer = z.object({ error_code: z.number() });
const ABSENT = new Set([40401, 40402, 40404, 40406]);

export interface RegistryFieldTagsOptions {
  url: string;
  /** `key:secret`, sent as HTTP Basic. */
  key?: string | undefined;
  /** `<database>` -> `<topicPrefix>`, for Postgres datasets (see `registrySubject`). */
  topicPrefixes?: Readonly<Record<string, string>>;
}

/**
 * Reads the field tags of datasets whose contract the registry holds (`registrySubject`: Kafka topics, and
 * Postgres tables whose database has a topic prefix), off the ingest path: lookups are queued, one at a
 * time, and retried after a while when the registry did not answer or had no such subject. The contracts
 * endpoint (tags merged from the schema and `metadata.tags`, every field) is asked first; a registry
 * without it gets the Confluent version read and its inline tags.
 */
export class RegistryFieldTags {
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #topicPrefixes: Readonly<Record<string, string>>;
  readonly #graph: LineageGraph;
  readonly #store: LineageStore;
  readonly #log: Logger;
  readonly #attempted = new Map<string, number>();
  #queue: Array<{ key: string; subject: string }> = [];
  #running: Promise<void> | null = null;
  #closed = false;
  /** False once the registry answered that it has no contracts endpoint. */
  #contracts = true;
  static readonly RETRY_MS = 60_000;

  constructor(options: RegistryFieldTagsOptions, graph: LineageGraph, store: LineageStore, log: Logger) {
    this.#url = options.url.replace(/\/$/, '');
    this.#headers = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (options.key) {
      this.#headers.authorization = `Basic ${Buffer.from(options.key).toString('base64')}`;
    }
    this.#topicPrefixes = options.topicPrefixes ?? {};
    this.#graph = graph;
    this.#store = store;
    this.#log = log;
  }

  /** Queues a lookup for each dataset key with a subject that was not looked up recently. */
  consider(keys: Iterable<string>): void {
    const now = Date.now();
    for (const key of keys) {
      const sep = key.indexOf('\u0000');
      if (sep < 0) continue;
      const subject = registrySubject(
        { namespace: key.slice(0, sep), name: key.slice(sep + 1) },
        this.#topicPrefixes,
      );
      if (subject === null) continue;
      const last = this.#attempted.get(key);
      if (last !== undefined && now - last < RegistryFieldTags.RETRY_MS) continue;
      this.#attempted.set(key, now);
      this.#queue.push({ key, subject });
    }
    this.#running ??= this.#drain().finally(() => {
      this.#running = null;
    });
  }

  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  close(): void {
    this.#closed = true;
    this.#queue = [];
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      const { key, subject } = this.#queue.shift()!;
      try {
        await this.#lookup(key, subject);
      } catch (err) {
        this.#log.warn(
          { subject, err: err instanceof Error ? err.message : String(err) },
          'registry field tag lookup failed',
        );
      }
    }
  }

  async #get(path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.#url}${path}`, {
      headers: this.#headers,
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: judged by the status alone
    }
    if (res.status === 401 || res.status === 403) {
      throw new Error(`registry refused the credentials (${res.status}): set SPINE_REGISTRY_KEY=key:secret`);
    }
    return { status: res.status, body };
  }

  /** The subject's latest tags, or null when the registry has no such subject. */
  async #fetchTags(subject: string): Promise<{ version: number; tags: Map<string, string[]> } | null> {
    const s = encodeURIComponent(subject);
    if (this.#contracts) {
      const r = await this.#get(`/contracts/${s}/versions/latest`);
      if (r.status === 200) {
        const c = ContractAnswer.safeParse(r.body);
        if (!c.success) throw new Error(`unexpected contract answer for ${subject}: ${c.error.message}`);
        return {
          version: c.data.version,
          tags: contractFieldTags(c.data.schemaType ?? 'AVRO', c.data.fields),
        };
      }
      const code = ErrorAnswer.safeParse(r.body);
      if (r.status === 404 && code.success && ABSENT.has(code.data.error_code)) return null;
      if (r.status !== 404) throw new Error(`registry answered ${r.status} for the contract of ${subject}`);
      // Any other 404 is a registry without the contracts endpoint.
      this.#contracts = false;
      this.#log.info('the registry has no contracts endpoint: reading inline field tags only');
    }
    const r = await this.#get(`/subjects/${s}/versions/latest`);
    if (r.status === 404) return null;
    if (r.status !== 200) throw new Error(`registry answered ${r.status} for ${subject}`);
    const v = VersionAnswer.safeParse(r.body);
    if (!v.success) throw new Error(`unexpected version answer for ${subject}: ${v.error.message}`);
    return { version: v.data.version, tags: inlineFieldTags(v.data.schemaType ?? 'AVRO', v.data.schema) };
  }

  async #lookup(key: string, subject: string): Promise<void> {
    const d = this.#graph.datasets.get(key);
    if (!d) return;
    const found = await this.#fetchTags(subject);
    if (!found || this.#closed) return;
    await this.#store.pool.query(
      `insert into lin_registry_field_tags (dataset_id, subject, version, field_tags, fetched_at)
       values ($1, $2, $3, $4, now())
       on conflict (dataset_id) do update set subject = excluded.subject, version = excluded.version,
         field_tags = excluded.field_tags, fetched_at = now()`,
      [d.id, subject, found.version, JSON.stringify(Object.fromEntries(found.tags))],
    );
    this.#graph.registryFieldTags.set(key, found.tags);
    this.#graph.generation++;
  }
}
