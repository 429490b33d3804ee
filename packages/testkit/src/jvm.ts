import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireExecutable } from './find-executable.ts';

/** `$JAVA_HOME/bin/java` or `java` on PATH; a clear error when there is none. */
export function javaCommand(): string {
  const candidates = process.env.JAVA_HOME ? [join(process.env.JAVA_HOME, 'bin', 'java'), 'java'] : ['java'];
  return requireExecutable(
    candidates,
    'install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)',
  );
}

/** A log4j2 configuration that sends `level` and above to stdout, which is the component's log file. */
export function writeLog4j2Config(dir: string, level = 'WARN'): string {
  const file = join(dir, 'log4j2.xml');
  writeFileSync(
    file,
    `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="${level}"><AppenderRef ref="stdout"/></Root>
  </Loggers>
</Configuration>
`,
  );
  return file;
}

/** A Java .properties file (values here never need escaping: ports, paths, class names). */
export function writeProperties(
  file: string,
  props: Readonly<Record<string, string | number | boolean>>,
): void {
  writeFileSync(
    file,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
}

/** JVM flags for a small test component on a 2-core machine: bounded heap, serial GC, quick start. */
export function jvmArgs(heap: string, log4j2: string): string[] {
  return [
    `-Xmx${heap}`,
    '-XX:+UseSerialGC',
    // Tiered compilation stopped at C1: a JVM that lives for one test run starts faster.
    '-XX:TieredStopAtLevel=1',
    '-Xshare:auto',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j2}`,
  ];
}
