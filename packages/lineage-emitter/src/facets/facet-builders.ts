/**
 * Builders for the standard facets, bound to a producer URI. Every facet gets `_producer` and the
 * `_schemaURL` of the vendored schema version it conforms to.
 */
import type { BaseFacet } from '../events/event-types.ts';
import { facetSchemaUrl } from '../spec-versions.ts';
import type { FacetName } from '../spec-versions.ts';
import type * as F from './facet-types.ts';

type Body<T extends BaseFacet> = Omit<T, '_producer' | '_schemaURL'>;

export class FacetBuilders {
  readonly producer: string;

  constructor(producer: string) {
    this.producer = producer;
  }

  /** Any facet by schema name; the typed methods below are shorthands for this. */
  facet<T extends BaseFacet>(name: FacetName, body: Body<T>): T {
    return { _producer: this.producer, _schemaURL: facetSchemaUrl(name), ...body } as T;
  }

  /** A custom facet with its own schema URL (kept by collectors as is). */
  custom(schemaURL: string, body: Record<string, unknown>): BaseFacet {
    return { _producer: this.producer, _schemaURL: schemaURL, ...body };
  }

  // ---- run facets
  parent(parent: F.ParentRef, root?: F.ParentRef): F.ParentRunFacet {
    return this.facet('ParentRunFacet', { ...parent, ...(root ? { root } : {}) });
  }
  nominalTime(start: Date | string, end?: Date | string): F.NominalTimeRunFacet {
    return this.facet('NominalTimeRunFacet', {
      nominalStartTime: iso(start),
      ...(end === undefined ? {} : { nominalEndTime: iso(end) }),
    });
  }
  errorMessage(
    message: string,
    programmingLanguage = 'TypeScript',
    stackTrace?: string,
  ): F.ErrorMessageRunFacet {
    return this.facet('ErrorMessageRunFacet', {
      message,
      programmingLanguage,
      ...(stackTrace === undefined ? {} : { stackTrace }),
    });
  }
  /** The errorMessage facet of a thrown value: its message and stack. */
  errorFrom(error: unknown): F.ErrorMessageRunFacet {
    if (error instanceof Error) return this.errorMessage(error.message, 'TypeScript', error.stack);
    return this.errorMessage(String(error));
  }
  processingEngine(
    version: string,
    name?: string,
    openlineageAdapterVersion?: string,
  ): F.ProcessingEngineRunFacet {
    return this.facet('ProcessingEngineRunFacet', {
      version,
      ...(name === undefined ? {} : { name }),
      ...(openlineageAdapterVersion === undefined ? {} : { openlineageAdapterVersion }),
    });
  }
  environmentVariables(variables: Record<string, string>): F.EnvironmentVariablesRunFacet {
    return this.facet('EnvironmentVariablesRunFacet', {
      environmentVariables: Object.entries(variables).map(([name, value]) => ({ name, value })),
    });
  }
  externalQuery(externalQueryId: string, source: string): F.ExternalQueryRunFacet {
    return this.facet('ExternalQueryRunFacet', { externalQueryId, source });
  }
  runTags(tags: F.RunTag[]): F.TagsRunFacet {
    return this.facet('TagsRunFacet', { tags });
  }

  // ---- job facets
  jobType(body: Body<F.JobTypeJobFacet>): F.JobTypeJobFacet {
    return this.facet('JobTypeJobFacet', body);
  }
  sql(query: string, dialect?: string): F.SQLJobFacet {
    return this.facet('SQLJobFacet', { query, ...(dialect === undefined ? {} : { dialect }) });
  }
  jobDocumentation(description: string, contentType?: string): F.DocumentationJobFacet {
    return this.facet('DocumentationJobFacet', {
      description,
      ...(contentType === undefined ? {} : { contentType }),
    });
  }
  jobOwnership(owners: F.Owner[]): F.OwnershipJobFacet {
    return this.facet('OwnershipJobFacet', { owners });
  }
  sourceCode(language: string, sourceCode: string): F.SourceCodeJobFacet {
    return this.facet('SourceCodeJobFacet', { language, sourceCode });
  }
  sourceCodeLocation(body: Body<F.SourceCodeLocationJobFacet>): F.SourceCodeLocationJobFacet {
    return this.facet('SourceCodeLocationJobFacet', body);
  }
  jobTags(tags: F.RunTag[]): F.TagsJobFacet {
    return this.facet('TagsJobFacet', { tags });
  }

