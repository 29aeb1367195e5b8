// The connector runtime against real Kafka, registry and PostgreSQL: a route that emits through the outbox reaches
// esb.events.*, a delivery reaches a Nest @EventPattern handler inside its inbox transaction (once, even when
// delivered twice), health and metrics tell the truth, oversized bodies are refused, pollers report failures.
import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Controller, Inject, Module } from '@nestjs/common';
import { EventPattern, Payload, Ctx } from '@nestjs/microservices';
import { AvroSerde, BusProducer, DLQ_HEADERS, EsbError, createKafka, createLogger, headersToStrings, topics, type EsbContext } from '@esb/bus';
import { canonicalSamples } from '@esb/canonical/samples';
import type { Debt, Link } from '@esb/canonical';
import { parseTopology, type Topology } from '@esb/config';
import { endpoints, eventually, uniqueName } from '@esb/testing';
import { CONNECTOR, Connector, json } from './index.ts';

const applied: string[] = [];

@Controller()
class LinkSink {
  constructor(@Inject(CONNECTOR) private readonly c: Connector) {}

  @EventPattern('esb.canonical.Link')
  async onLink(@Payload() link: Link, @Ctx() context: unknown): Promise<void> {
    const ctx = context as EsbContext;
    applied.push(link.meta.eventId);
    await this.c.log({ direction: 'out', operation: 'apply link', status: 'ok', recordType: 'esb.canonical.Link', eventId: link.meta.eventId, businessKeys: { number: link.number ?? '' } }, ctx.tx);
  }
}

@Controller()
class DebtSink {
  @EventPattern('esb.canonical.Debt')
  async onDebt(@Payload() debt: Debt): Promise<void> {
    throw new EsbError('ESB_VALIDATION', `debt of counterparty ${debt.counterpartyId}: the company has no card in this portal`, { businessKey: debt.counterpartyId });
  }
}

@Module({ controllers: [LinkSink, DebtSink] })
class SinkModule {}

const systemId = uniqueName('kit').toLowerCase().replace(/_/g, '-');
const topologyYaml = `
version: 1
legalEntities:
  - { id: one, name: One, inn: "7707083893", kpp: "770701001", tradeSystem: ${systemId} }
systems:
  ${systemId}:
    kind: 1c-ut
    url: http://127.0.0.1:1/odata/standard.odata/
    profile: ut11.5
    auth: { user: esb, password: { env: PW } }
`;

let c: Connector;
let topology: Topology;
const logs: string[] = [];

beforeAll(async () => {
  topology = parseTopology(topologyYaml, 'kit.yaml', { PW: 'x' });
  const e = endpoints();
  c = await Connector.open({
    service: 'kit-test',
    systemId,
    kinds: ['1c-ut'],
    topology: () => topology,
    endpoints: { kafkaBrokers: e.kafkaBrokers, schemaRegistryUrl: e.schemaRegistryUrl, databaseUrl: e.databaseUrl },
    logger: createLogger('kit-test', {}, (l) => logs.push(l)),
    emits: ['esb.canonical.Link'],
    sink: { module: SinkModule, retry: { maxAttempts: 2, initialDelayMs: 50 } },
    partitions: 1,
    http: { maxBodyBytes: 1024 },
  });
  c.route('POST', '/emit', async (req) => {
    const link: Link = { ...canonicalSamples['esb.canonical.Link'], meta: c.meta({ externalId: String(req.body) }), systemId };
    await c.transaction((tx) => c.emit(tx, 'esb.canonical.Link', link, link.canonicalId));
    return json(202, { eventId: link.meta.eventId });
  });
  await c.start();
});

afterAll(async () => {
  await c.stop();
  const schema = c.store.schema;
  const { Store } = await import('@esb/store');
  const s = await Store.open({ url: endpoints().databaseUrl, schema });
  await s.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await s.close();
});

