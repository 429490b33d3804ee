import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { HttpTransport, LineageEmitter, OpenLineage } from '@data-spine/lineage-emitter';
import type { Dataset, InputField } from '@data-spine/lineage-emitter';
import type { Logger } from '@data-spine/service-kit';
import type { Contract } from '../governance/contract.ts';
import type { Decision } from '../governance/gate-client.ts';
import type { Plan } from '../pipeline/change-router.ts';
import type { RouteSpec, RoutesFile } from '../routes-file/routes-model.ts';
import type { Sink, SinkOp } from '../sinks/sink-op.ts';

export const PRODUCER = 'https://github.com/data-spine/data-spine/tree/v0.1.0/services/cdc-router';
/** The run facet the lineage collector reads a recorded gate decision from (its README). */
export const DECISION_FACET_SCHEMA = 'https://data-spine.dev/facets/ResidencyDecisionRunFacet.json';

interface TableWindow {
  route: RouteSpec;
  table: string;
  contract: Contract;
  decision: Decision;
  rows: number;
}

export interface LineageRecorderOptions {
  url: string;
  apiKey?: string;
  dataDir: string;
  windowMs: number;
  routes: RoutesFile;
  sinks: ReadonlyMap<string, Sink>;
  sourceDataset(sourceId: string, table: string): { namespace: string; name: string };
  log: Logger;
  registry?: Registry;
}

const VERDICT_TEXT = {
  allow: 'copied as is',
  mask: 'masked by the residency gate obligation',
  hash: 'keyed hash (HMAC-SHA256) by the residency gate obligation',
} as const;

/**
 * OpenLineage for the routes: one job per route (`cdc.<route id>`), one run per batch window in which the
 * route moved rows; inputs and outputs named by OpenLineage's conventions (`postgres://host:port`,
 * `db.schema.table`; `kafka://host:port`, topic), the schema facet from the contract, field tags and region
 * tags, column lineage with the obligations as masking transformations, and the gate decision as the
 * `residencyDecision` run facet. Events go through the emitter's durable spool, so a collector outage
 * never slows or stops the data path.
 */
export class LineageRecorder {
  readonly #o: LineageRecorderOptions;
  readonly #ol = new OpenLineage({ producer: PRODUCER });
  readonly #emitter: LineageEmitter;
  #window = new Map<string, TableWindow>();
  #timer: NodeJS.Timeout | null = null;

  private constructor(o: LineageRecorderOptions, emitter: LineageEmitter) {
    this.#o = o;
    this.#emitter = emitter;
  }

  static async open(o: LineageRecorderOptions): Promise<LineageRecorder> {
    const emitter = await LineageEmitter.open({
      spoolDir: join(o.dataDir, 'lineage-spool', 'cdc-router'),
      transport: new HttpTransport({ url: o.url, ...(o.apiKey ? { apiKey: o.apiKey } : {}) }),
      name: 'cdc-router',
      logger: o.log,
      ...(o.registry ? { registry: o.registry } : {}),
    });
    const r = new LineageRecorder(o, emitter);
    r.#timer = setInterval(() => void r.flush(), o.windowMs);
    r.#timer.unref();
    return r;
  }

