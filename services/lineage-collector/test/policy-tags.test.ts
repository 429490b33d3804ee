import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger, hashSecret, MemoryCredentialStore, runServer } from '@data-spine/service-kit';
import type { RunningServer } from '@data-spine/service-kit';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { buildApp as buildRegistry, DEFAULT_FORMATS, loadRegistryConfig } from '@data-spine/schema-registry';
import { facet, runEvent, schemaFacet, startCollector, tagsFacet } from './collector-fixture.ts';
import type { Collector } from './collector-fixture.ts';

interface PolicyTag {
  key: string;
  value: string;
  field: string | null;
  inherited: boolean;
  origin: string;
  source: string | null;
}
interface Dataset {
  region: string | null;
  policyTags: PolicyTag[];
  fields: Array<{ name: string; tags: string[] }>;
}
interface Conflicts {
  totalCount: number;
  conflicts: Array<{
    edge: { origin: string; destination: string };
    dataset: { name: string; region: string | null };
    sources: Array<{ name: string }>;
    reason: { code: string; message: string };
    decision: { decision_id: string; decision: string } | null;
  }>;
}

const SRC = 'postgres://oltp:5432';
const SINK = 'postgres://analytics:5432';
const at = (m: number) => new Date(Date.UTC(2026, 3, 1, 0, m)).toISOString();
const customer = {
  namespace: SRC,
  name: 'shop.public.customer',
  facets: {
    schema: schemaFacet(['id', 'uuid'], ['email', 'text'], ['country', 'text']),
    tags: tagsFacet(
      { key: 'residency', value: 'EEA' },
      { key: 'region', value: 'eu-west-1' },
      { key: 'pii', value: 'true', field: 'email' },
    ),
  },
};
const sink = (name: string, region: string) => ({
  namespace: SINK,
  name,
  facets: {
    schema: schemaFacet(['id', 'uuid'], ['email', 'text'], ['country', 'text']),
    tags: tagsFacet({ key: 'region', value: region }),
    columnLineage: facet(
      {
        fields: Object.fromEntries(
          ['id', 'email', 'country'].map((f) => [
            f,
            { inputFields: [{ namespace: SRC, name: customer.name, field: f }] },
          ]),
        ),
      },
      'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet',
    ),
  },
});
const dsPath = (ns: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(ns)}/datasets/${encodeURIComponent(name)}`;

describe('policy tags and residency conflicts', () => {
  let c: Collector;
  beforeAll(async () => {
    c = await startCollector('lineage-tags');
    const route = (
      name: string,
      out: ReturnType<typeof sink>,
      m: number,
      runFacets?: Record<string, unknown>,
    ) =>
      c.post(
        '/api/v1/lineage',
        runEvent({
          job: { namespace: 'cdc-router', name },
          time: at(m),
          inputs: [customer],
          outputs: [out],
          ...(runFacets ? { runFacets } : {}),
        }),
      );
    expect(
      (await route('route.analytics-us', sink('analytics_us.public.customer', 'us-east-1'), 1)).statusCode,
    ).toBe(200);
    expect(
      (await route('route.analytics-eu', sink('analytics_eu.public.customer', 'eu-west-1'), 1)).statusCode,
    ).toBe(200);
    // Downstream of the US copy: a report built from it (no column lineage) in the US.
    await c.post(
      '/api/v1/lineage',
      runEvent({
        job: { namespace: 'dbt', name: 'customer_report' },
        time: at(2),
        inputs: [{ namespace: SINK, name: 'analytics_us.public.customer' }],
        outputs: [
          {
            namespace: SINK,
            name: 'analytics_us.reports.customers_by_country',
            facets: { tags: tagsFacet({ key: 'region', value: 'us-east-1' }) },
          },
        ],
      }),
    );
  });
  afterAll(async () => c?.close());

  it('propagates tags downstream, marked inherited, through column lineage to fields', async () => {
    const src = (await c.get<Dataset>(dsPath(SRC, customer.name))).body;
    expect(src.region).toBe('eu-west-1');
    expect(src.policyTags.find((t) => t.key === 'pii')).toMatchObject({ field: 'email', inherited: false });
    expect(src.fields.find((f) => f.name === 'email')?.tags).toEqual(['pii']);

    const us = (await c.get<Dataset>(dsPath(SINK, 'analytics_us.public.customer'))).body;
    const origin = `dataset:${SRC}:${customer.name}`;
    expect(us.policyTags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'pii', field: 'email', inherited: true, origin }),
        expect.objectContaining({ key: 'residency', value: 'EEA', field: null, inherited: true, origin }),
        expect.objectContaining({ key: 'region', value: 'us-east-1', inherited: false }),
      ]),
    );
    // region is where a dataset lives: it does not flow.
    expect(us.policyTags.filter((t) => t.key === 'region')).toHaveLength(1);
    expect(us.fields.find((f) => f.name === 'email')?.tags).toEqual(['pii']);
    expect(us.fields.find((f) => f.name === 'country')?.tags).toEqual([]);

    // Two hops, no column lineage: the field tag lands on the whole dataset.
    const report = (await c.get<Dataset>(dsPath(SINK, 'analytics_us.reports.customers_by_country'))).body;
    expect(report.policyTags).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'pii', field: null, inherited: true, origin })]),
    );
    const search = await c.get<{ results: Array<{ type: string; name: string }> }>(
      '/api/v1/search?q=pii&filter=TAG',
    );
    expect(new Set(search.body.results.map((r) => r.name))).toEqual(
      new Set([
        customer.name,
        'analytics_us.public.customer',
        'analytics_eu.public.customer',
        'analytics_us.reports.customers_by_country',
      ]),
    );
  });

  it('flags EEA-resident data reaching a non-EEA dataset, on the edge and in the list', async () => {
    const list = (await c.get<Conflicts>('/api/v1/residency/conflicts')).body;
    // The US copy (directly) and the US report (its input carries EEA data inherited); never the EU copy.
    expect(list.conflicts.map((x) => x.dataset.name).sort()).toEqual([
      'analytics_us.public.customer',
      'analytics_us.reports.customers_by_country',
    ]);
    const copy = list.conflicts.find((x) => x.dataset.name === 'analytics_us.public.customer')!;
    expect(copy).toMatchObject({
      edge: {
        origin: 'job:cdc-router:route.analytics-us',
        destination: `dataset:${SINK}:analytics_us.public.customer`,
      },
      dataset: { region: 'us-east-1' },
      sources: [{ name: customer.name }],
      reason: { code: 'RESIDENCY_REGION_OUTSIDE_EEA' },
      decision: null,
    });
    const g = await c.get<{
      graph: Array<{ id: string; outEdges: Array<{ destination: string; residencyConflict?: boolean }> }>;
    }>(`/api/v1/lineage?nodeId=${encodeURIComponent(`dataset:${SRC}:${customer.name}`)}&depth=1`);
    const usJob = g.body.graph.find((n) => n.id === 'job:cdc-router:route.analytics-us')!;
    expect(usJob.outEdges).toEqual([expect.objectContaining({ residencyConflict: true })]);
    const euJob = g.body.graph.find((n) => n.id === 'job:cdc-router:route.analytics-eu')!;
    expect(euJob.outEdges[0]?.residencyConflict).toBeUndefined();
  });

  it('clears a conflict once an allow decision is recorded, and shows a deny', async () => {
    const decision = (d: string, id: string) => ({
      residencyDecision: facet(
        { decision_id: id, decision: d },
        'https://data-spine.dev/facets/ResidencyDecisionRunFacet.json',
      ),
    });
    await c.post(
      '/api/v1/lineage',
      runEvent({
        job: { namespace: 'cdc-router', name: 'route.analytics-us' },
        time: at(5),
        inputs: [customer],
        outputs: [sink('analytics_us.public.customer', 'us-east-1')],
        runFacets: decision('allow_with_obligations', 'dec-1'),
      }),
    );
    let list = (await c.get<Conflicts>('/api/v1/residency/conflicts')).body;
    expect(list.conflicts.map((x) => x.dataset.name)).toEqual(['analytics_us.reports.customers_by_country']);
    await c.post(
      '/api/v1/lineage',
      runEvent({
        job: { namespace: 'dbt', name: 'customer_report' },
        time: at(6),
        inputs: [{ namespace: SINK, name: 'analytics_us.public.customer' }],
        outputs: [{ namespace: SINK, name: 'analytics_us.reports.customers_by_country' }],
        runFacets: decision('deny', 'dec-2'),
      }),
    );
    list = (await c.get<Conflicts>('/api/v1/residency/conflicts')).body;
    expect(list.conflicts).toHaveLength(1);
    expect(list.conflicts[0]?.decision).toMatchObject({ decision_id: 'dec-2', decision: 'deny' });
    // An older allow arriving late does not override the newer deny.
    await c.post(
      '/api/v1/lineage',
      runEvent({
        job: { namespace: 'dbt', name: 'customer_report' },
        time: at(4),
        inputs: [{ namespace: SINK, name: 'analytics_us.public.customer' }],
        outputs: [{ namespace: SINK, name: 'analytics_us.reports.customers_by_country' }],
        runFacets: decision('allow', 'dec-0'),
      }),
    );
    expect(
      (await c.get<Conflicts>('/api/v1/residency/conflicts')).body.conflicts[0]?.decision?.decision_id,
    ).toBe('dec-2');
    await c.rebuild();
    expect((await c.get<Conflicts>('/api/v1/residency/conflicts')).body.totalCount).toBe(1);
  });
});

describe('residency from region tags (what the cdc-router sends)', () => {
  let c: Collector;
  const source = {
    namespace: SRC,
    name: 'shop.public.app_user',
    facets: {
      tags: tagsFacet(
        { key: 'region', value: 'eu-west-1', source: 'CDC_ROUTES' },
        { key: 'pii', value: 'true', field: 'email', source: 'SCHEMA_REGISTRY' },
      ),
    },
  };
  const located = (name: string, ...tags: Array<{ key: string; value: string }>) => ({
    namespace: SINK,
    name,
    facets: tags.length > 0 ? { tags: tagsFacet(...tags.map((t) => ({ ...t, source: 'CDC_ROUTES' }))) } : {},
  });
  const allow = (id: string, ...datasets: Array<{ namespace: string; name: string }>) => ({
    residencyDecision: facet(
      { decision_id: id, decision: 'allow', datasets },
      'https://data-spine.dev/facets/ResidencyDecisionRunFacet.json',
    ),
  });
  const copy = (
    job: string,
    m: number,
    input: { namespace: string; name: string; facets?: Record<string, unknown> },
    output: ReturnType<typeof located>,
    runFacets?: Record<string, unknown>,
  ) =>
    c.post(
      '/api/v1/lineage',
      runEvent({
        job: { namespace: 'data-spine', name: job },
        time: at(m),
        inputs: [input],
        outputs: [output],
        ...(runFacets ? { runFacets } : {}),
      }),
    );
  const usCopy = located('analytics_us.public.app_user', { key: 'region', value: 'us-east-1' });
  const unknown = located('exports.app_user_csv');
  const listed = async () =>
    Object.fromEntries(
      (await c.get<Conflicts>('/api/v1/residency/conflicts')).body.conflicts.map((x) => [
        x.dataset.name,
        x.reason.code,
      ]),
    );

  beforeAll(async () => {
    c = await startCollector('lineage-region-residency');
    const answers = [
      await copy('cdc.shop-to-us', 1, source, usCopy),
      await copy(
        'cdc.shop-to-eu',
        1,
        source,
        located('analytics_eu.public.app_user', { key: 'region', value: 'eu-west-1' }),
      ),
      // Destinations with no region tag: unknown, unless their own residency tag says where they are.
      await copy('export.csv', 1, source, unknown),
      await copy(
        'export.declared',
        1,
        source,
        located('exports.declared', { key: 'residency', value: 'EEA' }),
      ),
      await copy(
        'export.allowed',
        1,
        source,
        located('exports.allowed'),
        allow('dec-u', located('exports.allowed')),
      ),
      // Downstream of the unknown-region copy: the EEA data it holds reaches the US.
      await copy(
        'report.from-export',
        2,
        { namespace: SINK, name: unknown.name },
        located('reports.app_users', { key: 'region', value: 'us-east-1' }),
      ),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 200));
  });
  afterAll(async () => c?.close());

  it('counts a dataset in an EEA region as EEA-resident data, and that flows downstream', async () => {
    const src = (await c.get<Dataset>(dsPath(SRC, source.name))).body;
    const origin = `dataset:${SRC}:${source.name}`;
    expect(src.policyTags.filter((t) => t.key === 'residency')).toEqual([
      expect.objectContaining({ value: 'EEA', source: 'REGION', field: null, inherited: false, origin }),
    ]);
    const us = (await c.get<Dataset>(dsPath(SINK, usCopy.name))).body;
    expect(us.region).toBe('us-east-1');
    expect(us.policyTags.filter((t) => t.key === 'residency')).toEqual([
      expect.objectContaining({ value: 'EEA', inherited: true, origin }),
    ]);
  });

  it('flags a copy from eu-west-1 to us-east-1, and to a destination of unknown region, with the reason', async () => {
    expect(await listed()).toEqual({
      [usCopy.name]: 'RESIDENCY_REGION_OUTSIDE_EEA',
      [unknown.name]: 'RESIDENCY_UNKNOWN_DESTINATION_REGION',
      'reports.app_users': 'RESIDENCY_REGION_OUTSIDE_EEA',
    });
    const list = (await c.get<Conflicts>('/api/v1/residency/conflicts')).body.conflicts;
    expect(list.find((x) => x.dataset.name === usCopy.name)).toMatchObject({
      edge: { origin: 'job:data-spine:cdc.shop-to-us', destination: `dataset:${SINK}:${usCopy.name}` },
      dataset: { region: 'us-east-1' },
      sources: [{ name: source.name }],
      decision: null,
    });
    expect(list.find((x) => x.dataset.name === unknown.name)).toMatchObject({
      dataset: { region: null },
      sources: [{ name: source.name }],
      reason: { message: expect.stringContaining('not assumed') },
    });
    const g = await c.get<{
      graph: Array<{ id: string; outEdges: Array<{ residencyConflict?: boolean }> }>;
    }>(`/api/v1/lineage?nodeId=${encodeURIComponent(`dataset:${SRC}:${source.name}`)}&depth=1`);
    const flagged = (job: string) =>
      g.body.graph.find((n) => n.id === `job:data-spine:${job}`)?.outEdges[0]?.residencyConflict ?? false;
    expect(flagged('cdc.shop-to-us')).toBe(true);
    expect(flagged('export.csv')).toBe(true);
    expect(flagged('cdc.shop-to-eu')).toBe(false);
    expect(flagged('export.declared')).toBe(false);
    expect(flagged('export.allowed')).toBe(false);
  });

  it('does not flag the copy to us-east-1 once an allow decision is recorded, also after a restart', async () => {
    const r = await copy('cdc.shop-to-us', 3, source, usCopy, allow('dec-1', usCopy));
    expect(r.statusCode).toBe(200);
    expect(await listed()).toEqual({
      [unknown.name]: 'RESIDENCY_UNKNOWN_DESTINATION_REGION',
      'reports.app_users': 'RESIDENCY_REGION_OUTSIDE_EEA',
    });
    await c.rebuild();
    expect(Object.keys(await listed()).sort()).toEqual([unknown.name, 'reports.app_users']);
  });
});

describe('field tags from the schema registry', () => {
  let registryCtx: TestContext;
  let registry: FastifyInstance;
  let server: RunningServer;
  let c: Collector;
  const ADMIN = { key: 'admin', secret: 'admin-secret' };

  beforeAll(async () => {
    registryCtx = await useTestContext('lineage-registry');
    registry = await buildRegistry(
      loadRegistryConfig({ SPINE_DATABASE_URL: registryCtx.databaseUrl, SPINE_LOG_LEVEL: 'silent' }),
      {
        formats: DEFAULT_FORMATS,
        logger: createLogger({ service: 'registry', level: 'silent' }),
        credentials: new MemoryCredentialStore([
          { key: ADMIN.key, secretHash: hashSecret(ADMIN.secret), roles: ['admin'], scopes: ['*'] },
        ]),
      },
    );
    server = await runServer(registry, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 5_000,
      exit: false,
      signals: [],
    });
    const schema = JSON.stringify({
      type: 'record',
      name: 'Customer',
      namespace: 'shop',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'email', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
        { name: 'name', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
      ],
    });
    const r = await fetch(`${server.url}/subjects/shop.public.customer-value/versions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/vnd.schemaregistry.v1+json',
        authorization: 'Basic ' + Buffer.from(`${ADMIN.key}:${ADMIN.secret}`).toString('base64'),
      },
      body: JSON.stringify({ schema, metadata: { properties: { 'data-spine.retention': 'P1Y' } } }),
    });
    expect(r.status, await r.clone().text()).toBe(200);
    c = await startCollector('lineage-registry-tags', { SPINE_REGISTRY_URL: server.url });
  });
  afterAll(async () => {
    await c?.close();
    await server?.shutdown('test done');
    await registryCtx?.[Symbol.asyncDispose]();
  });

  it("tags a Kafka dataset's fields from its topic's value subject, and propagates them", async () => {
    const topic = { namespace: 'kafka://broker:9092', name: 'shop.public.customer' };
    await c.post(
      '/api/v1/lineage',
      runEvent({
        job: { namespace: 'cdc-router', name: 'sink.analytics-eu' },
        time: at(1),
        inputs: [topic],
        outputs: [{ namespace: SINK, name: 'analytics_eu.public.customer' }],
      }),
    );
    const path = dsPath(topic.namespace, topic.name);
    let tags: PolicyTag[] = [];
    for (let i = 0; i < 100 && tags.length === 0; i++) {
      tags = (await c.get<Dataset>(path)).body.policyTags;
      if (tags.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(tags.map((t) => [t.key, t.field, t.source]).sort()).toEqual([
      ['pii', 'email', 'SCHEMA_REGISTRY'],
      ['pii', 'name', 'SCHEMA_REGISTRY'],
    ]);
    const downstream = (await c.get<Dataset>(dsPath(SINK, 'analytics_eu.public.customer'))).body;
    expect(downstream.policyTags.filter((t) => t.inherited && t.key === 'pii')).toHaveLength(2);
    // Kept across restarts without asking the registry again.
    await server.shutdown('registry gone');
    await c.rebuild();
    expect((await c.get<Dataset>(path)).body.policyTags).toHaveLength(2);
  });
});
