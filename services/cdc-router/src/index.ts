export { buildApp } from './app.ts';
export type { RouterDeps } from './app.ts';
export { loadRouterConfig } from './config.ts';
export type { RouterConfig } from './config.ts';
export { parseRoutes, loadRoutesFile } from './routes-file/load-routes.ts';
export type { RoutesIssue } from './routes-file/load-routes.ts';
export type {
  RoutesFile,
  SourceSpec,
  SinkSpec,
  RouteSpec,
  DeadLetterSpec,
} from './routes-file/routes-model.ts';
export { ROUTES_JSON_SCHEMA } from './routes-file/routes-schema.ts';
export { REASONS, REASON_CODES } from './errors.ts';
export type { ReasonCode } from './errors.ts';
export { METRIC_NAMES } from './metrics.ts';
export { SINK_HEADERS } from './sinks/kafka-sink.ts';
export { DeadLetterView } from './dlq/dead-letter.ts';
