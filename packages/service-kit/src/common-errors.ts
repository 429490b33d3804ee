import { CommonErrorCodes } from '@data-spine/contracts';
import { defineError } from './coded-error.ts';

const c = CommonErrorCodes;

export const ValidationError = defineError('SPINE_VALIDATION', '%s', c.SPINE_VALIDATION.status);
export const MalformedJsonError = defineError('SPINE_MALFORMED_JSON', 'the body is not valid JSON: %s', 400);
export const UnauthorizedError = defineError('SPINE_UNAUTHORIZED', '%s', c.SPINE_UNAUTHORIZED.status);
export const ForbiddenError = defineError('SPINE_FORBIDDEN', '%s', c.SPINE_FORBIDDEN.status);
export const NotFoundError = defineError('SPINE_NOT_FOUND', '%s', c.SPINE_NOT_FOUND.status);
export const BodyTooLargeError = defineError(
  'SPINE_BODY_TOO_LARGE',
  'the body is over the limit of %s bytes',
  c.SPINE_BODY_TOO_LARGE.status,
);
export const UnsupportedMediaTypeError = defineError(
  'SPINE_UNSUPPORTED_MEDIA_TYPE',
  'content type %s is not accepted here',
  c.SPINE_UNSUPPORTED_MEDIA_TYPE.status,
);
export const RateLimitedError = defineError('SPINE_RATE_LIMITED', '%s', c.SPINE_RATE_LIMITED.status);
export const InternalError = defineError('SPINE_INTERNAL', 'internal error; see the log for request %s', 500);
export const NotReadyError = defineError('SPINE_NOT_READY', '%s', c.SPINE_NOT_READY.status);
export const ShuttingDownError = defineError('SPINE_SHUTTING_DOWN', 'the service is shutting down', 503);
