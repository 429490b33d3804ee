import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, CT, PRODUCER, startRegistry } from './registry-harness.ts';
import type { RegistryHarness } from './registry-harness.ts';

/**
 * The Confluent v1 API as clients use it, through the HTTP app on a real Postgres: what each path answers,
 * including the error codes, as Confluent's resources (SubjectVersionsResource, SubjectsResource,
 * SchemasResource, CompatibilityResource, ConfigResource, ModeResource) answer them.
 */
const record = (name: string, fields: Array<Record<string, unknown>> = []) =>
  JSON.stringify({
    type: 'record',
    name,
    namespace: 'shop',
    doc: 'test',
    fields: [{ name: 'id', type: 'string', doc: 'key' }, ...fields],
  });
const status = { name: 'status', type: 'string', default: 'new', doc: 'lifecycle' };
// No default: a reader of this cannot read data written without `status`.
const statusRequired = { name: 'status', type: 'string', doc: 'lifecycle' };
const tier = { name: 'tier', type: 'int', doc: 'level' };

type Body = Record<string, unknown>;

describe('schema registry: the Confluent v1 API, path by path', () => {
  let r: RegistryHarness;
  const register = async (subject: string, schema: string, extra: Body = {}) => {
    const res = await r.post(`/subjects/${encodeURIComponent(subject)}/versions`, { schema, ...extra });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ id: number }>().id;
  };

  beforeAll(async () => {
    r = await startRegistry('registry-confluent-api');
  });
  afterAll(async () => r?.close());

  it('reads a version as a number, `latest` or `-1`, and its schema text alone', async () => {
    const s = 'api.versions-value';
    const v1 = record('Versions');
    const v2 = record('Versions', [status]);
    const id1 = await register(s, v1);
    const id2 = await register(s, v2);
    for (const spec of ['latest', '-1', '2'])
      expect((await r.get(`/subjects/${s}/versions/${spec}`)).json(), spec).toMatchObject({
        subject: s,
        version: 2,
        id: id2,
        schema: v2,
      });
    expect((await r.get(`/subjects/${s}/versions/1`)).json()).toMatchObject({ version: 1, id: id1 });
    const text = await r.get(`/subjects/${s}/versions/1/schema`);
    expect(text.statusCode).toBe(200);
    expect(text.headers['content-type']).toContain('application/vnd.schemaregistry.v1+json');
    expect(text.body).toBe(v1);
    expect((await r.get(`/subjects/${s}/versions/latest/schema`)).body).toBe(v2);

    for (const bad of ['0', 'abc', '-2', '2147483648'])
      expect((await r.get(`/subjects/${s}/versions/${bad}`)).json(), bad).toMatchObject({
        error_code: 42202,
      });
    expect((await r.get(`/subjects/${s}/versions/9`)).json()).toEqual({
      error_code: 40402,
      message: 'Version 9 not found.',
    });
    expect((await r.get('/subjects/api.nope-value/versions/latest')).json()).toEqual({
      error_code: 40401,
      message: "Subject 'api.nope-value' not found.",
    });
    expect((await r.get('/subjects/api.nope-value/versions/1/schema')).json()).toMatchObject({
      error_code: 40401,
    });
  });

  it('refuses a subject with a control character, or the reserved __GLOBAL, with 42208', async () => {
    for (const subject of ['api.bad\u0007-value', '__GLOBAL']) {
      const url = encodeURIComponent(subject);
      const expected = { error_code: 42208, message: `The specified subject '${subject}' is not a valid.` };
      expect((await r.post(`/subjects/${url}/versions`, { schema: record('Bad') })).json()).toEqual(expected);
      expect((await r.put(`/config/${url}`, { compatibility: 'NONE' })).json()).toEqual(expected);
      expect((await r.put(`/mode/${url}`, { mode: 'READONLY' })).json()).toEqual(expected);
    }
    expect((await r.get('/subjects?deleted=true')).json()).not.toContain('__GLOBAL');
  });

  it('looks a schema up under a subject: 40401 without the subject, 40403 "Schema not found" without the schema', async () => {
    const s = 'api.lookup-value';
    const id = await register(s, record('Lookup'));
    expect((await r.post(`/subjects/${s}`, { schema: record('Lookup') })).json()).toMatchObject({
      subject: s,
      version: 1,
      id,
    });
    expect((await r.post(`/subjects/${s}`, { schema: record('Other') })).json()).toEqual({
      error_code: 40403,
      message: 'Schema not found',
    });
    expect((await r.post('/subjects/api.nope-value', { schema: record('Lookup') })).json()).toEqual({
      error_code: 40401,
      message: "Subject 'api.nope-value' not found.",
    });
  });

  it('soft deletes, shows deleted versions and subjects with deleted=true, then deletes permanently', async () => {
    const s = 'api.deleted-value';
    await register(s, record('Deleted'));
    await register(s, record('Deleted', [status]));
    expect((await r.del(`/subjects/${s}/versions/1`)).json()).toBe(1);
    expect((await r.get(`/subjects/${s}/versions`)).json()).toEqual([2]);
    expect((await r.get(`/subjects/${s}/versions?deleted=true`)).json()).toEqual([1, 2]);
    expect((await r.get(`/subjects/${s}/versions/1`)).json()).toMatchObject({ error_code: 40402 });
    expect((await r.get(`/subjects/${s}/versions/1?deleted=true`)).json()).toMatchObject({ version: 1 });
    expect((await r.del(`/subjects/${s}/versions/1`)).json()).toEqual({
      error_code: 40406,
      message: `Subject '${s}' Version 1 was soft deleted.Set permanent=true to delete permanently`,
    });
    expect((await r.del(`/subjects/${s}/versions/2?permanent=true`)).json()).toEqual({
      error_code: 40407,
      message: `Subject '${s}' Version 2 was not deleted first before being permanently deleted`,
    });
    expect((await r.del(`/subjects/${s}/versions/7`)).json()).toMatchObject({ error_code: 40402 });
    expect((await r.del(`/subjects/${s}/versions/1?permanent=true`)).json()).toBe(1);
    expect((await r.get(`/subjects/${s}/versions/1?deleted=true`)).json()).toMatchObject({
      error_code: 40402,
    });

    expect((await r.del(`/subjects/${s}?permanent=true`)).json()).toEqual({
      error_code: 40405,
      message: `Subject '${s}' was not deleted first before being permanently deleted`,
    });
    expect((await r.del(`/subjects/${s}`)).json()).toEqual([2]);
    expect((await r.del(`/subjects/${s}`)).json()).toEqual({
      error_code: 40404,
      message: `Subject '${s}' was soft deleted.Set permanent=true to delete permanently`,
    });
    expect((await r.get('/subjects')).json()).not.toContain(s);
    expect((await r.get('/subjects?deleted=true')).json()).toContain(s);
    expect((await r.get(`/subjects/${s}/versions`)).json()).toMatchObject({ error_code: 40401 });
    expect((await r.get(`/subjects/${s}/versions?deleted=true`)).json()).toEqual([2]);
    expect((await r.get(`/subjects/${s}/versions/2?deleted=true`)).json()).toMatchObject({ version: 2 });
    // As Confluent: `latest` is the latest version not deleted, with or without deleted=true.
    expect((await r.get(`/subjects/${s}/versions/latest?deleted=true`)).json()).toMatchObject({
      error_code: 40402,
    });
    const schema = record('Deleted', [status]);
    expect((await r.post(`/subjects/${s}`, { schema })).json()).toMatchObject({ error_code: 40401 });
    expect((await r.post(`/subjects/${s}?deleted=true`, { schema })).json()).toMatchObject({ version: 2 });

    expect((await r.del(`/subjects/${s}?permanent=true`)).json()).toEqual([2]);
    expect((await r.get('/subjects?deleted=true')).json()).not.toContain(s);
    expect((await r.del(`/subjects/${s}`)).json()).toMatchObject({ error_code: 40401 });
  });

  it('lists subjects by a literal prefix (`_` and `%` are not wildcards), with offset and limit', async () => {
    const names = ['pfx_a-value', 'pfx_c-value', 'pfx%b-value', 'pfxXa-value'];
    for (const name of names) await register(name, record('Prefixed'));
    const list = async (query: string) => (await r.get(`/subjects?${query}`)).json<string[]>();
    expect(await list('subjectPrefix=pfx_')).toEqual(['pfx_a-value', 'pfx_c-value']);
    expect(await list(`subjectPrefix=${encodeURIComponent('pfx%')}`)).toEqual(['pfx%b-value']);
    // Code-point order, as Confluent sorts: '%' < 'X' < '_'.
    const all = ['pfx%b-value', 'pfxXa-value', 'pfx_a-value', 'pfx_c-value'];
    expect(await list('subjectPrefix=pfx')).toEqual(all);
    expect(await list('subjectPrefix=pfx&offset=1&limit=2')).toEqual(all.slice(1, 3));
    expect(await list('subjectPrefix=pfx&offset=3')).toEqual(all.slice(3));
    expect(await list('subjectPrefix=pfx&limit=-1')).toEqual(all);
    const bad = await r.get('/subjects?limit=many');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('limit');
  });

  it('lists schemas with subjectPrefix, deleted, latestOnly, offset and limit', async () => {
    const a1 = await register('ls.a-value', record('ListA'));
    const a2 = await register('ls.a-value', record('ListA', [status]));
    const b1 = await register('ls.b-value', record('ListB'));
    await register('lsX.c-value', record('ListC'));
    const list = async (query: string) =>
      (await r.get(`/schemas?subjectPrefix=ls.&${query}`))
        .json<Array<{ subject: string; version: number; id: number }>>()
        .map((s) => [s.subject, s.version, s.id]);
    expect(await list('')).toEqual([
      ['ls.a-value', 1, a1],
      ['ls.a-value', 2, a2],
      ['ls.b-value', 1, b1],
    ]);
    expect(await list('latestOnly=true')).toEqual([
      ['ls.a-value', 2, a2],
      ['ls.b-value', 1, b1],
    ]);
    expect(await list('offset=1&limit=1')).toEqual([['ls.a-value', 2, a2]]);
    expect(await list('limit=-1')).toHaveLength(3);
    const one = (await r.get('/schemas?subjectPrefix=ls.b')).json();
    expect(one).toEqual([{ subject: 'ls.b-value', version: 1, id: b1, schema: record('ListB') }]);

    expect((await r.del('/subjects/ls.b-value/versions/1')).statusCode).toBe(200);
    expect((await r.del('/subjects/ls.a-value/versions/2')).statusCode).toBe(200);
    expect(await list('')).toEqual([['ls.a-value', 1, a1]]);
    expect(await list('latestOnly=true')).toEqual([['ls.a-value', 1, a1]]);
    expect(await list('deleted=true')).toEqual([
      ['ls.a-value', 1, a1],
      ['ls.a-value', 2, a2],
      ['ls.b-value', 1, b1],
    ]);
    expect(await list('deleted=true&latestOnly=true')).toEqual([
      ['ls.a-value', 2, a2],
      ['ls.b-value', 1, b1],
    ]);
  });

  it('serves a schema id: its text, the subjects and versions using it (deleted ones with deleted=true), and the types', async () => {
    const schema = record('ById');
    const id = await register('ids.a-value', schema);
    expect(await register('ids.b-value', schema)).toBe(id);
    const text = await r.get(`/schemas/ids/${id}/schema`);
    expect(text.body).toBe(schema);
    expect(text.headers['content-type']).toContain('application/vnd.schemaregistry.v1+json');
    expect((await r.get(`/schemas/ids/${id}`)).json()).toEqual({ schema });
    expect((await r.get(`/schemas/ids/${id}/subjects`)).json()).toEqual(['ids.a-value', 'ids.b-value']);
    expect((await r.get(`/schemas/ids/${id}/versions`)).json()).toEqual([
      { subject: 'ids.a-value', version: 1 },
      { subject: 'ids.b-value', version: 1 },
    ]);
    expect((await r.del('/subjects/ids.b-value')).json()).toEqual([1]);
    expect((await r.get(`/schemas/ids/${id}/subjects`)).json()).toEqual(['ids.a-value']);
    expect((await r.get(`/schemas/ids/${id}/subjects?deleted=true`)).json()).toEqual([
      'ids.a-value',
      'ids.b-value',
    ]);
    expect((await r.get(`/schemas/ids/${id}/versions`)).json()).toEqual([
      { subject: 'ids.a-value', version: 1 },
    ]);
    expect((await r.get(`/schemas/ids/${id}/versions?deleted=true`)).json()).toHaveLength(2);
    for (const path of ['', '/schema', '/subjects', '/versions'])
      expect((await r.get(`/schemas/ids/987654${path}`)).json(), path).toEqual({
        error_code: 40403,
        message: 'Schema 987654 not found',
      });
    const types = (await r.get('/schemas/types')).json<string[]>();
    expect([...types].sort()).toEqual(['AVRO', 'JSON', 'PROTOBUF']);
  });

  it('sets, reads and removes a subject compatibility level, and falls back with defaultToGlobal', async () => {
    const s = 'api.config-value';
    expect((await r.get(`/config/${s}`)).json()).toEqual({
      error_code: 40408,
      message: `Subject '${s}' does not have subject-level compatibility configured`,
    });
    expect((await r.get(`/config/${s}?defaultToGlobal=true`)).json()).toEqual({
      compatibilityLevel: 'BACKWARD',
    });
    expect((await r.put(`/config/${s}`, { compatibility: 'full_transitive' })).json()).toEqual({
      compatibility: 'FULL_TRANSITIVE',
    });
    expect((await r.get(`/config/${s}`)).json()).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' });
    expect((await r.get(`/config/${s}?defaultToGlobal=true`)).json()).toEqual({
      compatibilityLevel: 'FULL_TRANSITIVE',
    });
    expect((await r.put(`/config/${s}`, { compatibility: 'SIDEWAYS' })).json()).toMatchObject({
      error_code: 42203,
    });
    expect((await r.del(`/config/${s}`)).json()).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' });
    expect((await r.get(`/config/${s}`)).json()).toMatchObject({ error_code: 40408 });
    // As Confluent's deleteSubjectConfig: nothing to remove is 40401.
    expect((await r.del(`/config/${s}`)).json()).toEqual({
      error_code: 40401,
      message: `Subject '${s}' not found.`,
    });
  });

  it('sets, reads and removes a subject mode (DELETE /mode/{subject}), with defaultToGlobal', async () => {
    const s = 'api.mode-value';
    expect((await r.get(`/mode/${s}`)).json()).toEqual({
      error_code: 40409,
      message: `Subject '${s}' does not have subject-level mode configured`,
    });
    expect((await r.get(`/mode/${s}?defaultToGlobal=true`)).json()).toEqual({ mode: 'READWRITE' });
    expect((await r.put(`/mode/${s}`, { mode: 'SIDEWAYS' })).json()).toMatchObject({ error_code: 42204 });
    expect((await r.put(`/mode/${s}`, { mode: 'readonly' })).json()).toEqual({ mode: 'READONLY' });
    expect((await r.get(`/mode/${s}`)).json()).toEqual({ mode: 'READONLY' });
    expect((await r.del(`/mode/${s}`)).json()).toEqual({ mode: 'READONLY' });
    expect((await r.get(`/mode/${s}`)).json()).toMatchObject({ error_code: 40409 });
    expect((await r.del(`/mode/${s}`)).json()).toEqual({
      error_code: 40401,
      message: `Subject '${s}' not found.`,
    });
    // Back under the global READWRITE: registrations are taken again.
    await register(s, record('Moded'));
    const { rows } = await r.ctx.sql<{ detail: Body }>(
      `select detail from registry_audit where action = 'delete-mode' and subject = $1`,
      [s],
    );
    expect(rows.map((row) => row.detail)).toEqual([{ from: 'READONLY', to: null }]);
  });

  it('tests compatibility against one version or all, verbose or not, at transitive levels too', async () => {
    const s = 'api.compat-value';
    await register(s, record('Compat'));
    await register(s, record('Compat', [status]));
    const check = (path: string, schema: string) =>
      r.post(`/compatibility/subjects/${s}/versions${path}`, { schema });
    // Reads v2 data (which has status), not v1 data: compatible with the latest only.
    const candidate = record('Compat', [statusRequired]);

    expect((await check('/latest', candidate)).json()).toEqual({ is_compatible: true });
    expect((await check('/latest?verbose=true', candidate)).json()).toEqual({
      is_compatible: true,
      messages: [],
    });
    expect((await check('', candidate)).json()).toEqual({ is_compatible: true });
    const v1 = (await check('/1?verbose=true', candidate)).json();
    expect(v1.is_compatible).toBe(false);
    expect(v1.messages.join()).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');

    expect((await r.put(`/config/${s}`, { compatibility: 'BACKWARD_TRANSITIVE' })).statusCode).toBe(200);
    const all = (await check('?verbose=true', candidate)).json();
    expect(all.is_compatible).toBe(false);
    expect(all.messages.join()).toContain('status');
    expect((await check('', candidate)).json()).toEqual({ is_compatible: false });
    // Against one named version the level's direction applies, not its transitivity.
    expect((await check('/2', candidate)).json()).toEqual({ is_compatible: true });
    const refused = await r.post(`/subjects/${s}/versions`, { schema: candidate });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error_code).toBe(40901);

    // A soft-deleted version is compared with by neither the check nor a registration.
    expect((await r.del(`/subjects/${s}/versions/1`)).json()).toBe(1);
    expect((await check('', candidate)).json()).toEqual({ is_compatible: true });
    expect((await check('/1', candidate)).json()).toMatchObject({ error_code: 40402 });
    await register(s, candidate);
    expect((await r.get(`/subjects/${s}/versions`)).json()).toEqual([2, 3]);

    const broken = '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}';
    expect((await check('/latest', broken)).json()).toMatchObject({ error_code: 42201 });
    const verbose = (await check('/latest?verbose=true', broken)).json();
    expect(verbose.is_compatible).toBe(false);
    expect(verbose.messages[0]).toContain('nope');
    expect((await check('/abc', candidate)).json()).toMatchObject({ error_code: 42202 });
    // A subject without versions: `latest` and all are compatible, a numbered version is 40402.
    const none = (path: string) =>
      r.post(`/compatibility/subjects/api.empty-value/versions${path}`, { schema: candidate });
    expect((await none('/latest')).json()).toEqual({ is_compatible: true });
    expect((await none('')).json()).toEqual({ is_compatible: true });
    expect((await none('/3')).json()).toEqual({ error_code: 40402, message: 'Version 3 not found.' });
  });

  it('registers a reference to version -1 as the version that was latest, so an id never changes meaning', async () => {
    const money = JSON.stringify({
      type: 'record',
      name: 'Money',
      namespace: 'shop',
      doc: 'An amount.',
      fields: [{ name: 'units', type: 'long', doc: 'whole units' }],
    });
    const order = JSON.stringify({
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      doc: 'An order.',
      fields: [
        { name: 'id', type: 'string', doc: 'key' },
        { name: 'total', type: 'shop.Money', doc: 'amount' },
      ],
    });
    await register('ref.money-value', money);
    const id = await register('ref.order-value', order, {
      references: [{ name: 'shop.Money', subject: 'ref.money-value', version: -1 }],
    });
    const pinned = [{ name: 'shop.Money', subject: 'ref.money-value', version: 1 }];
    expect((await r.get(`/schemas/ids/${id}`)).json()).toEqual({ schema: order, references: pinned });
    const moneyV2 = JSON.stringify({
      ...JSON.parse(money),
      fields: [...JSON.parse(money).fields, { name: 'currency', type: 'string', default: 'EUR', doc: 'ISO' }],
    });
    await register('ref.money-value', moneyV2);
    expect((await r.get('/subjects/ref.order-value/versions/1')).json().references).toEqual(pinned);
    // The same request again is the same schema: -1 now means version 2, so a new version.
    const again = await register('ref.order-value', order, {
      references: [{ name: 'shop.Money', subject: 'ref.money-value', version: -1 }],
    });
    expect(again).not.toBe(id);
    expect((await r.get('/subjects/ref.order-value/versions/2')).json().references).toEqual([
      { name: 'shop.Money', subject: 'ref.money-value', version: 2 },
    ]);
    const missing = await r.post('/subjects/ref.orphan-value/versions', {
      schema: order,
      references: [{ name: 'shop.Money', subject: 'ref.nope-value', version: 1 }],
    });
    expect(missing.json()).toMatchObject({ error_code: 42201 });
    expect(missing.json().message).toContain('ref.nope-value');
  });

  it('refuses a schema whose references are cyclic, naming the cycle, rather than looping', async () => {
    // References only name versions that exist, so the API cannot make a cycle; a database restored or
    // imported from elsewhere can hold one.
    const a = { name: 'shop.CycA', subject: 'cyc.b-value', version: 1 };
    const b = { name: 'shop.CycB', subject: 'cyc.a-value', version: 1 };
    await r.ctx.sql(
      `insert into registry_schema (id, schema_type, schema_text, canonical, identity, refs) values
         (900001, 'AVRO', '"string"', 'a', 'cycle-a', $1), (900002, 'AVRO', '"string"', 'b', 'cycle-b', $2)`,
      [JSON.stringify([a]), JSON.stringify([b])],
    );
    await r.ctx.sql(
      `insert into registry_subject_version (subject, version, schema_id) values
         ('cyc.a-value', 1, 900001), ('cyc.b-value', 1, 900002)`,
    );
    const body = {
      schema: record('Cyclic'),
      references: [{ name: 'shop.CycA', subject: 'cyc.a-value', version: 1 }],
    };
    for (const path of ['/subjects/cyc.c-value/versions', '/compatibility/subjects/cyc.c-value/versions']) {
      const res = await r.post(path, body);
      expect(res.statusCode, path).toBe(422);
      expect(res.json().error_code).toBe(42201);
      expect(res.json().message).toContain(
        'cyclic reference: cyc.a-value/1 -> cyc.b-value/1 -> cyc.a-value/1',
      );
    }
  });

  it('registers and looks up with normalize=true: spellings that normalize alike are one schema', async () => {
    const s = 'api.normalize-value';
    // Two key orders, neither sorted: only normalizing makes them one.
    const one = '{"type":"object","properties":{"id":{"type":"string","description":"key"}},"title":"N"}';
    const two = '{"title":"N","type":"object","properties":{"id":{"description":"key","type":"string"}}}';
    const id = (
      await r.post(`/subjects/${s}/versions?normalize=true`, { schemaType: 'JSON', schema: one })
    ).json<{
      id: number;
    }>().id;
    expect(
      (await r.post(`/subjects/${s}/versions?normalize=true`, { schemaType: 'JSON', schema: two })).json(),
    ).toEqual({ id });
    expect((await r.get(`/subjects/${s}/versions`)).json()).toEqual([1]);
    expect(
      (await r.post(`/subjects/${s}?normalize=true`, { schemaType: 'JSON', schema: two })).json(),
    ).toMatchObject({ subject: s, version: 1, id, schemaType: 'JSON' });
    expect((await r.post(`/subjects/${s}`, { schemaType: 'JSON', schema: two })).json()).toEqual({
      error_code: 40403,
      message: 'Schema not found',
    });
  });

  it('accepts the three content types Confluent clients send, and refuses others with 415', async () => {
    const send = (type: string, subject: string) =>
      r.app.inject({
        method: 'POST',
        url: `/subjects/${subject}/versions`,
        headers: { 'content-type': type, authorization: basic(ADMIN) },
        payload: JSON.stringify({ schema: record('Typed') }),
      });
    const types = [CT, 'application/vnd.schemaregistry+json', 'application/json'];
    const ids = [];
    for (const [i, type] of types.entries()) {
      const res = await send(type, `api.typed-${i}-value`);
      expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
      expect(res.headers['content-type']).toContain('application/vnd.schemaregistry.v1+json');
      ids.push(res.json<{ id: number }>().id);
    }
    expect(new Set(ids).size).toBe(1);
    const other = await send('text/plain', 'api.typed-x-value');
    expect(other.statusCode).toBe(415);
    expect(other.json().error_code).toBe(415);
  });

  it('validates a change with the semver it asks for, as registering would decide it', async () => {
    const s = 'api.semver-value';
    await register(s, record('Semver'), { metadata: { properties: { 'data-spine.semver': '1.0.0' } } });
    const validate = (semver?: string) =>
      r.post(`/schemas/${s}/validate`, {
        schema: record('Semver', [tier]),
        ...(semver ? { metadata: { properties: { 'data-spine.semver': semver } } } : {}),
      });
    const unasked = (await validate()).json();
    expect(unasked.valid).toBe(false);
    expect(unasked.semver).toMatchObject({
      requested: null,
      next: '2.0.0',
      needed: '2.0.0',
    });
    const minor = (await validate('1.1.0')).json();
    expect(minor.valid).toBe(false);
    expect(minor.semver).toMatchObject({ requested: '1.1.0', required_bump: 'major' });
    const major = (await validate('2.0.0')).json();
    expect(major.valid).toBe(true);
    expect(major.compatibility.is_compatible).toBe(false);
    expect(major.semver).toEqual({
      latest: '1.0.0',
      requested: '2.0.0',
      required_bump: 'major',
      next: '2.0.0',
    });
    expect((await validate('0.9.0')).json()).toMatchObject({ error_code: 42290 });
    expect((await validate('two')).json()).toMatchObject({ error_code: 42290 });
    expect((await r.get(`/subjects/${s}/versions`)).json()).toEqual([1]);
  });
});

