import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CaptureOptionsInvalid, createCapture } from './index.ts';
import type { CaptureLogger } from './index.ts';

const valid = {
  connectionString: 'postgres://u:p@127.0.0.1:1/db',
  topicPrefix: 'shop',
  tables: ['public.customer'],
  slotName: 'spine_shop',
  publicationName: 'spine_shop',
};

describe('createCapture', () => {
  it('takes a pino logger and connects nothing before start()', async () => {
    const logger: CaptureLogger = pino({ level: 'silent' });
    const capture = createCapture(valid, logger);
    await expect(capture.next()).rejects.toMatchObject({ code: 'CDC_CAPTURE_SOURCE_UNAVAILABLE' });
    expect(capture.positions()).toEqual({ delivered: 0n, acknowledged: 0n, reported: 0n });
    expect(() => capture.ack(1n)).toThrow(expect.objectContaining({ code: 'CDC_CAPTURE_ACK_INVALID' }));
    await capture.close();
  });

  it('reports every invalid option at once', () => {
    try {
      createCapture({ ...valid, tables: ['customer'], slotName: 'Has-Dash', batchMaxChanges: 0 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CaptureOptionsInvalid);
      const message = (err as Error).message;
      expect(message).toMatch(/tables\.0/);
      expect(message).toMatch(/slotName/);
      expect(message).toMatch(/batchMaxChanges/);
    }
  });
});
