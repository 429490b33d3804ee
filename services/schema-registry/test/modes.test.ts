import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, PRODUCER, startRegistry } from './registry-harness.ts';
import type { RegistryHarness } from './registry-harness.ts';

const record = (name: string, extra: Array<Record<string, unknown>> = []) =>
  JSON.stringify({
    type: 'record',
    name,
    namespace: 'shop',
    fields: [{ name: 'id', type: 'string', doc: 'key' }, ...extra],
  });
const withStatus = (name: string) =>
  record(name, [{ name: 'status', type: 'string', default: 'new', doc: 'lifecycle' }]);

/** Confluent's modes: READONLY refuses writes, IMPORT keeps the ids and versions another registry gave. */
describe('schema registry: READONLY, IMPORT and back to READWRITE', () => {
  let r: RegistryHarness;
  beforeAll(async () => {
    r = await startRegistry('registry-modes');
  });
  afterAll(async () => r?.close());

  it('refuses every write to a READONLY subject with 42205, and takes them again in READWRITE', async () => {
    const subject = 'shop.frozen-value';
    expect((await r.post(`/subjects/${subject}/versions`, { schema: record('Frozen') })).statusCode).toBe(
      200,
    );
    expect((await r.put(`/mode/${subject}`, { mode: 'READONLY' })).json()).toEqual({ mode: 'READONLY' });
    const refused = [
      await r.post(`/subjects/${subject}/versions`, { schema: withStatus('Frozen') }, basic(PRODUCER)),
      await r.del(`/subjects/${subject}`),
      await r.del(`/subjects/${subject}/versions/1`),
      await r.del(`/subjects/${subject}/versions/latest`, basic(PRODUCER)),
      await r.post(`/contracts/${subject}/rollback`, { reason: 'x' }),
    ];
    for (const res of refused) {
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ error_code: 42205, message: `Subject ${subject} is in read-only mode` });
    }
    expect((await r.put(`/mode/${subject}`, { mode: 'READWRITE' })).statusCode).toBe(200);
    const ok = await r.post(`/subjects/${subject}/versions`, { schema: withStatus('Frozen') });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await r.get(`/subjects/${subject}/versions`)).json()).toEqual([1, 2]);
  });

  it('refuses IMPORT where the subject has versions unless force=true, as Confluent does', async () => {
    const subject = 'shop.frozen-value';
    const refused = await r.put(`/mode/${subject}`, { mode: 'IMPORT' });
    expect(refused.json()).toEqual({
      error_code: 42205,
      message: 'Cannot import since found existing subjects',
    });
    expect((await r.put('/mode', { mode: 'IMPORT' })).json()).toMatchObject({ error_code: 42205 });
    expect((await r.get('/mode')).json()).toEqual({ mode: 'READWRITE' });
    expect((await r.put(`/mode/${subject}?force=true`, { mode: 'IMPORT' })).json()).toEqual({
      mode: 'IMPORT',
    });
    expect((await r.put(`/mode/${subject}`, { mode: 'READWRITE' })).statusCode).toBe(200);
    const { rows } = await r.ctx.sql<{ result: string; detail: Record<string, unknown> }>(
      `select result, detail from registry_audit where action = 'set-mode' and subject = $1 order by id`,
      [subject],
    );
    expect(rows.map((row) => row.result)).toEqual(['ok', 'ok', 'refused', 'ok', 'ok']);
    expect(rows[3]?.detail).toEqual({ force: true, from: 'READWRITE', to: 'IMPORT' });
  });

  it('keeps the id and version an import gives, and refuses what would overwrite another', async () => {
    const subject = 'shop.imported-value';
    expect((await r.put(`/mode/${subject}`, { mode: 'IMPORT' })).json()).toEqual({ mode: 'IMPORT' });
    const first = await r.post(
      `/subjects/${subject}/versions`,
      { schema: record('Imported'), id: 500, version: 3 },
      basic(PRODUCER),
    );
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ id: 500 });
    expect((await r.get(`/subjects/${subject}/versions`)).json()).toEqual([3]);
    expect((await r.get(`/subjects/${subject}/versions/3`)).json()).toMatchObject({ version: 3, id: 500 });
    expect((await r.get('/schemas/ids/500')).json()).toEqual({ schema: record('Imported') });
    // Again, as a retried import would: the same answer.
    expect(
      (
        await r.post(`/subjects/${subject}/versions`, { schema: record('Imported'), id: 500, version: 3 })
      ).json(),
    ).toEqual({ id: 500 });
    // IMPORT skips compatibility: history is taken as it was.
    const breaking = await r.post(`/subjects/${subject}/versions`, {
      schema: record('Imported', [{ name: 'tier', type: 'int', doc: 'level' }]),
      id: 510,
    });
    expect(breaking.json()).toEqual({ id: 510 });
    expect((await r.get(`/subjects/${subject}/versions`)).json()).toEqual([3, 4]);

    const frozenId = (await r.get('/subjects/shop.frozen-value/versions/1')).json<{ id: number }>().id;
    const overwrite = await r.post(`/subjects/${subject}/versions`, {
      schema: record('Other'),
      id: frozenId,
    });
    expect(overwrite.statusCode).toBe(422);
    expect(overwrite.json()).toEqual({
      error_code: 42205,
      message: `Overwrite new schema with id ${frozenId} is not permitted.`,
    });
    const versionTaken = await r.post(`/subjects/${subject}/versions`, {
      schema: record('Other'),
      id: 520,
      version: 3,
    });
    expect(versionTaken.json()).toMatchObject({ error_code: 42205 });
    expect(versionTaken.json().message).toContain('Version 3 of subject shop.imported-value exists');
    const otherId = await r.post(`/subjects/${subject}/versions`, { schema: record('Frozen'), id: 530 });
    // Confluent's IdDoesNotMatchException.
    expect(otherId.json()).toEqual({
      error_code: 42207,
      message: `Schema already registered with id ${frozenId} instead of input id 530`,
    });
    const noId = await r.post(`/subjects/${subject}/versions`, { schema: record('Other') });
    expect(noId.json()).toEqual({
      error_code: 42205,
      message: `Subject ${subject} is not in read-write mode`,
    });
    // Nothing refused was kept, and no id went to the refused attempts' schemas.
    expect((await r.get(`/subjects/${subject}/versions`)).json()).toEqual([3, 4]);
    expect((await r.get('/schemas/ids/520')).json()).toMatchObject({ error_code: 40403 });
  });

  it('refuses an explicit id or version outside IMPORT mode', async () => {
    const res = await r.post('/subjects/shop.plain-value/versions', { schema: record('Plain'), id: 900 });
    expect(res.json()).toEqual({
      error_code: 42205,
      message: 'Subject shop.plain-value is not in import mode',
    });
    const v = await r.post('/subjects/shop.plain-value/versions', { schema: record('Plain'), version: 7 });
    expect(v.json()).toMatchObject({ error_code: 42205 });
  });

  it('back in READWRITE, gives the next registration a fresh id above every imported one', async () => {
    const subject = 'shop.imported-value';
    expect((await r.put(`/mode/${subject}`, { mode: 'READWRITE' })).statusCode).toBe(200);
    const next = await r.post(`/subjects/${subject}/versions`, {
      schema: record('Imported', [
        { name: 'tier', type: 'int', doc: 'level' },
        { name: 'note', type: ['null', 'string'], default: null, doc: 'free text' },
      ]),
    });
    expect(next.statusCode, next.body).toBe(200);
    // Above the highest id imported (510); the refused ones (520, 530) did not move the sequence.
    expect(next.json()).toEqual({ id: 511 });
    expect((await r.get(`/subjects/${subject}/versions`)).json()).toEqual([3, 4, 5]);
    // A brand-new schema elsewhere gets a fresh id too: the sequence moved past the imports.
    const elsewhere = await r.post('/subjects/shop.after-import-value/versions', { schema: record('After') });
    expect(elsewhere.statusCode, elsewhere.body).toBe(200);
    expect(elsewhere.json<{ id: number }>().id).toBeGreaterThan(next.json<{ id: number }>().id);
  });

  it('never hands an id out twice when imports and registrations run at once', async () => {
    const fresh = await startRegistry('registry-modes-race');
    try {
      const imports = Array.from({ length: 12 }, (_, i) => ({
        subject: `shop.race-import-${i}-value`,
        schema: record(`RaceImport${i}`),
        id: 3 + i * 2,
      }));
      for (const { subject } of imports)
        expect((await fresh.put(`/mode/${subject}`, { mode: 'IMPORT' })).statusCode).toBe(200);
      const writes = Array.from({ length: 24 }, (_, i) => ({
        subject: `shop.race-write-${i}-value`,
        schema: record(`RaceWrite${i}`),
      }));
      const results = await Promise.all([
        ...imports.map((w) => fresh.post(`/subjects/${w.subject}/versions`, { schema: w.schema, id: w.id })),
        ...writes.map((w) => fresh.post(`/subjects/${w.subject}/versions`, { schema: w.schema })),
      ]);
      const given = new Map<number, string>();
      [...imports, ...writes].forEach((w, i) => {
        const res = results[i];
        expect(res?.statusCode, res?.body).toBeLessThan(500);
        if (res?.statusCode !== 200) {
          // An import may find its id taken by a registration that came first: refused, never a 500.
          expect(res?.json().message).toMatch(/^Overwrite new schema with id \d+ is not permitted\.$/);
          return;
        }
        const { id } = res.json<{ id: number }>();
        if ('id' in w) expect(id).toBe(w.id);
        expect(given.has(id), `id ${id} given twice`).toBe(false);
        given.set(id, w.schema);
      });
      expect(results.slice(imports.length).every((res) => res.statusCode === 200)).toBe(true);
      for (const [id, schema] of given)
        expect((await fresh.get(`/schemas/ids/${id}`)).json()).toEqual({ schema });
      const last = await fresh.post('/subjects/shop.race-last-value/versions', {
        schema: record('RaceLast'),
      });
      expect(last.json<{ id: number }>().id).toBeGreaterThan(Math.max(...given.keys()));
    } finally {
      await fresh.close();
    }
  });

  it('moves the sequence under a global IMPORT of an empty registry too', async () => {
    const fresh = await startRegistry('registry-modes-global');
    try {
      expect((await fresh.put('/mode', { mode: 'IMPORT' })).json()).toEqual({ mode: 'IMPORT' });
      expect(
        (await fresh.post('/subjects/a-value/versions', { schema: record('A'), id: 1, version: 1 })).json(),
      ).toEqual({ id: 1 });
      expect(
        (await fresh.post('/subjects/b-value/versions', { schema: record('B'), id: 40, version: 2 })).json(),
      ).toEqual({ id: 40 });
      expect((await fresh.put('/mode', { mode: 'READWRITE' })).statusCode).toBe(200);
      const res = await fresh.post('/subjects/c-value/versions', { schema: record('C') });
      expect(res.json()).toEqual({ id: 41 });
      expect((await fresh.get('/subjects/b-value/versions')).json()).toEqual([2]);
    } finally {
      await fresh.close();
    }
  });
});
