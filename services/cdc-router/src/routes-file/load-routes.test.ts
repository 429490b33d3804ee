import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isCodedError } from '@data-spine/service-kit';
import { DEMO_ROUTES } from '../config.ts';
import { parseRoutes } from './load-routes.ts';
import type { RoutesIssue } from './load-routes.ts';

function issuesOf(text: string): RoutesIssue[] {
  try {
    parseRoutes(text, 'routes.yaml');
  } catch (err) {
    if (isCodedError(err) && err.code === 'CDC_ROUTES_INVALID') return err.issues ?? [];
    throw err;
  }
  throw new Error('expected the routes to be refused');
}

const VALID = `version: 1
sources:
  - { id: shop, type: postgres, region: eu-west-1, database: shop, topicPrefix: shop, tables: [public.customer] }
sinks:
  - { id: analytics-eu, type: postgres, region: eu-west-1, database: analytics_eu, ttl: P2Y }
routes:
  - { source: shop, tables: ['public.*'], sink: analytics-eu, purpose: analytics }
`;

describe('routes file', () => {
  it('loads the shipped demo: shop in eu-west-1 to analytics-eu and analytics-us', () => {
    const routes = parseRoutes(readFileSync(DEMO_ROUTES, 'utf8'));
    expect(routes.sources.map((s) => [s.id, s.region])).toEqual([['shop', 'eu-west-1']]);
    expect(routes.routes.map((r) => [r.id, r.sink])).toEqual([
      ['shop-to-analytics-eu', 'analytics-eu'],
      ['shop-to-analytics-us', 'analytics-us'],
    ]);
    expect(routes.deadLetter).toMatchObject({
      topic: 'shop.spine.dlq',
      maxAttempts: 5,
      replay: { ratePerSecond: 500 },
    });
  });

  it('fills defaults: route ids, the dead-letter topic and table', () => {
    const routes = parseRoutes(VALID);
    expect(routes.routes[0]?.id).toBe('shop-to-analytics-eu');
    expect(routes.deadLetter).toEqual({
      topic: 'shop.spine.dlq',
      table: 'public.cdc_dead_letter',
      maxAttempts: 5,
      replay: { ratePerSecond: 500 },
    });
  });

  it('names the line and path of schema violations', () => {
    const issues = issuesOf(
      VALID.replace(
        'region: eu-west-1, database: analytics_eu',
        'region: Europe, database: analytics_eu',
      ).replace('purpose: analytics', 'purpose: analytics, colour: blue'),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({ pointer: '/sinks/0/region', rule: 'pattern', line: 5 }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({ pointer: '/routes/0/colour', rule: 'additionalProperties', line: 7 }),
    );
  });

  it('refuses unknown references, duplicate ids and patterns that match nothing', () => {
    const issues = issuesOf(
      VALID.replace('sink: analytics-eu, purpose', 'sink: analytics-mars, purpose').replace(
        "tables: ['public.*']",
        "tables: ['sales.*']",
      ),
    );
    expect(issues.map((i) => [i.pointer, i.rule])).toEqual(
      expect.arrayContaining([
        ['/routes/0/sink', 'reference'],
        ['/routes/0/tables/0', 'matches'],
      ]),
    );
    expect(issues.find((i) => i.rule === 'reference')?.line).toBe(7);
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = issuesOf('version: 1\nsources: [\n');
    expect(issues[0]).toMatchObject({ rule: 'yaml' });
    expect(issues[0]?.line).toBeGreaterThan(0);
  });
});
