/**
 * Error codes shared by every service (service-specific codes carry the service prefix: REG_, GATE_, CDC_,
 * LIN_ and live in that service's `errors.ts`). Callers branch on the code, never on the message.
 */
export const CommonErrorCodes = {
  SPINE_VALIDATION: { status: 400, retriable: false, summary: 'the request does not match its schema' },
  SPINE_MALFORMED_JSON: { status: 400, retriable: false, summary: 'the body is not valid JSON' },
  SPINE_UNAUTHORIZED: { status: 401, retriable: false, summary: 'credentials are missing or wrong' },
  SPINE_FORBIDDEN: { status: 403, retriable: false, summary: 'the credentials lack the role or scope' },
  SPINE_NOT_FOUND: { status: 404, retriable: false, summary: 'no route or resource at this path' },
  SPINE_METHOD_NOT_ALLOWED: { status: 405, retriable: false, summary: 'the path does not take this method' },
  SPINE_BODY_TOO_LARGE: { status: 413, retriable: false, summary: 'the body is over the size limit' },
  SPINE_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    retriable: false,
    summary: 'the content type is not accepted',
  },
  SPINE_RATE_LIMITED: { status: 429, retriable: true, summary: 'too many requests; honour Retry-After' },
  SPINE_INTERNAL: { status: 500, retriable: true, summary: 'an unexpected failure; the cause is logged' },
  SPINE_NOT_READY: { status: 503, retriable: true, summary: 'a dependency is not ready' },
  SPINE_SHUTTING_DOWN: { status: 503, retriable: true, summary: 'the service is draining' },
} as const;

export type CommonErrorCode = keyof typeof CommonErrorCodes;
