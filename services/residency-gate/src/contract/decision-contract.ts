import { z } from 'zod';

/**
 * The route decision contract of DESIGN.md (residency-gate `POST /v1/decisions`, batch at
 * `POST /v1/decisions:batch`). Requests are parsed with these schemas; responses are built to these types.
 * Additions beyond DESIGN.md are optional and marked as such, so a client written to DESIGN.md works.
 */

export const MAX_BATCH = 10_000;
export const MAX_FIELDS = 2_000;

/** Names are printable: control characters would be ambiguous in logs and in the decision memo's keys. */
const Name = z
  .string()
  .min(1)
  .max(512)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters');

export const RouteSource = z.object({
  dataset: z.string().min(1).max(2048),
  region: Name,
});

export const RouteSink = z.object({
  id: Name,
  region: Name,
  /** Optional (ours): the TTL the sink declares (ISO 8601); the gate uses the longer of this and the matrix's. */
  ttl: z.string().max(64).optional(),
});

export const Route = z.object({
  source: RouteSource,
  sink: RouteSink,
  purpose: Name,
});

export const FieldInput = z.object({
  name: Name,
  tags: z.array(Name.max(128)).max(64).default([]),
});
export type FieldInput = z.infer<typeof FieldInput>;

export const DecisionRequest = z.object({
  route: Route,
  /** Required unless `subject` is given (then the contract's classification is used). */
  classification: Name.optional(),
  /** Required unless `subject` is given (then the contract's fields and tags are used). */
  fields: z.array(FieldInput).max(MAX_FIELDS).optional(),
  /** Optional (ours): a schema-registry subject whose latest version supplies the fields and tags. */
  subject: Name.optional(),
});
export type DecisionRequest = z.infer<typeof DecisionRequest>;

export const BatchRequest = z.object({ decisions: z.array(z.unknown()) });

export const DECISIONS = ['deny', 'allow', 'allow_with_obligations'] as const;
export type DecisionOutcome = (typeof DECISIONS)[number];

export const VERDICTS = ['allow', 'mask', 'hash', 'drop', 'deny'] as const;
export type FieldVerdict = (typeof VERDICTS)[number];

export const PolicyRef = z.object({ version: z.string(), digest: z.string() });
export type PolicyRef = z.infer<typeof PolicyRef>;

export const FieldDecision = z.object({
  name: z.string(),
  verdict: z.enum(VERDICTS),
  /** The rule that decided the verdict; null when no rule did (unknown input, no matching rule). */
  rule: z.string().nullable(),
});
export type FieldDecision = z.infer<typeof FieldDecision>;

export const Reason = z.object({
  code: z.string(),
  rule: z.string().nullable(),
  field: z.string().nullable(),
  message: z.string(),
});
export type Reason = z.infer<typeof Reason>;

/** Route-level and field-level duties the router must carry out (ours, beyond DESIGN.md). */
export const Obligation = z.discriminatedUnion('type', [
  z.object({ type: z.literal('mask'), field: z.string(), rule: z.string() }),
  z.object({
    type: z.literal('hash'),
    field: z.string(),
    rule: z.string(),
    algorithm: z.literal('hmac-sha256'),
    key_id: z.string(),
  }),
  z.object({ type: z.literal('drop'), field: z.string(), rule: z.string() }),
  z.object({ type: z.literal('cap_retention'), ttl: z.string(), rule: z.string() }),
  z.object({
    type: z.literal('transfer_mechanism'),
    mechanism: z.string(),
    kind: z.string(),
    expires: z.string().nullable(),
    rule: z.string(),
  }),
]);
export type Obligation = z.infer<typeof Obligation>;

export const ShadowOutcome = z.object({
  decision: z.enum(DECISIONS),
  fields: z.array(FieldDecision),
  reasons: z.array(Reason),
});
export type ShadowOutcome = z.infer<typeof ShadowOutcome>;

export const DecisionResponse = z.object({
  decision_id: z.string(),
  decision: z.enum(DECISIONS),
  enforced: z.boolean(),
  policy: PolicyRef,
  fields: z.array(FieldDecision),
  reasons: z.array(Reason),
  explanation: z.string(),
  remedies: z.array(z.string()),
  /** Ours: what the router must do for allow_with_obligations. */
  obligations: z.array(Obligation).optional(),
  /** Ours: present when shadow rules (or global shadow mode) took part: what enforcement would have done. */
  shadow: ShadowOutcome.optional(),
  /** Ours: the decision holds until this instant (a transfer mechanism it relies on expires), if any. */
  valid_until: z.string().nullable().optional(),
});
export type DecisionResponse = z.infer<typeof DecisionResponse>;

export const BatchResponse = z.object({ decisions: z.array(DecisionResponse) });
export type BatchResponse = z.infer<typeof BatchResponse>;

/** `GET /v1/policy`. */
export const PolicyInfo = z.object({
  version: z.string(),
  digest: z.string(),
  loaded_at: z.string(),
  source: z.string(),
  mode: z.enum(['enforce', 'shadow']),
  signed: z.boolean(),
  key_id: z.string().nullable(),
  last_error: z.object({ at: z.string(), message: z.string(), source: z.string() }).nullable(),
});
export type PolicyInfo = z.infer<typeof PolicyInfo>;
