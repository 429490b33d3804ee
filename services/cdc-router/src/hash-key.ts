import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RouterConfig } from './config.ts';
import { ConfigInvalid } from './errors.ts';

/**
 * The key of the keyed-hash obligation. It must stay the same across restarts (a hashed value is a join
 * key in the sinks): SPINE_ROUTER_HASH_KEY, else the file SPINE_ROUTER_HASH_KEY_FILE, else
 * `<SPINE_DATA_DIR>/router-hash-key`, created once (mode 0600) when missing.
 */
export function loadHashKey(config: RouterConfig): Buffer {
  if (config.SPINE_ROUTER_HASH_KEY) return Buffer.from(config.SPINE_ROUTER_HASH_KEY, 'utf8');
  const file = config.SPINE_ROUTER_HASH_KEY_FILE ?? join(config.SPINE_DATA_DIR, 'router-hash-key');
  if (!existsSync(file)) {
    if (config.SPINE_ROUTER_HASH_KEY_FILE)
      throw new ConfigInvalid(`${file} (SPINE_ROUTER_HASH_KEY_FILE) does not exist`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  }
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 16) throw new ConfigInvalid(`${file}: the hash key must have at least 16 characters`);
  return Buffer.from(key, 'utf8');
}