describe('schema registry: reads behind credentials, and the schema size limit', () => {
  let r: RegistryHarness;
  beforeAll(async () => {
    r = await startRegistry('registry-confluent-limits', {
      SPINE_READS_REQUIRE_AUTH: 'true',
      SPINE_REGISTRY_MAX_SCHEMA_BYTES: '400',
    });
  });
  afterAll(async () => r?.close());

  it('answers reads only with credentials when SPINE_READS_REQUIRE_AUTH=true', async () => {
    const id = (await r.post('/subjects/shop.read-value/versions', { schema: record('Read') })).json<{
      id: number;
    }>().id;
    for (const path of [
      '/subjects',
      '/subjects/shop.read-value/versions/latest',
      `/schemas/ids/${id}`,
      '/config',
    ]) {
      const anonymous = await r.get(path);
      expect(anonymous.statusCode, path).toBe(401);
      expect(anonymous.json().error_code).toBe(40101);
      const wrong = await r.get(path, basic({ key: ADMIN.key, secret: 'wrong' }));
      expect(wrong.statusCode, path).toBe(401);
      expect((await r.get(path, basic(PRODUCER))).statusCode, path).toBe(200);
      expect((await r.get(path, basic(ADMIN))).statusCode, path).toBe(200);
    }
  });

  it('refuses a schema above SPINE_REGISTRY_MAX_SCHEMA_BYTES with 42209, on register and validate', async () => {
    const fields = Array.from({ length: 12 }, (_, i) => ({
      name: `field_${i}`,
      type: ['null', 'string'],
      default: null,
      doc: 'padding',
    }));
    const large = record('Large', fields);
    const bytes = Buffer.byteLength(large);
    expect(bytes).toBeGreaterThan(400);
    const expected = {
      error_code: 42209,
      message: `Register operation failed because schema is too large: ${bytes} bytes, the limit is 400`,
    };
    const res = await r.post('/subjects/shop.large-value/versions', { schema: large });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual(expected);
    expect((await r.post('/schemas/shop.large-value/validate', { schema: large })).json()).toEqual(expected);
    expect((await r.get('/subjects/shop.large-value/versions', basic(ADMIN))).json()).toMatchObject({
      error_code: 40401,
    });
  });
});
