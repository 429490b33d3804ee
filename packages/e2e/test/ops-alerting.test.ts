import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createLogger, MemoryCredentialStore, runServer } from '@data-spine/service-kit';
import type { RunningServer } from '@data-spine/service-kit';
import { startAlertmanager, startPrometheus } from '@data-spine/testkit';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const rulesFile = join(root, 'alertmanager/rules/data-spine-services.rules.yml');
const pipelineRulesFile = join(root, 'alertmanager/rules/data-spine-pipeline.rules.yml');
const runbooks = join(root, '.evidence/runbooks.md');
const routesFile = join(root, 'alertmanager/data-spine.yml');

interface Received {
  path: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

/** A webhook receiver standing in for the pager and the ticket queue. */
async function webhookReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', ...(JSON.parse(body) as Omit<Received, 'path'>) });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}`, received };
}

describe('alert rules and routes, with the real tools', () => {
  it('pass promtool checks and the rule unit tests', async () => {
    const check = await run('promtool', ['check', 'rules', rulesFile]);
    expect(check.stdout).toContain('SUCCESS: 4 rules found');
    const unit = await run('promtool', ['test', 'rules', 'data-spine-services.test.yml'], {
      cwd: join(root, 'alertmanager/rules'),
    });
    expect(unit.stdout).toContain('SUCCESS');
    const pipeline = await run('promtool', ['check', 'rules', pipelineRulesFile]);
    expect(pipeline.stdout).toContain('SUCCESS: 9 rules found');
    const pipelineUnit = await run('promtool', ['test', 'rules', 'data-spine-pipeline.test.yml'], {
      cwd: join(root, 'alertmanager/rules'),
    });
    expect(pipelineUnit.stdout).toContain('SUCCESS');
    const config = await run('promtool', [
      'check',
      'config',
      '--syntax-only',
      join(root, 'alertmanager/prometheus.yml'),
    ]);
    expect(config.stdout).toContain('SUCCESS');
  });

  it('route pages, lag and tickets to their receivers (amtool)', async () => {
    const amtool = async (...labels: string[]) =>
      (
        await run('amtool', ['config', 'routes', 'test', `--config.file=${routesFile}`, ...labels])
      ).stdout.trim();
    expect(await amtool('alertname=DataSpineServiceDown', 'severity=page')).toBe('data-spine-oncall');
    expect(await amtool('alertname=DataSpineCdcLagHigh', 'severity=ticket')).toBe('data-spine-lag');
    expect(await amtool('alertname=DataSpineSlowRequests', 'severity=ticket')).toBe('data-spine-tickets');
    expect(await amtool('alertname=Unknown')).toBe('data-spine-tickets');
    expect(await amtool('alertname=DataSpineCdcLagCritical', 'severity=page')).toBe('data-spine-oncall');
    expect(await amtool('alertname=DataSpineDeadLettersGrowing', 'severity=ticket')).toBe(
      'data-spine-tickets',
    );
  });

  it('link every alert to a runbook section that exists', () => {
    const sections = new Set(
      [...readFileSync(runbooks, 'utf8').matchAll(/^## (.+)$/gm)].map((m) => (m[1] as string).trim()),
    );
    for (const file of [rulesFile, pipelineRulesFile]) {
      const anchors = [...readFileSync(file, 'utf8').matchAll(/runbooks\.md#([a-z0-9-]+)/g)].map(
        (m) => m[1] as string,
      );
      expect(anchors.length).toBeGreaterThan(0);
      for (const anchor of anchors) expect(sections, `${file}: #${anchor}`).toContain(anchor);
    }
  });
});

describe('a failing service pages on-call through real Prometheus and Alertmanager', () => {
  let service: RunningServer;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    hook = await webhookReceiver();
    const app = await createApp({
      service: 'residency-gate',
      version: 'test',
      logger: createLogger({ service: 'ops-test', level: 'silent' }),
      bodyLimitBytes: 1024,
      credentials: new MemoryCredentialStore(),
      readsRequireAuth: false,
      readiness: [{ name: 'postgres', check: () => Promise.reject(new Error('connection refused')) }],
    });
    app.get('/v1/fail', async () => {
      throw new Error('boom');
    });
    service = await runServer(app, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 2_000,
      exit: false,
      signals: [],
    });
    stops.push(() => service.shutdown('test'));

    const routes = readFileSync(routesFile, 'utf8').replaceAll('http://127.0.0.1:9095', hook.url);
    const am = await startAlertmanager({
      // Send at once: the shipped waits (10-30 s) are for people, not for a test.
      config: routes
        .replace(/group_wait: \d+s/g, 'group_wait: 1s')
        .replace(/group_interval: \d+m/g, 'group_interval: 1s'),
    });
    stops.push(() => am.stop());
    // The shipped rules with their hold durations shortened, so the test runs in seconds.
    const rules = readFileSync(rulesFile, 'utf8').replace(/for: \d+m/g, 'for: 0s');
    const prom = await startPrometheus({
      config: `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
alerting:
  alertmanagers: [{ static_configs: [{ targets: ['${new URL(am.url).host}'] }] }]
scrape_configs:
  - job_name: data-spine
    static_configs: [{ targets: ['${new URL(service.url).host}'], labels: { service: residency-gate } }]
`,
      files: { 'rules.yml': rules },
    });
    stops.push(() => prom.stop());
  }, 120_000);

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    hook?.server.close();
  });

  it('fires DataSpineHighErrorRate and DataSpineNotReady to data-spine-oncall, with runbooks', async () => {
    const end = Date.now() + 90_000;
    const firing = () =>
      new Set(
        hook.received
          .filter((r) => r.path === '/oncall')
          .flatMap((r) => r.alerts.filter((a) => a.status === 'firing').map((a) => a.labels.alertname)),
      );
    while (!(firing().has('DataSpineHighErrorRate') && firing().has('DataSpineNotReady'))) {
      if (Date.now() > end)
        throw new Error(`alerts received: ${JSON.stringify(hook.received.map((r) => r.path))}`);
      await Promise.all(Array.from({ length: 5 }, () => fetch(`${service.url}/v1/fail`)));
      await new Promise((r) => setTimeout(r, 500));
    }
    const alerts = hook.received.filter((r) => r.path === '/oncall').flatMap((r) => r.alerts);
    const notReady = alerts.find((a) => a.labels.alertname === 'DataSpineNotReady');
    expect(notReady?.labels).toMatchObject({
      severity: 'page',
      service: 'residency-gate',
      dependency: 'postgres',
    });
    expect(notReady?.annotations.summary).toBe('residency-gate reports a dependency down: postgres');
    const errors = alerts.find((a) => a.labels.alertname === 'DataSpineHighErrorRate');
    expect(errors?.annotations.runbook_url).toMatch(/runbooks\.md#high-error-rate$/);
    expect(
      hook.received.some(
        (r) => r.path === '/tickets' && r.alerts.some((a) => a.labels.alertname === 'DataSpineHighErrorRate'),
      ),
    ).toBe(false);
  }, 120_000);
});
