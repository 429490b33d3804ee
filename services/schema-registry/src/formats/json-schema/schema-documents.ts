import type { ResolvedReference } from '../schema-format.ts';
import { InvalidSchemaError } from '../schema-format.ts';
import { DATA_KEYWORDS, draftOf, idKeyword, isModern } from './drafts.ts';
import type { Draft } from './drafts.ts';
import { fragmentSegments, isObject, pointer, valueAt } from './json-pointer.ts';
import { parseJsonText, toValue } from './json-text.ts';

/**
 * The schema being parsed and every schema it may `$ref`: the references the registry resolved
 * (transitively), each registered at its name resolved against the root's `$id`, as Confluent registers
 * them with everit (`registerSchemaByURI(resolve(idUri, name))`). Relative names resolve against a fixed
 * in-memory base, so `customer.json` and `./customer.json` meet. Embedded `$id`s and anchors are indexed
 * too, so `$ref` finds resources inside documents.
 */

export const DEFAULT_BASE = 'mem://input/';

export interface SchemaDocument {
  readonly uri: string;
  readonly value: unknown;
  readonly draft: Draft;
  /** The reference name; undefined for the schema being parsed. */
  readonly referenceName: string | undefined;
}

export interface Target {
  readonly document: SchemaDocument;
  readonly segments: readonly string[];
  /** The base URI in force at the target, for the references inside it. */
  readonly base: string;
  readonly value: unknown;
}

interface Place {
  readonly document: SchemaDocument;
  readonly segments: readonly string[];
}

export class SchemaDocuments {
  readonly root: SchemaDocument;
  readonly #byName = new Map<string, SchemaDocument>();
  readonly #resources = new Map<string, Place>();
  readonly #anchors = new Map<string, Place>();

