import { isDatasetEvent, isRunEvent } from '../events/event-types.ts';
import type { LineageEvent } from '../events/event-types.ts';

/**
 * The Kafka message key, formed as the official Python client forms it (client/python/.../transport/
 * kafka.py, `_get_message_key`): `dataset:{namespace}/{name}`, `job:{namespace}/{name}`, and for run events
 * `run:{namespace}/{name}` of the root job of the parent facet, else the parent job, else the event's own
 * job, so that a job's runs and a parent's children land on one partition, in order.
 */
export function kafkaMessageKey(event: LineageEvent): string {
  if (isDatasetEvent(event)) return `dataset:${event.dataset.namespace}/${event.dataset.name}`;
  if (!isRunEvent(event)) return `job:${event.job.namespace}/${event.job.name}`;
  const own = `run:${event.job.namespace}/${event.job.name}`;
  const parent = event.run.facets?.parent as unknown;
  if (typeof parent !== 'object' || parent === null) return own;
  const { root, job } = parent as { root?: { job?: JobRef }; job?: JobRef };
  // The Python client picks root.job whenever the facet has a root, else the parent's job; a missing
  // namespace or name falls back to the event's own job.
  const source = root ? root.job : job;
  if (!source?.namespace || !source.name) return own;
  return `run:${source.namespace}/${source.name}`;
}

interface JobRef {
  namespace?: string;
  name?: string;
}
