import fp from 'fastify-plugin';
import type { FastifyError, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { ErrorBody, Issue } from '@data-spine/contracts';
import { isCodedError } from '../coded-error.ts';

/** What the error handler hands a serializer: the error already classified, with a stable code. */
export interface ClassifiedError {
  statusCode: number;
  code: string;
  message: string;
  issues?: Issue[];
  /** The original error, for serializers that map codes to an external catalog (Confluent's). */
  original: unknown;
}

export type ErrorSerializer = (error: ClassifiedError, request: FastifyRequest) => unknown;

export interface ErrorHandlerOptions {
  serializer?: ErrorSerializer;
}

/** Fastify's own codes mapped to ours, so a client sees one catalog whatever layer refused the request. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'SPINE_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'SPINE_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'SPINE_VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'SPINE_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'SPINE_MALFORMED_JSON',
  FST_ERR_VALIDATION: 'SPINE_VALIDATION',
  FST_ERR_BAD_URL: 'SPINE_VALIDATION',
  FST_ERR_ASYNC_CONSTRAINT: 'SPINE_VALIDATION',
};

export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof SyntaxError && (error as Partial<FastifyError>).statusCode === 400) {
    return {
      statusCode: 400,
      code: 'SPINE_MALFORMED_JSON',
      message: `the body is not valid JSON: ${error.message}`,
      original: error,
    };
  }
  if (isCodedError(error) && error.statusCode >= 400 && error.statusCode < 500) {
    const fastify = error as unknown as FastifyError;
    const issues =
      error.issues ??
      fastify.validation?.map((v) => ({
        pointer: v.instancePath,
        rule: v.keyword,
        message: v.message ?? v.keyword,
      }));
    return {
      statusCode: error.statusCode,
      code: FASTIFY_CODES[error.code] ?? error.code,
      message: error.message,
      ...(issues ? { issues } : {}),
      original: error,
    };
  }
  if (isCodedError(error) && error.statusCode === 503) {
    return { statusCode: 503, code: error.code, message: error.message, original: error };
  }
  return { statusCode: 500, code: 'SPINE_INTERNAL', message: 'internal error', original: error };
}

export function defaultErrorBody(error: ClassifiedError, request: FastifyRequest): ErrorBody {
  return {
    statusCode: error.statusCode,
    code: error.code,
    error: STATUS_CODES[error.statusCode] ?? 'Error',
    message:
      error.statusCode === 500 ? `internal error; see the log for request ${request.id}` : error.message,
    requestId: String(request.id),
    ...(error.issues ? { issues: error.issues } : {}),
  };
}

const plugin: FastifyPluginCallback<ErrorHandlerOptions> = (app, opts, done) => {
  const serialize = opts.serializer ?? defaultErrorBody;

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const classified = classifyError(error);
    if (classified.statusCode >= 500) {
      // The cause stays in the log; the client gets the request id to quote.
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: classified.code, statusCode: classified.statusCode }, 'request refused');
    }
    const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply.code(classified.statusCode).send(serialize(classified, request));
  });

  app.setNotFoundHandler((request, reply) => {
    const classified: ClassifiedError = {
      statusCode: 404,
      code: 'SPINE_NOT_FOUND',
      message: `no route for ${request.method} ${request.url.split('?')[0]}`,
      original: null,
    };
    return reply.code(404).send(serialize(classified, request));
  });
  done();
};

export const errorHandlerPlugin = fp(plugin, { name: 'spine-error-handler' });
