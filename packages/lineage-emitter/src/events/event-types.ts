/**
 * OpenLineage 2-0-2 event shapes (spec/openlineage/OpenLineage.json), as TypeScript types. Facet maps are
 * open: the standard facets are typed by key, anything else must at least be a BaseFacet.
 */
import type {
  ColumnLineageDatasetFacet,
  DataQualityAssertionsDatasetFacet,
  DataQualityMetricsInputDatasetFacet,
  DatasetTypeDatasetFacet,
  DatasetVersionDatasetFacet,
  DatasourceDatasetFacet,
  DocumentationDatasetFacet,
  DocumentationJobFacet,
  EnvironmentVariablesRunFacet,
  ErrorMessageRunFacet,
  ExternalQueryRunFacet,
  InputStatisticsInputDatasetFacet,
  JobTypeJobFacet,
  LifecycleStateChangeDatasetFacet,
  NominalTimeRunFacet,
  OutputStatisticsOutputDatasetFacet,
  OwnershipDatasetFacet,
  OwnershipJobFacet,
  ParentRunFacet,
  ProcessingEngineRunFacet,
  SchemaDatasetFacet,
  SourceCodeJobFacet,
  SourceCodeLocationJobFacet,
  SQLJobFacet,
  StorageDatasetFacet,
  SymlinksDatasetFacet,
  TagsDatasetFacet,
  TagsJobFacet,
  TagsRunFacet,
} from '../facets/facet-types.ts';

export interface BaseFacet {
  _producer: string;
  _schemaURL: string;
  [field: string]: unknown;
}

export type EventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL' | 'OTHER';
export const TERMINAL_EVENT_TYPES: readonly EventType[] = ['COMPLETE', 'ABORT', 'FAIL'];

export interface RunFacets {
  parent?: ParentRunFacet;
  nominalTime?: NominalTimeRunFacet;
  errorMessage?: ErrorMessageRunFacet;
  processing_engine?: ProcessingEngineRunFacet;
  environmentVariables?: EnvironmentVariablesRunFacet;
  externalQuery?: ExternalQueryRunFacet;
  tags?: TagsRunFacet;
  [custom: string]: BaseFacet | undefined;
}

export interface JobFacets {
  jobType?: JobTypeJobFacet;
  sql?: SQLJobFacet;
  documentation?: DocumentationJobFacet;
  ownership?: OwnershipJobFacet;
  sourceCode?: SourceCodeJobFacet;
  sourceCodeLocation?: SourceCodeLocationJobFacet;
  tags?: TagsJobFacet;
  [custom: string]: (BaseFacet & { _deleted?: boolean }) | undefined;
}

export interface DatasetFacets {
  schema?: SchemaDatasetFacet;
  dataSource?: DatasourceDatasetFacet;
  columnLineage?: ColumnLineageDatasetFacet;
  documentation?: DocumentationDatasetFacet;
  ownership?: OwnershipDatasetFacet;
  tags?: TagsDatasetFacet;
  datasetType?: DatasetTypeDatasetFacet;
  version?: DatasetVersionDatasetFacet;
  storage?: StorageDatasetFacet;
  symlinks?: SymlinksDatasetFacet;
  lifecycleStateChange?: LifecycleStateChangeDatasetFacet;
  [custom: string]: (BaseFacet & { _deleted?: boolean }) | undefined;
}

export interface InputDatasetFacets {
  dataQualityMetrics?: DataQualityMetricsInputDatasetFacet;
  inputStatistics?: InputStatisticsInputDatasetFacet;
  dataQualityAssertions?: DataQualityAssertionsDatasetFacet;
  [custom: string]: BaseFacet | undefined;
}

export interface OutputDatasetFacets {
  outputStatistics?: OutputStatisticsOutputDatasetFacet;
  [custom: string]: BaseFacet | undefined;
}

export interface Run {
  runId: string;
  facets?: RunFacets;
}

export interface Job {
  namespace: string;
  name: string;
  facets?: JobFacets;
}

export interface Dataset {
  namespace: string;
  name: string;
  facets?: DatasetFacets;
}

export interface InputDataset extends Dataset {
  inputFacets?: InputDatasetFacets;
}

export interface OutputDataset extends Dataset {
  outputFacets?: OutputDatasetFacets;
}

interface BaseEvent {
  eventTime: string;
  producer: string;
  schemaURL: string;
}

export interface RunEvent extends BaseEvent {
  eventType?: EventType;
  run: Run;
  job: Job;
  inputs?: InputDataset[];
  outputs?: OutputDataset[];
}

export interface DatasetEvent extends BaseEvent {
  dataset: Dataset;
}

export interface JobEvent extends BaseEvent {
  job: Job;
  inputs?: InputDataset[];
  outputs?: OutputDataset[];
}

export type LineageEvent = RunEvent | DatasetEvent | JobEvent;

export function isRunEvent(event: LineageEvent): event is RunEvent {
  return 'run' in event && 'job' in event;
}

export function isDatasetEvent(event: LineageEvent): event is DatasetEvent {
  return 'dataset' in event && !('job' in event);
}

export function isJobEvent(event: LineageEvent): event is JobEvent {
  return 'job' in event && !('run' in event);
}

export function eventKind(event: LineageEvent): 'RunEvent' | 'DatasetEvent' | 'JobEvent' {
  if (isRunEvent(event)) return 'RunEvent';
  if (isDatasetEvent(event)) return 'DatasetEvent';
  return 'JobEvent';
}
