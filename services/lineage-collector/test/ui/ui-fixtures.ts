import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A small crafted lineage graph for the UI stories, as OpenLineage 2-0-2 RunEvents:
 *
 *   oltp shop.public.customer (pii on email and name, residency=eea, region eu-west-1)
 *     -> job spine.customer_to_us -> analytics-us analytics.public.customer (region us-east-1: a conflict)
 *          -> job spine.us_daily_report (its second run FAILS with an errorMessage) -> reports.customer_daily
 *     -> job spine.customer_to_eu -> analytics-eu analytics.public.customer (region eu-west-1: fine)
 *     -> job spine.customer_export (only from March: hidden by a point in time before it)
 *          -> exports.customer_csv
 *     -> job spine.customer_to_partner (its run is ABORTED) -> s3://partner-drop customer_feed.csv (no region:
 *          a conflict for an unknown region)
 *   oltp shop.public.country_codes (no tags) -> job spine.customer_to_us
 *   analytics-us `<img src=x onerror=alert(1)>` -> job spine.us_daily_report
 */
export const NS = {
  oltp: 'postgres://oltp:5432',
  us: 'postgres://analytics-us:5432',
  eu: 'postgres://analytics-eu:5432',
  jobs: 'spine',
} as const;
export const XSS_NAME = '<img src=x onerror=alert(1)>';
export const FAILURE_MESSAGE = 'permission denied for table reports.customer_daily';
export const ABORT_MESSAGE = 'the partner endpoint closed the upload';
export const PARTNER_NS = 's3://partner-drop';
/** Everything before the export job's first run; the rest of the graph exists by then. */
export const BEFORE_EXPORT = '2026-02-01T00:00:00';
export const EXPORT_TIME = '2026-03-01T09:00:00.000Z';

const PRODUCER = 'https://github.com/data-spine/data-spine/tree/main/services/lineage-collector/test/ui';
const RUN_EVENT = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const facet = (schema: string, body: Record<string, unknown>) => ({
  _producer: PRODUCER,
  _schemaURL: `https://openlineage.io/spec/facets/${schema}`,
  ...body,
});

type Tag = { key: string; value: string; field?: string };
interface DatasetSpec {
  namespace: string;
  name: string;
  fields?: Array<[string, string]>;
  tags?: Tag[];
  owners?: string[];
  columnLineage?: Record<string, Array<{ namespace: string; name: string; field: string }>>;
}

function dataset(d: DatasetSpec) {
  const facets: Record<string, unknown> = {};
  if (d.fields) {
    facets.schema = facet('1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet', {
      fields: d.fields.map(([name, type]) => ({ name, type })),
    });
  }
  if (d.tags) {
    facets.tags = facet('1-0-0/TagsDatasetFacet.json#/$defs/TagsDatasetFacet', {
      tags: d.tags.map((t) => ({ ...t, source: 'USER' })),
    });
  }
  if (d.owners) {
    facets.ownership = facet('1-0-1/OwnershipDatasetFacet.json#/$defs/OwnershipDatasetFacet', {
      owners: d.owners.map((name) => ({ name, type: 'MAINTAINER' })),
    });
  }
  if (d.columnLineage) {
    facets.columnLineage = facet('1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet', {
      fields: Object.fromEntries(
        Object.entries(d.columnLineage).map(([field, inputs]) => [
          field,
          {
            inputFields: inputs.map((i) => ({
              ...i,
              transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }],
            })),
          },
        ]),
      ),
    });
  }
  return { namespace: d.namespace, name: d.name, facets };
}

let runCounter = 0;
/** A START and a terminal event of one run (ids are deterministic per call order). */
function run(
  job: string,
  start: string,
  end: string,
  inputs: DatasetSpec[],
  outputs: DatasetSpec[],
  failure?: { type: 'FAIL' | 'ABORT'; message: string },
): Record<string, unknown>[] {
  runCounter += 1;
  const runId = `0190${String(runCounter).padStart(4, '0')}-0000-7000-8000-00000000${String(runCounter).padStart(4, '0')}`;
  const base = {
    producer: PRODUCER,
    schemaURL: RUN_EVENT,
    job: { namespace: NS.jobs, name: job, facets: {} },
    inputs: inputs.map(dataset),
    outputs: outputs.map(dataset),
  };
  const terminalFacets = failure
    ? {
        errorMessage: facet('1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet', {
          message: failure.message,
          programmingLanguage: 'SQL',
          ...(failure.type === 'FAIL'
            ? {
                stackTrace: `ERROR:  ${failure.message}\nCONTEXT:  INSERT INTO reports.customer_daily SELECT ...`,
              }
            : {}),
        }),
      }
    : {};
  return [
    { ...base, eventType: 'START', eventTime: start, run: { runId, facets: {} } },
    {
      ...base,
      eventType: failure?.type ?? 'COMPLETE',
      eventTime: end,
      run: { runId, facets: terminalFacets },
    },
  ];
}

