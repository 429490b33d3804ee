import type { OptionElement, OptionValue } from './proto-ast.ts';

/**
 * Reads Confluent's metadata option (`confluent/meta.proto`): `[(confluent.field_meta).tags = "PII"]`,
 * `[(confluent.field_meta) = { doc: "...", tags: ["PII"] }]`, and the message/enum/file variants.
 */

export type MetaKind = 'file_meta' | 'message_meta' | 'field_meta' | 'enum_meta' | 'enum_value_meta';

export interface ConfluentMeta {
  doc: string | null;
  tags: string[];
}

export function confluentMeta(options: readonly OptionElement[], kind: MetaKind): ConfluentMeta {
  const meta: ConfluentMeta = { doc: null, tags: [] };
  const names = new Set([`confluent.${kind}`, `.confluent.${kind}`]);
  for (const option of options) {
    if (!option.parenthesized || !names.has(option.name)) continue;
    const value = option.value;
    if (value.kind === 'option') {
      take(meta, value.value.name, value.value.value);
    } else if (value.kind === 'map') {
      for (const [key, v] of value.value) take(meta, key, v);
    }
  }
  return meta;
}

function take(meta: ConfluentMeta, key: string, value: OptionValue): void {
  if (key === 'doc' && value.kind === 'string') meta.doc = value.value;
  if (key === 'tags') meta.tags.push(...strings(value));
}

function strings(value: OptionValue): string[] {
  if (value.kind === 'string') return [value.value];
  if (value.kind === 'list') return value.value.flatMap(strings);
  return [];
}
