import type { KeyObject } from 'node:crypto';
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '@data-spine/service-kit';
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { PolicyInfo } from '../contract/decision-contract.ts';
import { compilePolicy } from '../evaluator/compile-policy.ts';
import type { CompiledPolicy } from '../evaluator/compile-policy.ts';
import { MatrixInvalidError, parseMatrix } from '../matrix/load-matrix.ts';
import type { MatrixIssue } from '../matrix/matrix-types.ts';
import { METRICS } from '../metric-names.ts';
import { parseSignatureFile, verifyBundle } from './bundle-signature.ts';
import type { BundleSignature } from './bundle-signature.ts';

export type RefusalCode =
  'GATE_POLICY_INVALID' | 'GATE_POLICY_UNSIGNED' | 'GATE_POLICY_BAD_SIGNATURE' | 'GATE_POLICY_UNREADABLE';

/** Why a candidate policy was not activated. */
export class PolicyRefusedError extends Error {
  readonly code: RefusalCode;
  readonly issues: MatrixIssue[];
  constructor(code: RefusalCode, message: string, issues: MatrixIssue[] = []) {
    super(message);
    this.code = code;
    this.issues = issues;
  }
}

export interface PolicyManagerOptions {
  log: Logger;
  registry?: Registry;
  requireSigned: boolean;
  trustedKeys: readonly KeyObject[];
  /** The matrix file to load and watch (its signature, if any, at `<file>.sig`). */
  file?: string;
}

interface Active {
  policy: CompiledPolicy;
  info: PolicyInfo;
}

/**
 * Holds the active policy and swaps it atomically: a candidate is read, verified, parsed, validated and
 * compiled aside, then one assignment makes it active, so every decision sees one whole policy. A refused
 * candidate leaves the last good one active and is reported by readiness, a metric and the log.
 */
export class PolicyManager {
  private active: Active | null = null;
  private lastError: PolicyInfo['last_error'] = null;
  private watcher: FSWatcher | null = null;
  private debounce: NodeJS.Timeout | undefined;
  private readonly o: PolicyManagerOptions;
  private readonly loads: Counter | undefined;
  private readonly lastOk: Gauge | undefined;
  private readonly infoGauge: Gauge | undefined;

  constructor(o: PolicyManagerOptions) {
    this.o = o;
    if (o.registry) {
      const registers = [o.registry];
      this.loads = new Counter({
        name: METRICS.policyLoads,
        help: 'Policy loads by outcome.',
        labelNames: ['outcome', 'source'],
        registers,
      });
      this.lastOk = new Gauge({
        name: METRICS.policyLastLoadOk,
        help: '1 when the last policy load was activated, 0 when it was refused.',
        registers,
      });
      this.infoGauge = new Gauge({
        name: METRICS.policyInfo,
        help: 'The active policy (1), by version and digest.',
        labelNames: ['version', 'digest'],
        registers,
      });
    }
  }

  /** The active policy; a caller takes it once per decision (or batch) so a swap never splits one. */
  get current(): CompiledPolicy | null {
    return this.active?.policy ?? null;
  }

  info(): PolicyInfo | null {
    return this.active ? { ...this.active.info, last_error: this.lastError } : null;
  }

  get lastRefusal(): PolicyInfo['last_error'] {
    return this.lastError;
  }

