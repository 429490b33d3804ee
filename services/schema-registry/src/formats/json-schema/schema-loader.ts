import { InvalidSchemaError } from '../schema-format.ts';
import { valueKey } from './canonical-json.ts';
import {
  CONDITIONAL_KEYWORDS,
  NUMBER_KEYWORDS,
  STRING_KEYWORDS,
  arrayKeywords,
  idKeyword,
  isModern,
  objectKeywords,
} from './drafts.ts';
import { isObject, pointer } from './json-pointer.ts';
import { KeywordReader } from './keyword-reader.ts';
import type { SchemaDocument, SchemaDocuments } from './schema-documents.ts';
import { resolveUri } from './schema-documents.ts';
import type { Criterion, SchemaBody, SchemaNode } from './schema-model.ts';
import { arrayBody, numberBody, objectBody, stringBody } from './typed-schemas.ts';
import type { LoadChild } from './typed-schemas.ts';

/**
 * Builds the model from JSON as everit's SchemaLoader does: a `$ref` stands alone (draft-07 and before
 * ignore its siblings; 2019-09 and later combine them with `allOf`); otherwise `enum`, the combinators,
 * `not`, `const` and `type` each yield a schema, the keywords left over are sniffed for object, array,
 * number, string and conditional meanings, and several results become a synthetic `allOf`. References
 * are resolved through a queue, not by recursion, so reference chains and cycles cost no stack; a schema
 * reached twice is loaded once, which is what lets the comparison recognise a cycle.
 */

const TYPES = new Set(['string', 'integer', 'number', 'boolean', 'null', 'array', 'object']);
const CRITERIA: readonly Criterion[] = ['allOf', 'anyOf', 'oneOf'];

let nextUid = 1;

interface Location {
  readonly document: SchemaDocument;
  readonly segments: readonly string[];
  readonly base: string;
}

export type RefNode = Extract<SchemaNode, { kind: 'ref' }>;

export interface LoadedSchemas {
  readonly root: SchemaNode;
  /** Every `$ref` met, resolved. */
  readonly refs: readonly RefNode[];
}

export function loadSchemas(documents: SchemaDocuments): LoadedSchemas {
  return new Loader(documents).loadRoot();
}

class Loader {
  readonly #documents: SchemaDocuments;
  readonly #loaded = new Map<SchemaDocument, Map<string, SchemaNode>>();
  readonly #pending: { node: RefNode; location: Location }[] = [];

  constructor(documents: SchemaDocuments) {
    this.#documents = documents;
  }

  loadRoot(): LoadedSchemas {
    const root = this.#documents.root;
    const node = this.#load({ document: root, segments: [], base: root.uri }, root.value);
    const refs: RefNode[] = [];
    while (this.#pending.length > 0) {
      const { node: ref, location } = this.#pending.shift()!;
      const target = this.#documents.resolve(ref.ref, location.base, location.document, location.segments);
      ref.target = this.#load(target, target.value);
      ref.external = target.document !== root;
      refs.push(ref);
    }
    for (const ref of refs) refuseEndlessChain(ref);
    return { root: node, refs };
  }

