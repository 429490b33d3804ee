/**
 * The registry subject that holds a dataset's contract, or null when there is none to ask for: a Kafka
 * dataset (`kafka://...`, name = topic) reads `<topic>-value`; a Postgres dataset (`postgres://...`, name
 * `<database>.<schema>.<table>`) reads `<topicPrefix>.<schema>.<table>-value`, the topic its CDC feed
 * writes, only when `topicPrefixes` maps its database (SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES).
 */
export function registrySubject(
  d: { namespace: string; name: string },
  topicPrefixes: Readonly<Record<string, string>>,
): string | null {
  if (d.namespace.startsWith('kafka://')) return d.name === '' ? null : `${d.name}-value`;
  if (!/^postgres(ql)?:\/\//.test(d.namespace)) return null;
  const parts = d.name.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '')) return null;
  const [database, schema, table] = parts as [string, string, string];
  const prefix = Object.hasOwn(topicPrefixes, database) ? topicPrefixes[database] : undefined;
  return prefix === undefined ? null : `${prefix}.${schema}.${table}-value`;
}
