import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LineageEmitterError } from '../errors.ts';

/** Spool directories this process holds: a second emitter on one directory would send everything twice. */
const heldHere = new Set<string>();

/**
 * Takes `<dir>/lock` (O_EXCL, holding our pid). A lock left by a process that is gone (a crash, SIGKILL) is
 * taken over; one held by a live process is an error naming it.
 */
export async function acquireSpoolLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'lock');
  if (heldHere.has(path))
    throw new LineageEmitterError(
      'LIN_EMITTER_SPOOL_LOCKED',
      `${dir} is already open by another emitter in this process`,
    );
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.sync();
      await handle.close();
      heldHere.add(path);
      return async () => {
        heldHere.delete(path);
        await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        throw new LineageEmitterError(
          'LIN_EMITTER_SPOOL_LOCKED',
          `${dir} is owned by live process ${pid} (${path})`,
        );
      await rm(path, { force: true });
    }
  }
  throw new LineageEmitterError('LIN_EMITTER_SPOOL_LOCKED', `could not take ${path}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
