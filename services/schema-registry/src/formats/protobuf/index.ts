export { protobufFormat } from './protobuf-format.ts';
export { COMPATIBLE_CHANGES, DIFFERENCE_TYPES } from './compatibility/difference.ts';
export type { DifferenceType } from './compatibility/difference.ts';
