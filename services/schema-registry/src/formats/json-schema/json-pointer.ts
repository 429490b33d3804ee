/**
 * JSON pointers as URI fragments (`#/properties/a~1b`), the form Confluent's messages use. The root is
 * `#`; Confluent's diff writes its root as `#/`, which `diffPath` keeps.
 */

export function escapeSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function unescapeSegment(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

export function pointer(segments: readonly string[]): string {
  return segments.length === 0 ? '#' : `#/${segments.map(escapeSegment).join('/')}`;
}

/** Confluent's difference paths: `#/` at the root, `#/properties/foo` below it. */
export function diffPath(segments: readonly string[]): string {
  return `#/${segments.map(escapeSegment).join('/')}`;
}

/** The segments of a fragment pointer (`/definitions/a`, percent-decoded); undefined if it is not one. */
export function fragmentSegments(fragment: string): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(fragment);
  } catch {
    return undefined;
  }
  if (decoded === '') return [];
  if (!decoded.startsWith('/')) return undefined;
  return decoded.slice(1).split('/').map(unescapeSegment);
}

/** The value at `segments` inside `root`, or undefined. */
export function valueAt(root: unknown, segments: readonly string[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isObject(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