  // ---- dataset facets
  schema(fields: F.SchemaField[]): F.SchemaDatasetFacet {
    return this.facet('SchemaDatasetFacet', { fields });
  }
  dataSource(name: string, uri?: string): F.DatasourceDatasetFacet {
    return this.facet('DatasourceDatasetFacet', { name, ...(uri === undefined ? {} : { uri }) });
  }
  columnLineage(
    fields: Record<string, F.InputField[]>,
    dataset?: F.InputField[],
  ): F.ColumnLineageDatasetFacet {
    const out: Record<string, { inputFields: F.InputField[] }> = {};
    for (const [field, inputFields] of Object.entries(fields)) out[field] = { inputFields };
    return this.facet('ColumnLineageDatasetFacet', {
      fields: out,
      ...(dataset === undefined ? {} : { dataset }),
    });
  }
  documentation(description: string, contentType?: string): F.DocumentationDatasetFacet {
    return this.facet('DocumentationDatasetFacet', {
      description,
      ...(contentType === undefined ? {} : { contentType }),
    });
  }
  ownership(owners: F.Owner[]): F.OwnershipDatasetFacet {
    return this.facet('OwnershipDatasetFacet', { owners });
  }
  /** Dataset tags; `field` scopes a tag to one column (how residency and PII travel). */
  tags(tags: F.DatasetTag[]): F.TagsDatasetFacet {
    return this.facet('TagsDatasetFacet', { tags });
  }
  datasetType(datasetType: string, subType?: string): F.DatasetTypeDatasetFacet {
    return this.facet('DatasetTypeDatasetFacet', {
      datasetType,
      ...(subType === undefined ? {} : { subType }),
    });
  }
  datasetVersion(datasetVersion: string): F.DatasetVersionDatasetFacet {
    return this.facet('DatasetVersionDatasetFacet', { datasetVersion });
  }
  storage(storageLayer: string, fileFormat?: string): F.StorageDatasetFacet {
    return this.facet('StorageDatasetFacet', {
      storageLayer,
      ...(fileFormat === undefined ? {} : { fileFormat }),
    });
  }
  symlinks(identifiers: { namespace: string; name: string; type: string }[]): F.SymlinksDatasetFacet {
    return this.facet('SymlinksDatasetFacet', { identifiers });
  }
  lifecycleStateChange(
    state: F.LifecycleState,
    previousIdentifier?: { namespace: string; name: string },
  ): F.LifecycleStateChangeDatasetFacet {
    return this.facet('LifecycleStateChangeDatasetFacet', {
      lifecycleStateChange: state,
      ...(previousIdentifier === undefined ? {} : { previousIdentifier }),
    });
  }

  // ---- input and output dataset facets
  dataQualityMetrics(
    body: Body<F.DataQualityMetricsInputDatasetFacet>,
  ): F.DataQualityMetricsInputDatasetFacet {
    return this.facet('DataQualityMetricsInputDatasetFacet', body);
  }
  dataQualityAssertions(assertions: F.Assertion[]): F.DataQualityAssertionsDatasetFacet {
    return this.facet('DataQualityAssertionsDatasetFacet', { assertions });
  }
  inputStatistics(body: Body<F.InputStatisticsInputDatasetFacet>): F.InputStatisticsInputDatasetFacet {
    return this.facet('InputStatisticsInputDatasetFacet', body);
  }
  outputStatistics(body: Body<F.OutputStatisticsOutputDatasetFacet>): F.OutputStatisticsOutputDatasetFacet {
    return this.facet('OutputStatisticsOutputDatasetFacet', body);
  }
}

function iso(value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString();
}
