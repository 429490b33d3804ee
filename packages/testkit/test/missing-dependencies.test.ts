import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveClasspath, startKafka, startKafkaConnect, TestkitError } from '../src/index.ts';

/** A component that cannot start fails with what is missing and how to install it; it never skips. */
describe('missing java or mvn', () => {
  const saved = {
    PATH: process.env.PATH,
    JAVA_HOME: process.env.JAVA_HOME,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
  };
  const cache = mkdtempSync(join(tmpdir(), 'testkit-cache-'));
  beforeEach(() => {
    process.env.PATH = '/nonexistent';
    delete process.env.JAVA_HOME;
    // An empty classpath cache, so Maven would have to run.
    process.env.XDG_CACHE_HOME = cache;
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const failure = async (p: Promise<unknown>): Promise<TestkitError> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TestkitError);
    return err as TestkitError;
  };

  it('names java and the package to install', async () => {
    for (const start of [() => startKafka(), () => startKafkaConnect({ bootstrap: '127.0.0.1:1' })]) {
      const err = await failure(start());
      expect(err.code).toBe('TESTKIT_MISSING_DEPENDENCY');
      expect(err.message).toBe(
        'java: java not found on PATH: install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)',
      );
    }
  });

  it('names mvn when the classpath is not cached yet', async () => {
    process.env.PATH = `/nonexistent:${join(saved.JAVA_HOME ?? '/usr/lib/jvm/java-17-openjdk-amd64', 'bin')}`;
    const err = await failure(resolveClasspath('broker'));
    expect(err.code).toBe('TESTKIT_MISSING_DEPENDENCY');
    expect(err.message).toBe(
      'mvn: mvn not found on PATH: install Maven 3.8+ (Debian: apt-get install maven)',
    );
    rmSync(cache, { recursive: true, force: true });
  });
});
