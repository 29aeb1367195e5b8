import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, kafkaVersion, type RunningKafka } from '@esb/infra';
import { harness, ping, PING, eventually, type Harness, type Ping } from '@esb/testing';
import { BusProducer, OutboxRelay, ensureTopics } from '@esb/bus';
import { outboxBacklog } from '@esb/store';

describe('outbox relay across a broker restart', () => {
  // A broker of its own: this test stops it, and other test files must not notice.
  let kafka: RunningKafka;
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'esb-relay-'));

  beforeAll(async () => {
    kafka = await startKafka({ version: kafkaVersion(), dataDir: dir, nodes: 1 });
    // A short client retry budget, so sends fail while the broker is away instead of waiting it out.
    h = await harness('relay', { brokers: kafka.brokers, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 } });
  });
  afterAll(async () => {
    await h?.close();
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every event written while the broker was down, once it is back', async () => {
    const topic = `test.relay.${h.name}`;
    await ensureTopics(h.kafka, [{ topic }]);
    const producer = new BusProducer(h.kafka, h.serde);
    const relay = new OutboxRelay({ store: h.store, producer, logger: h.logger, pollMs: 50, batchSize: 20 });
    relay.start();
    const write = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const v = ping(i);
        await h.store.transaction((tx) => tx.outboxAdd({ eventId: v.meta.eventId, topic, key: `k${i % 5}`, recordType: PING, payload: v }));
        relay.notify();
      }
    };
    await write(0, 100);
    await eventually('first 100 published', async () => (await outboxBacklog(h.store)).pending === 0);

    await kafka.stopNode(1);
    await write(100, 250); // the webhook side keeps accepting while Kafka is away
    // The relay tries, fails and records why; nothing is marked published while the broker is away.
    await eventually('a failed publish attempt recorded', async () => {
      const r: Array<{ c: string }> = await h.store.dataSource.query(`SELECT count(*)::text AS c FROM outbox WHERE last_error IS NOT NULL AND published_at IS NULL`);
      return Number(r[0]!.c) > 0;
    }, 60_000, 200);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await outboxBacklog(h.store)).pending).toBe(150);

    await kafka.restartNode(1);
    await write(250, 300);
    await eventually('backlog drained after the restart', async () => (await outboxBacklog(h.store)).pending === 0, 90_000, 200);
    await relay.stop();
    await producer.disconnect();

    const c = h.kafka.consumer({ groupId: `${h.name}-reader` });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    const seen = new Map<number, number>();
    const orderByKey = new Map<string, number[]>();
    await new Promise<void>((resolve) => {
      void c.run({
        eachMessage: async ({ message }) => {
          const v = (await h.serde.decode<Ping>(message.value)).value;
          seen.set(v.n, (seen.get(v.n) ?? 0) + 1);
          const k = message.key!.toString();
          orderByKey.set(k, [...(orderByKey.get(k) ?? []), v.n]);
          if (seen.size === 300) resolve();
        },
      });
    });
    await c.disconnect();
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // Per-key order is kept: within each key, events arrive in the order they were written (first delivery).
    for (const [k, ns] of orderByKey) {
      const firsts = ns.filter((n, i) => ns.indexOf(n) === i);
      expect(firsts, `order of key ${k}`).toEqual([...firsts].sort((a, b) => a - b));
    }
  });
});