describe('connector runtime', () => {
  it('refuses a system of another kind or one missing from the topology', async () => {
    const e = endpoints();
    const base = { service: 'kit-test', topology: () => topology, endpoints: { kafkaBrokers: e.kafkaBrokers, schemaRegistryUrl: e.schemaRegistryUrl, databaseUrl: e.databaseUrl } };
    await expect(Connector.open({ ...base, systemId, kinds: ['bitrix24'] })).rejects.toThrow(`system "${systemId}" is a 1c-ut system; kit-test serves bitrix24`);
    await expect(Connector.open({ ...base, systemId: 'nope', kinds: ['1c-ut'] })).rejects.toThrow('SYSTEM_ID "nope" is not in the topology');
  });

  it('publishes what a route emits through the outbox to esb.events.*', async () => {
    const res = await fetch(`${c.url}/emit`, { method: 'POST', body: 'ext-1' });
    expect(res.status).toBe(202);
    const { eventId } = (await res.json()) as { eventId: string };
    const kafka = createKafka({ brokers: endpoints().kafkaBrokers, clientId: 'kit-read' });
    const serde = new AvroSerde(endpoints().schemaRegistryUrl);
    const consumer = kafka.consumer({ groupId: `kit-read-${randomUUID()}` });
    const seen: Link[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.events('link')], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push((await serde.decode<Link>(message.value)).value) });
    try {
      const got = await eventually('event on esb.events.link', async () => seen.find((l) => l.meta.eventId === eventId));
      expect(got.meta.source).toEqual({ system: systemId, kind: '1c-ut', externalId: 'ext-1' });
      expect(got.meta.correlationId).toBe(eventId);
    } finally {
      await consumer.disconnect();
    }
  });

  it('delivers esb.deliver.<id> records to the Nest handler once, in the inbox transaction', async () => {
    const producer = new BusProducer(c.kafka, c.serde);
    const link: Link = { ...canonicalSamples['esb.canonical.Link'], meta: { ...canonicalSamples['esb.canonical.Link'].meta, eventId: randomUUID() } };
    await producer.send([
      { topic: topics.deliver(systemId), key: link.canonicalId, recordType: 'esb.canonical.Link', value: link },
      { topic: topics.deliver(systemId), key: link.canonicalId, recordType: 'esb.canonical.Link', value: link },
    ]);
    await producer.disconnect();
    await eventually('delivery handled and duplicate seen', async () => (c.sinkConsumer?.stats.duplicates ?? 0) >= 1 && applied.includes(link.meta.eventId));
    expect(applied.filter((id) => id === link.meta.eventId)).toHaveLength(1);
    const rows: Array<{ service: string; system_id: string; business_keys: Record<string, string> }> = await c.store.dataSource.query(
      `SELECT service, system_id, business_keys FROM exchange_log WHERE event_id = $1 AND operation = 'apply link'`,
      [link.meta.eventId],
    );
    expect(rows).toEqual([{ service: 'kit-test', system_id: systemId, business_keys: { number: 'ЗК-000123' } }]);
  });

  it('dead-letters a handler permanent error with its own code and reason (not the Nest default "Internal server error")', async () => {
    const producer = new BusProducer(c.kafka, c.serde);
    const sample = canonicalSamples['esb.canonical.Debt'];
    const debt: Debt = { ...sample, meta: { ...sample.meta, eventId: randomUUID() } };
    await producer.send([{ topic: topics.deliver(systemId), key: 'debt', recordType: 'esb.canonical.Debt', value: debt }]);
    await producer.disconnect();
    const consumer = c.kafka.consumer({ groupId: `kit-dlq-${randomUUID()}` });
    const dead: Array<Record<string, string>> = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.dlq(c.groupId)], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void dead.push(headersToStrings(message.headers)) });
    try {
      const h = await eventually('the debt in the DLQ', async () => dead.find((x) => x['esb.event-id'] === debt.meta.eventId));
      expect(h[DLQ_HEADERS.code]).toBe('ESB_VALIDATION');
      expect(h[DLQ_HEADERS.class]).toBe('permanent');
      expect(h[DLQ_HEADERS.reason]).toBe(`debt of counterparty ${sample.counterpartyId}: the company has no card in this portal`);
    } finally {
      await consumer.disconnect();
    }
  });

  it('answers health, metrics, 404 and 413', async () => {
    expect((await fetch(`${c.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${c.url}/health/ready`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', kafka: 'ok', registry: 'ok' } });
    expect(ready.status).toBe(200);
    const big = await fetch(`${c.url}/emit`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'ESB_BODY_TOO_LARGE', message: 'request body is larger than 1024 bytes' });
    expect((await fetch(`${c.url}/nothing`)).status).toBe(404);
    const m = await (await fetch(`${c.url}/metrics`)).text();
    expect(m).toMatch(new RegExp(`esb_events_emitted_total\\{service="kit-test",system="${systemId}",record="esb.canonical.Link"\\} [1-9]`));
    expect(m).toMatch(/esb_outbox_pending\{[^}]*\} 0/);
    expect(m).toMatch(/esb_http_requests_total\{[^}]*route="POST \/emit",status="413"\} 1/);
    expect(m).toMatch(/esb_http_requests_total\{[^}]*route="unmatched",status="404"\} 1/);
    expect(m).toMatch(/esb_consumer_lag\{[^}]*partition="0"\} 0/);
  });

  it('reports a failing poller in metrics and runs it again after a fix', async () => {
    let fail = true;
    let runs = 0;
    c.every('flaky', 60_000, async () => {
      runs++;
      if (fail) throw new Error('1C is down');
    });
    await eventually('first scheduled run', async () => runs >= 1);
    await expect(c.poll('flaky')).rejects.toThrow('1C is down');
    fail = false;
    await c.poll('flaky');
    expect(c.metrics.value('esb_poll_runs_total', { job: 'flaky', result: 'error' })).toBeGreaterThanOrEqual(2);
    expect(c.metrics.value('esb_poll_runs_total', { job: 'flaky', result: 'ok' })).toBe(1);
    expect(logs.some((l) => l.includes('poll failed; will retry') && l.includes('1C is down'))).toBe(true);
  });

  it('prunes inbox ids and published outbox rows older than the retention window, keeping newer ones', async () => {
    await c.store.dataSource.query(`INSERT INTO inbox (consumer_group, event_id, processed_at) VALUES ('old', $1, now() - interval '30 days'), ('new', $2, now())`, [randomUUID(), randomUUID()]);
    await c.poll('store-prune');
    const groups: Array<{ consumer_group: string }> = await c.store.dataSource.query(`SELECT consumer_group FROM inbox WHERE consumer_group IN ('old', 'new')`);
    expect(groups.map((g) => g.consumer_group)).toEqual(['new']);
  });
});
