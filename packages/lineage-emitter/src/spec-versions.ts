/**
 * The spec versions our builders emit, taken from the `$id`s of the vendored schema files
 * (spec/openlineage, OpenLineage 2-0-2). `spec-versions.test.ts` checks every entry against those files.
 */
export const SPEC_VERSION = '2-0-2';
export const CORE_SCHEMA = `https://openlineage.io/spec/${SPEC_VERSION}/OpenLineage.json`;

export const EVENT_SCHEMA_URL = {
  RunEvent: `${CORE_SCHEMA}#/$defs/RunEvent`,
  DatasetEvent: `${CORE_SCHEMA}#/$defs/DatasetEvent`,
  JobEvent: `${CORE_SCHEMA}#/$defs/JobEvent`,
} as const;

/** Where a facet goes: `run.facets`, `job.facets`, a dataset's `facets`, `inputFacets` or `outputFacets`. */
export type FacetLevel = 'run' | 'job' | 'dataset' | 'input' | 'output';

/** Facet schema file name -> the key it is stored under, its version and where it goes. */
export const FACET_SPECS = {
  CatalogDatasetFacet: { key: 'catalog', version: '1-1-0', level: 'dataset' },
  ColumnLineageDatasetFacet: { key: 'columnLineage', version: '1-2-0', level: 'dataset' },
  DataQualityAssertionsDatasetFacet: { key: 'dataQualityAssertions', version: '1-1-0', level: 'input' },
  DataQualityMetricsDatasetFacet: { key: 'dataQualityMetrics', version: '1-0-0', level: 'dataset' },
  DataQualityMetricsInputDatasetFacet: { key: 'dataQualityMetrics', version: '1-0-3', level: 'input' },
  DatasetTypeDatasetFacet: { key: 'datasetType', version: '1-0-1', level: 'dataset' },
  DatasetVersionDatasetFacet: { key: 'version', version: '1-0-1', level: 'dataset' },
  DatasourceDatasetFacet: { key: 'dataSource', version: '1-0-1', level: 'dataset' },
  DocumentationDatasetFacet: { key: 'documentation', version: '1-1-0', level: 'dataset' },
  DocumentationJobFacet: { key: 'documentation', version: '1-1-0', level: 'job' },
  EnvironmentVariablesRunFacet: { key: 'environmentVariables', version: '1-0-0', level: 'run' },
  ErrorMessageRunFacet: { key: 'errorMessage', version: '1-0-1', level: 'run' },
  ExecutionParametersRunFacet: { key: 'executionParameters', version: '1-0-0', level: 'run' },
  ExternalQueryRunFacet: { key: 'externalQuery', version: '1-0-2', level: 'run' },
  ExtractionErrorRunFacet: { key: 'extractionError', version: '1-1-2', level: 'run' },
  HierarchyDatasetFacet: { key: 'hierarchy', version: '1-0-0', level: 'dataset' },
  InputStatisticsInputDatasetFacet: { key: 'inputStatistics', version: '1-0-0', level: 'input' },
  JobDependenciesRunFacet: { key: 'jobDependencies', version: '1-0-1', level: 'run' },
  JobTypeJobFacet: { key: 'jobType', version: '2-0-4', level: 'job' },
  LifecycleStateChangeDatasetFacet: { key: 'lifecycleStateChange', version: '1-0-1', level: 'dataset' },
  NominalTimeRunFacet: { key: 'nominalTime', version: '1-0-1', level: 'run' },
  OutputStatisticsOutputDatasetFacet: { key: 'outputStatistics', version: '1-0-2', level: 'output' },
  OwnershipDatasetFacet: { key: 'ownership', version: '1-0-1', level: 'dataset' },
  OwnershipJobFacet: { key: 'ownership', version: '1-0-1', level: 'job' },
  ParentRunFacet: { key: 'parent', version: '1-2-0', level: 'run' },
  ProcessingEngineRunFacet: { key: 'processing_engine', version: '1-1-1', level: 'run' },
  SQLJobFacet: { key: 'sql', version: '1-1-0', level: 'job' },
  SchemaDatasetFacet: { key: 'schema', version: '1-2-0', level: 'dataset' },
  SourceCodeJobFacet: { key: 'sourceCode', version: '1-0-1', level: 'job' },
  SourceCodeLocationJobFacet: { key: 'sourceCodeLocation', version: '1-1-0', level: 'job' },
  StorageDatasetFacet: { key: 'storage', version: '1-0-1', level: 'dataset' },
  SymlinksDatasetFacet: { key: 'symlinks', version: '1-0-1', level: 'dataset' },
  TagsDatasetFacet: { key: 'tags', version: '1-0-0', level: 'dataset' },
  TagsJobFacet: { key: 'tags', version: '1-0-0', level: 'job' },
  TagsRunFacet: { key: 'tags', version: '1-0-0', level: 'run' },
  TestRunFacet: { key: 'test', version: '1-0-1', level: 'run' },
} as const satisfies Record<string, { key: string; version: string; level: FacetLevel }>;

export type FacetName = keyof typeof FACET_SPECS;

/** `_schemaURL` of a facet: the `$defs` entry named like the file. */
export function facetSchemaUrl(name: FacetName): string {
  return `https://openlineage.io/spec/facets/${FACET_SPECS[name].version}/${name}.json#/$defs/${name}`;
}
