import { describe, expect, it } from 'vitest';
import { OpenLineage } from '../events/event-builder.ts';
import { kafkaMessageKey } from './kafka-message-key.ts';

const ol = new OpenLineage({ producer: 'https://example.com/producer' });

describe('kafkaMessageKey (as the Python client forms it)', () => {
  it('dataset and job events', () => {
    expect(
      kafkaMessageKey(ol.datasetEvent({ dataset: ol.dataset('postgres://h:5432', 'db.public.t') })),
    ).toBe('dataset:postgres://h:5432/db.public.t');
    expect(kafkaMessageKey(ol.jobEvent({ job: { namespace: 'spine', name: 'cdc.shop' } }))).toBe(
      'job:spine/cdc.shop',
    );
  });

  it('run events: the root job, else the parent job, else the own job', () => {
    const root = ol.run({ namespace: 'airflow', name: 'dag' });
    const child = ol.run({ namespace: 'airflow', name: 'dag.task' }, { parent: root });
    const grandchild = ol.run({ namespace: 'spark', name: 'app.stage' }, { parent: child });
    expect(kafkaMessageKey(root.start())).toBe('run:airflow/dag');
    expect(kafkaMessageKey(child.start())).toBe('run:airflow/dag');
    expect(kafkaMessageKey(grandchild.complete())).toBe('run:airflow/dag');
    const parentOnly = ol.runEvent({
      eventType: 'START',
      job: { namespace: 'spark', name: 'x' },
      run: {
        facets: {
          parent: ol.parent({ run: { runId: root.runId }, job: { namespace: 'p-ns', name: 'p-job' } }),
        },
      },
    });
    expect(kafkaMessageKey(parentOnly)).toBe('run:p-ns/p-job');
  });

  it('a parent facet without a job name falls back to the own job', () => {
    const event = ol.runEvent({
      eventType: 'START',
      job: { namespace: 'ns', name: 'own' },
      run: {
        facets: { parent: { ...ol.parent({ run: { runId: 'r' }, job: { namespace: 'p', name: '' } }) } },
      },
    });
    expect(kafkaMessageKey(event)).toBe('run:ns/own');
  });
});
