import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Controller, Module, Inject } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload, Ctx, type MicroserviceOptions } from '@nestjs/microservices';
import { harness, ping, PING, pingSchema, eventually, testLookup, type Harness, type Ping } from '@esb/testing';
import { BusProducer, EsbTransport, EsbContext, topics, type BusConsumer } from '@esb/bus';

const SEEN = 'SEEN';
const UNHANDLED = 'esb.test.Unhandled';
// A second record type on the same delivery topic that no controller handles.
const unhandledSchema = { ...pingSchema, name: 'Unhandled', fields: pingSchema.fields.map((f) => (f.name === 'meta' ? { ...f, type: { ...(f.type as object), name: 'UnhandledMeta' } } : f)) };

@Controller()
class PingController {
  constructor(@Inject(SEEN) private readonly seen: Array<{ n: number; attempt: number }>) {}

  @EventPattern(PING)
  // Nest 12 types handler parameters after the payload as unknown; the transport passes an EsbContext.
  async onPing(@Payload() ping: Ping, @Ctx() context: unknown): Promise<void> {
    const ctx = context as EsbContext;
    this.seen.push({ n: ping.n, attempt: ctx.attempt });
    await ctx.tx.manager.query(`INSERT INTO nest_applied VALUES ($1, $2)`, [ctx.message.eventId, ping.n]);
  }
}

describe('NestJS custom transport', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('nest', { lookup: (name) => (name === UNHANDLED ? unhandledSchema : testLookup(name)) });
    await h.store.dataSource.query(`CREATE TABLE nest_applied (event_id uuid primary key, n int)`);
  });
  afterAll(() => h.close());

  it('delivers records to @EventPattern handlers inside the inbox transaction, and dead-letters unknown types', async () => {
    const topic = await h.topic('deliver');
    const seen: Array<{ n: number; attempt: number }> = [];
    @Module({ controllers: [PingController], providers: [{ provide: SEEN, useValue: seen }] })
    class AppModule {}

    const group = `${h.name}-sink`;
    const transport = new EsbTransport({ kafka: h.kafka, serde: h.serde, store: h.store, groupId: group, topics: [topic], service: 'nest-test', logger: h.logger });
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule, { strategy: transport, logger: false });
    await app.listen();

    const producer = new BusProducer(h.kafka, h.serde);
    const a = ping(1);
    await producer.send([
      { topic, key: 'a', recordType: PING, value: a },
      { topic, key: 'a', recordType: PING, value: a }, // the same event delivered twice
      { topic, key: 'b', recordType: PING, value: ping(2) },
      { topic, key: 'c', recordType: UNHANDLED, value: ping(3) },
    ]);
    await producer.disconnect();

    const consumer = transport.unwrap<BusConsumer>();
    await eventually('records handled', async () => consumer.stats.applied === 2 && consumer.stats.duplicates === 1 && consumer.stats.deadLettered === 1);
    await app.close();

    expect(seen).toEqual([
      { n: 1, attempt: 1 },
      { n: 2, attempt: 1 },
    ]);
    const rows: Array<{ n: number }> = await h.store.dataSource.query(`SELECT n FROM nest_applied ORDER BY n`);
    expect(rows.map((r) => r.n)).toEqual([1, 2]);
    const dlq: Array<{ error_code: string; error: string; record_type: string }> = await h.store.dataSource.query(
      `SELECT error_code, error, record_type FROM exchange_log WHERE status = 'dlq'`,
    );
    expect(dlq).toEqual([{ error_code: 'ESB_NO_HANDLER', error: `no @EventPattern handler for ${UNHANDLED} (topic ${topic})`, record_type: UNHANDLED }]);
    expect(topics.dlq(group)).toBe(`esb.dlq.${group}`);
  });
});
