import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecisionResponse, BatchResponse, PolicyInfo } from '../src/index.ts';
import { verifyAuditLines } from '../src/audit/verify-audit.ts';
import { signText } from '../src/audit/signing-key.ts';
import { sha256 } from '../src/audit/audit-record.ts';
import { canonicalize } from '../src/jcs/canonical-json.ts';
import { ADMIN, basic, customerRequest, READER, startGate } from './gate-harness.ts';
import type { Gate } from './gate-harness.ts';

describe('residency gate over HTTP, audit in real Postgres', () => {
  let gate: Gate;
  beforeAll(async () => {
    gate = await startGate('gate-api', { SPINE_GATE_CHECKPOINT_EVERY: '5' });
  });
  afterAll(async () => {
    await gate?.close();
  });

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    gate.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('decides a route with DESIGN.md shapes, the policy version and digest', async () => {
    const res = await post('/v1/decisions', customerRequest());
    expect(res.statusCode).toBe(200);
    expect(res.headers['server-timing']).toContain('decide');
    const body = DecisionResponse.parse(res.json());
    const policy = PolicyInfo.parse((await gate.app.inject({ url: '/v1/policy' })).json());
    expect(body).toMatchObject({
      decision: 'allow_with_obligations',
      enforced: true,
      policy: { version: policy.version, digest: policy.digest },
      fields: [
        { name: 'email', verdict: 'hash', rule: 'pii-eea-export' },
        { name: 'country', verdict: 'allow', rule: 'business-data' },
      ],
    });
    expect(body.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.explanation).toContain('email must be replaced by a keyed hash');
  });

  it('answers a batch in order, against one policy', async () => {
    const decisions = [
      customerRequest(),
      customerRequest({ fields: [{ name: 'card', tags: ['pci'] }] }),
      customerRequest({ classification: 'public', fields: [{ name: 'page', tags: [] }] }),
    ];
    const res = await post('/v1/decisions:batch', { decisions });
    expect(res.statusCode).toBe(200);
    const body = BatchResponse.parse(res.json());
    expect(body.decisions.map((d) => d.decision)).toEqual(['allow_with_obligations', 'deny', 'allow']);
    expect(new Set(body.decisions.map((d) => d.decision_id)).size).toBe(3);
  });

  it('refuses bad input with stable codes and pointers', async () => {
    const cases: Array<[unknown, number, string, string?]> = [
      ['{"route":', 400, 'SPINE_MALFORMED_JSON'],
      [{ route: { source: {} } }, 400, 'GATE_INVALID_REQUEST', '/route/source/dataset'],
      [
        customerRequest({
          fields: [
            { name: 'email', tags: ['pii'] },
            { name: 'email', tags: [] },
          ],
        }),
        400,
        'GATE_DUPLICATE_FIELD',
        '/fields/1/name',
      ],
      [customerRequest({ fields: undefined }), 400, 'GATE_FIELDS_REQUIRED', '/fields'],
      [
        customerRequest({ fields: [{ name: 'a\u0000b', tags: [] }] }),
        400,
        'GATE_INVALID_REQUEST',
        '/fields/0/name',
      ],
      [customerRequest({ fields: 'email' }), 400, 'GATE_INVALID_REQUEST', '/fields'],
    ];
    for (const [body, status, code, pointer] of cases) {
      const res = await post('/v1/decisions', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      const json = res.json<{ code: string; issues?: Array<{ pointer: string }> }>();
      expect(json.code).toBe(code);
      if (pointer) expect(json.issues?.map((i) => i.pointer)).toContain(pointer);
    }
    const badBatch = await post('/v1/decisions:batch', { decisions: [customerRequest(), { route: 1 }] });
    expect(badBatch.statusCode).toBe(400);
    expect(badBatch.json<{ issues: Array<{ pointer: string }> }>().issues[0]?.pointer).toBe(
      '/decisions/1/route',
    );
    expect((await post('/v1/decisions:batch', { nope: [] })).json()).toMatchObject({
      code: 'GATE_INVALID_REQUEST',
    });
  });

  it('refuses a batch over 10,000 routes with 413 and a body over the limit with 413', async () => {
    const small = {
      route: {
        source: { dataset: 'd', region: 'eu-west-1' },
        sink: { id: 'analytics-eu', region: 'eu-west-1' },
        purpose: 'analytics',
      },
      classification: 'public',
      fields: [],
    };
    const res = await post('/v1/decisions:batch', { decisions: Array.from({ length: 10_001 }, () => small) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'GATE_BATCH_TOO_LARGE' });
    const big = await post('/v1/decisions', customerRequest({ padding: 'x'.repeat(1_100_000) }));
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 'SPINE_BODY_TOO_LARGE' });
    const ok = await post('/v1/decisions:batch', { decisions: Array.from({ length: 10_000 }, () => small) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<{ decisions: unknown[] }>().decisions).toHaveLength(10_000);
  });

  it('looks fields up in the registry by subject, and denies when it cannot answer', async () => {
    const res = await post(
      '/v1/decisions',
      customerRequest({
        fields: undefined,
        classification: undefined,
        subject: 'shop.public.customer-value',
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      decision: 'deny',
      reasons: [{ code: 'RESIDENCY_CONTRACT_UNAVAILABLE' }],
    });
  });

  it('appends every decision to a verifiable, append-only audit log with no field values', async () => {
    await post('/v1/decisions', customerRequest());
    expect((await gate.app.inject({ url: '/v1/audit' })).statusCode).toBe(401);
    expect(
      (await gate.app.inject({ url: '/v1/audit', headers: { authorization: basic(READER) } })).statusCode,
    ).toBe(403);
    const res = await gate.app.inject({ url: '/v1/audit', headers: { authorization: basic(ADMIN) } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const records = lines.filter((l) => l.type === 'decision');
    // 1 + 3 + 10,000 + 1 + 1 decisions so far (refused requests are not decisions).
    expect(records.length).toBe(10_006);
    expect(records[0]).toMatchObject({
      seq: 1,
      path: 'data_spine/residency/route',
      requested_by: 'anonymous',
      bundles: { residency: { revision: '2026.12.7' } },
    });
    expect(Object.keys(records[0] as object)).toEqual(
      expect.arrayContaining([
        'decision_id',
        'timestamp',
        'input',
        'input_hash',
        'result',
        'result_hash',
        'prev_hash',
        'hash',
      ]),
    );
    expect(lines.some((l) => l.type === 'checkpoint')).toBe(true);
    const key = (await gate.app.inject({ url: '/v1/audit/key' })).json<{ public_key: string }>();
    expect(key.public_key).toBe(gate.signingKey.publicKeyBase64);
    const report = verifyAuditLines(res.body, { publicKey: gate.signingKey.publicKey });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.range).toEqual({
      firstSeq: 1,
      lastSeq: 10_006,
      checkpoints: lines.filter((l) => l.type === 'checkpoint').length,
    });
    // The head signs the range: a record cut from the start is named.
    const cut = res.body.trim().split('\n').slice(1).join('\n');
    expect(verifyAuditLines(cut, { publicKey: gate.signingKey.publicKey }).problems[0]).toMatchObject({
      kind: 'removed',
      seq: 1,
    });
    // A range export that starts mid-chain verifies when it holds a checkpoint; one that holds none is
    // vouched for only by its head, so it is refused.
    const lastCheckpoint = Math.max(
      ...lines.filter((l) => l.type === 'checkpoint').map((l) => l.seq as number),
    );
    const from = lastCheckpoint - 2;
    const withCheckpoint = await gate.app.inject({
      url: `/v1/audit?from_seq=${from}`,
      headers: { authorization: basic(ADMIN) },
    });
    expect(verifyAuditLines(withCheckpoint.body, { publicKey: gate.signingKey.publicKey })).toMatchObject({
      ok: true,
      firstSeq: from,
      lastSeq: 10_006,
    });
    const withoutCheckpoint = await gate.app.inject({
      url: `/v1/audit?from_seq=${from}&to_seq=${from + 1}`,
      headers: { authorization: basic(ADMIN) },
    });
    const unsigned = verifyAuditLines(withoutCheckpoint.body, { publicKey: gate.signingKey.publicKey });
    expect(unsigned).toMatchObject({ ok: false, records: 2 });
    expect(unsigned.problems.map((p) => p.kind)).toEqual(['unsigned']);
    expect(
      (await gate.app.inject({ url: '/v1/audit?tail=abc', headers: { authorization: basic(ADMIN) } })).json(),
    ).toMatchObject({ code: 'GATE_INVALID_QUERY' });

    // The service's role cannot change history; even the owner is stopped by the trigger.
    const client = new pg.Client({ connectionString: gate.ctx.databaseUrl });
    await client.connect();
    try {
      await client.query('set role spine_gate_app');
      await expect(client.query('delete from gate_audit_block where first_seq = 1')).rejects.toThrow(
        /permission denied/,
      );
      await expect(
        client.query("update gate_audit_block set hashes = 'x' where first_seq = 1"),
      ).rejects.toThrow(/permission denied/);
      await expect(
        client.query(
          "insert into gate_audit (seq, decision_id, ts, record, hash) values (0, 'x', now(), '{}', 'x')",
        ),
      ).rejects.toThrow(/permission denied/);
      await client.query('reset role');
      await expect(
        client.query("update gate_audit_block set hashes = 'x' where first_seq = 1"),
      ).rejects.toThrow(/append-only/);
      await expect(client.query('delete from gate_audit_checkpoint')).rejects.toThrow(/append-only/);
      await expect(client.query('truncate gate_audit_block')).rejects.toThrow(/append-only/);
      await expect(client.query('truncate gate_audit')).rejects.toThrow(/append-only/);
      const { rows } = await client.query<{ n: string }>(
        'select sum(last_seq - first_seq + 1) as n from gate_audit_block',
      );
      expect(Number(rows[0]?.n)).toBe(10_006);
    } finally {
      await client.end();
    }
  });

  it('PUT /v1/policy needs the admin key, swaps atomically and keeps the last good policy on invalid input', async () => {
    const text = readFileSync(gate.matrixFile, 'utf8').replace(
      "version: '2026.12.7'",
      "version: '2026.12.2'",
    );
    const put = (body: unknown, auth?: string) =>
      gate.app.inject({
        method: 'PUT',
        url: '/v1/policy',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        payload: JSON.stringify(body),
      });
    expect((await put({ matrix: text })).statusCode).toBe(401);
    expect((await put({ matrix: text }, basic(READER))).statusCode).toBe(403);
    const ok = await put({ matrix: text }, basic(ADMIN));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ version: '2026.12.2', signed: false });
    expect((await post('/v1/decisions', customerRequest())).json()).toMatchObject({
      policy: { version: '2026.12.2' },
    });

    const bad = await put({ matrix: text.replace('retention: P1Y }', 'retention: soon }') }, basic(ADMIN));
    expect(bad.statusCode).toBe(422);
    const badBody = bad.json<{ code: string; issues: Array<{ pointer: string; message: string }> }>();
    expect(badBody.code).toBe('GATE_POLICY_INVALID');
    expect(badBody.issues[0]?.pointer).toMatch(/^\/sinks\/.+\/retention$/);
    expect(badBody.issues[0]?.message).toMatch(/^line \d+: /);
    expect((await post('/v1/decisions', customerRequest())).json()).toMatchObject({
      policy: { version: '2026.12.2' },
    });
    const ready = await gate.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.body).toContain('was refused; serving 2026.12.2');
    expect((await gate.app.inject({ url: '/metrics' })).body).toMatch(/spine_gate_policy_last_load_ok\S* 0/);

    // A YAML body is accepted too; the next good policy makes the gate ready again.
    const yaml = await gate.app.inject({
      method: 'PUT',
      url: '/v1/policy',
      headers: { 'content-type': 'application/yaml', authorization: basic(ADMIN) },
      payload: text.replace('2026.12.2', '2026.12.3'),
    });
    expect(yaml.json()).toMatchObject({ version: '2026.12.3' });
    expect((await gate.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('reports shadow rules (what enforcing them would have done) without unenforcing the answer', async () => {
    const text =
      readFileSync(gate.matrixFile, 'utf8').replace("version: '2026.12.7'", "version: 'shadow-1'") +
      '\n  - id: no-pii-to-us\n    shadow: true\n    match: { tags: [pii], to: [US] }\n    effect: deny\n';
    const put = await gate.app.inject({
      method: 'PUT',
      url: '/v1/policy',
      headers: { 'content-type': 'application/json', authorization: basic(ADMIN) },
      payload: JSON.stringify({ matrix: text }),
    });
    expect(put.statusCode).toBe(200);
    const d = (await post('/v1/decisions', customerRequest())).json<{
      decision: string;
      enforced: boolean;
      shadow: { decision: string };
    }>();
    // The answer comes from the enforced rules, so it is enforced; `shadow` says what the shadow rule would do.
    expect(d).toMatchObject({
      decision: 'allow_with_obligations',
      enforced: true,
      shadow: { decision: 'deny' },
    });
    expect((await gate.app.inject({ url: '/metrics' })).body).toMatch(
      /spine_gate_shadow_disagreements_total\S* [1-9]/,
    );
    // Global shadow mode: nothing enforced but unknown names, which are always denied.
    const global = text.replace('mode: enforce', 'mode: shadow').replace("'shadow-1'", "'shadow-2'");
    await gate.app.inject({
      method: 'PUT',
      url: '/v1/policy',
      headers: { 'content-type': 'application/json', authorization: basic(ADMIN) },
      payload: JSON.stringify({ matrix: global }),
    });
    const g = (
      await post('/v1/decisions', customerRequest({ fields: [{ name: 'card', tags: ['pci'] }] }))
    ).json<{ decision: string; enforced: boolean; shadow: { decision: string } }>();
    expect(g).toMatchObject({ decision: 'allow', enforced: false, shadow: { decision: 'deny' } });
    const req = customerRequest();
    const unknown = (
      await post('/v1/decisions', { ...req, route: { ...req.route, purpose: 'marketing' } })
    ).json<{ decision: string; enforced: boolean }>();
    expect(unknown).toMatchObject({ decision: 'deny', enforced: true });
    const unknownTag = (
      await post('/v1/decisions', customerRequest({ fields: [{ name: 'dna', tags: ['genetic'] }] }))
    ).json<{ decision: string; enforced: boolean; reasons: Array<{ code: string }> }>();
    expect(unknownTag).toMatchObject({ decision: 'deny', enforced: true });
    expect(unknownTag.reasons[0]?.code).toBe('RESIDENCY_UNKNOWN_TAG');
  });

  it('reloads the matrix file on change', async () => {
    const text = readFileSync(gate.matrixFile, 'utf8').replace(
      "version: '2026.12.7'",
      "version: 'from-file'",
    );
    writeFileSync(gate.matrixFile, text);
    await expect
      .poll(async () => (await gate.app.inject({ url: '/v1/policy' })).json<{ version: string }>().version, {
        timeout: 5_000,
      })
      .toBe('from-file');
  });

  it('exports the decision metrics', async () => {
    const m = (await gate.app.inject({ url: '/metrics' })).body;
    expect(m).toMatch(/spine_gate_decisions_total\{[^}]*outcome="deny"[^}]*\} \d+/);
    expect(m).toMatch(/spine_gate_decision_reasons_total\{[^}]*code="RESIDENCY_FIELD_HASHED"[^}]*\} \d+/);
    expect(m).toMatch(/spine_gate_evaluation_duration_seconds_bucket/);
    expect(m).toMatch(/spine_gate_audit_append_duration_seconds_bucket/);
    expect(m).toMatch(/spine_gate_policy_info\{[^}]*version="from-file"/);
  });
});

