import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ComponentStartError } from './managed-process.ts';

const run = promisify(execFile);
export const POM = new URL('../pom.xml', import.meta.url).pathname;

export function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'data-spine', 'maven');
}

async function which(command: string, hint: string): Promise<void> {
  try {
    await run('sh', ['-c', `command -v ${command}`]);
  } catch {
    throw new ComponentStartError(command, `not found on PATH: ${hint}`);
  }
}

/**
 * The classpath of the pom's dependencies. Maven resolves it once (jars land in ~/.m2); the result is
 * cached under the pom's sha256, so later runs read a file and start no Maven at all.
 */
export async function resolveClasspath(pom = POM): Promise<string> {
  const digest = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 16);
  const dir = cacheDir();
  const file = join(dir, `classpath-${digest}.txt`);
  if (existsSync(file)) {
    const cp = readFileSync(file, 'utf8').trim();
    if (cp.split(':').every((jar) => existsSync(jar))) return cp;
  }
  await which('java', 'install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)');
  await which('mvn', 'install Maven (Debian: apt-get install maven)');
  mkdirSync(dir, { recursive: true });
  try {
    await run('mvn', ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${file}`], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 15 * 60_000,
    });
  } catch (err) {
    const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
    throw new ComponentStartError('maven', `could not resolve ${pom}:\n${out.split('\n').filter((l) => l.includes('ERROR')).slice(0, 5).join('\n')}`, { cause: err });
  }
  return readFileSync(file, 'utf8').trim();
}
