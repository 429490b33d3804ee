import { z } from 'zod';
import type { LineageEvent } from './events/event-types.ts';

const Name = z.object({ namespace: z.string().min(1), name: z.string().min(1) });
const Base = {
  eventTime: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'not a date-time'),
  producer: z.string().min(1),
  schemaURL: z.string().min(1),
};
const RunEventShape = z.looseObject({
  ...Base,
  eventType: z.enum(['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER']).optional(),
  run: z.looseObject({ runId: z.string().min(1) }),
  job: z.looseObject(Name.shape),
});
const DatasetEventShape = z.looseObject({ ...Base, dataset: z.looseObject(Name.shape) });
const JobEventShape = z.looseObject({ ...Base, job: z.looseObject(Name.shape) });

/**
 * The cheap check emit() makes before spooling: the fields the emitter and the transports rely on (ordering
 * key, Kafka key, event type). Full JSON Schema validation is `createSpecValidator()`; an event that fails
 * it at the collector is dead-lettered with the collector's reason.
 */
export function checkEvent(
  event: unknown,
): { ok: true; event: LineageEvent } | { ok: false; message: string } {
  const o = event as Record<string, unknown> | null;
  const schema =
    typeof o === 'object' && o !== null && 'run' in o
      ? RunEventShape
      : typeof o === 'object' && o !== null && 'dataset' in o && !('job' in o)
        ? DatasetEventShape
        : JobEventShape;
  const parsed = schema.safeParse(event);
  if (parsed.success) return { ok: true, event: event as LineageEvent };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    message: `/${issue?.path.join('/') ?? ''}: ${issue?.message ?? 'invalid'}`,
  };
}