describe('signed policies required', () => {
  it('refuses an unsigned matrix at start', async () => {
    const { generateSigningKey } = await import('../src/audit/signing-key.ts');
    const signer = generateSigningKey();
    const keysFile = `${process.env.TMPDIR ?? '/tmp'}/gate-keys-${process.pid}.pem`;
    writeFileSync(keysFile, signer.publicKey.export({ type: 'spki', format: 'pem' }));
    await expect(
      startGate('gate-signed', {
        SPINE_GATE_REQUIRE_SIGNED_POLICY: 'true',
        SPINE_GATE_POLICY_KEYS_FILE: keysFile,
      }),
    ).rejects.toThrow(/not signed/);
  });
});

describe('signed bundle files', () => {
  it('uses the signature at <matrix>.sig', async () => {
    const { generateSigningKey } = await import('../src/audit/signing-key.ts');
    const signer = generateSigningKey();
    const first = await startGate('gate-sig');
    await first.app.close();
    const text = readFileSync(first.matrixFile, 'utf8');
    writeFileSync(`${first.matrixFile}.sig`, signText(signer, text));
    const keysFile = `${first.dir}/keys.pem`;
    writeFileSync(keysFile, signer.publicKey.export({ type: 'spki', format: 'pem' }));
    const gate = await startGate(
      'gate-sig',
      { SPINE_GATE_REQUIRE_SIGNED_POLICY: 'true', SPINE_GATE_POLICY_KEYS_FILE: keysFile },
      first,
    );
    try {
      expect((await gate.app.inject({ url: '/v1/policy' })).json()).toMatchObject({
        signed: true,
        key_id: signer.keyId,
      });
    } finally {
      await gate.app.close();
      await first.ctx[Symbol.asyncDispose]();
    }
  });
});