  #load(location: Location, value: unknown): SchemaNode {
    const key = pointer(location.segments);
    let loaded = this.#loaded.get(location.document);
    if (!loaded) this.#loaded.set(location.document, (loaded = new Map<string, SchemaNode>()));
    const known = loaded.get(key);
    if (known) return known;
    const node = this.#build(location, value);
    loaded.set(key, node);
    return node;
  }

  #build(location: Location, value: unknown): SchemaNode {
    if (typeof value === 'boolean') {
      return this.#node(location, value, value ? { kind: 'empty' } : { kind: 'false' }, String(value), false);
    }
    if (!isObject(value)) {
      throw new InvalidSchemaError('a schema must be a JSON object or a boolean', pointer(location.segments));
    }
    const draft = location.document.draft;
    const id = value[idKeyword(draft)];
    const base =
      location.segments.length > 0 && typeof id === 'string' && !(id.startsWith('#') && !isModern(draft))
        ? (resolveUri(location.base, id) ?? location.base)
        : location.base;
    const here: Location = { ...location, base };
    const load: LoadChild = (path, child) =>
      this.#load({ ...here, segments: [...location.segments, ...path] }, child);
    const r = new KeywordReader(value, location.segments);
    const parts: { body: SchemaBody; keys: readonly string[] }[] = [];
    const extract = (body: SchemaBody, keys: readonly string[]) => parts.push({ body, keys });

    if (r.has('$ref')) {
      const ref = r.string('$ref')!;
      extract({ kind: 'ref', ref, target: undefined, external: false }, ['$ref']);
      if (!isModern(draft)) return this.#finish(here, value, r, parts);
    }
    const enumValues = r.array('enum');
    if (enumValues) extract({ kind: 'enum', values: enumValues }, ['enum']);
    for (const criterion of CRITERIA) {
      const list = r.array(criterion, true);
      if (list) {
        const subschemas = list.map((sub, i) => load([criterion, String(i)], sub));
        extract({ kind: 'combined', criterion, subschemas, synthetic: false }, [criterion]);
      }
    }
    if (r.has('not')) extract({ kind: 'not', schema: load(['not'], r.raw('not')) }, ['not']);
    if (draft !== 'draft-04' && r.has('const')) extract({ kind: 'const', value: r.raw('const') }, ['const']);
    if (r.has('type')) this.#typed(r, here, load, extract);
    this.#sniff(r, here, load, extract);
    return this.#finish(here, value, r, parts);
  }

  /** `type`: one schema per named type, each reading that type's keywords; several make an `anyOf`. */
  #typed(
    r: KeywordReader,
    location: Location,
    load: LoadChild,
    extract: (b: SchemaBody, k: readonly string[]) => void,
  ): void {
    const draft = location.document.draft;
    const type = r.raw('type');
    const names = typeof type === 'string' ? [type] : type;
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string')) {
      throw r.error('type', 'must be a type name or a non-empty array of type names');
    }
    const before = new Set(r.consumed);
    const bodies = (names as string[]).map((name): SchemaBody => {
      if (!TYPES.has(name)) throw r.error('type', `names an unknown type '${name}'`);
      switch (name) {
        case 'string':
          return stringBody(r, true);
        case 'integer':
        case 'number':
          return numberBody(r, draft, name === 'integer');
        case 'boolean':
          return { kind: 'boolean' };
        case 'null':
          return { kind: 'null' };
        case 'array':
          return arrayBody(r, draft, load);
        default:
          return objectBody(r, draft, load);
      }
    });
    const keys = [...r.consumed].filter((k) => !before.has(k));
    if (typeof type === 'string') {
      extract(bodies[0]!, keys);
      return;
    }
    const subschemas = bodies.map((body) =>
      this.#node(location, r.object, body, `${body.kind}:${valueKey(pick(r.object, keys))}`, false),
    );
    extract({ kind: 'combined', criterion: 'anyOf', subschemas, synthetic: true }, keys);
  }

  /** Keywords no earlier meaning read still say something: everit's PropertySnifferSchemaExtractor. */
  #sniff(
    r: KeywordReader,
    location: Location,
    load: LoadChild,
    extract: (b: SchemaBody, k: readonly string[]) => void,
  ): void {
    const draft = location.document.draft;
    const any = (keys: readonly string[]) => keys.filter((k) => r.unread(k));
    const arrayKeys = any(arrayKeywords(draft));
    if (arrayKeys.length > 0) extract(arrayBody(r, draft, load), arrayKeys);
    const objectKeys = any(objectKeywords(draft));
    if (objectKeys.length > 0) extract(objectBody(r, draft, load), objectKeys);
    const numberKeys = any(NUMBER_KEYWORDS);
    if (numberKeys.length > 0) extract(numberBody(r, draft, false), numberKeys);
    const stringKeys = any(STRING_KEYWORDS);
    if (stringKeys.length > 0) extract(stringBody(r, false), stringKeys);
    const conditionalKeys = draft === 'draft-04' || draft === 'draft-06' ? [] : any(CONDITIONAL_KEYWORDS);
    if (conditionalKeys.length > 0) {
      for (const key of conditionalKeys) load([key], r.raw(key));
      extract({ kind: 'conditional' }, conditionalKeys);
    }
  }

  /** One meaning is the schema; several are a synthetic `allOf`; none is the empty schema. */
  #finish(
    location: Location,
    value: Record<string, unknown>,
    r: KeywordReader,
    parts: readonly { body: SchemaBody; keys: readonly string[] }[],
  ): SchemaNode {
    const whole = valueKey(value);
    if (parts.length === 1)
      return this.#node(location, value, parts[0]!.body, `${parts[0]!.body.kind}:${whole}`, true, r);
    if (parts.length === 0) return this.#node(location, value, { kind: 'empty' }, `empty:${whole}`, true, r);
    const subschemas = parts.map(({ body, keys }) =>
      this.#node(location, value, body, `${body.kind}:${valueKey(pick(value, keys))}`, false),
    );
    return this.#node(
      location,
      value,
      { kind: 'combined', criterion: 'allOf', subschemas, synthetic: true },
      `allOf*:${whole}`,
      true,
      r,
    );
  }

  #node(
    location: Location,
    raw: unknown,
    body: SchemaBody,
    signature: string,
    common: boolean,
    r?: KeywordReader,
  ): SchemaNode {
    const draft = location.document.draft;
    const meta =
      common && r
        ? {
            id: r.string(idKeyword(draft)),
            title: r.string('title'),
            description: r.string('description'),
            defaultValue: r.has('default') ? { value: r.raw('default') } : undefined,
          }
        : {};
    const node = {
      ...body,
      ...meta,
      uid: nextUid++,
      documentUri: location.document.uri,
      location: pointer(location.segments),
      draft,
      raw,
      signature,
    } as SchemaNode;
    if (node.kind === 'ref') this.#pending.push({ node, location });
    return node;
  }
}

function pick(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => Object.hasOwn(value, k)).map((k) => [k, value[k]]));
}

/** `{"$ref": "#/definitions/a"}` where `a` is `{"$ref": "#/definitions/b"}` and `b` leads back: no schema. */
function refuseEndlessChain(start: RefNode): void {
  const seen = new Set<SchemaNode>();
  let current: SchemaNode = start;
  while (current.kind === 'ref') {
    if (seen.has(current)) {
      throw new InvalidSchemaError(
        `$ref '${start.ref}' leads through $refs back to itself without reaching a schema`,
        `${start.location}/$ref`,
      );
    }
    seen.add(current);
    current = current.target!;
  }
}
