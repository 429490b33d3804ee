export { TestkitError } from './errors.ts';
export type { TestkitErrorCode } from './errors.ts';
export type { TestkitLogger } from './logger.ts';
export { findExecutable, requireExecutable } from './find-executable.ts';
export { freePort, freePorts, portOpen } from './free-port.ts';
export { groupAlive, livePids, pidAlive, recordPidsIn, survivorsIn } from './process-registry.ts';
export type { TrackedProcess } from './process-registry.ts';
export { ManagedProcess } from './managed-process.ts';
export { processCpuSeconds, processTreeCpuSeconds } from './process-cpu.ts';
export type { StartProcessOptions } from './managed-process.ts';
export { unprivilegedUser } from './os-user.ts';
export type { OsUser } from './os-user.ts';
export { findPostgresBinDir } from './postgres-bin-dir.ts';
export { startPostgres } from './postgres.ts';
export type { PostgresHandle, StartPostgresOptions } from './postgres.ts';
export { mavenCacheDir, resolveClasspath, POM } from './maven.ts';
export type { MavenProfile } from './maven.ts';
export { startKafka } from './kafka.ts';
export type { KafkaHandle, StartKafkaOptions } from './kafka.ts';
export { startKafkaConnect } from './kafka-connect.ts';
export type { KafkaConnectHandle, StartKafkaConnectOptions } from './kafka-connect.ts';
export { connectRestClient } from './connect-rest-client.ts';
export type {
  ConnectorPlugin,
  ConnectorStatus,
  ConnectRestClient,
  ConnectState,
} from './connect-rest-client.ts';
export { DEBEZIUM_POSTGRES_CONNECTOR, debeziumPostgresConfig } from './debezium-postgres-config.ts';
export type { DebeziumPostgresOptions } from './debezium-postgres-config.ts';
export { startPrometheus } from './prometheus.ts';
export type { PrometheusHandle, StartPrometheusOptions } from './prometheus.ts';
export { startAlertmanager } from './alertmanager.ts';
export type { AlertmanagerHandle, StartAlertmanagerOptions } from './alertmanager.ts';
export { startStack, stopStack } from './stack.ts';
export type { Stack, StackOptions } from './stack.ts';
export { readStackManifest, STACK_ENV } from './stack-manifest.ts';
export type { StackManifest } from './stack-manifest.ts';
export { useTestContext } from './test-context.ts';
export type { TestContext } from './test-context.ts';
