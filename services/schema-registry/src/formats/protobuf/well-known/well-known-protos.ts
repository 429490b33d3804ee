import { CONFLUENT_PROTOS } from './confluent-protos.ts';
import { GOOGLE_PROTOBUF } from './google-protobuf.ts';
import { GOOGLE_TYPE } from './google-type.ts';

/** Import paths a schema may use without a reference, with their text (as Confluent's KNOWN_DEPENDENCIES). */
export const WELL_KNOWN_PROTOS: ReadonlyMap<string, string> = new Map(
  Object.entries({ ...GOOGLE_PROTOBUF, ...GOOGLE_TYPE, ...CONFLUENT_PROTOS }),
);
