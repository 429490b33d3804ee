import * as E from '../errors.ts';
import { LINT_RULE_IDS } from '../lint/lint.ts';
import type { ParsedSchema } from '../formats/schema-format.ts';
import type { StoredSchema } from '../storage/registry-store.ts';
import { checkAgainstLevel, describeIssues, versionsRequiredBy } from './compatibility-levels.ts';
import {
  CLASSIFICATION_PROPERTY,
  OWNER_PROPERTY,
  RETENTION_PROPERTY,
  ROLLBACK_PROPERTY,
} from './contract-metadata.ts';
import type { ContractMetadata } from './contract-metadata.ts';
import { tagFields } from './field-tags.ts';
import type { TaggedField } from './field-tags.ts';
import type { RegistryService, SchemaInput, VersionView } from './registry-service.ts';
import { bump, formatSemver, parseSemver } from './semver.ts';

const SEVERITIES = ['error', 'warning', 'off'] as const;

/** One side of a diff: a registered version, or a schema not registered yet. */
export type DiffSide = { version: string } | { schema: SchemaInput };

export interface FieldChange {
  path: string;
  change: 'added' | 'removed' | 'type' | 'tags';
  from?: string | string[];
  to?: string | string[];
}

/**
 * Ours, beside Confluent's API: a version read as a data contract (semver, classification, owner,
 * retention, every field with its tags), diffs between versions, rollbacks and lint configuration.
 */
export class ContractService {
  readonly #registry: RegistryService;

  constructor(registry: RegistryService) {
    this.#registry = registry;
  }

  async contract(subject: string, versionSpec: string) {
    const v = await this.#registry.version(subject, versionSpec);
    const parsed = await this.#registry.parsedById(v.schema);
    return this.#view(v, parsed);
  }

