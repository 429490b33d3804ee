import { execFileSync } from 'node:child_process';
import { chownSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TestkitError } from './errors.ts';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

function lookup(name: string): OsUser | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { name, uid, gid };
  } catch {
    return null;
  }
}

/**
 * Postgres refuses to run as root. When we are root, it runs as `postgres` (the Debian package's user) or,
 * on a machine without one, as a system user `spine-pg` created here. When we are not root: as ourselves.
 */
export function unprivilegedUser(): OsUser | null {
  if (process.getuid?.() !== 0) return null;
  const existing = lookup('postgres') ?? lookup('spine-pg');
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'spine-pg'], {
      stdio: 'pipe',
    });
  } catch (err) {
    throw new TestkitError(
      'TESTKIT_COMMAND_FAILED',
      'postgres',
      'running as root, and no user postgres exists and useradd spine-pg failed',
      { cause: err },
    );
  }
  const created = lookup('spine-pg');
  if (!created)
    throw new TestkitError(
      'TESTKIT_COMMAND_FAILED',
      'postgres',
      'created the user spine-pg but cannot look it up',
    );
  return created;
}

export function chownRecursive(path: string, user: OsUser): void {
  chownSync(path, user.uid, user.gid);
  if (statSync(path).isDirectory())
    for (const entry of readdirSync(path)) chownRecursive(join(path, entry), user);
}
