import type { OptionElement, OptionMap, OptionValue } from './proto-ast.ts';
import { compareStrings } from './option-printer.ts';
import type { ExtensionInfo } from './type-table.ts';

/**
 * Confluent's normalization of an option list (`FormatContext.filterOptions`): custom options are named
 * by their full extension name, `(x).a.b = v` becomes `(x) = { a: { b: v } }`, options are sorted by name,
 * and repeated uses of a non-repeated extension merge into one literal.
 */
export function normalizeOptions(
  options: readonly OptionElement[],
  resolveExtension: (name: string) => ExtensionInfo | null,
): OptionElement[] {
  const resolvedInfo = new Map<string, ExtensionInfo>();
  const qualified = options.map((option) => {
    if (!option.parenthesized) return option;
    const info = resolveExtension(option.name);
    if (!info) return option;
    resolvedInfo.set(info.fullName, info);
    return toLiteral({ ...option, name: info.fullName });
  });
  const sorted = qualified
    .map((option, index) => ({ option, index }))
    .sort((a, b) => compareStrings(a.option.name, b.option.name) || a.index - b.index)
    .map(({ option }) => option);
  const groups = new Map<string, OptionElement[]>();
  for (const option of sorted) {
    const group = groups.get(option.name);
    if (group) group.push(option);
    else groups.set(option.name, [option]);
  }
  return [...groups.entries()].flatMap(([name, list]) => {
    const info = resolvedInfo.get(name);
    if (!info || info.repeated || list.length < 2) return list;
    return [list.reduce(mergeOptions)];
  });
}

/** `(x).a.b = v` as `(x) = { a: { b: v } }`. */
function toLiteral(option: OptionElement): OptionElement {
  if (option.value.kind !== 'option') return option;
  return { ...option, value: { kind: 'map', value: nestedMap(option.value.value) } };
}

function nestedMap(option: OptionElement): OptionMap {
  const [first, ...rest] = option.name.split('.');
  let value: OptionValue =
    option.value.kind === 'option' ? { kind: 'map', value: nestedMap(option.value.value) } : option.value;
  for (const part of rest.reverse()) value = { kind: 'map', value: new Map([[part, value]]) };
  return new Map([[first!, value]]);
}

function mergeOptions(a: OptionElement, b: OptionElement): OptionElement {
  return { ...a, value: mergeValues(a.value, b.value) };
}

/** Literals merge key by key; anything else that meets twice becomes a list (a repeated field). */
function mergeValues(a: OptionValue, b: OptionValue): OptionValue {
  if (a.kind === 'map' && b.kind === 'map') {
    const merged: OptionMap = new Map(a.value);
    for (const [key, value] of b.value) {
      const existing = merged.get(key);
      merged.set(key, existing === undefined ? value : mergeValues(existing, value));
    }
    return { kind: 'map', value: merged };
  }
  const items = (v: OptionValue) => (v.kind === 'list' ? v.value : [v]);
  return { kind: 'list', value: [...items(a), ...items(b)] };
}
