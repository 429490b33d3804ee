import type { Finding, LintSubject, Severity } from './lint-rules.ts';
import { LINT_RULES } from './lint-rules.ts';

/** Per-rule severities; a subject's override wins over the global one, which wins over the default. */
export type SeverityOverrides = Readonly<Record<string, Severity>>;

export interface LintReport {
  findings: Finding[];
  errors: number;
  warnings: number;
}

export function lint(subject: LintSubject, ...overrides: readonly SeverityOverrides[]): LintReport {
  const findings: Finding[] = [];
  for (const rule of LINT_RULES) {
    const severity = overrides.reduce<Severity>((s, o) => o[rule.id] ?? s, rule.defaultSeverity);
    if (severity === 'off') continue;
    for (const f of rule.check(subject)) findings.push({ rule: rule.id, severity, ...f });
  }
  return {
    findings,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
}

export const LINT_RULE_IDS: readonly string[] = LINT_RULES.map((r) => r.id);
