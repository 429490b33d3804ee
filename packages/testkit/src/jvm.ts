import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A log4j2 configuration that sends WARN and above to stdout (the component's log file). */
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

export function writeProperties(file: string, props: Readonly<Record<string, string | number | boolean>>): void {
  writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
}

/** JVM flags for a small test component on a 2-core machine: modest heap, quick start. */
export function jvmArgs(heap: string, log4j2: string): string[] {
  return [`-Xms${heap}`, `-Xmx${heap}`, '-XX:+UseSerialGC', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4j2}`];
}