const customer: DatasetSpec = {
  namespace: NS.oltp,
  name: 'shop.public.customer',
  fields: [
    ['id', 'uuid'],
    ['name', 'text'],
    ['email', 'text'],
    ['status', 'text'],
    ['created_at', 'timestamptz'],
  ],
  owners: ['team:crm'],
  tags: [
    { key: 'pii', value: 'true', field: 'email' },
    { key: 'pii', value: 'true', field: 'name' },
    { key: 'residency', value: 'eea' },
    { key: 'region', value: 'eu-west-1' },
  ],
};
const countryCodes: DatasetSpec = {
  namespace: NS.oltp,
  name: 'shop.public.country_codes',
  fields: [
    ['code', 'text'],
    ['label', 'text'],
  ],
  tags: [{ key: 'region', value: 'eu-west-1' }],
};
const sinkFields: Array<[string, string]> = [
  ['id', 'uuid'],
  ['name', 'text'],
  ['email', 'text'],
  ['status', 'text'],
];
const sink = (namespace: string, region: string): DatasetSpec => ({
  namespace,
  name: 'analytics.public.customer',
  fields: sinkFields,
  tags: [{ key: 'region', value: region }],
  columnLineage: Object.fromEntries(
    sinkFields.map(([f]) => [f, [{ namespace: NS.oltp, name: 'shop.public.customer', field: f }]]),
  ),
});
const usSink = sink(NS.us, 'us-east-1');
const euSink = sink(NS.eu, 'eu-west-1');
const xss: DatasetSpec = {
  namespace: NS.us,
  name: XSS_NAME,
  fields: [[XSS_NAME, 'text']],
  tags: [{ key: 'region', value: 'us-east-1' }],
};
const report: DatasetSpec = {
  namespace: NS.us,
  name: 'reports.customer_daily',
  fields: [
    ['day', 'date'],
    ['customers', 'bigint'],
  ],
  tags: [{ key: 'region', value: 'us-east-1' }],
};
const exportCsv: DatasetSpec = {
  namespace: NS.us,
  name: 'exports.customer_csv',
  fields: [['email', 'text']],
  tags: [{ key: 'region', value: 'us-east-1' }],
};
/** A partner's bucket: no region tag, so where the data went is not known. */
const partnerFeed: DatasetSpec = {
  namespace: PARTNER_NS,
  name: 'customer_feed.csv',
  fields: [
    ['email', 'text'],
    ['status', 'text'],
  ],
};

export function craftedEvents(): Record<string, unknown>[] {
  runCounter = 0;
  return [
    ...run(
      'customer_to_us',
      '2026-01-10T10:00:00.000Z',
      '2026-01-10T10:05:00.000Z',
      [customer, countryCodes],
      [usSink],
    ),
    ...run('customer_to_eu', '2026-01-10T10:00:00.000Z', '2026-01-10T10:04:00.000Z', [customer], [euSink]),
    ...run(
      'us_daily_report',
      '2026-01-11T02:00:00.000Z',
      '2026-01-11T02:03:00.000Z',
      [usSink, xss],
      [report],
    ),
    ...run(
      'us_daily_report',
      '2026-01-12T02:00:00.000Z',
      '2026-01-12T02:00:41.000Z',
      [usSink, xss],
      [report],
      { type: 'FAIL', message: FAILURE_MESSAGE },
    ),
    ...run(
      'customer_to_partner',
      '2026-01-13T08:00:00.000Z',
      '2026-01-13T08:02:00.000Z',
      [customer],
      [partnerFeed],
      { type: 'ABORT', message: ABORT_MESSAGE },
    ),
    ...run('customer_export', EXPORT_TIME, '2026-03-01T09:10:00.000Z', [customer], [exportCsv]),
  ];
}

/** Every event of the shared OpenLineage compatibility scenarios (real Spark and Airflow events). */
export async function compatEvents(root: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const scenario of (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    const dir = join(root, scenario.name, 'events');
    const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.json')).sort();
    for (const f of files) out.push(JSON.parse(await readFile(join(dir, f), 'utf8')));
  }
  return out;
}
