import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `<SPINE_DATA_DIR>/spine.json`: where a running spine listens (shape in DESIGN.md). */
export interface SpineManifest {
  mode: 'embedded' | 'distributed';
  pid: number;
  startedAt: string;
  services: Record<string, string>;
  postgres: string;
  sources: Record<string, string>;
  sinks: Record<string, string>;
}

export function manifestPath(dataDir: string): string {
  return join(dataDir, 'spine.json');
}

/** Written atomically (rename) so a script polling for it never reads half a file. */
export async function writeManifest(dataDir: string, manifest: SpineManifest): Promise<void> {
  const path = manifestPath(dataDir);
  await writeFile(`${path}.tmp`, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

export async function removeManifest(dataDir: string): Promise<void> {
  await rm(manifestPath(dataDir), { force: true });
}
