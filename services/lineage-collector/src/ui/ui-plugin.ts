import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { loadUiAssets } from './ui-assets.ts';
import type { UiAsset } from './ui-assets.ts';
import { UiAssetNotFound } from './ui-errors.ts';

export interface UiPluginOptions {
  /** The directory with index.html, app.css and js/ (default: the package's web/). */
  root?: string;
}

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * The page may talk to its own origin only: no CDN, font or analytics host, no inline script or style,
 * no plugins, no framing. A name that smuggled markup into the DOM still could not run or load anything.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

// Asset URLs carry no content hash (there is no build step), so browsers revalidate every time; the strong
// ETag makes that a 304 without a body.
const CACHE_CONTROL = 'no-cache';

function send(request: FastifyRequest, reply: FastifyReply, asset: UiAsset): FastifyReply {
  reply.headers(SECURITY_HEADERS);
  reply.header('cache-control', CACHE_CONTROL);
  reply.header('etag', asset.etag);
  reply.header('vary', 'accept-encoding');
  const match = request.headers['if-none-match'];
  if (
    typeof match === 'string' &&
    match.split(',').some((t) => t.trim().replace(/^W\//, '') === asset.etag)
  ) {
    return reply.code(304).send();
  }
  return reply.type(asset.contentType).send(asset.body);
}

/** Serves the lineage web UI: `/` and the static assets under web/. Reads are public. */
const uiPlugin: FastifyPluginAsync<UiPluginOptions> = async (app, opts) => {
  const assets = await loadUiAssets(opts.root ?? WEB_ROOT);
  const index = assets.get('/index.html');
  if (!index) throw new Error(`the UI has no index.html in ${opts.root ?? WEB_ROOT}`);
  const pub = { auth: 'public' as const };

  app.get(
    '/',
    { config: { ...pub, openapi: { summary: 'The lineage web UI', tags: ['ui'] } } },
    (request, reply) => send(request, reply, index),
  );
  const serve = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const asset = path === '/index.html' ? index : assets.get(path);
    if (!asset) throw new UiAssetNotFound(path);
    return send(request, reply, asset);
  };
  const hidden = { ...pub, openapi: { summary: 'UI asset', hide: true } };
  for (const path of assets.keys()) {
    if (path.startsWith('/js/')) continue;
    app.get(path, { config: hidden }, serve);
  }
  app.get('/js/*', { config: hidden }, serve);
};

export default uiPlugin;
