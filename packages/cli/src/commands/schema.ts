import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { CliEnv } from '../cli-config.ts';
import { UsageError } from '../cli-config.ts';
import { callRegistry, registryTarget } from '../registry-client.ts';
import type { RegistryTarget } from '../registry-client.ts';
import { readSchemaFile } from '../schema-file.ts';
import { diffCommand, rollbackCommand } from './schema-history.ts';

const USAGE = `spine schema <command>
  publish <subject> <file> [--semver X.Y.Z] [--retention P2Y] [--dry-run]
  validate <subject> <file> [--semver X.Y.Z] [--retention P2Y]   lint and compatibility, no write
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
Exit codes: 0 ok, 1 incompatible or lint error, 2 usage or connection error.`;

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
  semver: { latest: string | null; required_bump: string | null; next: string };
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

/** Registers a .proto file's imports as subjects named after them, so the schema can reference them. */
async function references(target: RegistryTarget, imports: ReadonlyArray<{ name: string; schema: string }>) {
  const refs = [];
  for (const imp of imports) {
    const res = await callRegistry(target, 'POST', `/subjects/${encodeURIComponent(imp.name)}/versions`, {
      schemaType: 'PROTOBUF',
      schema: imp.schema,
    });
    if (res.status !== 200)
      throw new UsageError(`registering import ${imp.name}: ${JSON.stringify(res.body)}`);
    const latest = await callRegistry(
      target,
      'GET',
      `/subjects/${encodeURIComponent(imp.name)}/versions/latest`,
    );
    refs.push({ name: imp.name, subject: imp.name, version: (latest.body as { version: number }).version });
  }
  return refs;
}

async function validate(
  target: RegistryTarget,
  subject: string,
  body: Record<string, unknown>,
  json: boolean,
): Promise<number> {
  const res = await callRegistry(target, 'POST', `/schemas/${encodeURIComponent(subject)}/validate`, body);
  if (res.status !== 200) {
    console.error(`spine: ${(res.body as { message?: string }).message ?? JSON.stringify(res.body)}`);
    return res.status === 422 ? 1 : 2;
  }
  const v = res.body as Validation;
  if (json) {
    console.log(JSON.stringify(v, null, 2));
  } else {
    printFindings(v.lint.findings);
    for (const m of v.compatibility.messages)
      console.log(`error   incompatible (${v.compatibility.level})  ${m}`);
    console.log(
      `${v.valid ? 'ok' : 'FAILED'}: ${v.lint.errors} lint error(s), ${v.lint.warnings} warning(s), ` +
        `${v.compatibility.is_compatible ? 'compatible' : 'incompatible'} under ${v.compatibility.level}` +
        (v.semver.required_bump
          ? `; needs a ${v.semver.required_bump} bump (${v.semver.latest} -> ${v.semver.next})`
          : ''),
    );
  }
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
      const parsed = await readSchemaFile(file, values['import-dir']);
      const md = metadata(values);
      const body = {
        schemaType: parsed.schemaType,
        schema: parsed.schema,
        references: await references(t, parsed.imports),
        ...(md ? { metadata: md } : {}),
      };
      if (command === 'validate' || values['dry-run']) return validate(t, subject, body, json);
      const res = await callRegistry(t, 'POST', `/subjects/${encodeURIComponent(subject)}/versions`, body);
      if (res.status === 200) {
        const latest = await callRegistry(
          t,
          'GET',
          `/subjects/${encodeURIComponent(subject)}/versions/latest`,
        );
        const v = latest.body as {
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
      const error = res.body as { error_code?: number; message?: string };
      console.error(`spine: ${subject}: ${error.message ?? JSON.stringify(res.body)}`);
      return res.status === 409 || res.status === 422 ? 1 : 2;
    }
    case 'lint': {
      need(1);
      const t = await target();
      const parsed = await readSchemaFile(rest[0] as string, values['import-dir']);
      return validate(
        t,
        values.subject ?? '_spine_lint',
        {
          schemaType: parsed.schemaType,
          schema: parsed.schema,
          references: await references(t, parsed.imports),
          ...(metadata(values) ? { metadata: metadata(values) } : {}),
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
        const parsed = await readSchemaFile(values.file, values['import-dir']);
        const to = {
          schemaType: parsed.schemaType,
          schema: parsed.schema,
          references: await references(t, parsed.imports),
        };
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
        console.error(`spine: ${(res.body as { message?: string }).message ?? res.status}`);
        return res.status === 404 ? 1 : 2;
      }
      console.log(JSON.stringify(res.body, null, json ? 0 : 2));
      return 0;
    }
    default:
      throw new UsageError(command ? `unknown schema command ${command}\n\n${USAGE}` : USAGE);
  }
}
