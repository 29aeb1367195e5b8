// Durability across a Kafka outage: the connector runs on a broker of its own, the broker is stopped, a deal reaches
// the trigger stage in the sandbox, and the portal's POST is still acknowledged — the event is in PostgreSQL (inbound
// row done, Order in the outbox). When the broker comes back the relay publishes it, exactly once.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, kafkaVersion, type RunningKafka } from '@esb/infra';
import { documentId, type Order } from '@esb/canonical';
import { eventually } from '@esb/testing';
import { admin, APP_TOKEN, eventsSettled, EventsReader, outboxRows, rest, startRig, type SourceRig } from './int-support.ts';
import { WEBHOOK_EVENTS, webhookPath } from './index.ts';

let kafka: RunningKafka;
let rig: SourceRig;
const dir = mkdtempSync(join(tmpdir(), 'esb-b24-kafka-'));

beforeAll(async () => {
  // A broker of its own: this test stops it, and other test files must not notice.
  kafka = await startKafka({ version: kafkaVersion(), dataDir: dir, nodes: 1 });
  rig = await startRig({ prefix: 'b24kd', mode: 'webhook', brokers: kafka.brokers });
  await admin(rig.sb, '/_admin/outgoing-webhooks', { handler: `${rig.c.url}${webhookPath(rig.systemId)}`, events: WEBHOOK_EVENTS, applicationToken: APP_TOKEN });
});

afterAll(async () => {
  await rig?.close();
  await kafka?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Kafka unreachable', () => {
  it('acknowledges and keeps an event that arrives while Kafka is down, and publishes it once Kafka is back', async () => {
    await kafka.stopNode(1);
    await rest(rig.sb, 'crm.deal.update', { id: 394, fields: { STAGE_ID: 'C5:PREPAYMENT_INVOICE' } });
    const delivery = (await eventsSettled(rig.sb)).deliveries.at(-1);
    expect(delivery).toMatchObject({ event: 'ONCRMDEALUPDATE', status: 'delivered', httpStatus: 200 });

    const orderId = documentId('order', rig.systemId, '394');
    const [row] = await eventually('the Order in the outbox', async () => {
      const rows = await outboxRows(rig.c, 'esb.canonical.Order', orderId);
      return rows.length > 0 ? rows : undefined;
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await outboxRows(rig.c, 'esb.canonical.Order', orderId)).map((r) => r.published_at)).toEqual([null]);

    await kafka.restartNode(1);
    const reader = await new EventsReader(rig.systemId, kafka.brokers).start(['order']);
    try {
      const o = await reader.waitFor<Order>('order', 'the Order after the broker came back', (v) => v.orderId === orderId, 90_000);
      expect(o.meta.eventId).toBe(row!.event_id);
      expect(o.lines).toHaveLength(2);
      await eventually('marked published', async () => (await outboxRows(rig.c, 'esb.canonical.Order', orderId))[0]?.published_at !== null);
      await new Promise((r) => setTimeout(r, 1000));
      expect(reader.of<Order>('order', (v) => v.orderId === orderId)).toHaveLength(1);
    } finally {
      await reader.stop();
    }
  });
});
