import { z } from 'zod';
import { LineageEmitterError } from '../errors.ts';
import { CompositeTransport } from './composite-transport.ts';
import { ConsoleTransport } from './console-transport.ts';
import { FileTransport } from './file-transport.ts';
import { HttpTransport } from './http-transport.ts';
import { KafkaTransport } from './kafka-transport.ts';
import type { Transport } from './transport.ts';

const Http = z.object({
  type: z.literal('http'),
  url: z.url(),
  endpoint: z.string().optional(),
  apiKey: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().optional(),
  compression: z.literal('gzip').optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
const Kafka = z.object({
  type: z.literal('kafka'),
  topic: z.string().min(1),
  brokers: z.array(z.string().min(1)).min(1),
  clientId: z.string().optional(),
  messageKey: z.string().optional(),
  timeoutMs: z.number().int().positive().optional(),
});
const File = z.object({ type: z.literal('file'), path: z.string().min(1), fsync: z.boolean().optional() });
const Console = z.object({ type: z.literal('console'), pretty: z.boolean().optional() });

type Leaf = z.infer<typeof Http> | z.infer<typeof Kafka> | z.infer<typeof File> | z.infer<typeof Console>;
export type TransportConfig =
  | Leaf
  | {
      type: 'composite';
      transports: TransportConfig[] | Record<string, TransportConfig>;
      continueOnFailure?: boolean;
      continueOnSuccess?: boolean;
    };

/** Plain-data transport configuration (what a service's config schema embeds), shaped like the Python client's. */
export const TransportConfig: z.ZodType<TransportConfig> = z.lazy(() =>
  z.discriminatedUnion('type', [
    Http,
    Kafka,
    File,
    Console,
    z.object({
      type: z.literal('composite'),
      transports: z.union([z.array(TransportConfig).min(1), z.record(z.string(), TransportConfig)]),
      continueOnFailure: z.boolean().optional(),
      continueOnSuccess: z.boolean().optional(),
    }),
  ]),
);

export function transportFromConfig(config: unknown): Transport {
  const parsed = TransportConfig.safeParse(config);
  if (!parsed.success)
    throw new LineageEmitterError(
      'LIN_EMITTER_INVALID_OPTIONS',
      parsed.error.issues.map((i) => `transport.${i.path.join('.')}: ${i.message}`).join('; '),
    );
  return build(parsed.data);
}

function build(config: TransportConfig): Transport {
  switch (config.type) {
    case 'http':
      return new HttpTransport(config);
    case 'kafka':
      return new KafkaTransport(config);
    case 'file':
      return new FileTransport(config);
    case 'console':
      return new ConsoleTransport(config);
    case 'composite': {
      const transports = Array.isArray(config.transports)
        ? config.transports.map(build)
        : Object.fromEntries(Object.entries(config.transports).map(([name, c]) => [name, build(c)]));
      return new CompositeTransport({
        transports,
        ...(config.continueOnFailure === undefined ? {} : { continueOnFailure: config.continueOnFailure }),
        ...(config.continueOnSuccess === undefined ? {} : { continueOnSuccess: config.continueOnSuccess }),
      });
    }
  }
}
