import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, PRODUCER, startRegistry } from './registry-harness.ts';
import type { RegistryHarness } from './registry-harness.ts';

const SUBJECT = 'shop.gates-value';
const schema = JSON.stringify({
  type: 'record',
  name: 'Gate',
  namespace: 'shop',
  fields: [{ name: 'id', type: 'string', doc: 'key' }],
});

interface AuditRow {
  principal: string | null;
  action: string;
  subject: string | null;
  result: string;
  detail: Record<string, unknown> | null;
}

/** Config, mode and lint severities are the gates a producer's registrations pass: only an admin moves them. */
describe('schema registry: who may change config, mode and lint', () => {
  let r: RegistryHarness;
  const producer = basic(PRODUCER);
  beforeAll(async () => {
    r = await startRegistry('registry-config-auth');
    expect((await r.post(`/subjects/${SUBJECT}/versions`, { schema }, producer)).statusCode).toBe(200);
  });
  afterAll(async () => r?.close());

  const writes: Array<[string, 'PUT' | 'DELETE', string, unknown]> = [
    ['subject compatibility', 'PUT', `/config/${SUBJECT}`, { compatibility: 'NONE' }],
    ['subject compatibility removal', 'DELETE', `/config/${SUBJECT}`, undefined],
    ['global compatibility', 'PUT', '/config', { compatibility: 'NONE' }],
    ['subject mode', 'PUT', `/mode/${SUBJECT}`, { mode: 'READONLY' }],
    ['subject mode removal', 'DELETE', `/mode/${SUBJECT}`, undefined],
    ['global mode', 'PUT', '/mode', { mode: 'READONLY' }],
    ['subject lint severities', 'PUT', `/lint/config/${SUBJECT}`, { severities: { 'pii-untagged': 'off' } }],
    ['global lint severities', 'PUT', '/lint/config', { severities: { 'pii-untagged': 'off' } }],
  ];
  const send = (method: 'PUT' | 'DELETE', url: string, body: unknown, auth: string) =>
    method === 'PUT' ? r.put(url, body, auth) : r.del(url, auth);

  it.each(writes)(
    'refuses a producer key the %s, even within its prefix, with 403 and 40301',
    async (_what, method, url, body) => {
      const res = await send(method, url, body, producer);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toEqual({
        error_code: 40301,
        message: `API key ${PRODUCER.key} lacks the admin role`,
      });
    },
  );

  it('left every gate as it was, and the producer still registers and deletes within its prefix', async () => {
    expect((await r.get(`/config/${SUBJECT}`)).json()).toMatchObject({ error_code: 40408 });
    expect((await r.get('/config')).json()).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await r.get('/mode')).json()).toEqual({ mode: 'READWRITE' });
    expect((await r.get(`/lint/config/${SUBJECT}`)).json()).toMatchObject({ global: {}, subject: {} });
    const untagged = JSON.stringify({
      type: 'record',
      name: 'Gate',
      namespace: 'shop',
      fields: [{ name: 'email', type: 'string', doc: 'contact' }],
    });
    expect(
      (await r.post('/subjects/shop.gates-pii-value/versions', { schema: untagged }, producer)).json(),
    ).toMatchObject({ error_code: 42291 });
    const other = await r.post('/subjects/shop.gates-tmp-value/versions', { schema }, producer);
    expect(other.statusCode, other.body).toBe(200);
    expect((await r.del('/subjects/shop.gates-tmp-value', producer)).json()).toEqual([1]);
  });

  it('lets the admin make each of these writes', async () => {
    for (const [what, method, url, body] of writes) {
      const res = await send(method, url, body, basic(ADMIN));
      expect(res.statusCode, `${what}: ${res.body}`).toBe(200);
      if (url === '/mode') await r.put('/mode', { mode: 'READWRITE' });
    }
    // Set, then removed: the subject follows the global mode again.
    expect((await r.get(`/mode/${SUBJECT}`)).json()).toMatchObject({ error_code: 40409 });
    expect((await r.get(`/lint/config/${SUBJECT}`)).json()).toMatchObject({
      subject: { 'pii-untagged': 'off' },
    });
  });

  it('audits config, mode and lint writes with who, what, when and the result, and the refused tries', async () => {
    const { rows } = await r.ctx.sql<AuditRow & { at: Date }>(
      `select at, principal, action, subject, result, detail from registry_audit
       where action not in ('register', 'delete-subject') order by id`,
    );
    const ok = rows.filter((row) => row.result === 'ok');
    expect(ok.map((row) => [row.principal, row.action, row.subject])).toEqual([
      [ADMIN.key, 'set-compatibility', SUBJECT],
      [ADMIN.key, 'delete-compatibility', SUBJECT],
      [ADMIN.key, 'set-compatibility', null],
      [ADMIN.key, 'set-mode', SUBJECT],
      [ADMIN.key, 'delete-mode', SUBJECT],
      [ADMIN.key, 'set-mode', null],
      [ADMIN.key, 'set-mode', null],
      [ADMIN.key, 'set-lint-config', SUBJECT],
      [ADMIN.key, 'set-lint-config', null],
    ]);
    expect(ok[0]?.detail).toEqual({ from: null, to: 'NONE' });
    expect(ok[1]?.detail).toEqual({ from: 'NONE', to: null });
    expect(ok[4]?.detail).toEqual({ from: 'READONLY', to: null });
    expect(ok[5]?.detail).toEqual({ from: null, to: 'READONLY' });
    expect(ok[6]?.detail).toEqual({ from: 'READONLY', to: 'READWRITE' });
    expect(ok[7]?.detail).toEqual({ from: null, to: { 'pii-untagged': 'off' } });
    expect(ok.every((row) => row.at instanceof Date)).toBe(true);
    const refused = rows.filter((row) => row.result === 'refused');
    expect(refused.map((row) => [row.principal, row.action, row.subject])).toEqual([
      [PRODUCER.key, 'PUT /config/:subject', SUBJECT],
      [PRODUCER.key, 'DELETE /config/:subject', SUBJECT],
      [PRODUCER.key, 'PUT /config', null],
      [PRODUCER.key, 'PUT /mode/:subject', SUBJECT],
      [PRODUCER.key, 'DELETE /mode/:subject', SUBJECT],
      [PRODUCER.key, 'PUT /mode', null],
      [PRODUCER.key, 'PUT /lint/config/:subject', SUBJECT],
      [PRODUCER.key, 'PUT /lint/config', null],
    ]);
  });
});
