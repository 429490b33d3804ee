import type { FieldInfo } from '../formats/schema-format.ts';

/**
 * Confluent's `metadata.tags` maps field paths to tags; a path may use `*` (within one segment) and `**`
 * (across segments), e.g. `**.email`. Compiled once per pattern.
 */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  let i = 0;
  // A leading `**.` also matches no segment at all: `**.email` tags a top-level `email`.
  if (pattern.startsWith('**.')) {
    re = '(?:.*\\.)?';
    i = 3;
  }
  for (; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^.]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** JSON Schema paths (`#/properties/address/properties/city`) as dotted paths (`address.city`). */
function dottedPath(path: string): string {
  if (!path.startsWith('#')) return path;
  return path
    .replace(/^#\/?/, '')
    .replace(/(^|\/)properties\//g, '$1')
    .replace(/\//g, '.');
}

export interface TaggedField {
  name: string;
  path: string;
  type: string;
  doc?: string;
  /** Inline tags and those `metadata.tags` assigns, deduplicated, as written. */
  tags: string[];
}

/** The fields of a schema with every tag that applies to them. */
export function tagFields(
  fields: readonly FieldInfo[],
  metadataTags: Readonly<Record<string, readonly string[]>> | undefined,
): TaggedField[] {
  const patterns = Object.entries(metadataTags ?? {}).map(([p, tags]) => ({ re: globToRegExp(p), tags }));
  return fields.map((f) => {
    const tags = new Set(f.tags);
    const dotted = dottedPath(f.path);
    for (const { re, tags: extra } of patterns)
      if (re.test(f.path) || re.test(dotted) || re.test(f.name)) for (const t of extra) tags.add(t);
    return {
      name: f.name,
      path: f.path,
      type: f.type,
      ...(f.doc !== undefined ? { doc: f.doc } : {}),
      tags: [...tags],
    };
  });
}
