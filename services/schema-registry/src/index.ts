export { buildApp } from './app.ts';
export type { RegistryDeps } from './app.ts';
export { loadRegistryConfig, COMPATIBILITY_LEVELS } from './config.ts';
export type { RegistryConfig, CompatibilityLevel } from './config.ts';
export { DEFAULT_FORMATS } from './formats/default-formats.ts';
export type {
  SchemaFormat,
  ParsedSchema,
  SchemaType,
  SchemaReference,
  CompatibilityIssue,
} from './formats/schema-format.ts';
