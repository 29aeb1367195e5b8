import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { harness, ping, PING, eventually, type Harness, type Ping } from '@esb/testing';
import { BusConsumer, BusProducer, EsbError, DLQ_HEADERS, topics, readConsumerLag, totalLag, headersToStrings } from '@esb/bus';

describe('BusConsumer on real Kafka and PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('consumer');
    await h.store.dataSource.query(`CREATE TABLE applied (event_id uuid, n int)`);
  });
  afterAll(() => h.close());

  it('applies good records once, retries retriable failures, and dead-letters the rest with error headers before committing', async () => {
    const topic = await h.topic('dlq');
    const group = `${h.name}-dlq`;
    const producer = new BusProducer(h.kafka, h.serde);
    const records = [ping(1), ping(2, { note: 'reject-me' }), ping(3, { note: 'flaky' }), ping(4, { note: 'always-down' }), ping(5)];
    await producer.send(records.map((v) => ({ topic, key: v.meta.eventId, recordType: PING, value: v })));
    // Bytes that are not Avro at all: a poison message must not stop the partition.
    const raw = h.kafka.producer();
    await raw.connect();
    await raw.send({ topic, messages: [{ key: 'garbage', value: Buffer.from('{"not":"avro"}'), headers: { origin: 'test' } }] });
    await producer.send([{ topic, key: 'after', recordType: PING, value: ping(6) }]);
    await raw.disconnect();
    await producer.disconnect();

    const flakyCalls: number[] = [];
    const consumer = new BusConsumer({
      kafka: h.kafka,
      serde: h.serde,
      store: h.store,
      groupId: group,
      topics: [topic],
      service: 'test',
      logger: h.logger,
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 },
      businessKeys: (m) => ({ n: String((m.value as unknown as Ping).n) }),
      handler: async (m, { tx, attempt }) => {
        const v = m.value as unknown as Ping;
        if (v.note === 'reject-me') throw new EsbError('ESB_VALIDATION', `Ping ${v.n}: field note says reject`, { businessKey: String(v.n) });
        if (v.note === 'flaky') {
          flakyCalls.push(attempt);
          if (attempt < 3) throw new EsbError('ESB_TARGET_UNAVAILABLE', 'target timed out');
        }
        if (v.note === 'always-down') throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
        await tx.manager.query(`INSERT INTO applied VALUES ($1, $2)`, [m.eventId, v.n]);
      },
    });
    await consumer.start();
    await eventually('all messages handled', async () => consumer.stats.applied + consumer.stats.deadLettered === 7);
    await eventually('offsets committed', async () => totalLag(await readConsumerLag(h.kafka, group, [topic])) === 0n);
    await consumer.stop();

    const applied: Array<{ n: number }> = await h.store.dataSource.query(`SELECT n FROM applied ORDER BY n`);
    expect(applied.map((r) => r.n)).toEqual([1, 3, 5, 6]);
    expect(flakyCalls).toEqual([1, 2, 3]);

    // Read the DLQ back: original bytes, original headers, and the failure context.
    const dlq = h.kafka.consumer({ groupId: `${h.name}-dlq-reader` });
    await dlq.connect();
    await dlq.subscribe({ topic: topics.dlq(group), fromBeginning: true });
    const dead: Array<{ key: string; value: Buffer; headers: Record<string, string> }> = [];
    await new Promise<void>((resolve) => {
      void dlq.run({
        eachMessage: async ({ message }) => {
          dead.push({ key: message.key!.toString(), value: message.value!, headers: headersToStrings(message.headers) });
          if (dead.length === 3) resolve();
        },
      });
    });
    await dlq.disconnect();

    const byKey = new Map(dead.map((d) => [d.key, d]));
    const rejected = byKey.get(records[1]!.meta.eventId)!;
    expect(rejected.headers).toMatchObject({
      [DLQ_HEADERS.code]: 'ESB_VALIDATION',
      [DLQ_HEADERS.class]: 'permanent',
      [DLQ_HEADERS.attempts]: '1',
      [DLQ_HEADERS.topic]: topic,
      [DLQ_HEADERS.partition]: '0',
      [DLQ_HEADERS.offset]: '1',
      [DLQ_HEADERS.group]: group,
    });
    expect(rejected.headers[DLQ_HEADERS.reason]).toContain('Ping 2: field note says reject');
    expect(rejected.headers[DLQ_HEADERS.stack]).toContain('EsbError');
    expect((await h.serde.decode<Ping>(rejected.value)).value).toEqual(records[1]);

    const down = byKey.get(records[3]!.meta.eventId)!;
    expect(down.headers).toMatchObject({ [DLQ_HEADERS.code]: 'ECONNREFUSED', [DLQ_HEADERS.class]: 'retriable-exhausted', [DLQ_HEADERS.attempts]: '3' });
    expect(Date.parse(down.headers[DLQ_HEADERS.lastFailure]!)).toBeGreaterThanOrEqual(Date.parse(down.headers[DLQ_HEADERS.firstFailure]!));

    const garbage = byKey.get('garbage')!;
    expect(garbage.value.toString()).toBe('{"not":"avro"}');
    expect(garbage.headers).toMatchObject({ origin: 'test', [DLQ_HEADERS.code]: 'ESB_DECODE', [DLQ_HEADERS.class]: 'permanent' });

    const log: Array<{ status: string; n: string | null }> = await h.store.dataSource.query(
      `SELECT status, business_keys->>'n' AS n FROM exchange_log WHERE status IN ('dlq', 'retry') ORDER BY id`,
    );
    expect(log.filter((l) => l.status === 'dlq').map((l) => l.n)).toEqual(['2', '4', null]);
    expect(log.filter((l) => l.status === 'retry')).toHaveLength(4);
  });

  it('reports lag per partition: committed offset against the high watermark', async () => {
    const topic = await h.topic('lag', 2);
    const raw = h.kafka.producer();
    await raw.connect();
    await raw.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ partition: 0, value: `a${i}` })) });
    await raw.send({ topic, messages: Array.from({ length: 4 }, (_, i) => ({ partition: 1, value: `b${i}` })) });
    await raw.disconnect();
    const group = `${h.name}-lag`;
    const admin = h.kafka.admin();
    await admin.connect();
    // The group has read 2 messages of partition 0 and nothing of partition 1.
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }] });
    await admin.disconnect();
    const lag = await readConsumerLag(h.kafka, group, [topic]);
    expect(lag).toEqual([
      { group, topic, partition: 0, committed: '2', highWatermark: '6', lowWatermark: '0', lag: '4' },
      { group, topic, partition: 1, committed: null, highWatermark: '4', lowWatermark: '0', lag: '4' },
    ]);
    expect(totalLag(lag)).toBe(10n - 2n);
  });
});
