import { defineError } from '@data-spine/service-kit';

export const CaptureOptionsInvalid = defineError('CDC_CAPTURE_OPTIONS_INVALID', 'capture options: %s', 400, {
  retriable: false,
});
/** The source cannot be reached or the replication connection failed; retried with backoff. */
export const CaptureSourceUnavailable = defineError(
  'CDC_CAPTURE_SOURCE_UNAVAILABLE',
  'change capture source: %s',
  503,
);
/** The server answered something the capture does not understand (a protocol or decoding error). */
export const CaptureProtocolError = defineError('CDC_CAPTURE_PROTOCOL', 'replication protocol: %s', 502, {
  retriable: true,
});
/** Setup is impossible as configured (wal_level, missing table, no primary key where one is needed...). */
export const CaptureSetupFailed = defineError('CDC_CAPTURE_SETUP', 'change capture setup: %s', 500, {
  retriable: false,
});
/** The consumer acknowledged a position it was never given (acking ahead). */
export const CaptureAckInvalid = defineError('CDC_CAPTURE_ACK_INVALID', 'ack: %s', 400, { retriable: false });
