import { parseWith } from '@data-spine/contracts';
import type { Issue } from '@data-spine/contracts';
import { withIssues } from '@data-spine/service-kit';
import { DecisionRequest } from '../contract/decision-contract.ts';
import { fastDecisionRequest } from './fast-request.ts';
import { DuplicateField, FieldsRequired, InvalidRequest } from '../errors.ts';

/** Zod's verdict on a request the fast check did not accept: its value, or its issues as a 400. */
function parseWithZod(body: unknown, at: string): DecisionRequest {
  const parsed = parseWith(DecisionRequest, body);
  if (!parsed.ok) {
    const issues: Issue[] = parsed.issues.map((i) => ({ ...i, pointer: `${at}${i.pointer}` }));
    const first = issues[0];
    throw withIssues(
      new InvalidRequest(`${first?.pointer || '/'}: ${first?.message ?? 'invalid request'}`),
      issues,
    );
  }
  return parsed.value;
}

/**
 * Parses one decision request; `at` prefixes pointers (for a batch: `/decisions/3`). The common valid
 * shape is checked by hand (fast-request.ts); anything else goes through the zod contract.
 */
export function parseDecisionRequest(body: unknown, at = ''): DecisionRequest {
  const req = fastDecisionRequest(body) ?? parseWithZod(body, at);
  if (req.subject === undefined && (req.fields === undefined || req.classification === undefined)) {
    const missing = req.fields === undefined ? 'fields' : 'classification';
    throw withIssues(
      new FieldsRequired(`${at}/${missing}: required unless "subject" names a registered contract`),
      [{ pointer: `${at}/${missing}`, rule: 'required', message: `required unless "subject" is given` }],
    );
  }
  if (req.fields && req.fields.length > 1) {
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