  constructor(rootValue: unknown, rootDraft: Draft, references: readonly ResolvedReference[]) {
    this.root = {
      uri: ownBase(rootValue, rootDraft, DEFAULT_BASE),
      value: rootValue,
      draft: rootDraft,
      referenceName: undefined,
    };
    this.#index(this.root);
    for (const reference of flatten(references)) {
      if (this.#byName.has(reference.name)) continue;
      const value = parseReference(reference);
      const draft = draftOf(value, rootDraft);
      const registered = stripFragment(resolveUri(this.root.uri, reference.name) ?? reference.name);
      const document: SchemaDocument = {
        uri: ownBase(value, draft, registered),
        value,
        draft,
        referenceName: reference.name,
      };
      this.#byName.set(reference.name, document);
      this.#resources.set(registered, { document, segments: [] });
      this.#index(document);
    }
  }

  get documents(): SchemaDocument[] {
    return [this.root, ...this.#byName.values()];
  }

  /** Where `$ref` written at `at` (in `document`, with `base` in force) leads; throws if nowhere. */
  resolve(ref: string, base: string, document: SchemaDocument, at: readonly string[]): Target {
    const hash = ref.indexOf('#');
    const documentPart = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? '' : ref.slice(hash + 1);
    const fail = (why: string) =>
      new InvalidSchemaError(`$ref '${ref}' cannot be resolved: ${why}`, pointer([...at, '$ref']));

    let resource: Place | undefined;
    let resourceUri: string;
    if (documentPart === '') {
      resourceUri = stripFragment(base);
      resource = this.#resources.get(resourceUri) ?? { document, segments: [] };
    } else {
      resourceUri = stripFragment(resolveUri(base, documentPart) ?? documentPart);
      resource = this.#resources.get(resourceUri);
      const named = this.#byName.get(documentPart);
      if (!resource && named) {
        resource = { document: named, segments: [] };
        resourceUri = named.uri;
      }
      if (!resource) {
        throw fail(`no reference named '${documentPart}' was given with the schema (add it to "references")`);
      }
    }

    let place: Place | undefined;
    const segments = fragmentSegments(fragment);
    if (segments) {
      place = { document: resource.document, segments: [...resource.segments, ...segments] };
    } else {
      place = this.#anchors.get(`${resourceUri}#${fragment}`);
      if (!place) throw fail(`no anchor '${fragment}' in ${describe(resource.document)}`);
    }
    const value = valueAt(place.document.value, place.segments);
    if (value === undefined) {
      throw fail(`nothing at ${pointer(place.segments)} in ${describe(place.document)}`);
    }
    return { ...place, value, base: baseAt(place.document, place.segments) };
  }

  /** Registers the `$id`s and anchors a document declares. */
  #index(document: SchemaDocument): void {
    const idKey = idKeyword(document.draft);
    const stack: { value: unknown; segments: string[]; base: string }[] = [
      { value: document.value, segments: [], base: document.uri },
    ];
    this.#resources.set(document.uri, { document, segments: [] });
    while (stack.length > 0) {
      const { value, segments, base } = stack.pop()!;
      if (Array.isArray(value)) {
        value.forEach((item, i) => stack.push({ value: item, segments: [...segments, String(i)], base }));
        continue;
      }
      if (!isObject(value)) continue;
      let here = base;
      const id = value[idKey];
      if (typeof id === 'string') {
        if (id.startsWith('#') && !isModern(document.draft)) {
          this.#anchors.set(`${stripFragment(base)}${id}`, { document, segments });
        } else {
          here = resolveUri(base, id) ?? base;
          if (segments.length > 0) this.#resources.set(stripFragment(here), { document, segments });
        }
      }
      for (const anchorKey of ['$anchor', '$dynamicAnchor']) {
        const anchor = value[anchorKey];
        if (typeof anchor === 'string' && isModern(document.draft)) {
          this.#anchors.set(`${stripFragment(here)}#${anchor}`, { document, segments });
        }
      }
      for (const [key, child] of Object.entries(value)) {
        if (!DATA_KEYWORDS.has(key)) stack.push({ value: child, segments: [...segments, key], base: here });
      }
    }
  }
}

/** The base URI in force at `segments`: the document's, changed by every `$id` on the way down. */
export function baseAt(document: SchemaDocument, segments: readonly string[]): string {
  const idKey = idKeyword(document.draft);
  let base = document.uri;
  let current: unknown = document.value;
  for (let i = 0; ; i++) {
    if (i > 0 && isObject(current)) {
      const id = current[idKey];
      if (typeof id === 'string' && !(id.startsWith('#') && !isModern(document.draft)))
        base = resolveUri(base, id) ?? base;
    }
    if (i === segments.length) return base;
    current = valueAt(current, [segments[i]!]);
  }
}

function ownBase(value: unknown, draft: Draft, registered: string): string {
  const id = isObject(value) ? value[idKeyword(draft)] : undefined;
  if (typeof id !== 'string' || (id.startsWith('#') && !isModern(draft))) return registered;
  return stripFragment(resolveUri(registered, id) ?? registered);
}

function parseReference(reference: ResolvedReference): unknown {
  try {
    return toValue(parseJsonText(reference.schema));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new InvalidSchemaError(
      `reference '${reference.name}' (${reference.subject} version ${reference.version}) is not a JSON schema: ${why}`,
      '',
      { cause: err },
    );
  }
}

function flatten(references: readonly ResolvedReference[]): ResolvedReference[] {
  const out: ResolvedReference[] = [];
  const seen = new Set<string>();
  const stack = [...references].reverse();
  while (stack.length > 0) {
    const reference = stack.pop()!;
    const key = `${reference.name}\u0000${reference.subject}\u0000${reference.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(reference);
    stack.push(...[...reference.references].reverse());
  }
  return out;
}

function describe(document: SchemaDocument): string {
  return document.referenceName === undefined ? 'this schema' : `reference '${document.referenceName}'`;
}

export function resolveUri(base: string, ref: string): string | undefined {
  try {
    return new URL(ref, base).href;
  } catch {
    return undefined;
  }
}

export function stripFragment(uri: string): string {
  const hash = uri.indexOf('#');
  return hash < 0 ? uri : uri.slice(0, hash);
}
