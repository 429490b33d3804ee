import type { SchemaFormat, SchemaType } from '../formats/schema-format.ts';

/** The schema languages this registry speaks, by Confluent's `schemaType` name. */
export class FormatCatalog {
  readonly #formats = new Map<SchemaType, SchemaFormat>();

  constructor(formats: readonly SchemaFormat[]) {
    for (const f of formats) this.#formats.set(f.type, f);
  }

  get(type: SchemaType): SchemaFormat | undefined {
    return this.#formats.get(type);
  }

  types(): SchemaType[] {
    return [...this.#formats.keys()];
  }
}