  #view(v: VersionView, parsed: ParsedSchema) {
    const metadata = (v.metadata ?? {}) as ContractMetadata;
    const props = metadata.properties ?? {};
    const fields = tagFields(parsed.fields, metadata.tags);
    return {
      subject: v.subject,
      version: v.version,
      id: v.schemaId,
      schemaType: v.schema.schemaType,
      semver: v.semver,
      classification: props[CLASSIFICATION_PROPERTY] ?? null,
      owner: props[OWNER_PROPERTY] ?? null,
      retention: props[RETENTION_PROPERTY] ?? null,
      ...(props[ROLLBACK_PROPERTY] ? { rollbackOf: Number(props[ROLLBACK_PROPERTY]) } : {}),
      metadata,
      fields,
    };
  }

  /** A schema not registered yet is read with `inheritTags`, as registering it would keep them. */
  async #side(
    subject: string,
    side: DiffSide,
    inheritTags?: Record<string, string[]>,
  ): Promise<{ parsed: ParsedSchema; fields: TaggedField[]; tags?: Record<string, string[]> }> {
    if ('version' in side) {
      const v = await this.#registry.version(subject, side.version);
      const parsed = await this.#registry.parsedById(v.schema);
      const tags = (v.metadata as ContractMetadata | null)?.tags;
      return { parsed, fields: tagFields(parsed.fields, tags), ...(tags ? { tags } : {}) };
    }
    const parsed = await this.#registry.parse(side.schema);
    return { parsed, fields: tagFields(parsed.fields, inheritTags) };
  }

  /** Field changes from `from` to `to`, compatibility both ways, and the contract bump it needs. */
  async diff(subject: string, from: DiffSide, to: DiffSide) {
    const a = await this.#side(subject, from);
    const b = await this.#side(subject, to, a.tags);
    if (a.parsed.type !== b.parsed.type)
      throw new E.InvalidSchema(`cannot diff a ${a.parsed.type} schema against a ${b.parsed.type} one`);
    const format = this.#registry.format(b.parsed.type);
    const before = new Map(a.fields.map((f) => [f.path, f]));
    const after = new Map(b.fields.map((f) => [f.path, f]));
    const changes: FieldChange[] = [];
    for (const [path, f] of before) {
      const g = after.get(path);
      if (!g) changes.push({ path, change: 'removed', from: f.type });
      else {
        if (g.type !== f.type) changes.push({ path, change: 'type', from: f.type, to: g.type });
        const ft = [...f.tags].sort();
        const gt = [...g.tags].sort();
        if (ft.join('\u0000') !== gt.join('\u0000')) changes.push({ path, change: 'tags', from: ft, to: gt });
      }
    }
    for (const [path, g] of after) if (!before.has(path)) changes.push({ path, change: 'added', to: g.type });
    const backward = format.checkCompatibility(b.parsed, a.parsed);
    const forward = format.checkCompatibility(a.parsed, b.parsed);
    const level = await this.#registry.compatibilityLevel(subject);
    const breaking = checkAgainstLevel(format, level, b.parsed, [a.parsed]).length > 0;
    return {
      subject,
      level,
      changes,
      compatibility: {
        backward: {
          is_compatible: backward.length === 0,
          messages: describeIssues(backward),
          issues: backward,
        },
        forward: { is_compatible: forward.length === 0, messages: describeIssues(forward), issues: forward },
      },
      required_bump:
        changes.length === 0 && a.parsed.canonical === b.parsed.canonical
          ? 'none'
          : breaking
            ? 'major'
            : 'minor',
    };
  }

  /**
   * Makes an earlier version latest again, as a new version reusing its schema id. The new semver is a
   * minor bump, or a major one when going back breaks the subject's level; the reason is audited.
   */
  async rollback(subject: string, to: number | null, reason: string, principal: string | null) {
    if ((await this.#registry.mode(subject)) === 'READONLY')
      throw new E.OperationNotPermitted(`Subject ${subject} is in read-only mode`);
    const store = this.#registry.store;
    const level = await this.#registry.compatibilityLevel(subject);
    return store.withSubjectLock(subject, async (db, { versions }) => {
      const live = versions.filter((v) => !v.deleted);
      if (live.length === 0) throw new E.SubjectNotFound(subject);
      const latest = live.at(-1) as (typeof live)[number];
      const target = to === null ? live.at(-2) : live.find((v) => v.version === to);
      if (!target)
        throw to === null
          ? new E.OperationNotPermitted(`Subject ${subject} has no earlier version to roll back to`)
          : new E.VersionNotFound(String(to));
      if (target.version === latest.version)
        throw new E.OperationNotPermitted(`version ${target.version} is already the latest of ${subject}`);
      const schema = (await store.schemaById(target.schemaId)) as StoredSchema;
      const candidate = await this.#registry.parsedById(schema);
      const previous = await this.#registry.parsedVersions(versionsRequiredBy(level, live));
      const format = this.#registry.format(schema.schemaType);
      const issues = checkAgainstLevel(format, level, candidate, previous);
      const latestSemver = parseSemver(latest.semver ?? '') ?? { major: 1, minor: 0, patch: 0 };
      const semver = formatSemver(bump(latestSemver, issues.length > 0 ? 'major' : 'minor'));
      const base = (target.metadata ?? {}) as ContractMetadata;
      const metadata: ContractMetadata = {
        ...base,
        properties: { ...base.properties, [ROLLBACK_PROPERTY]: String(target.version) },
      };
      const version = versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
      await store.insertVersion(db, {
        subject,
        version,
        schemaId: target.schemaId,
        semver,
        metadata: metadata as Record<string, unknown>,
      });
      await store.audit(
        {
          principal,
          action: 'rollback',
          subject,
          version,
          schemaId: target.schemaId,
          result: 'ok',
          detail: { to: target.version, from: latest.version, reason, breaking: issues.length > 0 },
        },
        db,
      );
      return { subject, version, id: target.schemaId, semver, rolledBackTo: target.version };
    });
  }

  async lintConfig(subject: string | null) {
    const [global, own] = await this.#registry.lintOverrides(subject);
    return {
      rules: LINT_RULE_IDS,
      global: global ?? {},
      ...(subject === null ? {} : { subject: own ?? {} }),
    };
  }

  async setLintConfig(subject: string | null, severities: Record<string, string>, principal: string | null) {
    for (const [rule, severity] of Object.entries(severities)) {
      if (!LINT_RULE_IDS.includes(rule))
        throw new E.InvalidLintConfig(`unknown rule '${rule}'; rules: ${LINT_RULE_IDS.join(', ')}`);
      if (!(SEVERITIES as readonly string[]).includes(severity))
        throw new E.InvalidLintConfig(`severity of '${rule}' must be one of ${SEVERITIES.join(', ')}`);
    }
    await this.#registry.store.setConfig(
      subject ?? '',
      { field: 'lint', value: Object.keys(severities).length > 0 ? severities : null },
      { principal, action: 'set-lint-config' },
    );
    return this.lintConfig(subject);
  }
}
