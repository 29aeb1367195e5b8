import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { harness, ping, PING, type Harness, type Ping } from '@esb/testing';
import { BusProducer, subjectFor, HEADERS } from '@esb/bus';

describe('Avro through the registry and Kafka', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('serde');
  });
  afterAll(() => h.close());

  it('round-trips a record with decimals and timestamps in the Confluent wire format', async () => {
    const topic = await h.topic('roundtrip');
    const producer = new BusProducer(h.kafka, h.serde);
    const sent = [ping(1), ping(2, { amount: '-12345678901234.56', note: 'Ромашка «ООО»' }), ping(3, { amount: '0.01' })];
    await producer.send(sent.map((v) => ({ topic, key: v.meta.eventId, recordType: PING, value: v })));
    await producer.disconnect();

    const consumer = h.kafka.consumer({ groupId: `${h.name}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: Array<{ raw: Buffer; value: Ping; recordType: string; headers: Record<string, string> }> = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const d = await h.serde.decode<Ping>(message.value);
            const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
            got.push({ raw: message.value!, value: d.value, recordType: d.recordType, headers });
            if (got.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    expect(got.map((g) => g.value)).toEqual(sent);
    const id = await h.serde.registry.getLatestSchemaId(subjectFor(topic, PING));
    for (const g of got) {
      expect(g.raw[0]).toBe(0);
      expect(g.raw.readInt32BE(1)).toBe(id);
      expect(g.recordType).toBe(PING);
      expect(g.headers[HEADERS.eventId]).toBe(g.value.meta.eventId);
      expect(g.headers[HEADERS.recordType]).toBe(PING);
    }
  });

  it('names subjects per architecture §2 and refuses a record that does not match its schema', async () => {
    expect(subjectFor('esb.events.order', 'esb.canonical.Order')).toBe('esb.events.order-value');
    expect(subjectFor('esb.deliver.ut-main', 'esb.canonical.Order')).toBe('esb.deliver.ut-main-esb.canonical.Order');
    const bad = { ...ping(5), amount: '1.005' };
    await expect(h.serde.encode(`test.bad.${h.name}`, PING, bad)).rejects.toThrow(/does not match its schema/);
    await expect(h.serde.decode(Buffer.from('not avro'))).rejects.toMatchObject({ code: 'ESB_DECODE', retriable: false });
  });
});
