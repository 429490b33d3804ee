import { execFileSync } from 'node:child_process';
import { chownSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

function lookup(name: string): OsUser | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { name, uid, gid };
  } catch {
    return null;
  }
}

/**
 * Postgres refuses to run as root. When we are root, run it as `postgres` (Debian's package user) or, on a
 * machine without one, as a system user `spine-pg` that we create. When we are not root, run as ourselves.
 */
export function unprivilegedUser(): OsUser | null {
  if (process.getuid?.() !== 0) return null;
  const existing = lookup('postgres') ?? lookup('spine-pg');
  if (existing) return existing;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'spine-pg']);
  const created = lookup('spine-pg');
  if (!created) throw new Error('could not create the system user spine-pg to run Postgres as');
  return created;
}

export function chownRecursive(path: string, user: OsUser): void {
  chownSync(path, user.uid, user.gid);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownRecursive(join(path, entry), user);
}
