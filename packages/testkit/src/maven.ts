import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TestkitError } from './errors.ts';
import { requireExecutable } from './find-executable.ts';
import type { TestkitLogger } from './logger.ts';
import { silent } from './logger.ts';

const run = promisify(execFile);

/** The testkit's pom (packages/testkit/pom.xml). */
export const POM = fileURLToPath(new URL('../pom.xml', import.meta.url));

/** A profile of the pom: `broker` is Kafka; `connect` is Kafka Connect with Debezium's Postgres connector. */
export type MavenProfile = 'broker' | 'connect';

/** `${XDG_CACHE_HOME:-~/.cache}/data-spine/maven`: resolved classpaths, one small file per pom version. */
export function mavenCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'data-spine', 'maven');
}

const inFlight = new Map<string, Promise<string>>();

/**
 * The classpath of a pom profile. Maven resolves it once (the jars land in ~/.m2); the result is cached
 * under the pom's sha256, so later runs read one file and start no Maven at all. A cached classpath whose
 * jars have gone (a cleaned ~/.m2) is resolved again.
 */
export function resolveClasspath(
  profile: MavenProfile,
  options: { pom?: string; logger?: TestkitLogger } = {},
): Promise<string> {
  const pom = options.pom ?? POM;
  const digest = createHash('sha256').update(readFileSync(pom)).digest('hex');
  const file = join(mavenCacheDir(), `${digest}-${profile}.classpath`);
  let pending = inFlight.get(file);
  if (!pending) {
    pending = cachedOrResolve(pom, profile, file, options.logger ?? silent).finally(() =>
      inFlight.delete(file),
    );
    inFlight.set(file, pending);
  }
  return pending;
}

function readCached(file: string): string | null {
  if (!existsSync(file)) return null;
  const classpath = readFileSync(file, 'utf8').trim();
  return classpath && classpath.split(':').every((jar) => existsSync(jar)) ? classpath : null;
}

async function cachedOrResolve(
  pom: string,
  profile: MavenProfile,
  file: string,
  log: TestkitLogger,
): Promise<string> {
  const cached = readCached(file);
  if (cached) return cached;
  requireExecutable(['java'], 'install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)');
  const mvn = requireExecutable(['mvn'], 'install Maven 3.8+ (Debian: apt-get install maven)');
  mkdirSync(mavenCacheDir(), { recursive: true });
  // Written aside and renamed: concurrent runs (two vitest processes) never read a half-written file.
  const partial = `${file}.${process.pid}.partial`;
  const started = Date.now();
  log(`resolving the ${profile} classpath with Maven (first run only; jars go to ~/.m2)`, { pom });
  try {
    await run(
      mvn,
      ['-q', '-B', '-f', pom, `-P${profile}`, 'dependency:build-classpath', `-Dmdep.outputFile=${partial}`],
      {
        maxBuffer: 16 * 1024 * 1024,
        timeout: 15 * 60_000,
      },
    );
    renameSync(partial, file);
  } catch (err) {
    rmSync(partial, { force: true });
    const out = `${(err as { stdout?: string }).stdout ?? ''}\n${(err as { stderr?: string }).stderr ?? ''}`;
    const errors = out
      .split('\n')
      .filter((l) => l.includes('ERROR'))
      .slice(0, 8)
      .join('\n');
    throw new TestkitError(
      'TESTKIT_COMMAND_FAILED',
      'maven',
      `mvn could not resolve the ${profile} profile of ${pom}:\n${errors || String(err)}`,
      { cause: err },
    );
  }
  log(`resolved the ${profile} classpath`, { ms: Date.now() - started, file });
  const classpath = readCached(file);
  if (!classpath)
    throw new TestkitError('TESTKIT_COMMAND_FAILED', 'maven', `mvn wrote no usable classpath to ${file}`);
  return classpath;
}
