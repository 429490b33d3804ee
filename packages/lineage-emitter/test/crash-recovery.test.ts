import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport, LineageEmitter } from '../src/index.ts';
import { closedPort, eventKey, TestCollector } from './support/test-collector.ts';
import { allSpoolFiles, spooledFiles, tempDir, until } from './support/temp-dir.ts';

const CHILD = fileURLToPath(new URL('./support/crash-child.ts', import.meta.url));
const disposables: AsyncDisposable[] = [];
afterEach(async () => {
  for (const d of disposables.reverse()) await d[Symbol.asyncDispose]();
  disposables.length = 0;
});

/** Starts the child emitter, waits for `acks` acknowledged emits, then SIGKILLs it. */
async function emitThenKill(
  spoolDir: string,
  url: string,
  acks: number,
): Promise<{ acked: Set<string>; pid: number }> {
  const child = spawn(process.execPath, [CHILD, spoolDir, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  disposables.push({
    [Symbol.asyncDispose]: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  });
  const acked = new Set<string>();
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => {
    buffered += c.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [what, runId, type] = line.split(' ');
      if (what === 'acked') acked.add(`${runId}:${type}`);
    }
  });
  await until(
    () => acked.size >= acks || child.exitCode !== null,
    20_000,
    `${acks} acknowledged emits`,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}; child stderr: ${stderr}`);
  });
  expect(child.exitCode, stderr).toBeNull();
  const pid = child.pid as number;
  child.kill('SIGKILL');
  await exited;
  expect(child.signalCode).toBe('SIGKILL');
  return { acked, pid };
}

describe('crash recovery (SIGKILL)', () => {
  it('a process emitting into a dead collector is killed; a new emitter on its spool delivers everything, once', async () => {
    const dir = await tempDir();
    disposables.push(dir);
    const port = await closedPort();
    const { acked, pid } = await emitThenKill(dir.path, `http://127.0.0.1:${port}`, 120);

    // What the dead process left: a lock naming it, and one file per spooled event.
    expect((await readFile(join(dir.path, 'lock'), 'utf8')).trim()).toBe(String(pid));
    const left = await spooledFiles(dir.path);
    expect(left.length).toBeGreaterThanOrEqual(acked.size);

    const collector = await TestCollector.start(undefined, port);
    disposables.push(collector);
    const emitter = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({ url: collector.url }),
      retry: { initialMs: 20, maxMs: 200 },
    });
    expect(await emitter.close({ timeoutMs: 20_000 })).toEqual({ drained: true, pending: 0 });

    const stats = emitter.stats();
    expect(stats.replayed).toBe(left.length);
    expect(stats.sent).toBe(left.length);
    expect(stats.deadLettered).toBe(0);
    const received = collector.acceptedKeys();
    expect(received).toHaveLength(left.length); // the dead process never reached the collector: no duplicates
    expect(new Set(received).size).toBe(received.length);
    for (const key of acked) expect(received).toContain(key); // zero loss of acknowledged events
    // START before COMPLETE for every run.
    const position = new Map(received.map((k, i) => [k, i]));
    for (const key of received.filter((k) => k.endsWith(':COMPLETE'))) {
      const start = position.get(key.replace(':COMPLETE', ':START'));
      expect(start).toBeDefined();
      expect(start!).toBeLessThan(position.get(key)!);
    }
    // Nothing is left, not even the temporary file of a write the kill cut short.
    expect(await allSpoolFiles(dir.path)).toEqual([]);
  });

  it('killed while delivering to a live, slow collector: the rest arrives after restart (at least once)', async () => {
    const dir = await tempDir();
    disposables.push(dir);
    const collector = await TestCollector.start(() => ({ status: 201, delayMs: 30 }));
    disposables.push(collector);
    const { acked } = await emitThenKill(dir.path, collector.url, 80);
    const left = await spooledFiles(dir.path);
    const beforeRestart = collector.acceptedKeys().length;
    expect(beforeRestart).toBeGreaterThan(0); // some were delivered by the process that died

    collector.behaviour = () => ({ status: 201 });
    const emitter = await LineageEmitter.open({
      spoolDir: dir.path,
      transport: new HttpTransport({ url: collector.url }),
    });
    expect(await emitter.close({ timeoutMs: 20_000 })).toEqual({ drained: true, pending: 0 });
    expect(emitter.stats()).toMatchObject({ replayed: left.length, sent: left.length });
    const received = new Set(collector.acceptedKeys());
    for (const key of acked) expect(received).toContain(key);
    // Duplicates are only the few events in flight at the kill (sent, not yet removed from the spool).
    expect(collector.accepted.length - received.size).toBeLessThanOrEqual(4);
    expect(collector.accepted.map(eventKey).length).toBe(beforeRestart + left.length);
  });
});
