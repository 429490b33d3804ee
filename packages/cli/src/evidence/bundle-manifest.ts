import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'signature.json';

export interface BundleEntry {
  path: string;
  sha256: string;
  bytes: number;
}

/** `manifest.json` of a bundle: what was collected, what was not (and why), and each file's digest. */
export interface BundleManifest {
  kind: 'data-spine-evidence';
  version: 1;
  createdAt: string;
  commit: string | null;
  files: BundleEntry[];
  skipped: Array<{ item: string; reason: string }>;
}

/** The bytes that are signed: JSON with sorted keys and no whitespace, so a verifier recomputes them. */
export function canonicalBytes(value: unknown): Buffer {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return Buffer.from(JSON.stringify(canonical(value)));
}

export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (rel !== MANIFEST_FILE && rel !== SIGNATURE_FILE) out.push(rel);
  }
  return out.sort();
}

export async function digestFiles(dir: string): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  for (const path of await listFiles(dir)) {
    const bytes = await readFile(join(dir, path));
    entries.push({ path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
  }
  return entries;
}
