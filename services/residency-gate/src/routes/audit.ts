import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditStore } from '../audit/audit-store.ts';
import { InvalidQuery } from '../errors.ts';

const PAGE = 5_000;
const MAX_EXPORT = 1_000_000;

function intParam(q: Record<string, string | undefined>, name: string): number | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,15}$/.test(v))
    throw new InvalidQuery(`${name}: a non-negative integer is required, got "${v}"`);
  return Number(v);
}

/** GET /v1/audit: JSON lines, records and checkpoints in chain order, ended by a head signed at export. */
export function auditRoutes(app: FastifyInstance, store: AuditStore, audit: AuditLog): void {
  app.get(
    '/v1/audit',
    {
      config: {
        auth: { role: 'operator' },
        openapi: {
          summary: 'Export the audit log as JSON lines (from_seq, to_seq, or tail=N)',
          tags: ['audit'],
        },
      },
    },
    async (request, reply) => {
      const q = request.query as Record<string, string | undefined>;
      const max = await store.maxSeq();
      const tail = intParam(q, 'tail');
      let from = intParam(q, 'from_seq') ?? 1;
      let to = intParam(q, 'to_seq') ?? max;
      if (tail !== undefined) {
        to = max;
        from = Math.max(1, max - tail + 1);
      }
      to = Math.min(to, max, from + MAX_EXPORT - 1);
      if (from < 1) from = 1;
      async function* lines(): AsyncGenerator<string> {
        let lastHash: string | null = null;
        let lastSeq = from - 1;
        let firstPrevHash: string | null = null;
        let written = 0;
        for (let start = from; start <= to; start += PAGE) {
          const end = Math.min(to, start + PAGE - 1);
          const [rows, checkpoints] = await Promise.all([
            store.rows(start, end),
            store.checkpoints(start, end),
          ]);
          let c = 0;
          let out = '';
          for (const row of rows) {
            const rec = JSON.parse(row.record) as Record<string, unknown>;
            if (row.seq === from && typeof rec.prev_hash === 'string') firstPrevHash = rec.prev_hash;
            out += `${JSON.stringify({ ...rec, hash: row.hash })}\n`;
            lastHash = row.hash;
            lastSeq = row.seq;
            while (c < checkpoints.length && (checkpoints[c]?.seq ?? Infinity) <= row.seq) {
              out += `${JSON.stringify(checkpoints[c++])}\n`;
              written++;
            }
          }
          yield out;
        }
        // The head, signed now: the range exported (its first seq and that record's prev_hash, its last seq
        // and hash) and how many checkpoints it holds, so cutting lines anywhere is detectable.
        yield `${JSON.stringify(
          audit.head({
            firstSeq: from,
            firstPrevHash,
            lastSeq,
            lastHash: lastHash ?? '',
            checkpoints: written,
          }),
        )}\n`;
      }
      return reply.type('application/x-ndjson').send(Readable.from(lines()));
    },
  );

  app.get(
    '/v1/audit/key',
    { config: { openapi: { summary: 'The public key checkpoints are signed with', tags: ['audit'] } } },
    async () => audit.publicKey,
  );
}
