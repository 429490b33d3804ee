import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

export interface UiAsset {
  /** The URL path, e.g. `/js/main.js`. */
  path: string;
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Files that live beside the assets but are not served (unit tests of the browser modules). */
const isServed = (file: string): boolean => !/\.test\.[cm]?js$/.test(file) && extname(file) in CONTENT_TYPES;

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (e) => {
      const full = join(dir, e.name);
      if (e.isDirectory()) return walk(full);
      return e.isFile() ? [full] : [];
    }),
  );
  return nested.flat();
}

/**
 * Every servable file under `root`, read once: the UI is a few small files, and serving from memory
 * means no path from a request ever reaches the file system.
 */
export async function loadUiAssets(root: string): Promise<Map<string, UiAsset>> {
  const assets = new Map<string, UiAsset>();
  for (const file of await walk(root)) {
    if (!isServed(file)) continue;
    const body = await readFile(file);
    const path = '/' + relative(root, file).split(sep).join('/');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    assets.set(path, { path, body, contentType: CONTENT_TYPES[extname(file)]!, etag });
  }
  return assets;
}
