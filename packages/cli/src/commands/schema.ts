import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { CliEnv } from '../cli-config.ts';
import { UsageError } from '../cli-config.ts';
import { callRegistry, registryTarget } from '../registry-client.ts';
import type { RegistryTarget } from '../registry-client.ts';
import { readSchemaFile } from '../schema-file.ts';
import { exitCodeOf, registryMessage } from './schema-exit-codes.ts';
import { diffCommand, rollbackCommand } from './schema-history.ts';
import { importDirOf, protoReferences } from './schema-imports.ts';
import type { ImportMode } from './schema-imports.ts';

const USAGE = `spine schema <command>
  publish <subject> <file> [--semver X.Y.Z] [--retention P2Y] [--dry-run]
  validate <subject> <file> [--semver X.Y.Z] [--retention P2Y]   what publish would decide, no write
  lint <file> [--subject S]
  diff <subject> <version> <version>           field changes, compatibility both ways, the bump
  diff <subject> --file F [--against V]        a file against the latest (or version V)
  rollback <subject> [--to N] --reason TEXT    an earlier version becomes latest again
  subjects [--prefix P]
  latest <subject>
Contract flags (publish, validate, lint): --semver, --retention P7Y, --classification
  public|internal|confidential|restricted, --owner TEAM
Options: --registry URL (default: SPINE_REGISTRY_URL, or the running spine), --import-dir DIR (.proto imports),
         --output text|json
.proto imports (and theirs) are subjects named after their paths: publish registers them; validate,
publish --dry-run, lint and diff --file write nothing and need them registered already.
Exit codes: 0 ok, 1 incompatible, lint or contract error (or not found), 2 usage or connection error.`;

interface Finding {
  rule: string;
  severity: string;
  path: string;
  message: string;
  fix: string;
}

interface Validation {
  valid: boolean;
  lint: { findings: Finding[]; errors: number; warnings: number };
  compatibility: { level: string; is_compatible: boolean; messages: string[] };
  semver: {
    latest: string | null;
    requested: string | null;
    required_bump: string | null;
    /** The contract version publishing would give. */
    next: string;
    /** Present when the change is refused: the major version it needs. */
    needed?: string | null;
  };
}

function printFindings(findings: readonly Finding[]): void {
  for (const f of findings) {
    console.log(
      `${f.severity.padEnd(7)} ${f.rule.padEnd(30)} ${f.path}: ${f.message}\n        fix: ${f.fix}`,
    );
  }
}

function metadata(values: {
  semver?: string | undefined;
  retention?: string | undefined;
  classification?: string | undefined;
  owner?: string | undefined;
}) {
  const properties: Record<string, string> = {};
  if (values.semver) properties['data-spine.semver'] = values.semver;
  if (values.retention) properties['data-spine.retention'] = values.retention;
  if (values.classification) properties['data-spine.classification'] = values.classification;
  if (values.owner) properties['data-spine.owner'] = values.owner;
  return Object.keys(properties).length ? { properties } : undefined;
}

/** A schema file as the body of a registry request, its .proto imports resolved as `mode` says. */
async function schemaBody(
  target: RegistryTarget,
  file: string,
  importDir: string | undefined,
  mode: ImportMode,
) {
  const parsed = await readSchemaFile(file, importDir);
  return {
    schemaType: parsed.schemaType,
    schema: parsed.schema,
    references: await protoReferences(target, parsed, importDirOf(file, importDir), mode),
  };
}

async function validate(
  target: RegistryTarget,
  subject: string,
  body: Record<string, unknown>,
  json: boolean,
): Promise<number> {
  const res = await callRegistry(target, 'POST', `/schemas/${encodeURIComponent(subject)}/validate`, body);
  if (res.status !== 200) {
    console.error(`spine: ${subject}: ${registryMessage(res.body)}`);
    return exitCodeOf(res.status, res.body);
  }
  const v = res.body as Validation;
  if (json) {
    console.log(JSON.stringify(v, null, 2));
    return v.valid ? 0 : 1;
  }
  const s = v.semver;
  // A breaking change with a major --semver is accepted: its incompatibilities are then expected.
  const refused = s.needed !== undefined;
  printFindings(v.lint.findings);
  for (const m of v.compatibility.messages)
    console.log(`${refused ? 'error  ' : 'note   '} incompatible (${v.compatibility.level})  ${m}`);
  const parts = [
    `${v.lint.errors} lint error(s), ${v.lint.warnings} warning(s), ` +
      `${v.compatibility.is_compatible ? 'compatible' : 'incompatible'} under ${v.compatibility.level}`,
  ];
  if (s.required_bump && s.latest)
    parts.push(`needs a ${s.required_bump} bump (${s.latest} -> ${s.needed ?? s.next})`);
  if (refused && s.requested) parts.push(`--semver ${s.requested} is not a major version`);
  if (v.valid) parts.push(`would publish as contract ${s.next}`);
  console.log(`${v.valid ? 'ok' : 'FAILED'}: ${parts.join('; ')}`);
  return v.valid ? 0 : 1;
}

