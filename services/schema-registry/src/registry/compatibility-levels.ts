import type { CompatibilityLevel } from '../config.ts';
import type { CompatibilityIssue, ParsedSchema, SchemaFormat } from '../formats/schema-format.ts';

/**
 * The versions a level compares a new schema with, oldest first: none for NONE, every one given for the
 * _TRANSITIVE forms, otherwise only the latest. Callers parse only these.
 */
export function versionsRequiredBy<T>(level: CompatibilityLevel, versions: readonly T[]): readonly T[] {
  if (level === 'NONE') return [];
  return level.endsWith('_TRANSITIVE') ? versions : versions.slice(-1);
}

/**
 * Checks `candidate` against the versions a level requires, as Confluent does: BACKWARD means the new
 * schema reads data written with the previous one; FORWARD the reverse; FULL both; the _TRANSITIVE forms
 * check against every earlier version (soft-deleted ones are not passed in), the others only the latest.
 */
export function checkAgainstLevel(
  format: SchemaFormat,
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: readonly ParsedSchema[],
): CompatibilityIssue[] {
  const against = versionsRequiredBy(level, previous);
  if (against.length === 0) return [];
  const base = level.replace('_TRANSITIVE', '') as 'BACKWARD' | 'FORWARD' | 'FULL';
  const issues: CompatibilityIssue[] = [];
  for (const old of [...against].reverse()) {
    if (base === 'BACKWARD' || base === 'FULL') issues.push(...format.checkCompatibility(candidate, old));
    if (base === 'FORWARD' || base === 'FULL') issues.push(...format.checkCompatibility(old, candidate));
    if (issues.length > 0) break;
  }
  return issues;
}

/** Confluent's verbose messages: one line per issue, naming the rule and the path. */
export function describeIssues(issues: readonly CompatibilityIssue[]): string[] {
  return issues.map((i) => `{errorType:'${i.rule}', description:'${i.message}', additionalInfo:'${i.path}'}`);
}
