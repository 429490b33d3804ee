import * as E from '../errors.ts';

export const MODES = ['READWRITE', 'READONLY', 'IMPORT'] as const;
export type Mode = (typeof MODES)[number];

/**
 * What a mode allows a registration, as Confluent decides it (`checkRegisterMode`), with its messages
 * (42205): nothing in READONLY; an explicit id or version only in IMPORT; and in IMPORT, only those.
 */
export function checkRegisterMode(
  subject: string,
  mode: Mode,
  explicit: { id?: number | undefined; version?: number | undefined },
): void {
  if (mode === 'READONLY') throw new E.OperationNotPermitted(`Subject ${subject} is in read-only mode`);
  if (explicit.id !== undefined || explicit.version !== undefined) {
    if (mode !== 'IMPORT') throw new E.OperationNotPermitted(`Subject ${subject} is not in import mode`);
  } else if (mode !== 'READWRITE') {
    throw new E.OperationNotPermitted(`Subject ${subject} is not in read-write mode`);
  }
}

/** Confluent's refusal to switch to IMPORT where versions exist, unless `force=true`. */
export const IMPORT_NEEDS_EMPTY = 'Cannot import since found existing subjects';
