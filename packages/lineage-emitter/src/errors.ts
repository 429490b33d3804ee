/**
 * The emitter's errors: one class, a stable code from the catalog below, `retriable` (the delivery loop
 * branches on it, never on the message) and the `cause`. Transport errors may also carry the HTTP status and
 * how long the server asked us to wait.
 */
export const EMITTER_ERROR_CODES = {
  LIN_EMITTER_INVALID_OPTIONS: { retriable: false, summary: 'the emitter or transport options are invalid' },
  LIN_EMITTER_INVALID_EVENT: { retriable: false, summary: 'the event is not an OpenLineage event' },
  LIN_EMITTER_EVENT_TOO_LARGE: { retriable: false, summary: 'the serialized event is over maxEventBytes' },
  LIN_EMITTER_SPOOL_FULL: { retriable: true, summary: 'the spool holds maxSpoolEvents or maxSpoolBytes' },
  LIN_EMITTER_SPOOL_LOCKED: { retriable: false, summary: 'another live process owns the spool directory' },
  LIN_EMITTER_SPOOL_IO: { retriable: false, summary: 'the spool directory could not be written or read' },
  LIN_EMITTER_CLOSED: { retriable: false, summary: 'emit after close()' },
  LIN_EMITTER_HTTP_STATUS: {
    retriable: false,
    summary: 'the collector answered a non-2xx status (retriable for 5xx and 429)',
  },
  LIN_EMITTER_HTTP_REDIRECT: {
    retriable: false,
    summary: 'the collector answered a redirect (not followed)',
  },
  LIN_EMITTER_NETWORK: { retriable: true, summary: 'connection refused, reset or DNS failure' },
  LIN_EMITTER_TIMEOUT: { retriable: true, summary: 'no answer within the transport timeout' },
  LIN_EMITTER_KAFKA: {
    retriable: true,
    summary: 'the Kafka producer failed (record too large: not retriable)',
  },
  LIN_EMITTER_FILE: { retriable: true, summary: 'the file transport could not append' },
  LIN_EMITTER_COMPOSITE: {
    retriable: true,
    summary: 'composite: no transport succeeded, or one failed fast',
  },
  LIN_EMITTER_MAX_ATTEMPTS: { retriable: false, summary: 'retriable failures outlasted maxAttempts' },
} as const satisfies Record<string, { retriable: boolean; summary: string }>;

export type EmitterErrorCode = keyof typeof EMITTER_ERROR_CODES;

export interface EmitterErrorDetails {
  retriable?: boolean;
  cause?: unknown;
  /** HTTP status of the collector's answer. */
  status?: number;
  /** The server's Retry-After, in milliseconds from when it answered. */
  retryAfterMs?: number;
  /** The start of the collector's answer, for the dead-letter record (never logged). */
  body?: string;
}

export class LineageEmitterError extends Error {
  override readonly name = 'LineageEmitterError';
  readonly code: EmitterErrorCode;
  readonly retriable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly body: string | undefined;

  constructor(code: EmitterErrorCode, message: string, details: EmitterErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.retriable = details.retriable ?? EMITTER_ERROR_CODES[code].retriable;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.body = details.body;
  }

  /** What the dead-letter file records about the failure. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retriable: this.retriable,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.body === undefined ? {} : { body: this.body }),
    };
  }
}

/** Unknown throws (a bug in a custom transport, say) are retriable unless they say otherwise. */
export function isRetriable(error: unknown): boolean {
  return !(
    typeof error === 'object' &&
    error !== null &&
    (error as { retriable?: unknown }).retriable === false
  );
}

export function retryAfterOf(error: unknown): number | undefined {
  return error instanceof LineageEmitterError ? error.retryAfterMs : undefined;
}
