import type { StoredCredential } from './api-key.ts';

/** Where credentials come from. Services back it with Postgres; tests and the admin key use memory. */
export interface CredentialStore {
  find(key: string): Promise<StoredCredential | undefined>;
}

export class MemoryCredentialStore implements CredentialStore {
  readonly #byKey = new Map<string, StoredCredential>();

  constructor(credentials: Iterable<StoredCredential> = []) {
    for (const c of credentials) this.#byKey.set(c.key, c);
  }

  put(credential: StoredCredential): void {
    this.#byKey.set(credential.key, credential);
  }

  async find(key: string): Promise<StoredCredential | undefined> {
    return this.#byKey.get(key);
  }
}

/** Looks in each store in turn (e.g. the admin key file, then the service's own table). */
export class ChainedCredentialStore implements CredentialStore {
  readonly #stores: readonly CredentialStore[];
  constructor(stores: readonly CredentialStore[]) {
    this.#stores = stores;
  }
  async find(key: string): Promise<StoredCredential | undefined> {
    for (const s of this.#stores) {
      const found = await s.find(key);
      if (found) return found;
    }
    return undefined;
  }
}
