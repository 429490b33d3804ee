import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliEnv } from '../cli-config.ts';
import { UsageError } from '../cli-config.ts';
import { gateTarget } from '../gate-target.ts';
import { gateCheck } from './gate-check.ts';
import { diffDecisions, loggedDecisions, printDiff } from './gate-diff.ts';
import { explainRequest, gateExplain } from './gate-explain.ts';
import { gateKeygen, gateSign } from './gate-sign.ts';
import { gateVerifyAudit } from './gate-verify-audit.ts';
import { defaultPath, loadPolicy } from './gate-sources.ts';

const USAGE = `spine gate <command>
  check [routes.yaml]                 decide every route (default streaming/cdc/data-spine.yaml); 1 if any is
                                      denied, or would be once shadow rules (or a shadow matrix) are enforced:
                                      printed DENY (shadow)
  explain <table> <sink>              one route of the routes file, explained for a person
  explain --source-region R --sink ID --purpose P --classification C --field name[:tag,tag]... [--dataset D]
  diff --candidate <matrix> [--audit FILE | --gate URL] [--tail N]
                                      replay logged decisions against a candidate matrix; 1 if any would change
  keygen --out FILE                   a new Ed25519 key pair for signing policies (FILE, FILE.pub)
  sign <matrix> --key FILE [--out SIG]
                                      validate the matrix and sign its bytes into <matrix>.sig
  verify-audit <file> (--public-key PEM-file|base64 | --gate URL) [--allow-untrusted-key]
                                      verify an exported audit log offline against the gate's key (given, or
                                      fetched from the gate's GET /v1/audit/key); 1 names the first record
                                      altered, removed, added or reordered, or that no key was given
Options: --matrix FILE (default schema/data-residency-matrix.yaml; decisions in process), --gate URL (ask a
         running gate instead: SPINE_GATE_URL, or the running spine), --contracts DIR (default schema/contracts),
         --routes FILE, --output text|json
Exit codes: 0 ok, 1 denied / would change / verification failed, 2 usage or connection error.`;

export async function gateCommand(args: readonly string[], env: Readonly<CliEnv>): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        matrix: { type: 'string' },
        gate: { type: 'string' },
        contracts: { type: 'string' },
        routes: { type: 'string' },
        output: { type: 'string', default: 'text' },
        candidate: { type: 'string' },
        audit: { type: 'string' },
        tail: { type: 'string', default: '10000' },
        'public-key': { type: 'string' },
        'allow-untrusted-key': { type: 'boolean' },
        dataset: { type: 'string' },
        'source-region': { type: 'string' },
        sink: { type: 'string' },
        'sink-region': { type: 'string' },
        purpose: { type: 'string' },
        classification: { type: 'string' },
        field: { type: 'string', multiple: true },
        subject: { type: 'string' },
        key: { type: 'string' },
        out: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const json = values.output === 'json';
  const dataDir = resolve(env.SPINE_DATA_DIR);
  const contractsDir = defaultPath(values.contracts, 'schema/contracts');
  const online = async () => (values.gate ? gateTarget(values.gate, process.env, dataDir) : null);
  switch (command) {
    case 'check': {
      if (rest.length > 1) throw new UsageError(`spine gate check: at most one routes file\n\n${USAGE}`);
      const gate = await online();
      return gateCheck({
        routesFile: defaultPath(rest[0] ?? values.routes, 'streaming/cdc/data-spine.yaml'),
        contractsDir,
        policy: gate
          ? null
          : await loadPolicy(defaultPath(values.matrix, 'schema/data-residency-matrix.yaml')),
        gate,
        json,
      });
    }
    case 'explain': {
      const gate = await online();
      const policy =
        gate && !values.matrix
          ? null
          : await loadPolicy(defaultPath(values.matrix, 'schema/data-residency-matrix.yaml'));
      const req = await explainRequest(
        rest,
        values,
        defaultPath(values.routes, 'streaming/cdc/data-spine.yaml'),
        contractsDir,
        policy,
      );
      return gateExplain(req, policy, gate, json);
    }
    case 'diff': {
      if (!values.candidate)
        throw new UsageError(`spine gate diff: --candidate <matrix> is required\n\n${USAGE}`);
      const tail = Number(values.tail);
      if (!Number.isInteger(tail) || tail < 1) throw new UsageError('--tail: a positive integer');
      const candidate = await loadPolicy(resolve(values.candidate));
      const gate = values.audit ? null : await gateTarget(values.gate, process.env, dataDir);
      return printDiff(
        diffDecisions(await loggedDecisions(values.audit, gate, tail), candidate),
        candidate,
        json,
      );
    }
    case 'keygen': {
      if (!values.out) throw new UsageError(`spine gate keygen: --out FILE is required\n\n${USAGE}`);
      return gateKeygen(resolve(values.out), json);
    }
    case 'sign': {
      if (rest.length !== 1 || !values.key)
        throw new UsageError(`spine gate sign <matrix> --key FILE\n\n${USAGE}`);
      return gateSign(
        resolve(rest[0] as string),
        resolve(values.key),
        values.out && resolve(values.out),
        json,
      );
    }
    case 'verify-audit': {
      if (rest.length !== 1) throw new UsageError(`spine gate verify-audit <file>\n\n${USAGE}`);
      return gateVerifyAudit({
        file: rest[0] as string,
        publicKey: values['public-key'],
        gate: values.gate ? await gateTarget(values.gate, process.env, dataDir) : null,
        allowUntrustedKey: values['allow-untrusted-key'] === true,
        json,
      });
    }
    case undefined:
    case 'help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`spine gate: unknown command ${command}\n\n${USAGE}`);
  }
}
