/** Debezium names a table's topic `<topic.prefix>.<schema>.<table>`. */
export function tableTopic(prefix: string, schema: string, table: string): string {
  return `${prefix}.${schema}.${table}`;
}

export interface TableRef {
  prefix: string;
  schema: string;
  table: string;
}

/** Splits a Debezium table topic. The prefix may itself contain dots, so split from the right. */
export function parseTableTopic(topic: string): TableRef | null {
  const parts = topic.split('.');
  if (parts.length < 3) return null;
  const table = parts.pop() as string;
  const schema = parts.pop() as string;
  const prefix = parts.join('.');
  if (!prefix || !schema || !table) return null;
  return { prefix, schema, table };
}

/** Confluent's TopicNameStrategy: the value schema of topic T is registered under `T-value`. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

export function keySubject(topic: string): string {
  return `${topic}-key`;
}

export const Topics = {
  deadLetter: (prefix: string) => `${prefix}.spine.dlq`,
  transactions: (prefix: string) => `${prefix}.transaction`,
  heartbeat: (prefix: string) => `__debezium-heartbeat.${prefix}`,
  lineage: 'spine.openlineage',
} as const;
