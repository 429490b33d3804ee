import type { OpenLineage } from './event-builder.ts';
import type { EventType, InputDataset, Job, OutputDataset, RunEvent, RunFacets } from './event-types.ts';
import type { ParentRef } from '../facets/facet-types.ts';

export interface RunEventExtras {
  inputs?: InputDataset[];
  outputs?: OutputDataset[];
  /** Run facets for this event only, merged over the run's own. */
  facets?: RunFacets;
  eventTime?: Date | string;
}

/** One run of a job: its events share the run id and the run facets given at creation (parent, ...). */
export class RunContext {
  readonly #ol: OpenLineage;
  readonly job: Job;
  readonly runId: string;
  readonly #facets: RunFacets;
  readonly #parent: RunContext | undefined;

  constructor(ol: OpenLineage, job: Job, runId: string, facets: RunFacets, parent?: RunContext) {
    this.#ol = ol;
    this.job = job;
    this.runId = runId;
    this.#facets = facets;
    this.#parent = parent;
  }

  ref(): ParentRef {
    return { run: { runId: this.runId }, job: { namespace: this.job.namespace, name: this.job.name } };
  }

  /** The root of this run's parent chain (undefined for a run without a parent). */
  rootRef(): ParentRef | undefined {
    if (!this.#parent) return undefined;
    return this.#parent.rootRef() ?? this.#parent.ref();
  }

  event(eventType: EventType, extras: RunEventExtras = {}): RunEvent {
    const facets = { ...this.#facets, ...extras.facets };
    return this.#ol.runEvent({
      eventType,
      job: this.job,
      run: { runId: this.runId, ...(Object.keys(facets).length > 0 ? { facets } : {}) },
      ...(extras.inputs ? { inputs: extras.inputs } : {}),
      ...(extras.outputs ? { outputs: extras.outputs } : {}),
      ...(extras.eventTime === undefined ? {} : { eventTime: extras.eventTime }),
    });
  }

  start(extras?: RunEventExtras): RunEvent {
    return this.event('START', extras);
  }
  running(extras?: RunEventExtras): RunEvent {
    return this.event('RUNNING', extras);
  }
  complete(extras?: RunEventExtras): RunEvent {
    return this.event('COMPLETE', extras);
  }
  abort(extras?: RunEventExtras): RunEvent {
    return this.event('ABORT', extras);
  }
  other(extras?: RunEventExtras): RunEvent {
    return this.event('OTHER', extras);
  }
  /** A FAIL event with the errorMessage facet of `error`. */
  fail(error: unknown, extras: RunEventExtras = {}): RunEvent {
    return this.event('FAIL', {
      ...extras,
      facets: { errorMessage: this.#ol.errorFrom(error), ...extras.facets },
    });
  }
}
