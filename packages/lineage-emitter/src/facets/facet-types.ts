/** The standard facets' bodies, as the vendored facet schemas (spec/openlineage/facets) define them. */
import type { BaseFacet } from '../events/event-types.ts';

type Facet<Body> = BaseFacet & Body;

// ---- run facets
export interface ParentRef {
  run: { runId: string };
  job: { namespace: string; name: string };
}
export type ParentRunFacet = Facet<ParentRef & { root?: ParentRef }>;
export type NominalTimeRunFacet = Facet<{ nominalStartTime: string; nominalEndTime?: string }>;
export type ErrorMessageRunFacet = Facet<{
  message: string;
  programmingLanguage: string;
  stackTrace?: string;
}>;
export type ProcessingEngineRunFacet = Facet<{
  version: string;
  name?: string;
  openlineageAdapterVersion?: string;
}>;
export type EnvironmentVariablesRunFacet = Facet<{
  environmentVariables: { name: string; value: string }[];
}>;
export type ExternalQueryRunFacet = Facet<{ externalQueryId: string; source: string }>;
export interface RunTag {
  key: string;
  value: string;
  source?: string;
}
export type TagsRunFacet = Facet<{ tags: RunTag[] }>;

// ---- job facets
export type ProcessingType = 'BATCH' | 'STREAMING' | 'SERVICE';
export type JobTypeJobFacet = Facet<{
  processingType: ProcessingType | (string & {});
  integration: string;
  jobType?: string;
  emissionPattern?: {
    eventTrigger: 'EVENT_BASED' | 'PERIODIC' | (string & {});
    eventContentMode: 'ACCUMULATIVE' | 'COMPLETE_SNAPSHOT' | (string & {});
    windowDuration?: number;
  };
}>;
export type SQLJobFacet = Facet<{ query: string; dialect?: string }>;
export type DocumentationJobFacet = Facet<{ description: string; contentType?: string }>;
export interface Owner {
  name: string;
  type?: string;
}
export type OwnershipJobFacet = Facet<{ owners: Owner[] }>;
export type SourceCodeJobFacet = Facet<{ language: string; sourceCode: string }>;
export type SourceCodeLocationJobFacet = Facet<{
  type: string;
  url: string;
  repoUrl?: string;
  path?: string;
  version?: string;
  tag?: string;
  branch?: string;
  pullRequestNumber?: string;
}>;
export type TagsJobFacet = Facet<{ tags: RunTag[] }>;

// ---- dataset facets
export interface SchemaField {
  name: string;
  type?: string;
  description?: string;
  ordinal_position?: number;
  fields?: SchemaField[];
}
export type SchemaDatasetFacet = Facet<{ fields: SchemaField[] }>;
export type DatasourceDatasetFacet = Facet<{ name?: string; uri?: string }>;
export type TransformationType = 'DIRECT' | 'INDIRECT';
export interface Transformation {
  type: TransformationType | (string & {});
  subtype?: string;
  description?: string;
  masking?: boolean;
}
export interface InputField {
  namespace: string;
  name: string;
  field: string;
  transformations?: Transformation[];
}
export type ColumnLineageDatasetFacet = Facet<{
  fields: Record<string, { inputFields: InputField[] }>;
  dataset?: InputField[];
}>;
export type DocumentationDatasetFacet = Facet<{ description: string; contentType?: string }>;
export type OwnershipDatasetFacet = Facet<{ owners: Owner[] }>;
export interface DatasetTag {
  key: string;
  value: string;
  source?: string;
  /** The field the tag applies to; absent for the whole dataset. */
  field?: string;
}
export type TagsDatasetFacet = Facet<{ tags: DatasetTag[] }>;
export type DatasetTypeDatasetFacet = Facet<{ datasetType: string; subType?: string }>;
export type DatasetVersionDatasetFacet = Facet<{ datasetVersion: string }>;
export type StorageDatasetFacet = Facet<{ storageLayer: string; fileFormat?: string }>;
export type SymlinksDatasetFacet = Facet<{
  identifiers: { namespace: string; name: string; type: string }[];
}>;
export type LifecycleState = 'ALTER' | 'CREATE' | 'DROP' | 'OVERWRITE' | 'RENAME' | 'TRUNCATE';
export type LifecycleStateChangeDatasetFacet = Facet<{
  lifecycleStateChange: LifecycleState;
  previousIdentifier?: { namespace: string; name: string };
}>;

// ---- input and output dataset facets
export interface Assertion {
  assertion: string;
  success: boolean;
  column?: string;
  severity?: string;
  name?: string;
  expected?: string;
  actual?: string;
}
export type DataQualityAssertionsDatasetFacet = Facet<{ assertions: Assertion[] }>;
export interface ColumnMetrics {
  nullCount?: number;
  distinctCount?: number;
  sum?: number;
  count?: number;
  min?: number;
  max?: number;
  quantiles?: Record<string, number>;
}
export type DataQualityMetricsInputDatasetFacet = Facet<{
  rowCount?: number;
  bytes?: number;
  fileCount?: number;
  lastUpdated?: string;
  columnMetrics: Record<string, ColumnMetrics>;
}>;
export type InputStatisticsInputDatasetFacet = Facet<{
  rowCount?: number;
  size?: number;
  fileCount?: number;
}>;
export type OutputStatisticsOutputDatasetFacet = Facet<{
  rowCount?: number;
  size?: number;
  fileCount?: number;
}>;
