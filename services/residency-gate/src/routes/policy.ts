import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseWith } from '@data-spine/contracts';
import { withIssues } from '@data-spine/service-kit';
import {
  InvalidRequest,
  NoPolicy,
  PolicyBadSignature,
  PolicyInvalid,
  PolicyUnreadable,
  PolicyUnsigned,
} from '../errors.ts';
import { PolicyRefusedError } from '../policy/policy-manager.ts';
import type { PolicyManager } from '../policy/policy-manager.ts';

const PutBody = z.object({
  matrix: z.string().min(1),
  signature: z.string().min(1).optional(),
  key_id: z.string().optional(),
});

const REFUSALS = {
  GATE_POLICY_INVALID: PolicyInvalid,
  GATE_POLICY_UNSIGNED: PolicyUnsigned,
  GATE_POLICY_BAD_SIGNATURE: PolicyBadSignature,
  GATE_POLICY_UNREADABLE: PolicyUnreadable,
};

/** GET /v1/policy (version, digest, loaded_at) and PUT /v1/policy (admin; verified, then swapped atomically). */
export function policyRoutes(app: FastifyInstance, policies: PolicyManager): void {
  app.addContentTypeParser(
    ['application/yaml', 'application/x-yaml', 'text/yaml'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );

  app.get(
    '/v1/policy',
    { config: { openapi: { summary: 'The active policy', tags: ['policy'] } } },
    async () => {
      const info = policies.info();
      if (!info)
        throw new NoPolicy(
          `no valid policy is loaded${policies.lastRefusal ? `: ${policies.lastRefusal.message}` : ''}`,
        );
      return info;
    },
  );

  app.get(
    '/v1/policy/matrix',
    { config: { openapi: { summary: 'The active matrix, as loaded (YAML)', tags: ['policy'] } } },
    async (_request, reply) => {
      const p = policies.current;
      if (!p) throw new NoPolicy('no valid policy is loaded');
      return reply.type('application/yaml; charset=utf-8').header('x-policy-digest', p.digest).send(p.text);
    },
  );

  app.put(
    '/v1/policy',
    {
      config: {
        auth: { role: 'admin' },
        openapi: {
          summary: 'Activate a matrix (JSON {matrix, signature?} or YAML with x-policy-signature)',
          tags: ['policy'],
        },
      },
    },
    async (request) => {
      let text: string;
      let signature: { signature: string; key_id?: string | undefined } | null = null;
      if (typeof request.body === 'string') {
        text = request.body;
        const sig = request.headers['x-policy-signature'];
        if (typeof sig === 'string' && sig !== '') signature = { signature: sig };
      } else {
        const parsed = parseWith(PutBody, request.body);
        if (!parsed.ok) {
          const first = parsed.issues[0];
          throw withIssues(
            new InvalidRequest(`${first?.pointer || '/'}: ${first?.message ?? 'invalid body'}`),
            parsed.issues,
          );
        }
        text = parsed.value.matrix;
        if (parsed.value.signature)
          signature = { signature: parsed.value.signature, key_id: parsed.value.key_id };
      }
      try {
        return policies.activate(text, signature, 'PUT /v1/policy');
      } catch (err) {
        if (err instanceof PolicyRefusedError) {
          const E = REFUSALS[err.code];
          throw withIssues(
            new E(err.message),
            err.issues.map((i) => ({
              pointer: i.pointer,
              rule: 'matrix',
              message: `line ${i.line ?? '?'}: ${i.message}`,
              line: i.line,
              column: i.column,
            })),
          );
        }
        throw err;
      }
    },
  );
}
