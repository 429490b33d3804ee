import { describe, expect, it } from 'vitest';
import { loadLineageConfig } from './config.ts';

const base = { SPINE_DATABASE_URL: 'postgres://127.0.0.1:5432/lineage' };
const problems = (env: Record<string, string>) => {
  try {
    loadLineageConfig({ ...base, ...env });
    return [];
  } catch (err) {
    return (err as { problems?: string[] }).problems ?? [String(err)];
  }
};

describe('registry settings', () => {
  it('takes a registry key and topic prefixes by database', () => {
    const c = loadLineageConfig({
      ...base,
      SPINE_REGISTRY_URL: 'http://127.0.0.1:8081',
      SPINE_REGISTRY_KEY: 'lineage:s3cret',
      SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES: 'shop=shop, crm = crm_cdc.v1',
    });
    expect(c.SPINE_REGISTRY_KEY).toBe('lineage:s3cret');
    expect(c.SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES).toEqual({ shop: 'shop', crm: 'crm_cdc.v1' });
    expect(loadLineageConfig(base).SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES).toEqual({});
  });

  it('reports every bad entry at once, and never echoes the key', () => {
    const found = problems({
      SPINE_REGISTRY_URL: 'http://127.0.0.1:8081',
      SPINE_REGISTRY_KEY: 'no-secret-here',
      SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES: 'shop,a.b=c,x=y,x=z,d=bad prefix',
    });
    expect(found).toHaveLength(5);
    expect(found[0]).toMatch(/^SPINE_REGISTRY_KEY: key:secret/);
    expect(found.join('\n')).not.toContain('no-secret-here');
    expect(found.slice(1).every((p) => p.startsWith('SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES: '))).toBe(true);
    expect(found.join('\n')).toContain("database 'x' is mapped twice");
  });

  it('refuses a key or prefixes without a registry to ask', () => {
    expect(
      problems({ SPINE_REGISTRY_KEY: 'k:s', SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES: 'shop=shop' }),
    ).toEqual([
      'SPINE_REGISTRY_KEY: needs SPINE_REGISTRY_URL (the registry to ask)',
      'SPINE_LINEAGE_REGISTRY_TOPIC_PREFIXES: needs SPINE_REGISTRY_URL (the registry to ask)',
    ]);
  });
});
