import type { ClassifiedError } from '@data-spine/service-kit';

/**
 * Confluent answers `{error_code, message}`. Our registry codes are Confluent's already (40401, 42201...);
 * the shared SPINE_ codes map to Confluent's equivalents where it has them, else to the HTTP status.
 */
const SHARED: Record<string, number> = {
  SPINE_UNAUTHORIZED: 40101,
  SPINE_FORBIDDEN: 40301,
  SPINE_NOT_FOUND: 404,
  SPINE_MALFORMED_JSON: 400,
  SPINE_VALIDATION: 400,
  SPINE_BODY_TOO_LARGE: 413,
  SPINE_UNSUPPORTED_MEDIA_TYPE: 415,
  SPINE_INTERNAL: 50001,
};

export function confluentErrorBody(error: ClassifiedError): { error_code: number; message: string } {
  const code = /^\d+$/.test(error.code) ? Number(error.code) : (SHARED[error.code] ?? error.statusCode);
  return {
    error_code: code,
    message: error.statusCode >= 500 ? 'Error in the backend data store' : error.message,
  };
}
