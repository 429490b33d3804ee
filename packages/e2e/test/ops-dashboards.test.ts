import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const dashboards = join(root, 'dashboard/grafana');

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
}

/** Every PromQL expression of every shipped dashboard, with template variables filled in. */
function expressions(): Array<{ file: string; panel: string; expr: string }> {
  return readdirSync(dashboards)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      const dash = JSON.parse(readFileSync(join(dashboards, file), 'utf8')) as { panels: Panel[] };
      return dash.panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({ file, panel: p.title, expr: t.expr.replace(/\$\w+/g, '.*') })),
      );
    });
}

/** Metric names the code defines: string literals `'spine_...'` in services and packages. */
function definedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(/'(spine_[a-z0-9_]+)'/g))
          names.add(m[1] as string);
    }
  };
  walk(join(root, 'services'));
  walk(join(root, 'packages'));
  return names;
}

describe('Grafana dashboards', () => {
  it('hold only PromQL that Prometheus parses (checked with promtool)', async () => {
    const exprs = expressions();
    expect(exprs.length).toBeGreaterThan(20);
    const dir = mkdtempSync(join(tmpdir(), 'dashboards-'));
    try {
      const rules = {
        groups: [
          {
            name: 'dashboards',
            rules: exprs.map((e, i) => ({ record: `dashboard:expr_${i}`, expr: e.expr })),
          },
        ],
      };
      writeFileSync(join(dir, 'rules.yml'), JSON.stringify(rules));
      const check = await run('promtool', ['check', 'rules', join(dir, 'rules.yml')]);
      expect(check.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('chart only metrics the services export', () => {
    const defined = definedMetrics();
    const suffixes = /_(bucket|count|sum)$/;
    for (const { file, panel, expr } of expressions()) {
      for (const [name] of expr.matchAll(/\bspine_[a-z0-9_]+/g)) {
        const base = name.replace(suffixes, '');
        expect(defined.has(name) || defined.has(base), `${file} "${panel}": ${name}`).toBe(true);
      }
    }
  });
});
