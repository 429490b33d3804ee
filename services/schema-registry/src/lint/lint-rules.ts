import type { FieldInfo, NamedType, ParsedSchema } from '../formats/schema-format.ts';

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
}

export interface LintRule {
  id: string;
  /** PII tagging blocks by default (seed 004's security gate); style rules only warn. */
  defaultSeverity: Exclude<Severity, 'off'>;
  check(subject: LintSubject): Array<Omit<Finding, 'severity' | 'rule'>>;
}

/**
 * Words in a field's name or doc that suggest personal data. Matched on snake/camel-case word boundaries,
 * so `email` and `billing_email` match and `emailed_count`... also matches: erring towards asking for a tag.
 */
const PII_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/(^|_)e?mail(_|$)|email/, 'an email address'],
  [/phone|mobile|msisdn|(^|_)fax(_|$)/, 'a phone number'],
  [/(^|_)(first|last|full|given|family|middle|sur|display|legal|user)?_?name(_|$)/, 'a name'],
  [/address|street|(^|_)city(_|$)|postcode|postal|(^|_)zip(_|$)/, 'an address'],
  [/(^|_)ip(_|$)|ip_?addr|ipv[46]/, 'an IP address'],
  [/birth|(^|_)dob(_|$)/, 'a birth date'],
  [
    /ssn|social_security|national_id|passport|tax_id|(^|_)nin(_|$)|driver_?licen[cs]e/,
    'a national identifier',
  ],
  [/card_?number|(^|_)pan(_|$)|(^|_)cvv|iban|account_number/, 'a card or account number'],
];

const PII_TAGS = new Set(['PII', 'PERSONAL', 'SENSITIVE', 'PCI', 'PHI', 'NOT_PII']);

/** `billingEmail` -> `billing_email`, so one set of patterns serves both conventions. */
function words(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}

export function piiHint(field: FieldInfo): string | null {
  const name = words(field.name);
  for (const [pattern, what] of PII_PATTERNS) if (pattern.test(name)) return what;
  return null;
}

const hasPiiTag = (f: FieldInfo) => f.tags.some((t) => PII_TAGS.has(t.toUpperCase()));

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const shortName = (t: NamedType) => t.name.split('.').at(-1) ?? t.name;

export const LINT_RULES: readonly LintRule[] = [
  {
    id: 'pii-untagged',
    defaultSeverity: 'error',
    check: ({ schema }) =>
      schema.fields.flatMap((f) => {
        const what = piiHint(f);
        if (!what || hasPiiTag(f)) return [];
        return [
          {
            path: f.path,
            message: `field '${f.name}' looks like ${what} but carries no PII tag`,
            fix: `tag it: "confluent:tags": ["PII"] on the field (Protobuf: [(confluent.field_meta).tags = "PII"]), or ["NOT_PII"] if it is not personal data`,
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
          fix: `rename it to '${words(f.name)}'`,
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
