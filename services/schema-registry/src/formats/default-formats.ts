import { avroFormat } from './avro/index.ts';
import { jsonSchemaFormat } from './json-schema/index.ts';
import { protobufFormat } from './protobuf/index.ts';
import type { SchemaFormat } from './schema-format.ts';

/** The schema languages a registry started by `server.ts` speaks. */
export const DEFAULT_FORMATS: readonly SchemaFormat[] = [avroFormat, protobufFormat, jsonSchemaFormat];
