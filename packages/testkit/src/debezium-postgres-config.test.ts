import { describe, expect, it } from 'vitest';
import { debeziumPostgresConfig, DEBEZIUM_POSTGRES_CONNECTOR } from './debezium-postgres-config.ts';

describe('debeziumPostgresConfig', () => {
  it('captures the URL database over pgoutput with a filtered publication', () => {
    const config = debeziumPostgresConfig({
      databaseUrl: 'postgres://postgres:p%40ss@127.0.0.1:5433/shop',
      topicPrefix: 'tabc',
      tables: ['public.customer', 'public.app_user'],
      slotName: 'tabc_shop',
    });
    expect(config).toMatchObject({
      'connector.class': DEBEZIUM_POSTGRES_CONNECTOR,
      'database.hostname': '127.0.0.1',
      'database.port': '5433',
      'database.user': 'postgres',
      'database.password': 'p@ss',
      'database.dbname': 'shop',
      'topic.prefix': 'tabc',
      'plugin.name': 'pgoutput',
      'slot.name': 'tabc_shop',
      'publication.name': 'tabc_shop_pub',
      'publication.autocreate.mode': 'filtered',
      'table.include.list': 'public.customer,public.app_user',
      'snapshot.mode': 'initial',
      'decimal.handling.mode': 'string',
      'value.converter.schemas.enable': 'false',
    });
  });

  it('takes the database, schemas, decimal mode and extras when given', () => {
    const config = debeziumPostgresConfig({
      databaseUrl: 'postgres://u:p@localhost/postgres',
      database: 'other',
      topicPrefix: 'p',
      tables: ['s.t'],
      slotName: 'slot',
      publicationName: 'pub',
      schemas: true,
      decimalHandling: 'precise',
      extra: { 'snapshot.mode': 'no_data' },
    });
    expect(config['database.port']).toBe('5432');
    expect(config['database.dbname']).toBe('other');
    expect(config['publication.name']).toBe('pub');
    expect(config['key.converter.schemas.enable']).toBe('true');
    expect(config['decimal.handling.mode']).toBe('precise');
    expect(config['snapshot.mode']).toBe('no_data');
  });
});
