import { z } from 'zod';

/** A dead letter as stored and served by `GET /v1/dlq`. Values of the record are served only by id. */
export const DeadLetterView = z.object({
  id: z.string(),
  created_at: z.string(),
  route: z.string().nullable(),
  source: z.string().nullable(),
  table: z.string().nullable(),
  topic: z.string(),
  partition: z.number().int().nullable(),
  offset: z.string().nullable(),
  key: z.string().nullable(),
  source_position: z.string().nullable(),
  reason: z.string(),
  decision_id: z.string().nullable(),
  error: z.string(),
  attempts: z.number().int(),
  status: z.enum(['pending', 'replayed']),
  replayed_at: z.string().nullable(),
  replay_id: z.string().nullable(),
});
export type DeadLetterView = z.infer<typeof DeadLetterView>;

/** What a dead letter keeps so it can be replayed exactly: the record as it arrived. */
export interface DeadLetterRecord {
  routeId: string | null;
  sourceId: string | null;
  table: string | null;
  topic: string;
  partition: number | null;
  offset: string | null;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  position: string | null;
  reason: string;
  decisionId: string | null;
  error: string;
}

/** The same record on the same route is one dead letter, however often it is redelivered. */
export function dedupeKey(r: DeadLetterRecord): string {
  const at =
    r.offset !== null ? `${r.topic}#${r.partition}@${r.offset}` : `${r.topic}@${r.position}#${r.key ?? ''}`;
  return `${at}|${r.routeId ?? '*'}`;
}

export interface DeadLetterFilter {
  since?: Date;
  until?: Date;
  table?: string;
  reason?: string;
  route?: string;
  status?: 'pending' | 'replayed' | 'all';
  ids?: string[];
  afterId?: string;
  limit?: number;
}
