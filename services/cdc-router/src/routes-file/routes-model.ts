/** The routes file after validation, with defaults filled in. */
export interface SourceSpec {
  id: string;
  type: 'postgres';
  region: string;
  database: string;
  connection?: string;
  topicPrefix: string;
  tables?: string[];
  patterns?: string[];
  slot?: string;
}

export interface SinkSpec {
  id: string;
  type: 'postgres' | 'kafka';
  region: string;
  database?: string;
  connection?: string;
  topicPrefix?: string;
  ttl?: string;
}

export interface RouteSpec {
  id: string;
  source: string;
  tables: string[];
  sink: string;
  purpose: string;
  columns?: Record<string, string[]>;
}

export interface DeadLetterSpec {
  topic: string;
  table: string;
  maxAttempts: number;
  replay: { ratePerSecond: number };
}

export interface RoutesFile {
  version: 1;
  sources: SourceSpec[];
  sinks: SinkSpec[];
  routes: RouteSpec[];
  deadLetter: DeadLetterSpec;
}

const compiled = new Map<string, RegExp>();

/** `public.*` style patterns: `*` any run of characters, `?` one. */
export function tableMatches(pattern: string, table: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(
      '^' +
        pattern
          .split('')
          .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.$^+()[\]{}|\\]/g, '\\$&')))
          .join('') +
        '$',
    );
    compiled.set(pattern, re);
  }
  return re.test(table);
}