describe('contracts from a real schema registry', () => {
  it('decides on the registered tags, and denies once the registry is gone and the cache is stale', async () => {
    const {
      buildApp: buildRegistry,
      DEFAULT_FORMATS,
      loadRegistryConfig,
    } = await import('@data-spine/schema-registry');
    const { createLogger, hashSecret, MemoryCredentialStore, runServer } =
      await import('@data-spine/service-kit');
    const { useTestContext } = await import('@data-spine/testkit');
    const regCtx = await useTestContext('gate-registry');
    const registry = await buildRegistry(
      loadRegistryConfig({ SPINE_DATABASE_URL: regCtx.databaseUrl, SPINE_LOG_LEVEL: 'silent' }),
      {
        formats: DEFAULT_FORMATS,
        logger: createLogger({ service: 'registry-for-gate', level: 'silent' }),
        credentials: new MemoryCredentialStore([
          { key: 'ci', secretHash: hashSecret('s'), roles: ['admin'], scopes: ['*'] },
        ]),
      },
    );
    const server = await runServer(registry, {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 2_000,
      exit: false,
      signals: [],
    });
    let gate: Gate | undefined;
    try {
      const schema = readFileSync(
        new URL('../../../schema/contracts/shop.public.customer.avsc', import.meta.url),
        'utf8',
      );
      const reg = await fetch(`${server.url}/subjects/shop.public.customer-value/versions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/vnd.schemaregistry.v1+json',
          authorization: `Basic ${Buffer.from('ci:s').toString('base64')}`,
        },
        body: JSON.stringify({
          schema,
          metadata: {
            properties: { 'data-spine.retention': 'P7Y', 'data-spine.classification': 'confidential' },
          },
        }),
      });
      expect(reg.status, await reg.clone().text()).toBe(200);
      gate = await startGate('gate-lookup', {
        SPINE_REGISTRY_URL: server.url,
        SPINE_GATE_CONTRACT_TTL_MS: '1000',
      });
      const ask = async () => {
        const req = customerRequest({
          fields: undefined,
          classification: undefined,
          subject: 'shop.public.customer-value',
        });
        const res = await gate!.app.inject({
          method: 'POST',
          url: '/v1/decisions',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(req),
        });
        return res.json<{
          decision: string;
          fields: Array<{ name: string; verdict: string }>;
          reasons: Array<{ code: string }>;
        }>();
      };
      const d = await ask();
      expect(d.decision).toBe('allow_with_obligations');
      expect(Object.fromEntries(d.fields.map((f) => [f.name, f.verdict]))).toMatchObject({
        id: 'allow',
        name: 'hash',
        email: 'hash',
        status: 'allow',
      });
      // Nested fields keep their tags: a PII recipient inside an array of shipments is hashed on its way out.
      const register = async (subject: string, body: Record<string, unknown>) => {
        const res = await fetch(`${server.url}/subjects/${subject}/versions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/vnd.schemaregistry.v1+json',
            authorization: `Basic ${Buffer.from('ci:s').toString('base64')}`,
          },
          body: JSON.stringify(body),
        });
        expect(res.status, await res.clone().text()).toBe(200);
      };
      await register('shop.public.order-value', {
        schema: JSON.stringify({
          type: 'record',
          name: 'Order',
          'data-spine:classification': 'confidential',
          fields: [
            { name: 'id', type: 'string' },
            {
              name: 'shipments',
              type: {
                type: 'array',
                items: {
                  type: 'record',
                  name: 'Shipment',
                  fields: [{ name: 'recipient', type: 'string', 'confluent:tags': ['PII'] }],
                },
              },
            },
          ],
        }),
      });
      await register('shop.public.blob-value', {
        schemaType: 'JSON',
        schema: JSON.stringify({ type: 'object', 'data-spine:classification': 'internal' }),
      });
      const bySubject = async (subject: string) =>
        (
          await gate!.app.inject({
            method: 'POST',
            url: '/v1/decisions',
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify(
              customerRequest({ fields: undefined, classification: undefined, subject }),
            ),
          })
        ).json<{
          decision: string;
          fields: Array<{ name: string; verdict: string }>;
          reasons: Array<{ code: string }>;
        }>();
      const order = await bySubject('shop.public.order-value');
      expect(order.decision).toBe('allow_with_obligations');
      expect(order.fields).toContainEqual({
        name: 'shipments.recipient',
        verdict: 'hash',
        rule: 'pii-eea-export',
      });
      // A contract that declares no field is unreadable: denied, never decided on the route alone.
      const blob = await bySubject('shop.public.blob-value');
      expect(blob.decision).toBe('deny');
      expect(blob.reasons[0]?.code).toBe('RESIDENCY_CONTRACT_UNREADABLE');

      // Looked up again if the entry went stale meanwhile, so it is fresh when the registry goes.
      expect((await ask()).decision).toBe('allow_with_obligations');
      await server.shutdown('test');
      expect((await ask()).decision).toBe('allow_with_obligations'); // fresh cache entry still answers
      await new Promise((r) => setTimeout(r, 1100));
      const stale = await ask();
      expect(stale.decision).toBe('deny');
      expect(stale.reasons[0]?.code).toBe('RESIDENCY_CONTRACT_UNAVAILABLE');
    } finally {
      await server.shutdown('test');
      await gate?.close();
      await regCtx[Symbol.asyncDispose]();
    }
  });
});

