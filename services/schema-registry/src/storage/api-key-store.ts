import type { CredentialStore, Role, StoredCredential } from '@data-spine/service-kit';
import type { Queryable } from './registry-store.ts';

/** A key as listed: never its secret or the secret's hash. */
export interface ApiKeyInfo {
  key: string;
  roles: Role[];
  scopes: string[];
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}

interface KeyRow {
  key: string;
  secret_hash: string;
  roles: Role[];
  scopes: string[];
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

/**
 * API keys issued through `/admin/keys`, in `registry_api_key`: the secret's salted HMAC only (see
 * service-kit's `hashSecret`), never the secret. A revoked key stays listed and is never found again.
 */
export class ApiKeyStore implements CredentialStore {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  async find(key: string): Promise<StoredCredential | undefined> {
    const { rows } = await this.#db.query<KeyRow>({
      name: 'registry-api-key',
      text: 'select key, secret_hash, roles, scopes from registry_api_key where key = $1 and revoked_at is null',
      values: [key],
    });
    const row = rows[0];
    return row && { key: row.key, secretHash: row.secret_hash, roles: row.roles, scopes: row.scopes };
  }

  /** Stores a key and audits its creation, in one statement. */
  async create(credential: StoredCredential, createdBy: string | null): Promise<void> {
    await this.#db.query(
      `with created as (
         insert into registry_api_key (key, secret_hash, roles, scopes, created_by)
         values ($1, $2, $3, $4, $5) returning key)
       insert into registry_audit (principal, action, result, detail)
       select $5, 'create-api-key', 'ok', jsonb_build_object('key', key, 'roles', $3::text[], 'scopes', $4::text[])
       from created`,
      [credential.key, credential.secretHash, credential.roles, credential.scopes, createdBy],
    );
  }

  async list(): Promise<ApiKeyInfo[]> {
    const { rows } = await this.#db.query<KeyRow>(
      'select key, roles, scopes, created_by, created_at, revoked_at from registry_api_key order by created_at, key',
    );
    return rows.map((r) => ({
      key: r.key,
      roles: r.roles,
      scopes: r.scopes,
      createdBy: r.created_by,
      createdAt: r.created_at.toISOString(),
      revokedAt: r.revoked_at?.toISOString() ?? null,
    }));
  }

  /** Revokes a live key and audits it; false when there is no such live key. */
  async revoke(key: string, revokedBy: string | null): Promise<boolean> {
    const { rows } = await this.#db.query<{ key: string }>(
      `with revoked as (
         update registry_api_key set revoked_at = now() where key = $1 and revoked_at is null returning key)
       insert into registry_audit (principal, action, result, detail)
       select $2, 'revoke-api-key', 'ok', jsonb_build_object('key', key) from revoked
       returning detail->>'key' as key`,
      [key, revokedBy],
    );
    return rows.length > 0;
  }
}
