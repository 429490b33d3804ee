import { describe, expect, it } from 'vitest';
import { parseTableTopic, tableTopic, valueSubject } from './topics.ts';

describe('topics', () => {
  it('round-trips a Debezium table topic, with dots in the prefix', () => {
    expect(tableTopic('shop', 'public', 'customer')).toBe('shop.public.customer');
    expect(parseTableTopic('shop.public.customer')).toEqual({
      prefix: 'shop',
      schema: 'public',
      table: 'customer',
    });
    expect(parseTableTopic('eu.prod.shop.public.customer')).toEqual({
      prefix: 'eu.prod.shop',
      schema: 'public',
      table: 'customer',
    });
  });

  it('refuses what is not a table topic', () => {
    expect(parseTableTopic('customer')).toBeNull();
    expect(parseTableTopic('public.customer')).toBeNull();
    expect(parseTableTopic('shop..customer')).toBeNull();
  });

  it('names subjects by the TopicNameStrategy', () => {
    expect(valueSubject('shop.public.customer')).toBe('shop.public.customer-value');
  });
});
