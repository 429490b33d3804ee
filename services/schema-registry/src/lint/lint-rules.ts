import type { NamedType, ParsedSchema } from '../formats/schema-format.ts';
import { tagFields } from '../registry/field-tags.ts';
import { hasPiiTag, piiHint } from './pii-hints.ts';
import { snakeWords } from './snake-words.ts';

export type Severity = 'error' | 'warning' | 'off';

export interface Finding {
  rule: string;
  severity: Exclude<Severity, 'off'>;
  path: string;
  message: string;
  fix: string;
}

/** What a rule sees: the parsed schema and the contract metadata registered with it. */
export interface LintSubject {
  schema: ParsedSchema;
  retention: string | null;
  /** Confluent's `metadata.tags` (field path globs -> tags): they tag fields as inline tags do. */
  tags?: Readonly<Record<string, readonly string[]>>;
}

export interface LintRule {
  id: string;
  /** PII tagging blocks by default (seed 004's security gate); style rules only warn. */
  defaultSeverity: Exclude<Severity, 'off'>;
  check(subject: LintSubject): Array<Omit<Finding, 'severity' | 'rule'>>;
}

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const shortName = (t: NamedType) => t.name.split('.').at(-1) ?? t.name;

export const LINT_RULES: readonly LintRule[] = [
  {
    id: 'pii-untagged',
    defaultSeverity: 'error',
    check: ({ schema, tags }) =>
      tagFields(schema.fields, tags).flatMap((f) => {
        const hint = piiHint(f);
        if (!hint || hasPiiTag(f.tags)) return [];
        return [
          {
            path: f.path,
            message: `field '${f.name}' looks like ${hint.what}${hint.from === 'doc' ? ' (by its doc)' : ''} but carries no PII tag`,
            fix: `tag it: "confluent:tags": ["PII"] on the field (Protobuf: [(confluent.field_meta).tags = "PII"]) or metadata.tags {"**.${f.name}": ["PII"]}, or NOT_PII if it is not personal data`,
          },
        ];
      }),
  },
  {
    id: 'retention-missing',
    defaultSeverity: 'warning',
    check: ({ retention }) =>
      retention
        ? []
        : [
            {
              path: '/metadata/properties',
              message: 'the contract declares no retention',
              fix: 'register with metadata.properties["data-spine.retention"] set to an ISO 8601 duration, e.g. "P2Y"',
            },
          ],
  },
  {
    id: 'protobuf-string-retention',
    defaultSeverity: 'warning',
    check: ({ schema, retention }) =>
      schema.type !== 'PROTOBUF' || retention
        ? []
        : schema.fields
            .filter((f) => f.scalarKind === 'string' || f.scalarKind === 'bytes')
            .map((f) => ({
              path: f.path,
              message: `${f.scalarKind} field '${f.name}' may hold free text, and the contract sets no retention`,
              fix: 'set metadata.properties["data-spine.retention"] for the contract',
            })),
  },
  {
    id: 'naming-type-pascal-case',
    defaultSeverity: 'warning',
    check: ({ schema }) =>
      schema.namedTypes
        .filter((t) => t.kind !== 'object' && !PASCAL.test(shortName(t)))
        .map((t) => ({
          path: t.path,
          message: `type '${shortName(t)}' is not PascalCase`,
          fix: 'rename it, e.g. SupportTicket',
        })),
  },
  {
    id: 'naming-field-snake-case',
    defaultSeverity: 'warning',
    check: ({ schema }) =>
      schema.fields
        .filter((f) => !SNAKE.test(f.name))
        .map((f) => ({
          path: f.path,
          message: `field '${f.name}' is not snake_case`,
          fix: `rename it to '${snakeWords(f.name)}'`,
        })),
  },
  {
    id: 'naming-enum-symbols-lowercase',
    defaultSeverity: 'warning',
    check: ({ schema }) =>
      schema.namedTypes.flatMap((t) =>
        (t.symbols ?? [])
          .filter((s) => s !== s.toLowerCase() && schema.type !== 'PROTOBUF')
          .map((s) => ({
            path: t.path,
            message: `enum symbol '${s}' of '${shortName(t)}' is not lowercase`,
            fix: `use '${s.toLowerCase()}'`,
          })),
      ),
  },
  {
    id: 'field-doc-missing',
    defaultSeverity: 'warning',
    check: ({ schema }) =>
      schema.fields
        .filter((f) => !f.doc)
        .map((f) => ({
          path: f.path,
          message: `field '${f.name}' has no doc`,
          fix: 'add a doc (Avro "doc", JSON Schema "description", a Protobuf comment)',
        })),
  },
];
