import { createHash } from 'node:crypto';
import type { CompatibilityLevel } from '../config.ts';
import { withIssues } from '@data-spine/service-kit';
import * as E from '../errors.ts';
import { lint } from '../lint/lint.ts';
import type { LintReport } from '../lint/lint.ts';
import {
  checkContractMetadata,
  RETENTION_PROPERTY,
  ROLLBACK_PROPERTY,
  SEMVER_PROPERTY,
} from './contract-metadata.ts';
import type { ContractMetadata } from './contract-metadata.ts';
import type { SeverityOverrides } from '../lint/lint.ts';
import { decideContractVersion, requestedSemver } from './contract-version.ts';
import { formatSemver, parseSemver } from './semver.ts';
import { InvalidSchemaError } from '../formats/schema-format.ts';
import type {
  ParsedSchema,
  ResolvedReference,
  SchemaFormat,
  SchemaReference,
  SchemaType,
} from '../formats/schema-format.ts';
import { claimImportedId } from '../storage/imported-ids.ts';
import type { RegistryStore, StoredSchema, SubjectVersion } from '../storage/registry-store.ts';
import { checkAgainstLevel, describeIssues, versionsRequiredBy } from './compatibility-levels.ts';
import type { FormatCatalog } from './format-catalog.ts';
import { checkRegisterMode, IMPORT_NEEDS_EMPTY } from './registry-modes.ts';
import type { Mode } from './registry-modes.ts';

export type { Mode } from './registry-modes.ts';

export interface SchemaInput {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
  normalize: boolean;
}

export interface RegisterInput extends SchemaInput {
  subject: string;
  /** IMPORT mode: the id and version the schema had where it comes from. */
  id?: number;
  version?: number;
  principal: string | null;
  /** Confluent's `metadata`: `{tags, properties, sensitive}`; `properties["data-spine.retention"]` is the retention. */
  metadata?: ContractMetadata | null;
  timing?: PhaseTimer;
}

export { RETENTION_PROPERTY, SEMVER_PROPERTY } from './contract-metadata.ts';
export type { ContractMetadata } from './contract-metadata.ts';

/** Times a phase of a request (`Server-Timing`); a no-op outside HTTP. */
export type PhaseTimer = <T>(name: string, fn: () => T | Promise<T>) => Promise<T>;
const untimed: PhaseTimer = async (_name, fn) => fn();

/** What registration reports, for metrics. */
export interface RegistryObserver {
  registered(type: SchemaType): void;
  incompatible(type: SchemaType): void;
  lintFailed(type: SchemaType): void;
}
const unobserved: RegistryObserver = { registered() {}, incompatible() {}, lintFailed() {} };

export interface VersionView extends SubjectVersion {
  schema: StoredSchema;
}

const MAX_VERSION = 2 ** 31 - 1;
/** Pages of `GET /schemas`: Confluent's `schema.search.default.limit`, and our ceiling. */
export const SCHEMA_LIST_DEFAULT_LIMIT = 1_000;
export const SCHEMA_LIST_MAX_LIMIT = 10_000;
/**
 * Parsed schemas kept for compatibility checks, least recently used dropped first: a parsed model takes
 * about ten times its text (some 15 KB for a 20-field Avro record) and re-parsing a dropped one well under a
 * millisecond. A registration needs the subject's latest, which the previous registration left here; reads
 * by id never need them.
 */
const PARSED_CACHE_MAX = 1_000;
const MAX_REFERENCE_DEPTH = 32;

/**
 * As in Confluent, a version registered without metadata keeps the previous version's (its tags, owner,
 * classification and retention); a rollback marker is not inherited.
 */
function inherited(previous: Record<string, unknown> | null | undefined): ContractMetadata | null {
  if (!previous) return null;
  const meta = previous as ContractMetadata;
  const properties = { ...meta.properties };
  delete properties[ROLLBACK_PROPERTY];
  return { ...meta, properties };
}

/** What lint reads of a version: the schema, and the tags and retention of its (effective) metadata. */
function lintSubject(schema: ParsedSchema, metadata: ContractMetadata | null) {
  return {
    schema,
    retention: metadata?.properties?.[RETENTION_PROPERTY] ?? null,
    ...(metadata?.tags ? { tags: metadata.tags } : {}),
  };
}

