import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { runServer } from '@data-spine/service-kit';
import type { RunningServer } from '@data-spine/service-kit';
import { ADMIN, startRegistry } from './registry-harness.ts';
import type { RegistryHarness } from './registry-harness.ts';

/**
 * The Protobuf and JSON Schema halves of the client contract: @kafkajs/confluent-schema-registry, a client
 * nobody here wrote, registers, references, encodes and decodes through our registry over real HTTP.
 */
describe('schema registry with @kafkajs/confluent-schema-registry: Protobuf and JSON Schema', () => {
  let r: RegistryHarness;
  let server: RunningServer;
  let client: SchemaRegistry;
  beforeAll(async () => {
    r = await startRegistry('registry-kafkajs');
    server = await runServer(r.app, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 2_000,
      exit: false,
      signals: [],
    });
    // The client's Ajv is strict; Confluent's inline `confluent:tags` is a keyword it must be told about.
    client = new SchemaRegistry(
      { host: server.url, auth: { username: ADMIN.key, password: ADMIN.secret } },
      { [SchemaType.JSON]: { strict: false } },
    );
  });
  afterAll(async () => {
    await server?.shutdown('test');
    await r?.close();
  });

  it('registers a Protobuf schema that imports another, and round-trips a message', async () => {
    const money =
      'syntax = "proto3";\npackage shop;\n\nmessage Money {\n  int64 units = 1;\n  string currency = 2;\n}\n';
    const order =
      'syntax = "proto3";\npackage shop;\n\nimport "shop/money.proto";\n\nmessage Order {\n  string id = 1;\n  shop.Money total = 2;\n  repeated string skus = 3;\n}\n';
    const moneyReg = await client.register(
      { type: SchemaType.PROTOBUF, schema: money },
      { subject: 'shop/money.proto' },
    );
    const { id } = await client.register(
      {
        type: SchemaType.PROTOBUF,
        schema: order,
        references: [{ name: 'shop/money.proto', subject: 'shop/money.proto', version: 1 }],
      },
      { subject: 'shop.orders-value' },
    );
    expect(id).not.toBe(moneyReg.id);
    const message = { id: 'o-1', total: { units: 42, currency: 'EUR' }, skus: ['a', 'b'] };
    const payload = await client.encode(id, message);
    expect(payload[0]).toBe(0);
    expect(payload.readInt32BE(1)).toBe(id);
    const fresh = new SchemaRegistry({ host: server.url });
    const decoded = (await fresh.decode(payload)) as {
      id: string;
      total: { units: unknown; currency: string };
      skus: string[];
    };
    expect(decoded.id).toBe('o-1');
    expect(Number(decoded.total.units)).toBe(42);
    expect(decoded.skus).toEqual(['a', 'b']);
    expect((await r.get(`/subjects/shop%2Fmoney.proto/versions/1/referencedby`)).json()).toEqual([id]);
    const del = await r.app.inject({
      method: 'DELETE',
      url: '/subjects/shop%2Fmoney.proto/versions/1',
      headers: { authorization: 'Basic ' + Buffer.from(`${ADMIN.key}:${ADMIN.secret}`).toString('base64') },
    });
    expect(del.json().error_code).toBe(42206);
  });

  it('refuses a Protobuf change outside the wire-compatible group through the client', async () => {
    const v1 = 'syntax = "proto3";\npackage shop;\nmessage Sku { string code = 1; int32 stock = 2; }\n';
    const v2 = 'syntax = "proto3";\npackage shop;\nmessage Sku { string code = 1; string stock = 2; }\n';
    await client.register({ type: SchemaType.PROTOBUF, schema: v1 }, { subject: 'shop.sku-value' });
    await expect(
      client.register({ type: SchemaType.PROTOBUF, schema: v2 }, { subject: 'shop.sku-value' }),
    ).rejects.toThrow(/incompatible/i);
  });

  it('registers a JSON Schema with a $ref to another subject, validates on encode, and decodes', async () => {
    const address = JSON.stringify({
      $id: 'https://shop.example/address.json',
      type: 'object',
      properties: {
        city: { type: 'string', 'confluent:tags': ['PII'] },
        country: { type: 'string', minLength: 2, maxLength: 2 },
      },
      required: ['country'],
    });
    await client.register({ type: SchemaType.JSON, schema: address }, { subject: 'shop.address-json' });
    const customer = JSON.stringify({
      $id: 'https://shop.example/customer.json',
      type: 'object',
      properties: {
        id: { type: 'string' },
        address: { $ref: 'https://shop.example/address.json', 'confluent:tags': ['PII'] },
      },
      required: ['id'],
    });
    const { id } = await client.register(
      {
        type: SchemaType.JSON,
        schema: customer,
        references: [{ name: 'https://shop.example/address.json', subject: 'shop.address-json', version: 1 }],
      },
      { subject: 'shop.customer-json-value' },
    );
    const value = { id: 'c-1', address: { city: 'Lyon', country: 'FR' } };
    const payload = await client.encode(id, value);
    expect(
      await new SchemaRegistry({ host: server.url }, { [SchemaType.JSON]: { strict: false } }).decode(
        payload,
      ),
    ).toEqual(value);
    await expect(client.encode(id, { id: 'c-2', address: { country: 'France' } })).rejects.toThrow();
    expect((await r.get(`/schemas/ids/${id}`)).json()).toMatchObject({
      schemaType: 'JSON',
      references: [{ subject: 'shop.address-json', version: 1 }],
    });
  });

  it('refuses a missing reference, naming it', async () => {
    const res = await r.post('/subjects/shop.dangling-value/versions', {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3";\nimport "nowhere.proto";\nmessage X { nowhere.Y y = 1; }\n',
      references: [{ name: 'nowhere.proto', subject: 'nowhere.proto', version: 1 }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error_code: 42201 });
    expect(res.json().message).toContain('nowhere.proto');
  });
});
