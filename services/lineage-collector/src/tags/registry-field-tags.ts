import type { Logger } from '@data-spine/service-kit';
import type { LineageGraph } from '../graph/lineage-graph.ts';
import type { LineageStore } from '../storage/lineage-store.ts';

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** Field tags written inline in a registered schema: `confluent:tags` on Avro fields and JSON properties. */
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

/**
 * Reads field tags of Kafka datasets (`kafka://...`, name = topic) from the schema registry's
 * `<topic>-value` subject, off the ingest path: lookups are queued, one at a time, and retried after a
 * while when the registry did not answer or had no such subject.
 */
export class RegistryFieldTags {
  readonly #url: string;
  readonly #graph: LineageGraph;
  readonly #store: LineageStore;
  readonly #log: Logger;
  readonly #attempted = new Map<string, number>();
  #queue: string[] = [];
  #running: Promise<void> | null = null;
  #closed = false;
  static readonly RETRY_MS = 60_000;

  constructor(url: string, graph: LineageGraph, store: LineageStore, log: Logger) {
    this.#url = url.replace(/\/$/, '');
    this.#graph = graph;
    this.#store = store;
    this.#log = log;
  }

  /** Queues a lookup for each Kafka dataset key not looked up recently. */
  consider(keys: Iterable<string>): void {
    const now = Date.now();
    for (const key of keys) {
      if (!key.startsWith('kafka://')) continue;
      const last = this.#attempted.get(key);
      if (last !== undefined && now - last < RegistryFieldTags.RETRY_MS) continue;
      this.#attempted.set(key, now);
      this.#queue.push(key);
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
      const key = this.#queue.shift()!;
      try {
        await this.#lookup(key);
      } catch (err) {
        this.#log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'registry field tag lookup failed',
        );
      }
    }
  }

  async #lookup(key: string): Promise<void> {
    const d = this.#graph.datasets.get(key);
    if (!d) return;
    const subject = `${d.name}-value`;
    const res = await fetch(`${this.#url}/subjects/${encodeURIComponent(subject)}/versions/latest`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status === 404) return;
    if (!res.ok) throw new Error(`registry answered ${res.status} for ${subject}`);
    const body = obj(await res.json());
    if (!body || typeof body.schema !== 'string') return;
    const schemaType = typeof body.schemaType === 'string' ? body.schemaType : 'AVRO';
    const tags = inlineFieldTags(schemaType, body.schema);
    if (this.#closed) return;
    await this.#store.pool.query(
      `insert into lin_registry_field_tags (dataset_id, subject, version, field_tags, fetched_at)
       values ($1, $2, $3, $4, now())
       on conflict (dataset_id) do update set subject = excluded.subject, version = excluded.version,
         field_tags = excluded.field_tags, fetched_at = now()`,
      [d.id, subject, Number(body.version ?? 0), JSON.stringify(Object.fromEntries(tags))],
    );
    this.#graph.registryFieldTags.set(key, tags);
    this.#graph.generation++;
  }
}
