import { LineageEmitterError } from '../errors.ts';
import { FacetBuilders } from '../facets/facet-builders.ts';
import { EVENT_SCHEMA_URL } from '../spec-versions.ts';
import type {
  Dataset,
  DatasetEvent,
  DatasetFacets,
  EventType,
  InputDataset,
  Job,
  JobEvent,
  OutputDataset,
  RunEvent,
  RunFacets,
} from './event-types.ts';
import { RunContext } from './run-context.ts';
import { uuid7 } from './uuid7.ts';

export interface OpenLineageOptions {
  /** URI of the code that emits, e.g. `https://github.com/org/repo/tree/v1.2.0/services/cdc-router`. */
  producer: string;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}

export interface RunEventInit {
  eventType: EventType;
  job: Job;
  /** A run id, or a run with facets; a new UUIDv7 when absent. */
  run?: string | { runId?: string; facets?: RunFacets };
  inputs?: InputDataset[];
  outputs?: OutputDataset[];
  eventTime?: Date | string;
}

/**
 * Builds OpenLineage 2-0-2 events: `ol.runEvent(...)`, `ol.datasetEvent(...)`, `ol.jobEvent(...)`, the
 * standard facets (`ol.schema(...)`, `ol.tags(...)`, ... inherited from FacetBuilders) and `ol.run(job)`, a
 * run whose START / COMPLETE / FAIL events share one run id. Events carry `producer`, `schemaURL` and an
 * ISO `eventTime`; every event validates against the vendored spec (tested with Ajv).
 */
export class OpenLineage extends FacetBuilders {
  readonly #now: () => Date;

  constructor(options: OpenLineageOptions) {
    if (!URL.canParse(options.producer))
      throw new LineageEmitterError(
        'LIN_EMITTER_INVALID_OPTIONS',
        `producer must be a URI (the spec's format: uri), got ${JSON.stringify(options.producer)}`,
      );
    super(options.producer);
    this.#now = options.now ?? (() => new Date());
  }

  newRunId(): string {
    return uuid7(this.#now().getTime());
  }

  runEvent(init: RunEventInit): RunEvent {
    const run =
      typeof init.run === 'string'
        ? { runId: init.run }
        : {
            runId: init.run?.runId ?? this.newRunId(),
            ...(init.run?.facets ? { facets: init.run.facets } : {}),
          };
    return {
      eventType: init.eventType,
      eventTime: this.#time(init.eventTime),
      producer: this.producer,
      schemaURL: EVENT_SCHEMA_URL.RunEvent,
      run,
      job: init.job,
      inputs: init.inputs ?? [],
      outputs: init.outputs ?? [],
    };
  }

  /** Static metadata about a dataset (no run), e.g. its schema and tags. */
  datasetEvent(init: { dataset: Dataset; eventTime?: Date | string }): DatasetEvent {
    return {
      eventTime: this.#time(init.eventTime),
      producer: this.producer,
      schemaURL: EVENT_SCHEMA_URL.DatasetEvent,
      dataset: init.dataset,
    };
  }

  /** Static metadata about a job (no run): its facets and the datasets it reads and writes. */
  jobEvent(init: {
    job: Job;
    inputs?: InputDataset[];
    outputs?: OutputDataset[];
    eventTime?: Date | string;
  }): JobEvent {
    return {
      eventTime: this.#time(init.eventTime),
      producer: this.producer,
      schemaURL: EVENT_SCHEMA_URL.JobEvent,
      job: init.job,
      inputs: init.inputs ?? [],
      outputs: init.outputs ?? [],
    };
  }

  dataset(namespace: string, name: string, facets?: DatasetFacets): Dataset {
    return { namespace, name, ...(facets ? { facets } : {}) };
  }

  /** A run of `job`: `run.start()`, `run.complete()`, `run.fail(error)` build its events. */
  run(job: Job, options: { runId?: string; facets?: RunFacets; parent?: RunContext } = {}): RunContext {
    const facets: RunFacets = { ...options.facets };
    if (options.parent) facets.parent = this.parent(options.parent.ref(), options.parent.rootRef());
    return new RunContext(this, job, options.runId ?? this.newRunId(), facets, options.parent);
  }

  #time(value: Date | string | undefined): string {
    if (value === undefined) return this.#now().toISOString();
    return typeof value === 'string' ? value : value.toISOString();
  }
}
