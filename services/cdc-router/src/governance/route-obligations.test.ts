import { describe, expect, it } from 'vitest';
import type { SinkSpec } from '../routes-file/routes-model.ts';
import type { Decision } from './gate-client.ts';
import { routeObligations } from './route-obligations.ts';

const pgSink = { id: 'analytics-eu', type: 'postgres', region: 'eu-west-1' } as SinkSpec;
const kafkaSink = { id: 'events-eu', type: 'kafka', region: 'eu-west-1' } as SinkSpec;

function decision(obligations: Decision['obligations']): Decision {
  return {
    decision_id: 'd-1',
    decision: 'allow_with_obligations',
    enforced: true,
    policy: { version: 'v', digest: 'sha256:x' },
    fields: [],
    reasons: [],
    obligations,
  };
}

describe('routeObligations', () => {
  it('passes field obligations and transfer mechanisms (the verdicts and the gate carry them)', () => {
    const d = decision([
      { type: 'hash', field: 'email', rule: 'pii-eea-export' },
      { type: 'mask', field: 'card', rule: 'pci-same-region' },
      { type: 'drop', field: 'x', rule: 'r' },
      { type: 'transfer_mechanism', rule: 'pii-eea-export' },
    ]);
    expect(routeObligations(d, pgSink)).toEqual({ ok: true, retention: null });
    expect(routeObligations(d, kafkaSink)).toEqual({ ok: true, retention: null });
  });

  it('keeps the shortest retention cap for a Postgres sink', () => {
    const d = decision([
      { type: 'cap_retention', ttl: 'P1Y', rule: 'a' },
      { type: 'cap_retention', ttl: 'P90D', rule: 'pci-same-region' },
      { type: 'cap_retention', ttl: 'P6M', rule: 'c' },
    ]);
    expect(routeObligations(d, pgSink)).toEqual({
      ok: true,
      retention: { ttl: 'P90D', rule: 'pci-same-region' },
    });
  });

  it('refuses a cap a Kafka sink cannot keep, a cap without a valid ttl, and unknown obligations', () => {
    const cap = decision([{ type: 'cap_retention', ttl: 'P90D', rule: 'pci-same-region' }]);
    const onKafka = routeObligations(cap, kafkaSink);
    expect(onKafka.ok).toBe(false);
    expect(!onKafka.ok && onKafka.message).toContain('kafka sink events-eu');
    expect(routeObligations(decision([{ type: 'cap_retention', ttl: 'soon', rule: 'r' }]), pgSink).ok).toBe(
      false,
    );
    expect(routeObligations(decision([{ type: 'cap_retention', rule: 'r' }]), pgSink).ok).toBe(false);
    const unknown = routeObligations(decision([{ type: 'encrypt_at_rest', rule: 'future' }]), pgSink);
    expect(unknown).toEqual({
      ok: false,
      message: expect.stringContaining('encrypt_at_rest obligation (rule future)'),
    });
  });
});
