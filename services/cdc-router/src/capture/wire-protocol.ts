import { createHash } from 'node:crypto';

/** The message framing, error fields and connection parameters of the Postgres wire protocol (v3). */

export interface ServerError extends Error {
  severity: string;
  sqlState: string;
  detail?: string;
}

export interface ConnectionParams {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  applicationName: string;
  /** Extra startup parameters (GUCs). */
  settings: Record<string, string>;
  connectTimeoutMs: number;
}

/** Microseconds between the Unix epoch and Postgres' epoch (2000-01-01). */
export const PG_EPOCH_MICROS = 946_684_800_000_000n;

export function paramsFromUrl(
  url: string,
  applicationName: string,
  settings: Record<string, string>,
): ConnectionParams {
  const u = new URL(url);
  const mode = u.searchParams.get('sslmode');
  if (mode && !['disable', 'allow', 'prefer'].includes(mode)) {
    throw new Error(`sslmode=${mode} is not supported by the replication client (loopback only)`);
  }
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '') || 'postgres'),
    applicationName,
    settings,
    connectTimeoutMs: 10_000,
  };
}

export function message(type: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length + 5);
  out[0] = type;
  out.writeInt32BE(body.length + 4, 1);
  body.copy(out, 5);
  return out;
}

export function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

export function parseError(body: Buffer): ServerError {
  const fields = new Map<string, string>();
  let off = 0;
  while (off < body.length && body[off] !== 0) {
    const code = String.fromCharCode(body[off] as number);
    const end = body.indexOf(0, off + 1);
    fields.set(code, body.toString('utf8', off + 1, end));
    off = end + 1;
  }
  const err = new Error(fields.get('M') ?? 'unknown server error') as ServerError;
  err.severity = fields.get('S') ?? 'ERROR';
  err.sqlState = fields.get('C') ?? 'XX000';
  const detail = fields.get('D');
  if (detail) err.detail = detail;
  return err;
}
