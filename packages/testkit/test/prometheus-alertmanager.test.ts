import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive, startAlertmanager, startPrometheus, TestkitError } from '../src/index.ts';
import type { AlertmanagerHandle, PrometheusHandle } from '../src/index.ts';

describe('Prometheus and Alertmanager', () => {
  let prometheus: PrometheusHandle;
  let alertmanager: AlertmanagerHandle;
  beforeAll(async () => {
    alertmanager = await startAlertmanager();
    const target = alertmanager.url.replace('http://', '');
    prometheus = await startPrometheus({
      config: `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
alerting: { alertmanagers: [ { static_configs: [ { targets: ['${target}'] } ] } ] }
scrape_configs: [ { job_name: alertmanager, static_configs: [ { targets: ['${target}'] } ] } ]
`,
      files: {
        'rules.yml':
          'groups: [ { name: t, rules: [ { alert: AlwaysFiring, expr: vector(1), labels: { severity: page } } ] } ]\n',
      },
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
  });

  it('answers ready on loopback', async () => {
    for (const url of [prometheus.url, alertmanager.url]) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    }
    const status = (await (await fetch(`${alertmanager.url}/api/v2/status`)).json()) as {
      cluster: { status: string };
    };
    expect(status.cluster.status).toBe('disabled');
  });

  it('scrapes, evaluates rules and delivers alerts to Alertmanager', async () => {
    const end = Date.now() + 30_000;
    for (;;) {
      const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as Array<{
        labels: Record<string, string>;
      }>;
      if (alerts.some((a) => a.labels.alertname === 'AlwaysFiring')) break;
      if (Date.now() > end) throw new Error('AlwaysFiring never reached Alertmanager');
      await new Promise((r) => setTimeout(r, 250));
    }
    // The rule fires at the first evaluation, which may come before the first scrape is stored.
    type Up = { data: { result: Array<{ value: [number, string] }> } };
    const query = async () => (await (await fetch(`${prometheus.url}/api/v1/query?query=up`)).json()) as Up;
    let up = await query();
    while (up.data.result.length === 0 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 250));
      up = await query();
    }
    expect(up.data.result[0]?.value[1]).toBe('1');
  });

  it('reloads a changed config', async () => {
    await prometheus.reload('global: { scrape_interval: 2s }\n', {});
    const config = (await (await fetch(`${prometheus.url}/api/v1/status/config`)).json()) as {
      data: { yaml: string };
    };
    expect(config.data.yaml).toContain('scrape_interval: 2s');
  });

  it('stops both without leftovers', async () => {
    const pids = [prometheus.pid!, alertmanager.pid!];
    await prometheus.stop();
    await alertmanager.stop();
    expect(pids.filter(groupAlive)).toEqual([]);
  });

  it('says how to install a missing binary', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err = await startPrometheus().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TestkitError);
      expect((err as TestkitError).code).toBe('TESTKIT_MISSING_DEPENDENCY');
      expect((err as TestkitError).message).toBe(
        'prometheus: prometheus not found on PATH: apt-get install prometheus',
      );
      await expect(startAlertmanager()).rejects.toThrow(
        'alertmanager or prometheus-alertmanager not found on PATH: apt-get install prometheus-alertmanager',
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
