import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';

/**
 * A policy the stand-in gate applies, written as the demo matrix reads: inside the EEA everything is
 * allowed; leaving it, PII is hashed and PCI is denied (the field; the route stays allowed). `denyAll` turns
 * every decision into a deny (a policy change mid-stream).
 */
export interface StandInPolicy {
  version: string;
  denyAll?: boolean;
  /** Tag -> verdict when the sink is outside the EEA. */
  crossBorder: Record<string, 'mask' | 'hash' | 'drop' | 'deny'>;
}

interface Req {
  route: { source: { region: string }; sink: { id: string; region: string }; purpose: string };
  classification: string;
  fields: { name: string; tags: string[] }[];
}

/**
 * Until the residency gate's app lands in the tree, the router's tests talk over real HTTP to this
 * stand-in that speaks DESIGN.md's decision contract. Prefer the real gate: see `startGate`.
 */
export async function startStandInGate(initial: StandInPolicy): Promise<{
  url: string;
  app: FastifyInstance;
  setPolicy(p: StandInPolicy): void;
  calls(): number;
}> {
  let policy = initial;
  let calls = 0;
  const app = Fastify();
  const eea = (r: string) => r.startsWith('eu-');
  app.get('/v1/policy', async () => ({ version: policy.version, digest: `sha256:${policy.version}` }));
  app.post('/v1/decisions:batch', async (request) => {
    calls++;
    const body = request.body as { decisions: Req[] };
    return {
      decisions: body.decisions.map((d) => {
        const cross = eea(d.route.source.region) && !eea(d.route.sink.region);
        const fields = d.fields.map((f) => {
          const verdicts = cross ? f.tags.map((t) => policy.crossBorder[t]).filter(Boolean) : [];
          const order = ['deny', 'drop', 'hash', 'mask'] as const;
          const verdict = order.find((v) => verdicts.includes(v)) ?? 'allow';
          return { name: f.name, verdict, rule: verdict === 'allow' ? 'allow-rule' : `cross-${verdict}` };
        });
        const deny = policy.denyAll === true;
        return {
          decision_id: randomUUID(),
          decision: deny
            ? 'deny'
            : fields.some((f) => f.verdict !== 'allow')
              ? 'allow_with_obligations'
              : 'allow',
          enforced: true,
          policy: { version: policy.version, digest: `sha256:${policy.version}` },
          fields,
          reasons: deny
            ? [{ code: 'RESIDENCY_ROUTE_DENIED', rule: 'deny-all', field: null, message: 'denied' }]
            : [],
          explanation: deny ? 'every route is denied by this policy' : 'allowed',
          remedies: [],
        };
      }),
    };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app, setPolicy: (p) => (policy = p), calls: () => calls };
}
