import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { canonicalSamples } from '@esb/canonical/samples';
import { parseTopology, type Topology } from '@esb/config';
import { createKafka, createLogger, BusProducer, topics, headersToStrings, DLQ_HEADERS } from '@esb/bus';
import { endpoints, eventually } from '@esb/testing';
import { Store } from '@esb/store';
import { Router, type EventRecord } from '@esb/router';

const example = readFileSync(new URL('../../../config/esb.example.yaml', import.meta.url), 'utf8').replace('{ file: ../secrets/ut-main.password }', '{ env: UT_PASSWORD }');
const env = Object.fromEntries(['B24_CLIENT_SECRET', 'B24_APPLICATION_TOKEN', 'UT_PASSWORD', 'RETAIL_PASSWORD', 'SITE_EXCHANGE_PASSWORD', 'SITE_PUSH_TOKEN', 'DM_PASSWORD', 'SMTP_PASSWORD'].map((k) => [k, 'x']));

describe('router on real Kafka', () => {
  const logs: string[] = [];
  const logger = createLogger('router-test', {}, (l) => logs.push(l));
  let kafka: ReturnType<typeof createKafka>;
  let topology: Topology;
  const group = `esb-router-test-${randomUUID().slice(0, 8)}`;
  const seen: Array<{ topic: string; recordType: string; value: EventRecord; headers: Record<string, string> }> = [];
  let reader: ReturnType<ReturnType<typeof createKafka>['consumer']>;
  let router: Router;
  let store: Store;

  const start = async () => {
    const r = new Router({ kafka, registryUrl: endpoints().schemaRegistryUrl, logger, topology: () => topology, instanceId: 'r0', groupId: group, partitions: 1, store });
    await r.start();
    return r;
  };

  beforeAll(async () => {
    kafka = createKafka({ brokers: endpoints().kafkaBrokers, clientId: group, logger });
    store = await Store.open({ url: endpoints().databaseUrl, schema: group.replace(/-/g, '_') });
    topology = parseTopology(example, 'esb.example.yaml', env);
    router = await start();
    reader = kafka.consumer({ groupId: `${group}-reader`, readUncommitted: false });
    await reader.connect();
    await reader.subscribe({ topics: [topics.deliver('ut-main'), topics.deliver('retail'), topics.deliver('b24'), topics.dlq(group)], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        const headers = headersToStrings(message.headers);
        if (topic.startsWith('esb.dlq.')) {
          seen.push({ topic, recordType: 'dlq', value: { meta: { eventId: headers['esb.event-id'] ?? '' } } as EventRecord, headers });
          return;
        }
        const d = await router.serde.decode(message.value);
        seen.push({ topic, recordType: d.recordType, value: d.value as EventRecord, headers });
      },
    });
  });
  afterAll(async () => {
    await reader?.disconnect();
    await router?.stop();
    await store?.dataSource.query(`DROP SCHEMA IF EXISTS "${store.schema}" CASCADE`);
    await store?.close();
  });

  it('routes by funnel, reverses on a funnel move, remembers orders across a restart, and dead-letters the unroutable', async () => {
    const producer = new BusProducer(kafka, router.serde);
    const base = canonicalSamples['esb.canonical.Order'] as unknown as EventRecord & { origin: Record<string, unknown> };
    const orderId = randomUUID();
    const deal = (categoryId: string) => ({
      ...base,
      orderId,
      meta: { ...base.meta, eventId: randomUUID(), legalEntityId: null, source: { system: 'b24', kind: 'bitrix24', externalId: '4512' } },
      sellerLegalEntityId: null,
      origin: { ...base.origin, system: 'b24', kind: 'bitrix24', entityType: 'deal', externalId: '4512', categoryId },
    });
    const first = deal('2');
    await producer.send([{ topic: 'esb.events.order', key: orderId, recordType: 'esb.canonical.Order', value: first }]);
    await eventually('order delivered to UT', async () => seen.some((s) => s.topic === 'esb.deliver.ut-main' && s.value.orderId === orderId));
    const delivered = seen.find((s) => s.topic === 'esb.deliver.ut-main' && s.value.orderId === orderId)!;
    expect(delivered.headers['esb.legal-entity']).toBe('romashka-opt');
    expect(delivered.value.meta.eventId).toBe(first.meta.eventId);

    const moved = deal('4');
    await producer.send([{ topic: 'esb.events.order', key: orderId, recordType: 'esb.canonical.Order', value: moved }]);
    await eventually('reversal and new order', async () => seen.some((s) => s.recordType === 'esb.canonical.OrderReversal' && s.value.orderId === orderId) && seen.some((s) => s.topic === 'esb.deliver.retail' && s.value.orderId === orderId));
    const reversal = seen.find((s) => s.recordType === 'esb.canonical.OrderReversal' && s.value.orderId === orderId)!;
    expect(reversal.topic).toBe('esb.deliver.ut-main');
    expect(reversal.value).toMatchObject({ reason: 'MOVED_TO_OTHER_LEGAL_ENTITY' });

    // A new router instance rebuilds its order table from the changelog: the payment from the shared UT database
    // is attributed through the order it pays.
    await router.stop();
    router = await start();
    expect(router.orders.get(orderId)).toMatchObject({ tradeSystem: 'retail', originSystem: 'b24' });
    const pay = canonicalSamples['esb.canonical.Payment'] as unknown as EventRecord;
    const payment = { ...pay, orderId, meta: { ...pay.meta, eventId: randomUUID(), legalEntityId: null, source: { system: 'retail', kind: '1c-retail', externalId: 'r-1' } } };
    await producer.send([{ topic: 'esb.events.payment', key: orderId, recordType: 'esb.canonical.Payment', value: payment }]);
    await eventually('payment delivered to the portal', async () => seen.some((s) => s.topic === 'esb.deliver.b24' && s.value.meta.eventId === payment.meta.eventId));

    // Nothing can place a product coming from the site: a person must add a route.
    const prod = canonicalSamples['esb.canonical.Product'] as unknown as EventRecord;
    const bad = { ...prod, meta: { ...prod.meta, eventId: randomUUID(), legalEntityId: null, source: { system: 'site', kind: 'bitrix-site', externalId: 'p-1' } } };
    await producer.send([{ topic: 'esb.events.product', key: 'p-1', recordType: 'esb.canonical.Product', value: bad }]);
    await eventually('unroutable product in the DLQ', async () => seen.some((s) => s.recordType === 'dlq' && s.value.meta.eventId === bad.meta.eventId));
    const dead = seen.find((s) => s.recordType === 'dlq' && s.value.meta.eventId === bad.meta.eventId)!;
    expect(dead.headers[DLQ_HEADERS.code]).toBe('ESB_UNROUTABLE');
    expect(dead.headers[DLQ_HEADERS.reason]).toMatch(/no route for Product from a bitrix-site system/);
    await producer.disconnect();

    // Every decision is traced in the exchange log, the refusal with its reason.
    // The trace is written right after each transaction commits, so it may trail the deliveries by a moment.
    const trace = await eventually('four trace entries', async () => {
      const rows: Array<{ status: string; legal: string | null; error: string | null }> = await store.dataSource.query(
        `SELECT status, business_keys->>'legalEntity' AS legal, error FROM exchange_log WHERE event_id = ANY($1::uuid[]) ORDER BY id`,
        [[first.meta.eventId, moved.meta.eventId, payment.meta.eventId, bad.meta.eventId]],
      );
      return rows.length >= 4 ? rows : undefined;
    });
    expect(trace.map((x) => [x.status, x.legal])).toEqual([
      ['ok', 'romashka-opt'],
      ['ok', 'romashka-retail'],
      ['ok', 'romashka-retail'],
      ['dlq', null],
    ]);
    expect(trace[3]!.error).toMatch(/no route for Product/);

    // Each event delivered once per destination.
    const deliveredTwice = seen.filter((s) => s.value.orderId === orderId).map((s) => `${s.topic}|${s.value.meta.eventId}`);
    expect(new Set(deliveredTwice).size).toBe(deliveredTwice.length);
  });

  it('two instances share the work: each follows the order table, so the survivor reverses an order the other routed', async () => {
    // The single-instance router of the test above would route these events too; this test has its own group.
    await router.stop();
    const mgroup = `${group}-multi`;
    const routed = new Map<string, string[]>();
    const instance = async (id: string) => {
      const lines: string[] = [];
      routed.set(id, lines);
      const own = createLogger(`router-${id}`, {}, (l) => lines.push(l));
      const r = new Router({ kafka, registryUrl: endpoints().schemaRegistryUrl, logger: own, topology: () => topology, instanceId: id, groupId: mgroup, partitions: 1 });
      await r.start();
      return r;
    };
    const a = await instance('a');
    const b = await instance('b');
    try {
      const producer = new BusProducer(kafka, a.serde);
      const base = canonicalSamples['esb.canonical.Order'] as unknown as EventRecord & { origin: Record<string, unknown> };
      const orderId = randomUUID();
      const deal = (categoryId: string) => ({
        ...base,
        orderId,
        meta: { ...base.meta, eventId: randomUUID(), legalEntityId: null, source: { system: 'b24', kind: 'bitrix24', externalId: '7001' } },
        sellerLegalEntityId: null,
        origin: { ...base.origin, system: 'b24', kind: 'bitrix24', entityType: 'deal', externalId: '7001', categoryId },
      });
      const first = deal('0');
      await producer.send([{ topic: 'esb.events.order', key: orderId, recordType: 'esb.canonical.Order', value: first }]);
      await eventually('order delivered to UT', async () => seen.some((s) => s.topic === 'esb.deliver.ut-main' && s.value.meta.eventId === first.meta.eventId));
      // Both tables learn the order: the one that routed it, and the other one by following the changelog.
      await eventually('both instances know the order', async () => a.orders.get(orderId) !== undefined && b.orders.get(orderId) !== undefined);
      expect(b.orders.get(orderId)).toMatchObject({ tradeSystem: 'ut-main', originSystem: 'b24' });
      expect(a.orders.get(orderId)).toEqual(b.orders.get(orderId));

      // The instance that routed it stops; the other takes its partitions and handles the funnel move correctly.
      const routedBy = (id: string, eventId: string) => (routed.get(id) ?? []).some((l) => l.includes('"routed"') && l.includes(eventId));
      expect([routedBy('a', first.meta.eventId), routedBy('b', first.meta.eventId)].filter(Boolean)).toHaveLength(1);
      const owner = routedBy('a', first.meta.eventId) ? a : b;
      const survivor = owner === a ? b : a;
      await owner.stop();
      const moved = deal('4');
      await producer.send([{ topic: 'esb.events.order', key: orderId, recordType: 'esb.canonical.Order', value: moved }]);
      await eventually(
        'reversal to UT and order to retail from the survivor',
        async () => seen.some((s) => s.recordType === 'esb.canonical.OrderReversal' && s.value.orderId === orderId) && seen.some((s) => s.topic === 'esb.deliver.retail' && s.value.meta.eventId === moved.meta.eventId),
        60_000,
      );
      expect(seen.find((s) => s.recordType === 'esb.canonical.OrderReversal' && s.value.orderId === orderId)?.topic).toBe('esb.deliver.ut-main');
      expect(routedBy(survivor === a ? 'a' : 'b', moved.meta.eventId)).toBe(true);
      await producer.disconnect();
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

