import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  groupAlive,
  livePids,
  ManagedProcess,
  pidAlive,
  recordPidsIn,
  survivorsIn,
  TestkitError,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'testkit-proc-'));
afterAll(() => {
  recordPidsIn(undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('ManagedProcess', () => {
  it('stops the whole process group, including children that ignore SIGTERM', async () => {
    const pidFile = join(dir, 'pids.txt');
    recordPidsIn(pidFile);
    const proc = new ManagedProcess({
      name: 'stubborn',
      command: 'sh',
      args: ['-c', "trap '' TERM; (trap '' TERM; sleep 300) & echo child $!; sleep 300"],
      logDir: dir,
    });
    await proc.waitUntil('printing its child', async () => proc.logTail().includes('child '), 5_000);
    const child = Number(/child (\d+)/.exec(proc.logTail())?.[1]);
    expect(pidAlive(child)).toBe(true);
    expect(livePids().map((p) => p.name)).toContain('stubborn');
    expect(survivorsIn(pidFile).map((p) => p.pid)).toEqual([proc.pid]);

    const t0 = Date.now();
    await proc.stop(500);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(pidAlive(child)).toBe(false);
    expect(groupAlive(proc.pid!)).toBe(false);
    expect(livePids()).toEqual([]);
    expect(survivorsIn(pidFile)).toEqual([]);
    expect(readFileSync(pidFile, 'utf8')).toMatch(/^start \d+ stubborn\nexit \d+ stubborn\n$/);
  });

  it('fails fast with the tail of its log when the process exits before it is ready', async () => {
    const proc = new ManagedProcess({
      name: 'quitter',
      command: 'sh',
      args: ['-c', 'echo "FATAL: no config"; exit 3'],
      logDir: dir,
    });
    const t0 = Date.now();
    const err = await proc.waitUntil('ready', async () => false, 60_000).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(TestkitError);
    expect((err as TestkitError).code).toBe('TESTKIT_EXITED');
    expect((err as TestkitError).message).toMatch(/exited \(code 3\).*FATAL: no config/s);
    await proc.stop();
  });

  it('says which binary is missing and how to install it', async () => {
    const proc = new ManagedProcess({
      name: 'ghost',
      command: 'no-such-binary-xyz',
      args: [],
      logDir: dir,
      install: 'apt-get install xyz',
    });
    const err = await proc.waitUntil('ready', async () => true, 5_000).catch((e: unknown) => e);
    expect((err as TestkitError).code).toBe('TESTKIT_MISSING_DEPENDENCY');
    expect((err as TestkitError).message).toBe(
      'ghost: no-such-binary-xyz not found on PATH: apt-get install xyz',
    );
    await proc.stop();
    expect(livePids()).toEqual([]);
  });

  it('times out with what it waited for', async () => {
    const proc = new ManagedProcess({ name: 'sleeper', command: 'sleep', args: ['30'], logDir: dir });
    const err = await proc.waitUntil('answering', async () => false, 300).catch((e: unknown) => e);
    expect((err as TestkitError).code).toBe('TESTKIT_NOT_READY');
    expect((err as TestkitError).message).toContain('not answering after 300 ms');
    await proc.stop();
    expect(groupAlive(proc.pid!)).toBe(false);
  });
});