  /** Verifies, compiles and activates a candidate, or refuses it and keeps the active one. */
  activate(text: string, signature: BundleSignature | null, source: string): PolicyInfo {
    try {
      let keyId: string | null = null;
      if (signature !== null) {
        keyId = verifyBundle(text, signature, this.o.trustedKeys);
        if (keyId === null)
          throw new PolicyRefusedError(
            'GATE_POLICY_BAD_SIGNATURE',
            `the signature of ${source} does not verify against any trusted key (${this.o.trustedKeys.length} configured)`,
          );
      } else if (this.o.requireSigned) {
        throw new PolicyRefusedError(
          'GATE_POLICY_UNSIGNED',
          `${source} is not signed and SPINE_GATE_REQUIRE_SIGNED_POLICY is true`,
        );
      }
      let policy: CompiledPolicy;
      try {
        policy = compilePolicy(parseMatrix(text, source));
      } catch (err) {
        if (err instanceof MatrixInvalidError)
          throw new PolicyRefusedError('GATE_POLICY_INVALID', err.message, err.issues);
        throw err;
      }
      const info: PolicyInfo = {
        version: policy.version,
        digest: policy.digest,
        loaded_at: new Date().toISOString(),
        source,
        mode: policy.mode,
        signed: keyId !== null,
        key_id: keyId,
        last_error: null,
      };
      const previous = this.active;
      this.active = { policy, info };
      this.lastError = null;
      this.loads?.inc({ outcome: 'activated', source: source === 'PUT /v1/policy' ? 'api' : 'file' });
      this.lastOk?.set(1);
      if (previous) this.infoGauge?.remove({ version: previous.info.version, digest: previous.info.digest });
      this.infoGauge?.set({ version: info.version, digest: info.digest }, 1);
      const level = policy.mode === 'shadow' ? 'warn' : 'info';
      this.o.log[level](
        {
          version: info.version,
          digest: info.digest,
          signed: info.signed,
          mode: policy.mode,
          previous: previous?.info.version ?? null,
        },
        policy.mode === 'shadow'
          ? 'policy activated in SHADOW mode: decisions are not enforced'
          : 'policy activated',
      );
      return { ...info };
    } catch (err) {
      throw this.refuse(err, source);
    }
  }

  /**
   * The one way a candidate is refused, whatever the reason (unreadable, bad signature, invalid): the
   * last good policy stays active, and readiness (`last_error`), the metrics and the log say so.
   */
  private refuse(err: unknown, source: string): unknown {
    const message = err instanceof Error ? err.message : String(err);
    this.lastError = { at: new Date().toISOString(), message, source };
    this.loads?.inc({ outcome: 'refused', source: source === 'PUT /v1/policy' ? 'api' : 'file' });
    this.lastOk?.set(0);
    this.o.log.error(
      {
        source,
        code: (err as Partial<PolicyRefusedError>).code,
        active: this.active?.info.version ?? null,
      },
      `policy refused; keeping ${this.active ? `version ${this.active.info.version}` : 'no policy (every decision is refused)'}: ${message}`,
    );
    return err;
  }

  /** Reads the matrix file and its `.sig`, then activates them; a file that cannot be read is refused too. */
  async loadFile(): Promise<PolicyInfo> {
    const file = this.o.file;
    if (!file) throw new Error('no matrix file configured');
    let text: string;
    let sigText: string | null;
    try {
      text = await readFile(file, 'utf8');
      sigText = await readFile(`${file}.sig`, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
    } catch (err) {
      throw this.refuse(
        new PolicyRefusedError('GATE_POLICY_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`),
        file,
      );
    }
    let sig: BundleSignature | null = null;
    if (sigText !== null) {
      try {
        sig = parseSignatureFile(sigText);
      } catch (err) {
        throw this.refuse(
          new PolicyRefusedError(
            'GATE_POLICY_BAD_SIGNATURE',
            `the signature file ${file}.sig is malformed: ${(err as Error).message}`,
          ),
          file,
        );
      }
    }
    return this.activate(text, sig, file);
  }

  /** Reloads on change of the matrix or its signature (editors replace files, so the directory is watched). */
  watchFile(): void {
    const file = this.o.file;
    if (!file || this.watcher) return;
    const names = new Set([basename(file), `${basename(file)}.sig`]);
    this.watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (name !== null && !names.has(String(name))) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        // Every refusal (unreadable, malformed .sig, bad signature, invalid) went through `refuse`.
        this.loadFile().catch(() => undefined);
      }, 150);
    });
    this.watcher.on('error', (err) =>
      this.o.log.warn({ err }, 'watching the matrix failed; PUT /v1/policy still works'),
    );
  }

  close(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = null;
  }
}
