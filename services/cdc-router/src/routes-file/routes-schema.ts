/**
 * The JSON Schema of `streaming/cdc/data-spine.yaml`. The residency gate's `spine gate check` reads the
 * same `sources`, `sinks` and `routes` keys, so they are kept stable; new keys are optional.
 */
const id = { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,62}$' } as const;
const tableName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*$' } as const;
const tablePattern = { type: 'string', pattern: '^[A-Za-z0-9_$*?]+\\.[A-Za-z0-9_$*?]+$' } as const;
const duration = {
  type: 'string',
  pattern: '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$',
} as const;
const region = { type: 'string', pattern: '^[a-z]{2}-[a-z]+-\\d$' } as const;
const connection = { type: 'string', pattern: '^(postgres(ql)?|kafka)://' } as const;

export const ROUTES_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://data-spine.dev/schemas/cdc-routes.json',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'sources', 'sinks', 'routes'],
  properties: {
    version: { const: 1 },
    sources: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'type', 'region', 'database', 'topicPrefix'],
        anyOf: [{ required: ['tables'] }, { required: ['patterns'] }],
        properties: {
          id,
          type: { const: 'postgres' },
          region,
          database: { type: 'string', minLength: 1 },
          /** postgres://host:port/db; otherwise the router's SPINE_ROUTER_SOURCE_URLS or cluster URL. */
          connection,
          topicPrefix: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
          tables: { type: 'array', minItems: 1, items: tableName, uniqueItems: true },
          patterns: { type: 'array', minItems: 1, items: tablePattern, uniqueItems: true },
          /** Embedded capture: the replication slot and publication (default spine_<id>). */
          slot: { type: 'string', pattern: '^[a-z0-9_]{1,63}$' },
        },
      },
    },
    sinks: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'type', 'region'],
        properties: {
          id,
          type: { enum: ['postgres', 'kafka'] },
          region,
          database: { type: 'string', minLength: 1 },
          connection,
          /** Kafka sinks: records go to `<topicPrefix>.<schema>.<table>` (default: the sink id). */
          topicPrefix: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
          ttl: duration,
        },
      },
    },
    routes: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['source', 'tables', 'sink', 'purpose'],
        properties: {
          id,
          source: id,
          tables: { type: 'array', minItems: 1, items: tablePattern },
          sink: id,
          purpose: { type: 'string', pattern: '^[a-z][a-z0-9_-]*$' },
          /** Per table pattern, the columns to carry (the key columns always travel). */
          columns: {
            type: 'object',
            propertyNames: tablePattern,
            additionalProperties: {
              type: 'array',
              minItems: 1,
              items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$]*$' },
            },
          },
        },
      },
    },
    'dead-letter': {
      type: 'object',
      additionalProperties: false,
      properties: {
        topic: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
        table: tableName,
        maxAttempts: { type: 'integer', minimum: 1, maximum: 100 },
        replay: {
          type: 'object',
          additionalProperties: false,
          properties: { ratePerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 100000 } },
        },
      },
    },
  },
} as const;
