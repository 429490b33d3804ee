import { parseChangeKey, parseChangeRecord, valueSubject, parseTableTopic } from '@data-spine/contracts';
import { PK_CHANGE_HEADERS } from '@data-spine/contracts';
import type { ChangeEvent, ChangeRecord, Parsed, Row } from '@data-spine/contracts';
import type { ReasonCode } from '../errors.ts';
import type { Contract } from '../governance/contract.ts';
import { decisionKey } from '../governance/decision-cache.ts';
import type { DecisionCache } from '../governance/decision-cache.ts';
import type { Decision, DecisionRequest } from '../governance/gate-client.ts';
import { governRow } from '../governance/obligations.ts';
import type { FieldPlan } from '../governance/obligations.ts';
import { routeObligations } from '../governance/route-obligations.ts';
import type { RouteObligations } from '../governance/route-obligations.ts';
import type { ContractLookup, RegistryClient } from '../governance/registry-client.ts';
import type { RouteSpec, RoutesFile, SinkSpec, SourceSpec } from '../routes-file/routes-model.ts';
import { tableMatches } from '../routes-file/routes-model.ts';
import type { ColumnType, SinkOp } from '../sinks/sink-op.ts';
import { decodeDecimals, rowSchemaOf } from './decimals.ts';
import type { SourceRecord } from './source-record.ts';

/** A record (on one route, or on none if it could not be read) that goes to the dead letters. */
export interface DeadLetterDraft {
  ref: number;
  routeId: string | null;
  sourceId: string | null;
  table: string | null;
  position: string | null;
  reason: ReasonCode;
  decisionId: string | null;
  error: string;
}

/** What to do with a batch: per sink the ops in record order, the dead letters, and what was skipped. */
export interface Plan {
  writes: Map<string, SinkOp[]>;
  deadLetters: DeadLetterDraft[];
  skipped: number;
  /** The contract and decision each (route, table) was routed under: for lineage. */
  governed: Map<string, { route: RouteSpec; table: string; contract: Contract; decision: Decision }>;
}

export interface ChangeRouterOptions {
  routes: RoutesFile;
  registry: RegistryClient;
  decisions: DecisionCache;
  hashKey: Buffer;
  /** The OpenLineage dataset of a source table: `postgres://host:port` and `db.schema.table`. */
  sourceDataset(source: SourceSpec, table: string): { namespace: string; name: string };
}

type ParsedRecord =
  | { kind: 'bad'; ref: number; source: SourceSpec | null; table: string | null; message: string }
  | { kind: 'skip'; ref: number }
  | {
      kind: 'row';
      ref: number;
      source: SourceSpec;
      table: string;
      topic: string;
      event: ChangeEvent | null;
      key: Row | null;
      before: Row | null;
      after: Row | null;
    };

function trustedRecord(event: ChangeEvent | 'tombstone', headers: SourceRecord['headers']): ChangeRecord {
  if (event === 'tombstone') return { kind: 'tombstone' };
  const keyChange = headers.has(PK_CHANGE_HEADERS.newKey)
    ? 'old-key'
    : headers.has(PK_CHANGE_HEADERS.oldKey)
      ? 'new-key'
      : null;
  return { kind: 'change', event, schema: null, keyChange };
}

/** The key columns of a record (its replica identity): they always travel, so they are always decided. */
const keyColumnsOf = (r: { key: Row | null }): string[] => (r.key ? Object.keys(r.key) : []);

/**
 * What one decision covers: a table on a route; with a column selection, also the key columns (they are
 * decided with the selection, and a truncate or tombstone has none).
 */
const pairId = (route: RouteSpec, r: { table: string; key: Row | null }): string =>
  route.columns ? `${route.id}|${r.table}|${keyColumnsOf(r).join(',')}` : `${route.id}|${r.table}`;

const declaredCache = new WeakMap<Contract, Set<string>>();
function declaredColumns(contract: Contract): Set<string> {
  let set = declaredCache.get(contract);
  if (!set) {
    set = new Set(contract.fields.map((f) => f.name));
    declaredCache.set(contract, set);
  }
  return set;
}

/** `table === schema + '.' + name`, without building the string for every record. */
function isTable(table: string, schema: string, name: string): boolean {
  return (
    table.length === schema.length + 1 + name.length &&
    table.startsWith(schema) &&
    table.charCodeAt(schema.length) === 46 &&
    table.endsWith(name)
  );
}

function hasKeys(row: Row): boolean {
  for (const _ in row) return true;
  return false;
}

function undeclared(row: Row | null, declared: ReadonlySet<string>): string | undefined {
  if (!row) return undefined;
  for (const c in row) if (!declared.has(c)) return c;
  return undefined;
}

