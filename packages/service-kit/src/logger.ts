import { pino } from 'pino';
import type { Logger, LoggerOptions, DestinationStream } from 'pino';
import { PiiFieldSet, REDACTED, redactPii } from './pii-redaction.ts';

export type { Logger };

/** Paths whose values are secrets wherever they appear (pino's fast-redact syntax). */
export const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.apiSecret',
  '*.token',
  '*.adminKey',
  '*.connectionString',
];

export interface LoggerSetup {
  service: string;
  level: string;
  piiFields?: PiiFieldSet;
  destination?: DestinationStream;
}

export function createLogger(setup: LoggerSetup): Logger {
  const pii = setup.piiFields ?? new PiiFieldSet();
  const options: LoggerOptions = {
    name: setup.service,
    level: setup.level,
    redact: { paths: SECRET_PATHS, censor: REDACTED },
    formatters: {
      log: (object) => redactPii(object, pii) as Record<string, unknown>,
    },
    serializers: {
      err: pino.stdSerializers.err,
      req: (req: { method: string; url: string; id: string; headers: Record<string, unknown> }) => ({
        method: req.method,
        // Query strings may carry values; log the path only.
        url: req.url.split('?')[0],
        id: req.id,
        headers: { authorization: req.headers.authorization },
      }),
    },
  };
  return setup.destination ? pino(options, setup.destination) : pino(options);
}
