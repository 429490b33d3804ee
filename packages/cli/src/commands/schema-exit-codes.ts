/**
 * The exit code of a registry answer, from its Confluent `error_code`: 1 when the registry judged the schema
 * or what was asked of it (404xx not found, 409xx incompatible, 422xx invalid, lint, contract), 2 for anything
 * else (a refused or malformed request, a server error), as for usage and connection errors.
 */
export function exitCodeOf(status: number, body: unknown): 0 | 1 | 2 {
  if (status >= 200 && status < 300) return 0;
  const code = (body as { error_code?: unknown } | null)?.error_code;
  if (typeof code !== 'number') return 2;
  // Registries before Confluent's 40901 answered an incompatible schema with error_code 409.
  if (code === 409) return 1;
  const family = Math.floor(code / 100);
  return family === 404 || family === 409 || family === 422 ? 1 : 2;
}

/** The registry's message, or the body as it came. */
export const registryMessage = (body: unknown): string =>
  (body as { message?: string } | null)?.message ?? JSON.stringify(body);
