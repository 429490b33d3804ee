/**
 * Embedded-mode change capture: Postgres logical replication (pgoutput) read directly and turned into the
 * records Debezium's PostgreSQL connector writes. See README.md in this folder.
 */
export { createCapture } from './capture.ts';
export type { Capture, CaptureBatch, CaptureRecord, CaptureLogger, Lsn } from './types.ts';
export { CaptureOptions } from './options.ts';
export type { CaptureOptionsInput } from './options.ts';
export { formatLsn, parseLsn } from './lsn.ts';
export { isUnavailableValue } from './value-decoder.ts';
export { CAPTURE_VERSION } from './envelope.ts';
export {
  CaptureOptionsInvalid,
  CaptureSourceUnavailable,
  CaptureProtocolError,
  CaptureSetupFailed,
  CaptureAckInvalid,
} from './errors.ts';
