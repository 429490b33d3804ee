export { avroFormat } from './avro-format.ts';
export { INCOMPATIBILITY_TYPES } from './compatibility.ts';
export type { IncompatibilityType } from './compatibility.ts';
export { avroSchemaText } from './avro-format.ts';
