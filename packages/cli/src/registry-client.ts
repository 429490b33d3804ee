import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './cli-config.ts';

export interface RegistryTarget {
  url: string;
  /** `key:secret`, sent as HTTP Basic. */
  credentials: string | null;
}

/**
 * Where the registry is: `--registry`, else SPINE_REGISTRY_URL, else the running spine's spine.json.
 * Credentials: SPINE_REGISTRY_KEY (`key:secret`), else the spine's admin key file.
 */
export async function registryTarget(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<RegistryTarget> {
  let url = flag ?? env.SPINE_REGISTRY_URL;
  if (!url) {
    try {
      const manifest = JSON.parse(await readFile(join(dataDir, 'spine.json'), 'utf8')) as {
        services?: Record<string, string>;
      };
      url = manifest.services?.['schema-registry'];
    } catch {
      // no running spine
    }
  }
  if (!url)
    throw new UsageError(
      'no registry: pass --registry URL, set SPINE_REGISTRY_URL, or start one with spine up',
    );
  let credentials = env.SPINE_REGISTRY_KEY ?? null;
  if (!credentials)
    credentials = (await readFile(join(dataDir, 'admin-key'), 'utf8').catch(() => '')).trim() || null;
  return { url: url.replace(/\/+$/, ''), credentials };
}

export interface RegistryAnswer {
  status: number;
  body: unknown;
}

/** One request to the registry; a connection failure is a usage/connection error (exit 2). */
export async function callRegistry(
  target: RegistryTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<RegistryAnswer> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.schemaregistry.v1+json',
        ...(body === undefined ? {} : { 'content-type': 'application/vnd.schemaregistry.v1+json' }),
        ...(target.credentials
          ? { authorization: 'Basic ' + Buffer.from(target.credentials).toString('base64') }
          : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new UsageError(`cannot reach the registry at ${target.url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a raw schema text
  }
  if (res.status === 401 || res.status === 403) {
    throw new UsageError(
      `the registry refused the credentials (${res.status}): set SPINE_REGISTRY_KEY=key:secret`,
    );
  }
  return { status: res.status, body: parsed };
}
