import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatApiKey, generateApiKey, parseApiKey } from './api-key.ts';
import type { ApiKey } from './api-key.ts';

export function adminKeyPath(dataDir: string): string {
  return join(dataDir, 'admin-key');
}

/** Reads `<dataDir>/admin-key`, creating it (mode 0600) with a fresh key on first start. */
export async function ensureAdminKey(dataDir: string): Promise<{ apiKey: ApiKey; created: boolean }> {
  const path = adminKeyPath(dataDir);
  const existing = await readAdminKey(dataDir);
  if (existing) return { apiKey: existing, created: false };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const apiKey = generateApiKey('admin');
  try {
    await writeFile(path, formatApiKey(apiKey) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const raced = await readAdminKey(dataDir);
      if (raced) return { apiKey: raced, created: false };
    }
    throw err;
  }
  return { apiKey, created: true };
}

export async function readAdminKey(dataDir: string): Promise<ApiKey | null> {
  let text: string;
  try {
    text = await readFile(adminKeyPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = parseApiKey(text.trim());
  if (!parsed) throw new Error(`${adminKeyPath(dataDir)} is not of the form key:secret`);
  return parsed;
}