const contractType = (t: string): ColumnType =>
  t === 'integer'
    ? 'bigint'
    : t === 'number'
      ? 'numeric'
      : t === 'boolean'
        ? 'boolean'
        : t === 'object'
          ? 'jsonb'
          : 'text';

/**
 * Governs a batch of change records on every route that takes them: the table's contract from the
 * registry, the gate's decision (cached), the field obligations. Pure planning: it writes nothing.
 * Throws only when the registry or gate cannot answer (retriable: the batch waits).
 */
export class ChangeRouter {
  readonly #o: ChangeRouterOptions;
  readonly #sourceByPrefix: Map<string, SourceSpec>;
  readonly #sinks: Map<string, SinkSpec>;

  constructor(options: ChangeRouterOptions) {
    this.#o = options;
    this.#sourceByPrefix = new Map(options.routes.sources.map((s) => [s.topicPrefix, s]));
    this.#sinks = new Map(options.routes.sinks.map((s) => [s.id, s]));
  }

  get routes(): RoutesFile {
    return this.#o.routes;
  }

  /** The Debezium table topics of every source (tables listed; patterns need the source to be listed). */
  topics(): string[] {
    const out: string[] = [];
    for (const s of this.#o.routes.sources) for (const t of s.tables ?? []) out.push(`${s.topicPrefix}.${t}`);
    return out;
  }

  readonly #routesFor = new Map<string, RouteSpec[]>();

  routesFor(sourceId: string, table: string): RouteSpec[] {
    const key = `${sourceId}\u0000${table}`;
    const hit = this.#routesFor.get(key);
    if (hit) return hit;
    const found = this.#o.routes.routes.filter(
      (r) => r.source === sourceId && r.tables.some((p) => tableMatches(p, table)),
    );
    this.#routesFor.set(key, found);
    return found;
  }

  readonly #topics = new Map<string, { source: SourceSpec | null; table: string | null }>();

  /** A topic's source and `schema.table` (memoized: a batch carries few topics and many records). */
  #topic(topic: string): { source: SourceSpec | null; table: string | null } {
    let hit = this.#topics.get(topic);
    if (hit) return hit;
    const topicRef = parseTableTopic(topic);
    hit = {
      source: topicRef ? (this.#sourceByPrefix.get(topicRef.prefix) ?? null) : null,
      table: topicRef ? `${topicRef.schema}.${topicRef.table}` : null,
    };
    if (this.#topics.size < 10_000) this.#topics.set(topic, hit);
    return hit;
  }

  #parse(record: SourceRecord, ref: number): ParsedRecord {
    const { source, table } = this.#topic(record.origin.topic);
    if (!source || !table)
      return {
        kind: 'bad',
        ref,
        source,
        table,
        message: `topic ${record.origin.topic} belongs to no source`,
      };
    const keyParsed = parseChangeKey(record.key);
    if (!keyParsed.ok)
      return {
        kind: 'bad',
        ref,
        source,
        table,
        message: `key: ${keyParsed.issues.map((i) => `${i.pointer} ${i.message}`).join('; ')}`,
      };
    // The embedded capture builds its envelopes as typed ChangeEvents itself; Kafka records are parsed.
    const parsed: Parsed<ChangeRecord> = record.trusted
      ? { ok: true, value: trustedRecord(record.trusted, record.headers) }
      : parseChangeRecord(record.value, record.headers);
    if (!parsed.ok)
      return {
        kind: 'bad',
        ref,
        source,
        table,
        message: parsed.issues
          .slice(0, 5)
          .map((i) => `${i.pointer || '/'} ${i.message}`)
          .join('; '),
      };
    const key = keyParsed.value;
    const base = { kind: 'row' as const, ref, source, table, topic: record.origin.topic, key };
    if (parsed.value.kind === 'tombstone') return { ...base, event: null, before: null, after: null };
    const { event, schema } = parsed.value;
    if (event.op === 'm') return { kind: 'skip', ref };
    if (!isTable(table, event.source.schema, event.source.table))
      return {
        kind: 'bad',
        ref,
        source,
        table,
        message: `the event's source table ${event.source.schema}.${event.source.table} is not the topic's`,
      };
    if (event.op === 't') return { ...base, event, before: null, after: null };
    const before = event.before ? decodeDecimals(event.before, rowSchemaOf(schema, 'before')) : null;
    const after = event.after ? decodeDecimals(event.after, rowSchemaOf(schema, 'after')) : null;
    return { ...base, event, before, after };
  }

