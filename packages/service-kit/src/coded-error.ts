import createError from '@fastify/error';
import type { Issue } from '@data-spine/contracts';

/** What every error we raise on purpose carries: a stable code, an HTTP status, and whether to retry. */
export interface CodedError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly retriable: boolean;
  issues?: Issue[];
}

export interface CodedErrorConstructor {
  new (...args: unknown[]): CodedError;
  readonly code: string;
  readonly statusCode: number;
  readonly retriable: boolean;
}

export interface DefineErrorOptions {
  /** Defaults to true for 5xx and 429, false otherwise. */
  retriable?: boolean;
}

/**
 * Defines a coded error class (with `@fastify/error`, so `%s` placeholders in the message are filled by the
 * constructor's arguments and a trailing `{ cause }` is kept). Instances carry `retriable` and may carry
 * `issues` pointing at what in the input is wrong.
 */
export function defineError(
  code: string,
  message: string,
  statusCode: number,
  options: DefineErrorOptions = {},
): CodedErrorConstructor {
  const retriable = options.retriable ?? (statusCode >= 500 || statusCode === 429);
  const Base = createError(code, message, statusCode);
  const Coded = class extends Base {
    readonly retriable = retriable;
    issues?: Issue[];
    static readonly code = code;
    static readonly statusCode = statusCode;
    static readonly retriable = retriable;
  };
  return Coded;
}

/** Attaches issues to an error and returns it, for `throw withIssues(new E(...), issues)`. */
export function withIssues<E extends CodedError>(error: E, issues: Issue[]): E {
  error.issues = issues;
  return error;
}

export function isCodedError(value: unknown): value is CodedError {
  return (
    value instanceof Error &&
    typeof (value as Partial<CodedError>).code === 'string' &&
    typeof (value as Partial<CodedError>).statusCode === 'number'
  );
}
