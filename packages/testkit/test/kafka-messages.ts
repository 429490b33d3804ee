import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';

export interface SeenMessage {
  key: string;
  value: string;
  offset: bigint;
}

export async function produce(
  bootstrap: string,
  topic: string,
  messages: ReadonlyArray<{ key: string; value: string }>,
): Promise<void> {
  const producer = new Producer({
    clientId: 'testkit-test',
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
    autocreateTopics: true,
  });
  try {
    await producer.send({ messages: messages.map((m) => ({ topic, key: m.key, value: m.value })) });
  } finally {
    await producer.close();
  }
}

/** Reads `topic` from the earliest offset in a fresh group until `count` messages arrived or `timeoutMs` passed. */
export async function consume(
  bootstrap: string,
  topic: string,
  groupId: string,
  count: number,
  timeoutMs = 60_000,
): Promise<SeenMessage[]> {
  const consumer = new Consumer({
    clientId: 'testkit-test',
    groupId,
    bootstrapBrokers: [bootstrap],
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  });
  const seen: SeenMessage[] = [];
  const end = Date.now() + timeoutMs;
  try {
    // A topic Debezium has not written yet does not exist: wait for it.
    for (;;) {
      try {
        const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
        const timer = setTimeout(() => void stream.close(), Math.max(0, end - Date.now()));
        for await (const message of stream) {
          seen.push({ key: message.key, value: message.value, offset: message.offset });
          if (seen.length >= count) break;
        }
        clearTimeout(timer);
        await stream.close();
        return seen;
      } catch (err) {
        if (Date.now() > end || !/unknown topic|UNKNOWN_TOPIC/i.test(`${String(err)} ${JSON.stringify(err)}`))
          throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await consumer.close(true);
  }
}
