import * as E from '../errors.ts';
import { SEMVER_PROPERTY } from './contract-metadata.ts';
import type { ContractMetadata } from './contract-metadata.ts';
import { bump, bumpKind, compareSemver, formatSemver, parseSemver } from './semver.ts';
import type { Semver } from './semver.ts';

const FIRST: Semver = { major: 1, minor: 0, patch: 0 };

/** What a registration decides about a contract's semantic version; validate answers the same. */
export interface ContractVersion {
  /** The semver the version gets: the one asked for, else the next minor (major when breaking). */
  semver: string;
  /** False when the change breaks the subject's level and the semver asked for is not a major bump. */
  accepted: boolean;
  /** The semver to ask for instead (the next major), when the latest has one. */
  needed: string | null;
}

/**
 * The semver a version's metadata asks for (`data-spine.semver`), or null. Throws 42290 when it is not
 * MAJOR.MINOR.PATCH or not greater than the subject's latest.
 */
export function requestedSemver(
  metadata: ContractMetadata | null | undefined,
  latest: Semver | null,
): Semver | null {
  const text = metadata?.properties?.[SEMVER_PROPERTY];
  if (text === undefined) return null;
  const requested = parseSemver(text);
  if (!requested) throw new E.InvalidSemver(`${SEMVER_PROPERTY} '${text}' is not MAJOR.MINOR.PATCH`);
  if (latest && compareSemver(requested, latest) <= 0)
    throw new E.InvalidSemver(
      `${SEMVER_PROPERTY} ${text} must be greater than the latest, ${formatSemver(latest)}`,
    );
  return requested;
}

/** A breaking change is accepted only with a major bump of the contract's version. */
export function decideContractVersion(
  latest: Semver | null,
  requested: Semver | null,
  breaking: boolean,
): ContractVersion {
  const majorBump = requested !== null && latest !== null && bumpKind(latest, requested) === 'major';
  return {
    semver: formatSemver(requested ?? (latest ? bump(latest, breaking ? 'major' : 'minor') : FIRST)),
    accepted: !breaking || majorBump,
    needed: latest ? formatSemver(bump(latest, 'major')) : null,
  };
}