/**
 * As Confluent's `QualifiedSubject.isValidSubject`: a subject with a control character, or named as its
 * global config is, is 42208. Checked where a subject comes into being (register, its config and mode).
 */
export function checkSubjectName(subject: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(subject) || subject === '__GLOBAL')
    throw new E.InvalidSubject(subject);
}

/** Parses `latest`, `-1` or a number in [1, 2^31-1]; anything else is 42202. */
export function parseVersionSpec(spec: string): number | 'latest' {
  if (spec === 'latest' || spec === '-1') return 'latest';
  if (!/^\d+$/.test(spec)) throw new E.InvalidVersion(spec);
  const n = Number(spec);
  if (n < 1 || n > MAX_VERSION) throw new E.InvalidVersion(spec);
  return n;
}

/**
 * The registry's rules, over the store: registration (idempotent, compatibility-checked, one id per
 * distinct schema across subjects), lookups, deletes, config and mode. Routes only translate HTTP.
 */
export class RegistryService {
  readonly #store: RegistryStore;
  readonly #formats: FormatCatalog;
  readonly #defaultCompatibility: CompatibilityLevel;
  /** Parsed schemas by id: schemas are immutable, so parsing once is enough. */
  readonly #parsed = new Map<string, ParsedSchema>();

  readonly #observer: RegistryObserver;
  readonly #maxSchemaBytes: number;

  constructor(
    store: RegistryStore,
    formats: FormatCatalog,
    defaultCompatibility: CompatibilityLevel,
    observer: RegistryObserver = unobserved,
    limits: { maxSchemaBytes: number } = { maxSchemaBytes: 1_048_576 },
  ) {
    this.#store = store;
    this.#formats = formats;
    this.#defaultCompatibility = defaultCompatibility;
    this.#observer = observer;
    this.#maxSchemaBytes = limits.maxSchemaBytes;
  }

  get store(): RegistryStore {
    return this.#store;
  }

