import { readCliEnv, UsageError } from './cli-config.ts';

const HELP = `spine - Data Spine's command line

Usage:
  spine up [service...]     start the spine in embedded mode (all services by default)
  spine schema ...          publish, validate, lint schema contracts (spine schema for the list)
  spine gate ...            residency: check routes, explain, diff a candidate matrix, verify-audit
  spine evidence ...        bundle and verify signed compliance evidence
  spine dlq ...             CDC dead letters: list, show, replay under the current policy
  spine demo                a steady workload of inserts, updates and deletes on the demo shop database
  spine help                this text

Environment:
  SPINE_DATA_DIR   where the embedded Postgres, the admin key and spine.json live (default .spine)
  SPINE_PG_PORT    the embedded Postgres port (default 54329)
  SPINE_PG_BIN     a directory with initdb and postgres (default: the system's, else the npm-shipped ones)

Exit codes: 0 ok, 1 a check failed, 2 usage or connection error.`;

/** Runs one command and returns the exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // Each command is imported when it runs, so `spine schema` does not load the gate or Postgres.
      case 'up':
        return await (await import('./commands/up.ts')).up(rest, readCliEnv());
      case 'schema':
        return await (await import('./commands/schema.ts')).schemaCommand(rest, readCliEnv());
      case 'gate':
        return await (await import('./commands/gate.ts')).gateCommand(rest, readCliEnv());
      case 'evidence':
        return await (await import('./commands/evidence.ts')).evidenceCommand(rest, readCliEnv());
      case 'dlq':
        return await (await import('./commands/dlq.ts')).dlqCommand(rest, readCliEnv());
      case 'demo':
        return await (await import('./commands/demo.ts')).demoCommand(rest, readCliEnv());
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return 0;
      default:
        throw new UsageError(`unknown command ${command}\n\n${HELP}`);
    }
  } catch (err) {
    console.error(`spine: ${(err as Error).message}`);
    return err instanceof UsageError ? err.exitCode : 2;
  }
}
