export const DEBEZIUM_POSTGRES_CONNECTOR = 'io.debezium.connector.postgresql.PostgresConnector';

export interface DebeziumPostgresOptions {
  /** A URL of the cluster or of the database to capture, e.g. `TestContext.databaseUrl`. */
  databaseUrl: string;
  /** The database to capture; the URL's path by default. */
  database?: string;
  /** `topic.prefix`: topics are `<prefix>.<schema>.<table>`. Unique per test. */
  topicPrefix: string;
  /** `schema.table` names for `table.include.list` (and so the filtered publication). */
  tables: readonly string[];
  /** Unique per test: a slot is a cluster-wide name, and two connectors cannot share one. */
  slotName: string;
  /** `<slotName>_pub` by default. */
  publicationName?: string;
  /** JsonConverter's `{schema, payload}` wrapper on keys and values (false by default). */
  schemas?: boolean;
  /** `decimal.handling.mode`; `string` by default, so numeric values arrive exact and readable. */
  decimalHandling?: 'precise' | 'string' | 'double';
  /** `snapshot.mode`; `initial` by default. */
  snapshotMode?: string;
  heartbeatIntervalMs?: number;
  /** `provide.transaction.metadata`. */
  transactionMetadata?: boolean;
  /** Anything else, applied last. */
  extra?: Readonly<Record<string, string>>;
}

/** Debezium PostgreSQL connector configuration: pgoutput, with a filtered publication it creates itself. */
export function debeziumPostgresConfig(o: DebeziumPostgresOptions): Record<string, string> {
  const u = new URL(o.databaseUrl);
  const schemas = String(o.schemas ?? false);
  return {
    'connector.class': DEBEZIUM_POSTGRES_CONNECTOR,
    'tasks.max': '1',
    'database.hostname': u.hostname,
    'database.port': u.port || '5432',
    'database.user': decodeURIComponent(u.username),
    'database.password': decodeURIComponent(u.password),
    'database.dbname': o.database ?? decodeURIComponent(u.pathname.slice(1) || 'postgres'),
    'topic.prefix': o.topicPrefix,
    'plugin.name': 'pgoutput',
    'slot.name': o.slotName,
    'publication.name': o.publicationName ?? `${o.slotName}_pub`,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': o.tables.join(','),
    'snapshot.mode': o.snapshotMode ?? 'initial',
    'decimal.handling.mode': o.decimalHandling ?? 'string',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': schemas,
    'value.converter.schemas.enable': schemas,
    'provide.transaction.metadata': String(o.transactionMetadata ?? false),
    // Debezium names its JMX beans after topic.prefix; a second connector with the same prefix in the worker
    // would retry registering them for a minute per bean. The slot is unique per connector.
    'custom.metric.tags': `slot=${o.slotName}`,
    ...(o.heartbeatIntervalMs ? { 'heartbeat.interval.ms': String(o.heartbeatIntervalMs) } : {}),
    ...o.extra,
  };
}
