export { jsonSchemaFormat } from './json-schema-format.ts';
export type { JsonSchemaModel } from './json-schema-format.ts';
