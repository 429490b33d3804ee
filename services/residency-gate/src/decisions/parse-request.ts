import { parseWith } from '@data-spine/contracts';
import type { Issue } from '@data-spine/contracts';
import { withIssues } from '@data-spine/service-kit';
import { DecisionRequest } from '../contract/decision-contract.ts';
import { DuplicateField, FieldsRequired, InvalidRequest } from '../errors.ts';

/** Parses one decision request; `at` prefixes pointers (for a batch: `/decisions/3`). */
export function parseDecisionRequest(body: unknown, at = ''): DecisionRequest {
  const parsed = parseWith(DecisionRequest, body);
  if (!parsed.ok) {
    const issues: Issue[] = parsed.issues.map((i) => ({ ...i, pointer: `${at}${i.pointer}` }));
    const first = issues[0];
    throw withIssues(
      new InvalidRequest(`${first?.pointer || '/'}: ${first?.message ?? 'invalid request'}`),
      issues,
    );
  }
  const req = parsed.value;
  if (req.subject === undefined && (req.fields === undefined || req.classification === undefined)) {
    const missing = req.fields === undefined ? 'fields' : 'classification';
    throw withIssues(
      new FieldsRequired(`${at}/${missing}: required unless "subject" names a registered contract`),
      [{ pointer: `${at}/${missing}`, rule: 'required', message: `required unless "subject" is given` }],
    );
  }
  if (req.fields) {
    const seen = new Map<string, number>();
    for (let i = 0; i < req.fields.length; i++) {
      const name = (req.fields[i] as { name: string }).name;
      const first = seen.get(name);
      if (first !== undefined) {
        const pointer = `${at}/fields/${i}/name`;
        throw withIssues(
          new DuplicateField(`${pointer}: field "${name}" appears twice (first at ${at}/fields/${first})`),
          [{ pointer, rule: 'unique', message: `duplicate of ${at}/fields/${first}` }],
        );
      }
      seen.set(name, i);
    }
  }
  return req;
}
