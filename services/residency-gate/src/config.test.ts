import { describe, expect, it } from 'vitest';
import { loadGateConfig } from './config.ts';

const base = { SPINE_DATABASE_URL: 'postgres://spine@127.0.0.1:5432/spine_gate' };

describe('gate configuration: the audit writer and its login', () => {
  it('defaults to the writer thread and the owner login', () => {
    const c = loadGateConfig(base);
    expect(c.SPINE_GATE_AUDIT_WRITER).toBe('thread');
    expect(c.SPINE_GATE_AUDIT_DATABASE_URL).toBeUndefined();
  });

  it('takes inline and a postgres:// login of its own', () => {
    const c = loadGateConfig({
      ...base,
      SPINE_GATE_AUDIT_WRITER: 'inline',
      SPINE_GATE_AUDIT_DATABASE_URL: 'postgres://gate_writer:s@127.0.0.1:5432/spine_gate',
    });
    expect(c.SPINE_GATE_AUDIT_WRITER).toBe('inline');
    expect(c.SPINE_GATE_AUDIT_DATABASE_URL).toMatch(/^postgres:\/\/gate_writer:/);
  });

  it('refuses an unknown writer and a URL that is not postgres://, naming each variable', () => {
    expect(() =>
      loadGateConfig({
        ...base,
        SPINE_GATE_AUDIT_WRITER: 'fast',
        SPINE_GATE_AUDIT_DATABASE_URL: 'mysql://x',
      }),
    ).toThrow(
      /SPINE_GATE_AUDIT_DATABASE_URL: a postgres:\/\/ URL\n\s+- SPINE_GATE_AUDIT_WRITER: .*"thread"\|"inline"/,
    );
  });
});