describe('large batches over HTTP', () => {
  let gate: Gate;
  beforeAll(async () => {
    gate = await startGate('gate-batch-bytes');
  });
  afterAll(async () => {
    await gate?.close();
  });
  const postTo = (g: Gate, url: string, payload: unknown) =>
    g.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });

  it('answers a large batch byte for byte as the single route would, non-ASCII names included', async () => {
    // Over 200 routes: decided in chunks, audited by the writer thread, the body copied from each
    // decision's bytes. A dataset and field named outside ASCII must come back intact.
    const odd = customerRequest({ fields: [{ name: 'prénom_🦀', tags: ['pii'] }] });
    odd.route.source.dataset = 'postgres://oltp:5432/boutique.public.clientèle_東京';
    const decisions = Array.from({ length: 450 }, (_, i) => (i % 3 === 0 ? odd : customerRequest()));
    const res = await postTo(gate, '/v1/decisions:batch', { decisions });
    expect(res.statusCode).toBe(200);
    const body = BatchResponse.parse(res.json());
    expect(body.decisions).toHaveLength(450);
    const single = DecisionResponse.parse((await postTo(gate, '/v1/decisions', odd)).json());
    const { decision_id: _a, ...expected } = single;
    const { decision_id: _b, ...got } = body.decisions[0] as typeof single;
    expect(got).toEqual(expected);
    expect(got.explanation).toContain('clientèle_東京');
    expect(got.fields.map((f) => f.name)).toContain('prénom_🦀');
  });

  it('audits each decision with its own input, memoized or not, with or without a subject', async () => {
    // A memoized decision keeps its input's canonical form and hash: every record must still hold the
    // input of its own request (two inputs, the same with other tags, one with a subject, interleaved).
    const a = customerRequest();
    const b = customerRequest({
      fields: [
        { name: 'email', tags: [] },
        { name: 'country', tags: [] },
      ],
    });
    const c = customerRequest({
      fields: [
        { name: 'country', tags: [] },
        { name: 'email', tags: ['pii'] },
      ],
    });
    const withSubject = { ...customerRequest(), subject: 'shop.public.customer-value' };
    const kinds = [a, b, c, withSubject];
    const decisions = Array.from({ length: 260 }, (_, i) => kinds[i % 4]);
    const batch = BatchResponse.parse((await postTo(gate, '/v1/decisions:batch', { decisions })).json());
    const single = DecisionResponse.parse((await postTo(gate, '/v1/decisions', c)).json());
    const asked = new Map<string, Record<string, unknown>>(
      batch.decisions.map((d, i) => [d.decision_id, decisions[i] as Record<string, unknown>]),
    );
    asked.set(single.decision_id, c);
    const res = await gate.app.inject({ url: '/v1/audit', headers: { authorization: basic(ADMIN) } });
    const records = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.type === 'decision' && asked.has(l.decision_id as string));
    expect(records).toHaveLength(261);
    for (const r of records) {
      expect(r.input).toEqual(asked.get(r.decision_id as string));
      expect(r.input_hash).toBe(sha256(canonicalize(r.input)));
    }
  });
});
