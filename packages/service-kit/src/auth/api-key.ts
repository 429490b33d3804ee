import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const ROLES = ['admin', 'producer', 'operator', 'reader'] as const;
export type Role = (typeof ROLES)[number];

/** A credential as stored: never the secret itself. */
export interface StoredCredential {
  key: string;
  /** `hmac-sha256$<salt>$<digest>`, both base64url. */
  secretHash: string;
  roles: readonly Role[];
  /** Resource prefixes the key may write (`*` for all): subjects for the registry, datasets elsewhere. */
  scopes: readonly string[];
}

/**
 * Secrets are 256 random bits that we generate, so a salted HMAC-SHA256 is as strong as a slow password
 * hash here and keeps authentication off the hot path (a few microseconds per request).
 */
export function hashSecret(secret: string, salt = randomBytes(16)): string {
  const digest = createHmac('sha256', salt).update(secret).digest();
  return `hmac-sha256$${salt.toString('base64url')}$${digest.toString('base64url')}`;
}

export function verifySecret(secret: string, stored: string): boolean {
  const [scheme, saltText, digestText] = stored.split('$');
  if (scheme !== 'hmac-sha256' || !saltText || !digestText) return false;
  const expected = Buffer.from(digestText, 'base64url');
  const actual = createHmac('sha256', Buffer.from(saltText, 'base64url')).update(secret).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface ApiKey {
  key: string;
  secret: string;
}

export function generateApiKey(prefix = 'spk'): ApiKey {
  return {
    key: `${prefix}_${randomBytes(8).toString('hex')}`,
    secret: randomBytes(32).toString('base64url'),
  };
}

/** `key:secret` as written to `<SPINE_DATA_DIR>/admin-key` and sent as Basic or Bearer. */
export function formatApiKey(k: ApiKey): string {
  return `${k.key}:${k.secret}`;
}

export function parseApiKey(text: string): ApiKey | null {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) return null;
  return { key: text.slice(0, i), secret: text.slice(i + 1) };
}