  /** Lint severities: the global overrides, then the subject's (which win). */
  async lintOverrides(subject: string | null): Promise<SeverityOverrides[]> {
    const global = (await this.#store.config(''))?.lint ?? {};
    const own = subject === null ? {} : ((await this.#store.config(subject))?.lint ?? {});
    return [global, own];
  }

  schemaTypes(): SchemaType[] {
    return this.#formats.types();
  }

  format(type: SchemaType): SchemaFormat {
    const f = this.#formats.get(type);
    if (!f)
      throw new E.InvalidSchema(
        `schema type ${type} is not supported; supported: ${this.#formats.types().join(', ')}`,
      );
    return f;
  }

  /** Fetches the referenced versions' schemas, transitively; a missing one or a cycle is 42201. */
  async resolveReferences(
    refs: readonly SchemaReference[],
    seen: readonly string[] = [],
  ): Promise<ResolvedReference[]> {
    if (seen.length > MAX_REFERENCE_DEPTH)
      throw new E.InvalidSchema(`references nest deeper than ${MAX_REFERENCE_DEPTH}`);
    const out: ResolvedReference[] = [];
    for (const ref of refs) {
      const key = `${ref.subject}/${ref.version}`;
      if (seen.includes(key)) throw new E.InvalidSchema(`cyclic reference: ${[...seen, key].join(' -> ')}`);
      const version = await this.#versionOrNull(
        ref.subject,
        ref.version === -1 ? 'latest' : ref.version,
        false,
      );
      if (!version)
        throw new E.InvalidSchema(
          `reference ${ref.name} names ${ref.subject} version ${ref.version}, which does not exist`,
        );
      out.push({
        name: ref.name,
        subject: ref.subject,
        version: version.version,
        schema: version.schema.schema,
        references: await this.resolveReferences(version.schema.references, [...seen, key]),
      });
    }
    return out;
  }

  /**
   * As Confluent (`replaceLatestVersion`): a reference to version -1 means the referenced subject's latest
   * version at the time, and is stored as that version, so a schema id always means the same schema.
   */
  async pinReferences<I extends SchemaInput>(input: I): Promise<I> {
    if (!input.references.some((r) => r.version === -1)) return input;
    const references = await Promise.all(
      input.references.map(async (ref) => {
        if (ref.version !== -1) return ref;
        const latest = await this.#versionOrNull(ref.subject, 'latest', false);
        if (!latest)
          throw new E.InvalidSchema(
            `reference ${ref.name} names the latest version of ${ref.subject}, which has none`,
          );
        return { ...ref, version: latest.version };
      }),
    );
    return { ...input, references };
  }

  /** Confluent's 42209, from SPINE_REGISTRY_MAX_SCHEMA_BYTES: checked before anything parses the text. */
  #checkSize(schema: string): void {
    const bytes = Buffer.byteLength(schema, 'utf8');
    if (bytes > this.#maxSchemaBytes) throw new E.SchemaTooLarge(bytes, this.#maxSchemaBytes);
  }

  async parse(input: SchemaInput): Promise<ParsedSchema> {
    const format = this.format(input.schemaType);
    const resolved = await this.resolveReferences(input.references);
    try {
      return format.parse(input.schema, resolved, { normalize: input.normalize });
    } catch (err) {
      if (err instanceof InvalidSchemaError) {
        throw new E.InvalidSchema(err.path ? `${err.message} (at ${err.path})` : err.message, { cause: err });
      }
      throw err;
    }
  }

  identity(type: SchemaType, parsed: ParsedSchema, refs: readonly SchemaReference[]): string {
    return createHash('sha256')
      .update(`${type}\n${parsed.canonical}\n${JSON.stringify(refs)}`)
      .digest('hex');
  }

  async parsedById(stored: StoredSchema, normalize = false): Promise<ParsedSchema> {
    const key = `${stored.id}:${normalize}`;
    const cached = this.#parsed.get(key);
    if (cached) {
      // Least recently used last: re-inserting moves it to the end of the Map's order.
      this.#parsed.delete(key);
      this.#parsed.set(key, cached);
      return cached;
    }
    const parsed = await this.parse({
      schema: stored.schema,
      schemaType: stored.schemaType,
      references: stored.references,
      normalize,
    });
    this.#rememberParsed(key, parsed);
    return parsed;
  }

  #rememberParsed(key: string, parsed: ParsedSchema): void {
    this.#parsed.delete(key);
    this.#parsed.set(key, parsed);
    if (this.#parsed.size > PARSED_CACHE_MAX) this.#parsed.delete(this.#parsed.keys().next().value as string);
  }

  /** The parsed schemas of `versions`, in order (cached by id). */
  parsedVersions(versions: readonly SubjectVersion[]): Promise<ParsedSchema[]> {
    return Promise.all(
      versions.map(async (v) => this.parsedById((await this.#store.schemaById(v.schemaId)) as StoredSchema)),
    );
  }

  async compatibilityLevel(subject: string | null): Promise<CompatibilityLevel> {
    const own = subject === null ? undefined : await this.#store.config(subject);
    if (own?.compatibility) return own.compatibility as CompatibilityLevel;
    const global = await this.#store.config('');
    return (global?.compatibility as CompatibilityLevel | null) ?? this.#defaultCompatibility;
  }

  async mode(subject: string | null): Promise<Mode> {
    const own = subject === null ? undefined : await this.#store.config(subject);
    if (own?.mode) return own.mode as Mode;
    return ((await this.#store.config(''))?.mode as Mode | null) ?? 'READWRITE';
  }

  async register(request: RegisterInput): Promise<{ id: number; version: number }> {
    const time = request.timing ?? untimed;
    checkSubjectName(request.subject);
    const mode = await this.mode(request.subject);
    checkRegisterMode(request.subject, mode, request);
    // Confluent reads the id as a Java int: a larger one is a body it cannot parse.
    if (request.id !== undefined && request.id > MAX_VERSION)
      throw new E.InvalidSchema(`/id: schema id ${request.id} is not in [1, 2^31-1]`);
    if (request.version !== undefined && request.version > MAX_VERSION)
      throw new E.InvalidVersion(String(request.version));
    this.#checkSize(request.schema);
    const metadata = checkContractMetadata(request.metadata);
    const input = await this.pinReferences(request);
    const parsed = await time('parse', () => this.parse(input));
    const overrides = await this.lintOverrides(input.subject);
    const lintWith = (meta: ContractMetadata | null) => lint(lintSubject(parsed, meta), ...overrides);
    // Without metadata the version inherits the previous one's, known once the subject is locked. Inherited
    // tags and retention can only clear findings, so a pass without them is a pass; a failure is decided
    // again in the lock.
    const report = await time('lint', () => lintWith(metadata));
    if (report.errors > 0 && metadata) await this.#refuseLint(input, report);
    const identity = this.identity(input.schemaType, parsed, input.references);
    const format = this.format(input.schemaType);
    const level = await this.compatibilityLevel(input.subject);

    // `store` spans the subject's transaction, the compatibility phase within it included.
    const result = await time('store', async () => {
      return this.#store.withSubjectLock(
        input.subject,
        async (db, { versions, identityId: existingId }) => {
          const live = versions.filter((v) => !v.deleted);
          const same = existingId === undefined ? undefined : live.find((v) => v.schemaId === existingId);
          if (same && (input.id === undefined || input.id === same.schemaId))
            return { id: same.schemaId, version: same.version };
          // Confluent's IdDoesNotMatchException: this subject has the schema, under another id.
          if (same && input.id !== undefined) throw new E.IdDoesNotMatch(same.schemaId, input.id);
          const effective = metadata ?? inherited(live.at(-1)?.metadata);
          if (report.errors > 0) {
            const again = metadata ? report : lintWith(effective);
            if (again.errors > 0) await this.#refuseLint(input, again);
          }
          if (input.version !== undefined) {
            const taken = versions.find((v) => v.version === input.version);
            if (taken)
              throw new E.OperationNotPermitted(
                `Version ${taken.version} of subject ${input.subject} exists${taken.deleted ? ' (soft deleted)' : ''} with schema id ${taken.schemaId}; an import cannot overwrite it`,
              );
          }

          const latestSemver = parseSemver(live.at(-1)?.semver ?? '');
          const requested = requestedSemver(input.metadata, latestSemver);
          let breaking = false;
          if (mode !== 'IMPORT') {
            const previous = await this.parsedVersions(versionsRequiredBy(level, live));
            const issues = await time('compatibility', () =>
              checkAgainstLevel(format, level, parsed, previous),
            );
            breaking = issues.length > 0;
            const decision = decideContractVersion(latestSemver, requested, breaking);
            if (!decision.accepted) {
              this.#observer.incompatible(input.schemaType);
              await this.#auditRefused(input, { level, issues });
              const needed = decision.needed
                ? `; a breaking change needs a major version: ${SEMVER_PROPERTY}=${decision.needed}`
                : '';
              throw new E.IncompatibleSchema(input.subject, describeIssues(issues).join(', ') + needed);
            }
          }
          const { semver } = decideContractVersion(latestSemver, requested, breaking);
          const version = input.version ?? versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
          if (input.id !== undefined) {
            const conflict = await claimImportedId(db, input.id, identity);
            if (conflict?.kind === 'id-taken')
              throw new E.OperationNotPermitted(`Overwrite new schema with id ${input.id} is not permitted.`);
            if (conflict?.kind === 'schema-has-id') throw new E.IdDoesNotMatch(conflict.id, input.id);
          }
          const id = await this.#store.appendVersion(
            db,
            {
              schemaType: input.schemaType,
              schema: input.schema,
              canonical: parsed.canonical,
              identity,
              references: input.references,
            },
            input.id,
            {
              subject: input.subject,
              version,
              semver,
              metadata: effective as Record<string, unknown> | null,
            },
            {
              principal: input.principal,
              action: input.id !== undefined || input.version !== undefined ? 'import' : 'register',
              result: 'ok',
            },
          );
          return { id, version };
        },
        identity,
      );
    });
    this.#observer.registered(input.schemaType);
    // The next registration under this subject compares with this version: keep its parse, when it is the
    // parse of the stored text (a schema first registered in another spelling keeps that spelling).
    if (!input.normalize && (await this.#store.schemaById(result.id))?.schema === input.schema)
      this.#rememberParsed(`${result.id}:false`, parsed);
    return result;
  }

  async #refuseLint(input: RegisterInput, report: LintReport): Promise<never> {
    this.#observer.lintFailed(input.schemaType);
    await this.#auditRefused(input, { lint: report.findings });
    throw withIssues(
      new E.LintFailed(
        report.findings
          .filter((f) => f.severity === 'error')
          .map((f) => `${f.rule} at ${f.path}: ${f.message}; ${f.fix}`)
          .join('; '),
      ),
      report.findings.map((f) => ({ pointer: f.path, rule: f.rule, message: f.message })),
    );
  }

  /** A refused registration's audit record (outside the subject's transaction, which rolls back). */
  async #auditRefused(input: RegisterInput, detail: Record<string, unknown>): Promise<void> {
    await this.#store.audit({
      principal: input.principal,
      action: 'register',
      subject: input.subject,
      result: 'refused',
      detail,
    });
  }

  /**
   * What registering would decide, without registering: lint findings, compatibility at the subject's level,
   * the contract version bump the change needs (`major` for a breaking change) and the semver it would get.
   * A semver asked for in `metadata` is checked as registering checks it (42290), and a breaking change
   * with a major bump is valid, as registering accepts it.
   */
  async validate(subject: string, request: SchemaInput, metadata: ContractMetadata | null) {
    const format = this.format(request.schemaType);
    this.#checkSize(request.schema);
    const contract = checkContractMetadata(metadata);
    const input = await this.pinReferences(request);
    const parsed = await this.parse(input);
    const live = (await this.#store.versions(subject)).filter((v) => !v.deleted);
    // As registering would: without metadata, the previous version's applies.
    const report = lint(
      lintSubject(parsed, contract ?? inherited(live.at(-1)?.metadata)),
      ...(await this.lintOverrides(subject)),
    );
    const level = await this.compatibilityLevel(subject);
    const previous = await this.parsedVersions(versionsRequiredBy(level, live));
    const issues = checkAgainstLevel(format, level, parsed, previous);
    const latest = parseSemver(live.at(-1)?.semver ?? '');
    const requested = requestedSemver(metadata, latest);
    const decision = decideContractVersion(latest, requested, issues.length > 0);
    const requiredBump = live.length === 0 ? null : issues.length > 0 ? 'major' : 'minor';
    return {
      valid: report.errors === 0 && decision.accepted,
      lint: report,
      compatibility: { level, is_compatible: issues.length === 0, issues, messages: describeIssues(issues) },
      semver: {
        latest: latest ? formatSemver(latest) : null,
        requested: requested ? formatSemver(requested) : null,
        required_bump: requiredBump,
        next: decision.semver,
        ...(decision.accepted ? {} : { needed: decision.needed }),
      },
    };
  }

  /** As Confluent's `get(subject, version, deleted)`: `latest` is the latest not deleted, always. */
  async #versionOrNull(
    subject: string,
    spec: number | 'latest',
    includeDeleted: boolean,
  ): Promise<VersionView | null> {
    const versions = await this.#store.versions(subject);
    const v =
      spec === 'latest'
        ? versions.filter((x) => !x.deleted).at(-1)
        : versions.find((x) => x.version === spec && (includeDeleted || !x.deleted));
    if (!v) return null;
    const schema = await this.#store.schemaById(v.schemaId);
    return schema ? { ...v, schema } : null;
  }

  async version(subject: string, spec: string, includeDeleted = false): Promise<VersionView> {
    const parsedSpec = parseVersionSpec(spec);
    const all = await this.#store.versions(subject);
    if (all.length === 0 || (!includeDeleted && all.every((v) => v.deleted)))
      throw new E.SubjectNotFound(subject);
    const v = await this.#versionOrNull(subject, parsedSpec, includeDeleted);
    if (!v) throw new E.VersionNotFound(spec);
    return v;
  }

  async versions(subject: string, includeDeleted: boolean): Promise<number[]> {
    const all = (await this.#store.versions(subject)).filter((v) => includeDeleted || !v.deleted);
    if (all.length === 0) throw new E.SubjectNotFound(subject);
    return all.map((v) => v.version);
  }

  async lookup(subject: string, request: SchemaInput, includeDeleted: boolean): Promise<VersionView> {
    const versions = (await this.#store.versions(subject)).filter((v) => includeDeleted || !v.deleted);
    if (versions.length === 0) throw new E.SubjectNotFound(subject);
    const input = await this.pinReferences(request);
    const parsed = await this.parse(input);
    const id = await this.#store.schemaIdByIdentity(
      this.identity(input.schemaType, parsed, input.references),
    );
    const match = id === undefined ? undefined : versions.filter((v) => v.schemaId === id).at(-1);
    if (!match) throw new E.SchemaNotFoundUnderSubject();
    return { ...match, schema: (await this.#store.schemaById(match.schemaId)) as StoredSchema };
  }

  subjects(options: {
    prefix?: string;
    deleted: boolean;
    offset: number;
    limit: number | null;
  }): Promise<string[]> {
    return this.#store.subjects(options);
  }

  referencedBy(subject: string, version: number): Promise<number[]> {
    return this.#store.referencedBy(subject, version);
  }

  /** Where a schema id is used: `{subject, version}` pairs, soft-deleted ones only with `includeDeleted`. */
  async usesOf(id: number, includeDeleted: boolean): Promise<Array<{ subject: string; version: number }>> {
    await this.schemaById(id);
    return (await this.#store.versionsOfSchema(id))
      .filter((v) => includeDeleted || !v.deleted)
      .map((v) => ({ subject: v.subject, version: v.version }));
  }

  listSchemas(options: {
    subjectPrefix?: string;
    deleted: boolean;
    latestOnly: boolean;
    offset: number;
    limit: number;
  }) {
    return this.#store.schemas(options);
  }

  /** Sets (`null`: removes) a compatibility level, audited. */
  async setCompatibility(
    subject: string | null,
    level: CompatibilityLevel | null,
    principal: string | null,
  ): Promise<void> {
    await this.#store.setConfig(
      subject ?? '',
      { field: 'compatibility', value: level },
      { principal, action: level === null ? 'delete-compatibility' : 'set-compatibility' },
    );
  }

  async subjectCompatibility(subject: string): Promise<CompatibilityLevel | null> {
    return (
      ((await this.#store.config(subject))?.compatibility as CompatibilityLevel | null | undefined) ?? null
    );
  }

  /**
   * Sets a mode, audited. As in Confluent, switching to IMPORT where a subject (for the global mode: any
   * subject) has versions is refused (42205) unless `force`: imported ids and versions would mix with ours.
   */
  async setMode(
    subject: string | null,
    mode: Mode,
    options: { force: boolean; principal: string | null },
  ): Promise<void> {
    if (
      mode === 'IMPORT' &&
      !options.force &&
      (await this.mode(subject)) !== 'IMPORT' &&
      (await this.#store.hasLiveVersions(subject))
    ) {
      await this.#store.audit({
        principal: options.principal,
        action: 'set-mode',
        ...(subject === null ? {} : { subject }),
        result: 'refused',
        detail: { to: mode, reason: IMPORT_NEEDS_EMPTY },
      });
      throw new E.OperationNotPermitted(IMPORT_NEEDS_EMPTY);
    }
    await this.#store.setConfig(
      subject ?? '',
      { field: 'mode', value: mode },
      {
        principal: options.principal,
        action: 'set-mode',
        ...(options.force ? { detail: { force: true } } : {}),
      },
    );
  }

  async subjectMode(subject: string): Promise<Mode | null> {
    return ((await this.#store.config(subject))?.mode as Mode | null | undefined) ?? null;
  }

  /** Removes a subject's own mode, audited, and answers it; as Confluent, 40401 when it has none. */
  async deleteSubjectMode(subject: string, principal: string | null): Promise<Mode> {
    const own = await this.subjectMode(subject);
    if (!own) throw new E.SubjectNotFound(subject);
    await this.#store.setConfig(
      subject,
      { field: 'mode', value: null },
      { principal, action: 'delete-mode' },
    );
    return own;
  }

  async schemaById(id: number): Promise<StoredSchema> {
    const s =
      Number.isInteger(id) && id > 0 && id <= MAX_VERSION ? await this.#store.schemaById(id) : undefined;
    if (!s) throw new E.SchemaNotFound(String(id));
    return s;
  }

  /**
   * `versionSpec` is a version (`latest`, a number) or `all`: every version the level requires. As
   * Confluent: soft-deleted versions are never compared with, `latest` of a subject without versions is
   * compatible, and a version that is not there is 40402 (whether or not the subject is).
   */
  async checkCompatibility(subject: string, versionSpec: string, request: SchemaInput): Promise<string[]> {
    const format = this.format(request.schemaType);
    const spec = versionSpec === 'all' ? 'all' : parseVersionSpec(versionSpec);
    const input = await this.pinReferences(request);
    const candidate = await this.parse(input);
    const level = await this.compatibilityLevel(subject);
    let against: SubjectVersion[];
    if (spec === 'all') {
      against = (await this.#store.versions(subject)).filter((v) => !v.deleted);
    } else {
      const v = await this.#versionOrNull(subject, spec, false);
      if (!v && spec !== 'latest') throw new E.VersionNotFound(versionSpec);
      against = v ? [v] : [];
    }
    // Against one named version the level's direction applies, without transitivity.
    const effective = spec === 'all' ? level : (level.replace('_TRANSITIVE', '') as CompatibilityLevel);
    const previous = await this.parsedVersions(versionsRequiredBy(effective, against));
    return describeIssues(checkAgainstLevel(format, effective, candidate, previous));
  }

  async deleteSubject(subject: string, permanent: boolean, principal: string | null): Promise<number[]> {
    if ((await this.mode(subject)) === 'READONLY')
      throw new E.OperationNotPermitted(`Subject ${subject} is in read-only mode`);
    return this.#store.withSubjectLock(subject, async (db, { versions }) => {
      if (versions.length === 0) throw new E.SubjectNotFound(subject);
      if (permanent) {
        if (versions.some((v) => !v.deleted)) throw new E.SubjectNotSoftDeleted(subject);
        await this.#refuseIfReferenced(subject, versions);
        await this.#store.hardDelete(db, subject);
      } else {
        if (versions.every((v) => v.deleted)) throw new E.SubjectSoftDeleted(subject);
        await this.#refuseIfReferenced(
          subject,
          versions.filter((v) => !v.deleted),
        );
        await this.#store.softDelete(db, subject);
      }
      await this.#store.audit(
        {
          principal,
          action: permanent ? 'delete-subject-permanent' : 'delete-subject',
          subject,
          result: 'ok',
        },
        db,
      );
      return (permanent ? versions : versions.filter((v) => !v.deleted)).map((v) => v.version);
    });
  }

  async deleteVersion(
    subject: string,
    spec: string,
    permanent: boolean,
    principal: string | null,
  ): Promise<number> {
    const parsedSpec = parseVersionSpec(spec);
    // As deleting a subject, and as Confluent's deleteSchemaVersion.
    if ((await this.mode(subject)) === 'READONLY')
      throw new E.OperationNotPermitted(`Subject ${subject} is in read-only mode`);
    return this.#store.withSubjectLock(subject, async (db, { versions }) => {
      if (versions.length === 0) throw new E.SubjectNotFound(subject);
      const target =
        parsedSpec === 'latest'
          ? versions.filter((v) => !v.deleted).at(-1)
          : versions.find((v) => v.version === parsedSpec);
      if (!target) throw new E.VersionNotFound(spec);
      if (permanent && !target.deleted) throw new E.VersionNotSoftDeleted(subject, target.version);
      if (!permanent && target.deleted) throw new E.VersionSoftDeleted(subject, target.version);
      await this.#refuseIfReferenced(subject, [target]);
      if (permanent) await this.#store.hardDelete(db, subject, target.version);
      else await this.#store.softDelete(db, subject, target.version);
      await this.#store.audit(
        {
          principal,
          action: permanent ? 'delete-version-permanent' : 'delete-version',
          subject,
          version: target.version,
          result: 'ok',
        },
        db,
      );
      return target.version;
    });
  }

  async #refuseIfReferenced(subject: string, versions: readonly SubjectVersion[]): Promise<void> {
    for (const v of versions) {
      if ((await this.#store.referencedBy(subject, v.version)).length > 0)
        throw new E.ReferenceExists(subject, v.version);
    }
  }
}
