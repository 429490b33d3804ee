import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_ROUTES } from '../config.ts';
import { loadRoutesFile } from './load-routes.ts';

/** The connector docker-compose registers must capture what the routes file routes, under its prefix. */
describe('streaming/cdc/connect/shop-connector.json', () => {
  const connector = JSON.parse(
    readFileSync(new URL('../../../../streaming/cdc/connect/shop-connector.json', import.meta.url), 'utf8'),
  ) as Record<string, string>;
  const shop = loadRoutesFile(DEMO_ROUTES).sources.find((s) => s.id === 'shop');

  it('captures the shop source of the routes file', () => {
    expect(connector['topic.prefix']).toBe(shop?.topicPrefix);
    expect(connector['database.dbname']).toBe(shop?.database);
    expect(connector['table.include.list']?.split(',').sort()).toEqual([...(shop?.tables ?? [])].sort());
  });

  it('keeps the latency settings the lag budget was measured with', () => {
    expect(Number(connector['poll.interval.ms'])).toBeLessThanOrEqual(100);
    expect(Number(connector['max.queue.size'])).toBeGreaterThan(Number(connector['max.batch.size']));
  });

  it('names the password through the env config provider, never in clear', () => {
    expect(connector['database.password']).toBe('${env:SPINE_POSTGRES_PASSWORD}');
  });
});
