import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './cli-config.ts';

export interface GateTarget {
  url: string;
  credentials: string | null;
}

/** Where the gate is: the flag, else SPINE_GATE_URL, else the running spine's spine.json; null if none. */
export async function gateTarget(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<GateTarget | null> {
  let url = flag ?? env.SPINE_GATE_URL;
  if (!url) {
    const manifest = await readFile(join(dataDir, 'spine.json'), 'utf8').catch(() => null);
    if (manifest)
      url = (JSON.parse(manifest) as { services?: Record<string, string> }).services?.['residency-gate'];
  }
  if (!url) return null;
  let credentials = env.SPINE_GATE_KEY ?? null;
  if (!credentials)
    credentials = (await readFile(join(dataDir, 'admin-key'), 'utf8').catch(() => '')).trim() || null;
  return { url: url.replace(/\/+$/, ''), credentials };
}

export async function callGate(
  target: GateTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(target.credentials
          ? { authorization: `Basic ${Buffer.from(target.credentials).toString('base64')}` }
          : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new UsageError(`cannot reach the residency gate at ${target.url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403)
    throw new UsageError(
      `the residency gate refused the credentials (${res.status}): set SPINE_GATE_KEY=key:secret`,
    );
  if (res.status >= 500)
    throw new UsageError(`the residency gate answered ${res.status}: ${text.slice(0, 500)}`);
  return { status: res.status, text };
}