export async function schemaCommand(args: readonly string[], env: Readonly<CliEnv>): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      registry: { type: 'string' },
      semver: { type: 'string' },
      retention: { type: 'string' },
      classification: { type: 'string' },
      owner: { type: 'string' },
      file: { type: 'string' },
      against: { type: 'string' },
      to: { type: 'string' },
      reason: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'import-dir': { type: 'string' },
      subject: { type: 'string' },
      prefix: { type: 'string' },
      output: { type: 'string', default: 'text' },
    },
  });
  const [command, ...rest] = positionals;
  const json = values.output === 'json';
  const target = () => registryTarget(values.registry, process.env, resolve(env.SPINE_DATA_DIR));
  const need = (n: number) => {
    if (rest.length !== n) throw new UsageError(`spine schema ${command}: wrong arguments\n\n${USAGE}`);
  };
  switch (command) {
    case 'publish':
    case 'validate': {
      need(2);
      const [subject, file] = rest as [string, string];
      const t = await target();
      // validate and --dry-run promise not to write: they register no import either.
      const dryRun = command === 'validate' || values['dry-run'] === true;
      const md = metadata(values);
      const body = {
        ...(await schemaBody(t, file, values['import-dir'], dryRun ? 'registered' : 'register')),
        ...(md ? { metadata: md } : {}),
      };
      if (dryRun) return validate(t, subject, body, json);
      const res = await callRegistry(t, 'POST', `/subjects/${encodeURIComponent(subject)}/versions`, body);
      if (res.status === 200) {
        // The version holding this schema (not the latest: publishing a schema again registers nothing).
        const { metadata: _asked, ...schema } = body;
        const found = await callRegistry(t, 'POST', `/subjects/${encodeURIComponent(subject)}`, schema);
        const v = found.body as {
          version: number;
          id: number;
          metadata?: { properties?: Record<string, string> };
        };
        const out = {
          subject,
          id: v.id,
          version: v.version,
          semver: v.metadata?.properties?.['data-spine.semver'] ?? null,
        };
        console.log(
          json
            ? JSON.stringify(out)
            : `published ${subject} version ${out.version} (id ${out.id}, contract ${out.semver})`,
        );
        return 0;
      }
      console.error(`spine: ${subject}: ${registryMessage(res.body)}`);
      return exitCodeOf(res.status, res.body);
    }
    case 'lint': {
      need(1);
      const t = await target();
      const md = metadata(values);
      return validate(
        t,
        values.subject ?? '_spine_lint',
        {
          ...(await schemaBody(t, rest[0] as string, values['import-dir'], 'registered')),
          ...(md ? { metadata: md } : {}),
        },
        json,
      );
    }
    case 'diff': {
      const subject = rest[0];
      if (!subject) throw new UsageError(`spine schema diff: which subject?\n\n${USAGE}`);
      const t = await target();
      if (values.file) {
        need(1);
        const to = await schemaBody(t, values.file, values['import-dir'], 'registered');
        return diffCommand(t, subject, { version: values.against ?? 'latest' }, to, json);
      }
      need(3);
      return diffCommand(t, subject, { version: rest[1] }, { version: rest[2] }, json);
    }
    case 'rollback': {
      need(1);
      return rollbackCommand(await target(), rest[0] as string, values.to, values.reason, json);
    }
    case 'subjects': {
      const res = await callRegistry(
        await target(),
        'GET',
        `/subjects${values.prefix ? `?subjectPrefix=${encodeURIComponent(values.prefix)}` : ''}`,
      );
      const subjects = res.body as string[];
      console.log(json ? JSON.stringify(subjects) : subjects.join('\n'));
      return 0;
    }
    case 'latest': {
      need(1);
      const res = await callRegistry(
        await target(),
        'GET',
        `/subjects/${encodeURIComponent(rest[0] as string)}/versions/latest`,
      );
      if (res.status !== 200) {
        console.error(`spine: ${registryMessage(res.body)}`);
        return exitCodeOf(res.status, res.body);
      }
      console.log(JSON.stringify(res.body, null, json ? 0 : 2));
      return 0;
    }
    default:
      throw new UsageError(command ? `unknown schema command ${command}\n\n${USAGE}` : USAGE);
  }
}
