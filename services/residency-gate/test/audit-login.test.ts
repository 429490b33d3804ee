import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestContext } from '@data-spine/testkit';
import type { TestContext } from '@data-spine/testkit';
import { generateSigningKey } from '../src/audit/signing-key.ts';
import { SAMPLE_MATRIX } from '../src/config.ts';
import { startGate } from './gate-harness.ts';

/** The URL of `base` with another login. */
function loginUrl(base: string, user: string, password: string): string {
  const u = new URL(base);
  u.username = user;
  u.password = password;
  return u.toString();
}

describe('SPINE_GATE_AUDIT_DATABASE_URL: the service on a login of its own', () => {
  let ctx: TestContext;
  let dir: string;
  const login = `gate_login_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  beforeAll(async () => {
    ctx = await useTestContext('gate-audit-login');
    dir = mkdtempSync(join(tmpdir(), 'gate-audit-login-'));
    copyFileSync(SAMPLE_MATRIX, join(dir, 'matrix.yaml'));
    await ctx.sql(`create role ${login} login password '${password}'`);
  });
  afterAll(async () => {
    await ctx.sql(`drop owned by ${login}`).catch(() => undefined);
    await ctx.sql(`drop role if exists ${login}`).catch(() => undefined);
    await ctx?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends as that login, which cannot change the audit log even after RESET ROLE', async () => {
    const gate = await startGate(
      'gate-audit-login',
      { SPINE_GATE_AUDIT_DATABASE_URL: loginUrl(ctx.databaseUrl, login, password) },
      { ctx, dir, signingKey: generateSigningKey() },
    );
    try {
      const res = await gate.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: { 'content-type': 'application/json' },
        payload: {
          route: {
            source: { dataset: 'postgres://oltp:5432/shop.public.customer', region: 'eu-west-1' },
            sink: { id: 'analytics-eu', region: 'eu-west-1' },
            purpose: 'analytics',
          },
          classification: 'internal',
          fields: [{ name: 'id', tags: [] }],
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      const appended = await ctx.sql<{ n: string }>(
        'select sum(last_seq - first_seq + 1) as n from gate_audit_block',
      );
      expect(Number(appended.rows[0]?.n)).toBe(1);

      const as = new pg.Client({ connectionString: loginUrl(ctx.databaseUrl, login, password) });
      await as.connect();
      try {
        await as.query('reset role');
        await expect(as.query("update gate_audit_block set hashes = 'x'")).rejects.toThrow(
          /permission denied/,
        );
        await expect(as.query('delete from gate_audit_checkpoint')).rejects.toThrow(/permission denied/);
        await expect(as.query('alter table gate_audit_block disable trigger all')).rejects.toThrow(
          /must be owner/,
        );
        await expect(as.query('drop table gate_audit_block')).rejects.toThrow(/must be owner/);
        // Reading and appending is what it may do.
        const { rows } = await as.query<{ n: string }>('select count(*) as n from gate_audit_block');
        expect(Number(rows[0]?.n)).toBe(1);
      } finally {
        await as.end();
      }
    } finally {
      await gate.close();
    }
  });

  it('refuses a login that holds more: a member of the owner', async () => {
    const member = `${login}_m`;
    await ctx.sql(`create role ${member} login password '${password}'`);
    await ctx.sql(
      `grant ${(await ctx.sql<{ u: string }>('select current_user as u')).rows[0]?.u} to ${member}`,
    );
    try {
      await expect(
        startGate(
          'gate-audit-login-member',
          { SPINE_GATE_AUDIT_DATABASE_URL: loginUrl(ctx.databaseUrl, member, password) },
          { ctx, dir, signingKey: generateSigningKey() },
        ),
      ).rejects.toThrow(/logs in as a member of the owner/);
    } finally {
      await ctx.sql(`drop role if exists ${member}`).catch(() => undefined);
    }
  });

  it('refuses to start when that URL logs in as the owner', async () => {
    await expect(
      startGate(
        'gate-audit-login-owner',
        { SPINE_GATE_AUDIT_DATABASE_URL: ctx.databaseUrl },
        { ctx, dir, signingKey: generateSigningKey() },
      ),
    ).rejects.toThrow(/logs in as the owner \(postgres\); it needs a login of its own/);
  });
});
