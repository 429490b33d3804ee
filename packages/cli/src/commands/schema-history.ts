import { UsageError } from '../cli-config.ts';
import { callRegistry } from '../registry-client.ts';
import type { RegistryTarget } from '../registry-client.ts';
import { exitCodeOf, registryMessage } from './schema-exit-codes.ts';

interface FieldChange {
  path: string;
  change: 'added' | 'removed' | 'type' | 'tags';
  from?: string | string[];
  to?: string | string[];
}

interface Diff {
  level: string;
  changes: FieldChange[];
  compatibility: {
    backward: { is_compatible: boolean; messages: string[] };
    forward: { is_compatible: boolean; messages: string[] };
  };
  required_bump: 'none' | 'minor' | 'major';
}

const show = (v: string | string[] | undefined) => (Array.isArray(v) ? `[${v.join(', ')}]` : (v ?? ''));

function describe(c: FieldChange): string {
  switch (c.change) {
    case 'added':
      return `+ ${c.path}: ${show(c.to)}`;
    case 'removed':
      return `- ${c.path}: ${show(c.from)}`;
    case 'type':
      return `~ ${c.path}: ${show(c.from)} -> ${show(c.to)}`;
    case 'tags':
      return `~ ${c.path}: tags ${show(c.from)} -> ${show(c.to)}`;
  }
}

/**
 * `spine schema diff <subject> <v1> <v2>` or `<subject> --file F [--against V]`: the field changes,
 * compatibility both ways, and the contract bump. Exit 1 when the change breaks the subject's level.
 */
export async function diffCommand(
  target: RegistryTarget,
  subject: string,
  from: unknown,
  to: unknown,
  json: boolean,
): Promise<number> {
  const res = await callRegistry(target, 'POST', `/contracts/${encodeURIComponent(subject)}/diff`, {
    from,
    to,
  });
  if (res.status !== 200) {
    console.error(`spine: ${subject}: ${registryMessage(res.body)}`);
    return exitCodeOf(res.status, res.body);
  }
  const d = res.body as Diff;
  if (json) {
    console.log(JSON.stringify(d, null, 2));
  } else {
    if (d.changes.length === 0) console.log('no field changes');
    for (const c of d.changes) console.log(describe(c));
    for (const [way, r] of Object.entries(d.compatibility))
      for (const m of r.messages) console.log(`  ${way} incompatible: ${m}`);
    console.log(
      `backward ${d.compatibility.backward.is_compatible ? 'compatible' : 'INCOMPATIBLE'}, ` +
        `forward ${d.compatibility.forward.is_compatible ? 'compatible' : 'INCOMPATIBLE'}; ` +
        `under ${d.level} this needs a ${d.required_bump} bump`,
    );
  }
  return d.required_bump === 'major' ? 1 : 0;
}

/** `spine schema rollback <subject> [--to N] --reason TEXT`. */
export async function rollbackCommand(
  target: RegistryTarget,
  subject: string,
  to: string | undefined,
  reason: string | undefined,
  json: boolean,
): Promise<number> {
  if (!reason) throw new UsageError('spine schema rollback: --reason is required (it is audited)');
  if (to !== undefined && !/^\d+$/.test(to))
    throw new UsageError(`spine schema rollback: --to ${to} is not a version number`);
  const res = await callRegistry(target, 'POST', `/contracts/${encodeURIComponent(subject)}/rollback`, {
    ...(to !== undefined ? { to: Number(to) } : {}),
    reason,
  });
  if (res.status !== 200) {
    console.error(`spine: ${subject}: ${registryMessage(res.body)}`);
    return exitCodeOf(res.status, res.body);
  }
  const r = res.body as { version: number; id: number; semver: string; rolledBackTo: number };
  console.log(
    json
      ? JSON.stringify(r)
      : `rolled ${subject} back to version ${r.rolledBackTo}: now version ${r.version} (id ${r.id}, contract ${r.semver})`,
  );
  return 0;
}
