import { z } from 'zod';
import type { Registry } from 'prom-client';
import { LineageEmitterError } from './errors.ts';
import type { Transport } from './transports/transport.ts';

/** A pino logger fits; the emitter never logs event contents, only ids, codes and counts. */
export interface EmitterLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const Tunables = z.object({
  spoolDir: z.string().min(1),
  name: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]+$/)
    .default('default'),
  deadLetterPath: z.string().min(1).optional(),
  concurrency: z.number().int().min(1).max(64).default(4),
  ordering: z.enum(['run', 'root-job']).default('run'),
  fsync: z.boolean().default(true),
  maxEventBytes: z
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
  maxSpoolEvents: z.number().int().positive().default(100_000),
  maxSpoolBytes: z
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
  retry: z
    .object({
      initialMs: z.number().positive().default(200),
      maxMs: z.number().positive().default(30_000),
      /** Attempts per event before it is dead-lettered; unbounded by default (zero loss while the collector is down). */
      maxAttempts: z.number().int().positive().default(Number.MAX_SAFE_INTEGER),
      /** A Retry-After longer than this is capped. */
      maxRetryAfterMs: z.number().nonnegative().default(300_000),
    })
    .prefault({}),
});

export type EmitterTunables = z.infer<typeof Tunables>;

export interface EmitterOptions extends z.input<typeof Tunables> {
  transport: Transport;
  /** Counters are registered here (service-kit's `app.metrics`); plain counters are kept either way. */
  registry?: Registry;
  logger?: EmitterLogger;
}

export function parseEmitterOptions(options: EmitterOptions): EmitterTunables {
  const parsed = Tunables.safeParse(options);
  if (!parsed.success)
    throw new LineageEmitterError(
      'LIN_EMITTER_INVALID_OPTIONS',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; '),
    );
  if (typeof options.transport?.send !== 'function')
    throw new LineageEmitterError('LIN_EMITTER_INVALID_OPTIONS', 'transport: a Transport is required');
  return Object.freeze(parsed.data);
}

export const silentLogger: EmitterLogger = { info() {}, warn() {}, error() {} };
