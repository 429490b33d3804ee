import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '@data-spine/service-kit';
import type { RouterConfig } from './config.ts';
import { ConfigInvalid } from './errors.ts';
import { sharedHashKey } from './shared-hash-key.ts';

export type HashKeyOrigin = 'env' | 'file' | 'router-database' | 'data-dir';

const newKey = () => randomBytes(32).toString('base64url');

function readKey(file: string): string {
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 16) throw new ConfigInvalid(`${file}: the hash key must have at least 16 characters`);
  return key;
}

/**
 * Names a key without revealing it (an HMAC of a fixed label), so operators can see that replicas agree.
 */
export function hashKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('spine-router-hash-key-id').digest('hex').slice(0, 16);
}

/**
 * The key of the keyed-hash obligation. It must stay the same across restarts and across the routers of one
 * consumer group (a hashed value is a join key in the sinks): SPINE_ROUTER_HASH_KEY, else the file
 * SPINE_ROUTER_HASH_KEY_FILE; else, in Kafka mode, the one key kept in the router database (SPINE_DATABASE_URL)
 * that every replica reads (the first router stores its `<SPINE_DATA_DIR>/router-hash-key` if it has one, so
 * its earlier hashes stay valid, or a new random key); else (embedded mode, one router)
 * `<SPINE_DATA_DIR>/router-hash-key`, created once (mode 0600) when missing. The key is never logged.
 */
export async function resolveHashKey(
  config: RouterConfig,
): Promise<{ key: Buffer; origin: HashKeyOrigin; dataDirKeyIgnored?: boolean }> {
  if (config.SPINE_ROUTER_HASH_KEY)
    return { key: Buffer.from(config.SPINE_ROUTER_HASH_KEY, 'utf8'), origin: 'env' };
  if (config.SPINE_ROUTER_HASH_KEY_FILE) {
    const file = config.SPINE_ROUTER_HASH_KEY_FILE;
    if (!existsSync(file)) throw new ConfigInvalid(`${file} (SPINE_ROUTER_HASH_KEY_FILE) does not exist`);
    return { key: Buffer.from(readKey(file), 'utf8'), origin: 'file' };
  }
  const local = join(config.SPINE_DATA_DIR, 'router-hash-key');
  if (config.SPINE_ROUTER_MODE === 'kafka') {
    const mine = existsSync(local) ? readKey(local) : null;
    const key = await sharedHashKey(config.SPINE_DATABASE_URL, mine ?? newKey());
    if (key.length < 16)
      throw new ConfigInvalid('the hash key in the router database must have at least 16 characters');
    return {
      key: Buffer.from(key, 'utf8'),
      origin: 'router-database',
      ...(mine !== null && mine !== key ? { dataDirKeyIgnored: true } : {}),
    };
  }
  if (!existsSync(local)) {
    mkdirSync(dirname(local), { recursive: true });
    writeFileSync(local, newKey() + '\n', { mode: 0o600, flag: 'wx' });
  }
  return { key: Buffer.from(readKey(local), 'utf8'), origin: 'data-dir' };
}

/** `resolveHashKey`, logging where the key came from and its id (never the key). */
export async function loadHashKey(config: RouterConfig, log?: Logger): Promise<Buffer> {
  const { key, origin, dataDirKeyIgnored } = await resolveHashKey(config);
  log?.info({ origin, keyId: hashKeyId(key) }, 'hash key loaded');
  if (dataDirKeyIgnored)
    log?.warn(
      { origin },
      "<SPINE_DATA_DIR>/router-hash-key differs from the router database's key: the shared key is used, so values this router hashed before no longer match",
    );
  return key;
}
