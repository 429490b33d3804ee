/**
 * Why a component of the test stack could not be used. Callers branch on `code`, never on the message;
 * the message says what is missing and how to get it, or what the process printed before it died.
 */
export type TestkitErrorCode =
  /** A binary (java, mvn, postgres, prometheus, ...) is not installed. */
  | 'TESTKIT_MISSING_DEPENDENCY'
  /** The process exited before it was ready. */
  | 'TESTKIT_EXITED'
  /** The process runs but did not become ready in time. */
  | 'TESTKIT_NOT_READY'
  /** A setup command (initdb, mvn, the Kafka storage format) failed. */
  | 'TESTKIT_COMMAND_FAILED'
  /** A Kafka Connect connector or task is FAILED, or Connect refused a request. */
  | 'TESTKIT_CONNECTOR_FAILED'
  /** A test asked for the shared stack and none was started (or it lacks the component). */
  | 'TESTKIT_NO_STACK'
  /** A process the testkit started outlived its teardown. */
  | 'TESTKIT_SURVIVORS';

export class TestkitError extends Error {
  readonly code: TestkitErrorCode;
  /** What it was about: `postgres`, `kafka`, `kafka-connect`, `maven`, a process name, ... */
  readonly component: string;

  constructor(code: TestkitErrorCode, component: string, message: string, options?: { cause?: unknown }) {
    super(`${component}: ${message}`, options);
    this.name = 'TestkitError';
    this.code = code;
    this.component = component;
  }
}
