import { describe, expect, it } from 'vitest';
import { createSpecValidator } from '../spec-validator.ts';
import { OpenLineage } from './event-builder.ts';
import type { LineageEvent } from './event-types.ts';

const validator = createSpecValidator();
const ol = new OpenLineage({
  producer: 'https://github.com/data-spine/data-spine/tree/main/services/cdc-router',
});
const source = 'postgres://oltp:5432';

function valid(event: LineageEvent): void {
  expect(validator.validate(event)).toEqual([]);
}

describe('OpenLineage builders against the vendored 2-0-2 JSON Schemas', () => {
  it('a run with every standard run, job, dataset, input and output facet validates', () => {
    const parent = ol.run({ namespace: 'spine', name: 'cdc.shop' });
    const run = ol.run(
      {
        namespace: 'spine',
        name: 'cdc.shop.customer',
        facets: {
          jobType: ol.jobType({
            processingType: 'STREAMING',
            integration: 'DATA_SPINE',
            jobType: 'CDC_ROUTE',
          }),
          sql: ol.sql('select * from public.customer', 'postgres'),
          documentation: ol.jobDocumentation('Routes customer changes to analytics sinks', 'text/markdown'),
          ownership: ol.jobOwnership([{ name: 'team:data-platform', type: 'MAINTAINER' }]),
          sourceCodeLocation: ol.sourceCodeLocation({
            type: 'git',
            url: 'https://github.com/data-spine/data-spine',
          }),
          sourceCode: ol.sourceCode('typescript', 'route()'),
          tags: ol.jobTags([{ key: 'tier', value: 'gold' }]),
        },
      },
      {
        parent,
        facets: {
          nominalTime: ol.nominalTime(new Date('2026-01-01T00:00:00Z'), '2026-01-01T01:00:00Z'),
          processing_engine: ol.processingEngine('0.1.0', 'data-spine', '0.1.0'),
          environmentVariables: ol.environmentVariables({ REGION: 'eu-west-1' }),
          externalQuery: ol.externalQuery('q-1', 'postgres'),
          tags: ol.runTags([{ key: 'env', value: 'test', source: 'USER' }]),
        },
      },
    );
    const input = {
      ...ol.dataset(source, 'shop.public.customer', {
        schema: ol.schema([
          { name: 'id', type: 'uuid', ordinal_position: 1 },
          { name: 'email', type: 'text', description: 'contact', fields: [] },
        ]),
        dataSource: ol.dataSource('shop', 'postgres://oltp:5432/shop'),
        documentation: ol.documentation('Customers'),
        ownership: ol.ownership([{ name: 'team:crm' }]),
        tags: ol.tags([
          { key: 'pii', value: 'true', field: 'email', source: 'REGISTRY' },
          { key: 'residency', value: 'eu-west-1', source: 'GATE' },
        ]),
        datasetType: ol.datasetType('TABLE'),
        version: ol.datasetVersion('3'),
        storage: ol.storage('postgres'),
        symlinks: ol.symlinks([
          { namespace: 'kafka://broker:9092', name: 'shop.public.customer', type: 'TOPIC' },
        ]),
        lifecycleStateChange: ol.lifecycleStateChange('ALTER'),
      }),
      inputFacets: {
        dataQualityMetrics: ol.dataQualityMetrics({
          rowCount: 10,
          columnMetrics: { email: { nullCount: 0 } },
        }),
        dataQualityAssertions: ol.dataQualityAssertions([
          { assertion: 'not_null', success: true, column: 'id' },
        ]),
        inputStatistics: ol.inputStatistics({ rowCount: 10, size: 2048 }),
      },
    };
    const output = {
      ...ol.dataset('postgres://analytics-eu:5432', 'analytics_eu.public.customer', {
        columnLineage: ol.columnLineage(
          {
            email: [
              {
                namespace: source,
                name: 'shop.public.customer',
                field: 'email',
                transformations: [
                  { type: 'DIRECT', subtype: 'TRANSFORMATION', masking: true, description: 'sha256' },
                ],
              },
            ],
          },
          [{ namespace: source, name: 'shop.public.customer', field: 'status' }],
        ),
      }),
      outputFacets: { outputStatistics: ol.outputStatistics({ rowCount: 10, size: 1024, fileCount: 0 }) },
    };
    const start = run.start({ inputs: [input], outputs: [output] });
    valid(start);
    valid(run.complete({ outputs: [output] }));
    valid(run.fail(new Error('sink refused')));
    valid(parent.start());
    expect(start.run.facets?.parent).toMatchObject({
      run: { runId: parent.runId },
      job: { namespace: 'spine', name: 'cdc.shop' },
    });
    expect(start.run.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('a grandchild run names its root, and FAIL carries the errorMessage facet', () => {
    const root = ol.run({ namespace: 'spine', name: 'root' });
    const child = ol.run({ namespace: 'spine', name: 'child' }, { parent: root });
    const grandchild = ol.run({ namespace: 'spine', name: 'grandchild' }, { parent: child });
    const failed = grandchild.fail(new TypeError('boom'));
    valid(failed);
    expect(failed.run.facets?.parent?.root).toEqual({
      run: { runId: root.runId },
      job: { namespace: 'spine', name: 'root' },
    });
    expect(failed.run.facets?.errorMessage).toMatchObject({
      message: 'boom',
      programmingLanguage: 'TypeScript',
    });
    expect(failed.run.facets?.errorMessage?.stackTrace).toContain('TypeError: boom');
  });

  it('dataset and job events validate, and are neither run nor each other', () => {
    const datasetEvent = ol.datasetEvent({
      dataset: ol.dataset(source, 'shop.public.customer', {
        schema: ol.schema([{ name: 'id', type: 'uuid' }]),
      }),
    });
    const jobEvent = ol.jobEvent({
      job: {
        namespace: 'spine',
        name: 'cdc.shop',
        facets: { jobType: ol.jobType({ processingType: 'STREAMING', integration: 'DATA_SPINE' }) },
      },
      inputs: [ol.dataset(source, 'shop.public.customer')],
      outputs: [ol.dataset('postgres://analytics-us:5432', 'analytics_us.public.customer')],
    });
    valid(datasetEvent);
    valid(jobEvent);
    expect(datasetEvent.schemaURL).toBe(
      'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent',
    );
    expect(jobEvent.schemaURL).toBe('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent');
  });

  it('the validator catches what the spec forbids (so the tests above can fail)', () => {
    const event = ol.run({ namespace: 'n', name: 'j' }).start() as unknown as Record<string, unknown>;
    const issues = validator.validate({ ...event, run: { runId: 'not-a-uuid' }, eventTime: 'yesterday' });
    expect(issues.map((i) => [i.pointer, i.rule])).toEqual(
      expect.arrayContaining([
        ['/run/runId', 'format'],
        ['/eventTime', 'format'],
      ]),
    );
    const badFacet = ol.runEvent({
      eventType: 'START',
      job: {
        namespace: 'n',
        name: 'j',
        facets: { sql: { ...ol.sql('x'), query: undefined as unknown as string } },
      },
    });
    expect(validator.validate(JSON.parse(JSON.stringify(badFacet)))).toEqual(
      expect.arrayContaining([expect.objectContaining({ facet: 'SQLJobFacet', rule: 'required' })]),
    );
  });

  it('refuses a producer that is not a URI', () => {
    expect(() => new OpenLineage({ producer: 'cdc router' })).toThrow(
      expect.objectContaining({ code: 'LIN_EMITTER_INVALID_OPTIONS' }),
    );
  });

  it('uses the clock it is given', () => {
    const fixed = new OpenLineage({
      producer: 'https://example.com/p',
      now: () => new Date('2026-03-04T05:06:07.089Z'),
    });
    const event = fixed.run({ namespace: 'n', name: 'j' }).start();
    expect(event.eventTime).toBe('2026-03-04T05:06:07.089Z');
    // UUIDv7: the first 48 bits are the milliseconds.
    expect(parseInt(event.run.runId.replace(/-/g, '').slice(0, 12), 16)).toBe(
      Date.parse('2026-03-04T05:06:07.089Z'),
    );
  });
});
