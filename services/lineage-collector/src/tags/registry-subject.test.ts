import { describe, expect, it } from 'vitest';
import { registrySubject } from './registry-subject.ts';

describe('registrySubject', () => {
  const prefixes = { shop: 'shop_cdc' };

  it("reads a Kafka topic's value subject", () => {
    expect(registrySubject({ namespace: 'kafka://broker:9092', name: 'shop.public.customer' }, {})).toBe(
      'shop.public.customer-value',
    );
  });

  it('reads a Postgres table through the topic prefix of its database, only when one is mapped', () => {
    const pg = { namespace: 'postgres://oltp:5432', name: 'shop.public.customer' };
    expect(registrySubject(pg, prefixes)).toBe('shop_cdc.public.customer-value');
    expect(registrySubject({ ...pg, namespace: 'postgresql://oltp:5432' }, prefixes)).toBe(
      'shop_cdc.public.customer-value',
    );
    expect(registrySubject(pg, {})).toBeNull();
    expect(registrySubject({ ...pg, name: 'crm.public.customer' }, prefixes)).toBeNull();
    // Not <database>.<schema>.<table>: nothing to derive a topic from.
    expect(registrySubject({ ...pg, name: 'shop.customer' }, prefixes)).toBeNull();
    expect(registrySubject({ ...pg, name: 'shop.public.customer.extra' }, prefixes)).toBeNull();
    // An inherited property is not a mapping.
    expect(registrySubject({ ...pg, name: 'constructor.public.customer' }, prefixes)).toBeNull();
  });

  it('asks nothing for other namespaces', () => {
    expect(registrySubject({ namespace: 's3://bucket', name: 'shop.public.customer' }, prefixes)).toBeNull();
  });
});
