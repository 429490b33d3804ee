import type { RouterConfig } from './config.ts';
import { ConfigInvalid } from './errors.ts';
import type { SinkSpec, SourceSpec } from './routes-file/routes-model.ts';

function onCluster(cluster: string | undefined, database: string | undefined): string | undefined {
  if (!cluster || !database) return undefined;
  const u = new URL(cluster);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/**
 * A source's Postgres URL: SPINE_ROUTER_SOURCE_URLS, its `connection`, or its database on the cluster of
 * SPINE_ROUTER_POSTGRES_URL (default: the router's own database's cluster, as in embedded mode).
 */
export function sourceUrl(config: RouterConfig, source: SourceSpec): string | undefined {
  return (
    config.SPINE_ROUTER_SOURCE_URLS?.[source.id] ??
    source.connection ??
    onCluster(config.SPINE_ROUTER_POSTGRES_URL ?? config.SPINE_DATABASE_URL, source.database)
  );
}

/** A Postgres sink's URL, found the same way; required. */
export function sinkUrl(config: RouterConfig, sink: SinkSpec): string {
  const url =
    config.SPINE_ROUTER_SINK_URLS?.[sink.id] ??
    (sink.connection?.startsWith('postgres') ? sink.connection : undefined) ??
    onCluster(config.SPINE_ROUTER_POSTGRES_URL ?? config.SPINE_DATABASE_URL, sink.database);
  if (!url)
    throw new ConfigInvalid(
      `sink ${sink.id}: no connection (set SPINE_ROUTER_SINK_URLS, the sink's connection, or SPINE_ROUTER_POSTGRES_URL)`,
    );
  return url;
}

/** The OpenLineage namespace and name of a source table: postgres://host:port and db.schema.table. */
export function sourceDataset(config: RouterConfig, source: SourceSpec, table: string) {
  const url = sourceUrl(config, source);
  if (!url) return { namespace: `postgres://${source.id}:5432`, name: `${source.database}.${table}` };
  const u = new URL(url);
  return { namespace: `postgres://${u.hostname}:${u.port || '5432'}`, name: `${source.database}.${table}` };
}