  /** Called after each durable batch. */
  record(plan: Plan, writes: ReadonlyMap<string, SinkOp[]>): void {
    const counts = new Map<string, number>();
    for (const ops of writes.values())
      for (const op of ops)
        counts.set(`${op.routeId}|${op.table}`, (counts.get(`${op.routeId}|${op.table}`) ?? 0) + 1);
    for (const g of plan.governed.values()) {
      const key = `${g.route.id}|${g.table}`;
      const n = counts.get(key) ?? 0;
      if (n === 0) continue;
      const w = this.#window.get(key);
      if (w) {
        w.rows += n;
        w.decision = g.decision;
        w.contract = g.contract;
      } else
        this.#window.set(key, {
          route: g.route,
          table: g.table,
          contract: g.contract,
          decision: g.decision,
          rows: n,
        });
    }
  }

  /** Emits the window's runs (one per route). */
  async flush(): Promise<void> {
    const window = this.#window;
    this.#window = new Map();
    const byRoute = new Map<string, TableWindow[]>();
    for (const w of window.values())
      (byRoute.get(w.route.id) ?? byRoute.set(w.route.id, []).get(w.route.id)!).push(w);
    for (const [routeId, tables] of byRoute) {
      try {
        await this.#emitRoute(routeId, tables);
      } catch (err) {
        this.#o.log.warn({ err: (err as Error).message, route: routeId }, 'lineage not recorded');
      }
    }
  }

  async #emitRoute(routeId: string, tables: TableWindow[]): Promise<void> {
    const first = tables[0] as TableWindow;
    const route = first.route;
    const source = this.#o.routes.sources.find((s) => s.id === route.source);
    const sinkSpec = this.#o.routes.sinks.find((s) => s.id === route.sink);
    const sink = this.#o.sinks.get(route.sink);
    if (!source || !sinkSpec || !sink) return;
    const ol = this.#ol;
    const inputs: Dataset[] = [];
    const outputs: Dataset[] = [];
    for (const t of tables) {
      const inDs = this.#o.sourceDataset(source.id, t.table);
      const outDs = sink.dataset(t.table);
      const verdicts = new Map(t.decision.fields.map((f) => [f.name, f.verdict]));
      const tags = t.contract.fields.flatMap((f) =>
        f.tags.map((tag) => ({ key: tag, value: 'true', source: 'SCHEMA_REGISTRY', field: f.name })),
      );
      inputs.push(
        ol.dataset(inDs.namespace, inDs.name, {
          schema: ol.schema(t.contract.fields.map((f) => ({ name: f.name, type: f.type }))),
          tags: ol.tags([
            { key: 'region', value: source.region, source: 'CDC_ROUTES' },
            { key: 'classification', value: t.contract.classification, source: 'SCHEMA_REGISTRY' },
            ...tags,
          ]),
        }),
      );
      const carried = t.contract.fields.filter((f) => {
        const v = verdicts.get(f.name);
        return v === 'allow' || v === 'mask' || v === 'hash';
      });
      const lineage: Record<string, InputField[]> = {};
      for (const f of carried) {
        const v = verdicts.get(f.name) as 'allow' | 'mask' | 'hash';
        lineage[f.name] = [
          {
            namespace: inDs.namespace,
            name: inDs.name,
            field: f.name,
            transformations: [
              {
                type: 'DIRECT',
                subtype: v === 'allow' ? 'IDENTITY' : 'TRANSFORMATION',
                description: VERDICT_TEXT[v],
                masking: v !== 'allow',
              },
            ],
          },
        ];
      }
      outputs.push(
        ol.dataset(outDs.namespace, outDs.name, {
          schema: ol.schema(
            carried.map((f) => ({
              name: f.name,
              type: verdicts.get(f.name) === 'allow' ? f.type : 'string',
            })),
          ),
          columnLineage: ol.columnLineage(lineage),
          tags: ol.tags([
            { key: 'region', value: sinkSpec.region, source: 'CDC_ROUTES' },
            ...tags.filter((x) => verdicts.get(x.field) === 'allow'),
          ]),
        }),
      );
    }
    const decision = tables.at(-1)?.decision as Decision;
    const run = ol.run(
      { namespace: 'data-spine', name: `cdc.${routeId}` },
      {
        facets: {
          residencyDecision: ol.custom(DECISION_FACET_SCHEMA, {
            decision_id: decision.decision_id,
            decision: decision.decision,
            policy_version: decision.policy.version,
            datasets: outputs.map((d) => ({ namespace: d.namespace, name: d.name })),
          }),
        },
      },
    );
    await this.#emitter.emit(run.start({ inputs, outputs }));
    await this.#emitter.emit(
      run.complete({
        inputs,
        outputs: outputs.map((d, i) => ({
          ...d,
          outputFacets: { outputStatistics: ol.outputStatistics({ rowCount: tables[i]?.rows ?? 0 }) },
        })),
      }),
    );
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
    await this.#emitter.close();
  }
}