  /**
   * The decision request of a table on a route: the fields the route carries (its column selection and the
   * key columns, which always travel; every field without a selection), so a column the route leaves out
   * never decides it.
   */
  #request(
    route: RouteSpec,
    source: SourceSpec,
    table: string,
    contract: Contract,
    keyColumns: readonly string[],
  ): DecisionRequest {
    const sink = this.#sinks.get(route.sink) as SinkSpec;
    const ds = this.#o.sourceDataset(source, table);
    const selected = this.#selected(route, table);
    const carried = selected
      ? contract.fields.filter((f) => selected.has(f.name) || keyColumns.includes(f.name))
      : contract.fields;
    return {
      route: {
        source: { dataset: `${ds.namespace}/${ds.name}`, region: source.region },
        sink: { id: sink.id, region: sink.region, ...(sink.ttl ? { ttl: sink.ttl } : {}) },
        purpose: route.purpose,
      },
      classification: contract.classification,
      fields: carried.map((f) => ({ name: f.name, tags: f.tags })),
    };
  }

  /**
   * Plans a batch. `only` restricts it to one route (a replay of a dead letter recorded on that route).
   */
  async plan(records: readonly SourceRecord[], only?: { routeId: string | null }): Promise<Plan> {
    const plan: Plan = { writes: new Map(), deadLetters: [], skipped: 0, governed: new Map() };
    const parsed = records.map((r, i) => this.#parse(r, i));
    const rows: Extract<ParsedRecord, { kind: 'row' }>[] = [];
    for (const p of parsed) {
      if (p.kind === 'skip') plan.skipped++;
      else if (p.kind === 'bad')
        plan.deadLetters.push({
          ref: p.ref,
          routeId: null,
          sourceId: p.source?.id ?? null,
          table: p.table,
          position: null,
          reason: 'CDC_PARSE_ERROR',
          decisionId: null,
          error: p.message,
        });
      else rows.push(p);
    }
    // Contracts: one lookup per topic (cached by the client).
    const subjects = [...new Set(rows.map((r) => valueSubject(r.topic)))];
    const lookups = new Map(
      await Promise.all(subjects.map(async (s) => [s, await this.#o.registry.lookup(s)] as const)),
    );

    // Decisions: one per (route, table), all misses in one gate call.
    type Pair = { route: RouteSpec; source: SourceSpec; table: string; contract: Contract; key: string };
    const pairs = new Map<string, Pair>();
    const keys: string[] = [];
    const requests: DecisionRequest[] = [];
    for (const r of rows) {
      const lookup = lookups.get(valueSubject(r.topic));
      if (!lookup?.ok) continue;
      for (const route of this.routesFor(r.source.id, r.table)) {
        if (only && only.routeId !== null && route.id !== only.routeId) continue;
        const id = pairId(route, r);
        if (pairs.has(id)) continue;
        const request = this.#request(route, r.source, r.table, lookup.contract, keyColumnsOf(r));
        const key = decisionKey(route.id, request);
        pairs.set(id, { route, source: r.source, table: r.table, contract: lookup.contract, key });
        keys.push(key);
        requests.push(request);
      }
    }
    const answers = await this.#o.decisions.decide(keys, requests);
    const decisionOf = new Map(keys.map((k, i) => [k, answers[i] as Decision]));
    const fieldPlans = new Map<
      string,
      { plan: FieldPlan; types: Record<string, ColumnType>; route: RouteObligations }
    >();
    // Per topic, once per batch: its contract lookup and, per route, the pair and decision (rows of one
    // topic share them; looking them up per row built strings and hashed them for every change).
    type RouteCtx = { route: RouteSpec; pair: Pair; decision: Decision; list: SinkOp[] | null };
    const perTopic = new Map<string, { lookup: ContractLookup | undefined; routes: RouteCtx[] }>();
    const contextOf = (r: Extract<ParsedRecord, { kind: 'row' }>) => {
      const cacheKey = r.key ? r.topic : `${r.topic}\u0000nokey`;
      let t = perTopic.get(cacheKey);
      if (t) return t;
      const lookup = lookups.get(valueSubject(r.topic));
      const routes: RouteCtx[] = [];
      for (const route of this.routesFor(r.source.id, r.table)) {
        if (only && only.routeId !== null && route.id !== only.routeId) continue;
        const pair = pairs.get(pairId(route, r)) as Pair;
        const decision = (pair ? decisionOf.get(pair.key) : undefined) as Decision;
        routes.push({ route, pair, decision, list: null });
      }
      t = { lookup, routes };
      perTopic.set(cacheKey, t);
      return t;
    };

    for (const r of rows) {
      const position = BigInt(r.event?.source.lsn ?? 0);
      const positionText = r.event ? String(position) : null;
      const { lookup, routes } = contextOf(r);
      if (routes.length === 0) {
        plan.skipped++;
        continue;
      }
      const dead = (routeId: string, reason: ReasonCode, decisionId: string | null, error: string) =>
        plan.deadLetters.push({
          ref: r.ref,
          routeId,
          sourceId: r.source.id,
          table: r.table,
          position: positionText,
          reason,
          decisionId,
          error,
        });
      for (const ctx of routes) {
        const route = ctx.route;
        if (!lookup || !lookup.ok) {
          dead(
            route.id,
            lookup?.reason ?? 'CDC_NO_CONTRACT',
            null,
            lookup && !lookup.ok ? lookup.message : 'no contract',
          );
          continue;
        }
        const pair = ctx.pair;
        const decision = ctx.decision;
        if (decision.decision === 'deny') {
          const why = decision.reasons.map((x) => x.code).join(', ') || 'denied';
          dead(route.id, 'CDC_DENIED', decision.decision_id, `${why}: ${decision.explanation ?? ''}`.trim());
          continue;
        }
        const contract = lookup.contract;
        const declared = declaredColumns(contract);
        const extra =
          undeclared(r.after, declared) ?? undeclared(r.before, declared) ?? undeclared(r.key, declared);
        if (extra) {
          dead(
            route.id,
            'CDC_FIELD_NOT_IN_CONTRACT',
            decision.decision_id,
            `column ${extra} is not in ${contract.subject} v${contract.version}`,
          );
          continue;
        }
        if (!r.key || !hasKeys(r.key)) {
          if (r.event?.op !== 't') {
            dead(
              route.id,
              'CDC_NO_PRIMARY_KEY',
              decision.decision_id,
              'the record has no key; the sink cannot upsert it',
            );
            continue;
          }
        }
        let fp = fieldPlans.get(pair.key);
        if (!fp) {
          const verdicts = new Map(decision.fields.map((f) => [f.name, f.verdict]));
          const selected = this.#selected(route, r.table);
          const types: Record<string, ColumnType> = {};
          for (const f of contract.fields) {
            const v = verdicts.get(f.name);
            types[f.name] = v === 'hash' || v === 'mask' ? 'text' : contractType(f.type);
          }
          fp = {
            plan: {
              verdicts,
              ...(selected ? { selected } : {}),
              keyColumns: new Set(Object.keys(r.key ?? {})),
              hashKey: this.#o.hashKey,
            },
            types,
            route: routeObligations(decision, this.#sinks.get(route.sink) as SinkSpec),
          };
          fieldPlans.set(pair.key, fp);
        }
        if (!fp.route.ok) {
          dead(route.id, 'CDC_OBLIGATION_UNSUPPORTED', decision.decision_id, fp.route.message);
          continue;
        }
        const retention = fp.route.retention;
        const fieldPlan: FieldPlan = fp.plan;
        // What every op of this record shares (OpBase).
        const base = {
          routeId: route.id,
          table: r.table,
          position,
          decisionId: decision.decision_id,
          sourceTsMs: r.event?.source.ts_ms ?? null,
          ref: r.ref,
          columnTypes: fp.types,
          retention,
        };
        let op: SinkOp | null = null;
        let failure: { reason: ReasonCode; message: string } | null = null;
        const govern = (row: Row | null) => {
          if (!row) return null;
          const g = governRow(row, fieldPlan);
          if (!g.ok) {
            failure ??= { reason: g.reason, message: g.message };
            return null;
          }
          return g.row;
        };
        const key = govern(r.key);
        if (r.event === null) {
          if (key) op = { ...base, kind: 'tombstone', key };
        } else if (r.event.op === 't') {
          op = { ...base, kind: 'truncate' };
        } else if (r.event.op === 'd') {
          const before = govern(r.before);
          if (key && before) op = { ...base, kind: 'delete', key, before };
        } else {
          const after = govern(r.after);
          const before = govern(r.before);
          if (key && after)
            op = { ...base, kind: 'upsert', op: r.event.op as 'c' | 'r' | 'u', key, row: after, before };
        }
        if (failure !== null) {
          const f: { reason: ReasonCode; message: string } = failure;
          dead(route.id, f.reason, decision.decision_id, f.message);
          continue;
        }
        if (!op) continue;
        if (ctx.list === null) {
          plan.governed.set(pair.key, { route, table: r.table, contract, decision });
          ctx.list = plan.writes.get(route.sink) ?? [];
          plan.writes.set(route.sink, ctx.list);
        }
        const list = ctx.list;
        list.push(op);
        // The last row of a table's snapshot: whatever the sink holds from before the snapshot's position
        // and the snapshot did not rewrite was deleted meanwhile (a snapshot carries no deletes).
        const marker = r.event?.op === 'r' ? r.event.source.snapshot : undefined;
        if (marker === 'last_in_data_collection' || marker === 'last')
          list.push({ ...base, kind: 'truncate', snapshotEnd: true });
      }
    }
    return plan;
  }

  #selected(route: RouteSpec, table: string): Set<string> | undefined {
    if (!route.columns) return undefined;
    for (const [pattern, cols] of Object.entries(route.columns))
      if (tableMatches(pattern, table)) return new Set(cols);
    return undefined;
  }
}
