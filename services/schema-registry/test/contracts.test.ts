import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, PRODUCER, startRegistry } from './registry-harness.ts';
import type { RegistryHarness } from './registry-harness.ts';

/** JSON Schema contracts: the format is independent of Avro, and so are the contract rules. */
const customer = (extra: Record<string, unknown> = {}, required: string[] = ['id']) =>
  JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Customer',
    type: 'object',
    properties: {
      id: { type: 'string', description: 'key' },
      email: { type: 'string', description: 'contact', 'confluent:tags': ['PII'] },
      ...extra,
    },
    required,
    additionalProperties: false,
  });
const contract = (props: Record<string, string>, tags?: Record<string, string[]>) => ({
  properties: props,
  ...(tags ? { tags } : {}),
});
const SUBJECT = 'shop.public.customer-value';

describe('schema registry: data contracts', () => {
  let r: RegistryHarness;
  beforeAll(async () => {
    r = await startRegistry('registry-contracts');
  });
  afterAll(async () => r?.close());

  it('stores classification, owner, retention and metadata tags, and serves every field with its tags', async () => {
    const res = await r.post(`/subjects/${SUBJECT}/versions`, {
      schemaType: 'JSON',
      schema: customer(),
      metadata: contract(
        {
          'data-spine.classification': 'confidential',
          'data-spine.owner': 'team-crm',
          'data-spine.retention': 'P7Y',
        },
        { '**.id': ['KEY'] },
      ),
    });
    expect(res.statusCode, res.body).toBe(200);
    const latest = (await r.get(`/subjects/${SUBJECT}/versions/latest`)).json();
    expect(latest.metadata).toEqual({
      tags: { '**.id': ['KEY'] },
      properties: {
        'data-spine.classification': 'confidential',
        'data-spine.owner': 'team-crm',
        'data-spine.retention': 'P7Y',
        'data-spine.semver': '1.0.0',
      },
    });
    const c = (await r.get(`/contracts/${SUBJECT}/versions/latest`)).json();
    expect(c).toMatchObject({
      subject: SUBJECT,
      version: 1,
      semver: '1.0.0',
      classification: 'confidential',
      owner: 'team-crm',
      retention: 'P7Y',
    });
    const tags = Object.fromEntries(
      (c.fields as Array<{ name: string; tags: string[] }>).map((f) => [f.name, f.tags]),
    );
    expect(tags).toEqual({ id: ['KEY'], email: ['PII'] });
  });

  it('refuses contract attributes it does not understand, naming the property', async () => {
    const bad = await r.post(`/subjects/${SUBJECT}/versions`, {
      schemaType: 'JSON',
      schema: customer({ status: { type: 'string', description: 's' } }),
      metadata: contract({ 'data-spine.classification': 'secret' }),
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ error_code: 42292 });
    expect(bad.json().message).toContain('data-spine.classification');
    const badRetention = await r.post(`/subjects/${SUBJECT}/versions`, {
      schemaType: 'JSON',
      schema: customer({ status: { type: 'string', description: 's' } }),
      metadata: contract({ 'data-spine.retention': 'seven years' }),
    });
    expect(badRetention.json().error_code).toBe(42292);
  });

  it('records Server-Timing phases and counts registrations, incompatibilities and lint failures', async () => {
    // No metadata: the version keeps the previous one's contract attributes.
    const ok = await r.post(`/subjects/${SUBJECT}/versions`, {
      schemaType: 'JSON',
      schema: customer({ status: { type: 'string', description: 'lifecycle' } }),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    for (const phase of ['parse', 'lint', 'compatibility', 'store'])
      expect(ok.headers['server-timing']).toContain(`${phase};dur=`);
    const untagged = await r.post(`/subjects/${SUBJECT}/versions`, {
      schemaType: 'JSON',
      schema: customer({ phone: { type: 'string', description: 'p' } }),
    });
    expect(untagged.json().error_code).toBe(42291);
    // A closed content model: adding an optional property is compatible, narrowing a type is not.
    const narrowing = await r.post(`/subjects/${SUBJECT}/versions`, {
      schemaType: 'JSON',
      schema: customer({ status: { type: 'integer', description: 'lifecycle' } }),
    });
    expect(narrowing.statusCode).toBe(409);
    const metrics = (await r.get('/metrics')).body;
    expect(metrics).toMatch(/spine_registry_registrations_total\{[^}]*schema_type="JSON"[^}]*\} 2/);
    expect(metrics).toMatch(/spine_registry_incompatible_total\{[^}]*\} 1/);
    expect(metrics).toMatch(/spine_registry_lint_failures_total\{[^}]*\} 1/);
  });

  it('diffs two versions, and a file against the latest, naming the changes and the bump', async () => {
    const d = await r.post(`/contracts/${SUBJECT}/diff`, { from: { version: 1 }, to: { version: 2 } });
    expect(d.statusCode, d.body).toBe(200);
    expect(d.json()).toMatchObject({
      changes: [{ path: expect.stringContaining('status'), change: 'added' }],
      required_bump: 'minor',
      compatibility: { backward: { is_compatible: true } },
    });
    const file = await r.post(`/contracts/${SUBJECT}/diff`, {
      from: { version: 'latest' },
      to: { schemaType: 'JSON', schema: customer({ status: { type: 'integer' } }) },
    });
    expect(file.json().required_bump).toBe('major');
    expect(file.json().changes).toEqual([
      expect.objectContaining({ change: 'type', from: 'string', to: 'integer' }),
    ]);
    expect(file.json().compatibility.backward.is_compatible).toBe(false);
  });

  it('rolls back: an earlier version becomes latest again as a new version, with the reason audited', async () => {
    const res = await r.post(
      `/contracts/${SUBJECT}/rollback`,
      { to: 1, reason: 'status broke the dashboard' },
      basic(PRODUCER),
    );
    expect(res.statusCode, res.body).toBe(200);
    // Going back to v1 drops `status` from a closed model, which v2's data may hold: a breaking change,
    // so the contract's major version goes up.
    expect(res.json()).toMatchObject({ version: 3, rolledBackTo: 1, semver: '2.0.0' });
    const v1 = (await r.get(`/subjects/${SUBJECT}/versions/1`)).json();
    const latest = (await r.get(`/subjects/${SUBJECT}/versions/latest`)).json();
    expect(latest).toMatchObject({ version: 3, id: v1.id, schema: v1.schema });
    expect((await r.get(`/contracts/${SUBJECT}/versions/3`)).json().rollbackOf).toBe(1);
    const { rows } = await r.ctx.sql<{ action: string; detail: { reason: string } }>(
      "select action, detail from registry_audit where action = 'rollback'",
    );
    expect(rows).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ reason: 'status broke the dashboard' }) }),
    ]);
    expect((await r.post(`/contracts/${SUBJECT}/rollback`, { to: 3, reason: 'x' })).json().error_code).toBe(
      42205,
    );
    expect((await r.post(`/contracts/${SUBJECT}/rollback`, { reason: '' })).json().error_code).toBe(42201);
    expect((await r.post(`/contracts/shop.none-value/rollback`, { reason: 'x' })).json().error_code).toBe(
      40401,
    );
  });

  it('configures lint severities globally and per subject; the subject wins', async () => {
    const phone = customer({ phone: { type: 'string', description: 'p' } });
    expect((await r.put('/lint/config', { severities: { 'pii-untagged': 'warning' } })).statusCode).toBe(200);
    expect(
      (await r.put(`/lint/config/shop.strict-value`, { severities: { 'pii-untagged': 'error' } })).statusCode,
    ).toBe(200);
    const lenient = await r.post('/subjects/shop.lenient-value/versions', {
      schemaType: 'JSON',
      schema: phone,
    });
    expect(lenient.statusCode, lenient.body).toBe(200);
    const strict = await r.post('/subjects/shop.strict-value/versions', {
      schemaType: 'JSON',
      schema: phone,
    });
    expect(strict.json().error_code).toBe(42291);
    expect((await r.get('/lint/config/shop.strict-value')).json()).toMatchObject({
      global: { 'pii-untagged': 'warning' },
      subject: { 'pii-untagged': 'error' },
    });
    const unknown = await r.put('/lint/config', { severities: { 'no-such-rule': 'error' } });
    expect(unknown.json()).toMatchObject({ error_code: 42293 });
    expect((await r.put('/lint/config', { severities: {} })).statusCode).toBe(200);
    expect(
      (await r.put('/lint/config', { severities: { 'pii-untagged': 'off' } }, basic(PRODUCER))).statusCode,
    ).toBe(403);
  });

  it('lets a version without metadata inherit the previous one, and one with metadata replace it', async () => {
    const v2 = (await r.get(`/contracts/${SUBJECT}/versions/2`)).json();
    expect(v2).toMatchObject({ classification: 'confidential', owner: 'team-crm', semver: '1.1.0' });
    expect(v2.fields.find((f: { name: string }) => f.name === 'id').tags).toEqual(['KEY']);
  });

  it('counts fields tagged through metadata.tags (given or inherited) as tagged, and reads field docs', async () => {
    const subject = 'shop.tagged-value';
    const phone = customer({ phone: { type: 'string', description: 'p' } });
    const untagged = await r.post(`/subjects/${subject}/versions`, { schemaType: 'JSON', schema: phone });
    expect(untagged.json().error_code).toBe(42291);
    const tagged = await r.post(
      `/subjects/${subject}/versions`,
      { schemaType: 'JSON', schema: phone, metadata: contract({}, { '**.phone': ['PII'] }) },
      basic(PRODUCER),
    );
    expect(tagged.statusCode, tagged.body).toBe(200);
    // No metadata: the version inherits the previous one's tags, and lint counts them.
    const next = await r.post(`/subjects/${subject}/versions`, {
      schemaType: 'JSON',
      schema: customer({
        phone: { type: 'string', description: 'p' },
        status: { type: 'string', description: 'lifecycle' },
      }),
    });
    expect(next.statusCode, next.body).toBe(200);
    expect((await r.get(`/subjects/${subject}/versions/2`)).json().metadata.tags).toEqual({
      '**.phone': ['PII'],
    });
    const validated = await r.post(`/schemas/${subject}/validate`, {
      schemaType: 'JSON',
      schema: customer({
        phone: { type: 'string', description: 'p' },
        status: { type: 'string', description: 'lifecycle' },
        tier: { type: 'string', description: 'plan' },
      }),
    });
    expect(validated.json()).toMatchObject({ valid: true, lint: { errors: 0 } });
    // A field named innocently but documented as personal data needs a tag too.
    const documented = await r.post(`/subjects/${subject}/versions`, {
      schemaType: 'JSON',
      schema: customer({
        phone: { type: 'string', description: 'p' },
        status: { type: 'string', description: 'lifecycle' },
        contact: { type: 'string', description: 'customer email address' },
      }),
    });
    expect(documented.json().error_code).toBe(42291);
    expect(documented.json().message).toContain("field 'contact' looks like an email address (by its doc)");
    const withTag = await r.post(`/subjects/${subject}/versions`, {
      schemaType: 'JSON',
      schema: customer({
        phone: { type: 'string', description: 'p' },
        status: { type: 'string', description: 'lifecycle' },
        contact: { type: 'string', description: 'customer email address' },
      }),
      metadata: contract({}, { '**.phone': ['PII'], '**.contact': ['PII'] }),
    });
    expect(withTag.statusCode, withTag.body).toBe(200);
  });

  it('keeps contracts across a restart', async () => {
    await r.restart();
    const c = (await r.get(`/contracts/${SUBJECT}/versions/1`)).json();
    expect(c).toMatchObject({ classification: 'confidential', owner: 'team-crm', retention: 'P7Y' });
  });
});
