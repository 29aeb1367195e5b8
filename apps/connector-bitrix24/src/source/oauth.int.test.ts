// The source side in OAuth mode against the Bitrix24 sandbox, real Kafka, registry and PostgreSQL: installation
// (ONAPPINSTALL stores the tokens, then the connector binds its online handlers and offline events), the app-only
// funnel move, and a restart after changes made while the connector was down, recovered from the offline queue.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { documentId, legalCounterpartyId, type Counterparty, type Order } from '@esb/canonical';
import { eventually } from '@esb/testing';
import { AUTH_CONNECTOR } from '../config.ts';
import { admin, APP_TOKEN, CLIENT, eventsSettled, EventsReader, exchangeLog, rest, startRig, type SourceRig } from './int-support.ts';
import { OFFLINE_EVENTS, ONLINE_EVENTS, SOURCE_POLLERS, webhookPath } from './index.ts';

interface Binding {
  event: string;
  handler: string;
  clientId: string | null;
  type: 'online' | 'offline';
  authConnector: string;
}
interface EventsState {
  bindings: Binding[];
  deliveries: Array<{ event: string; url: string; status: string }>;
  offline: Array<{ EVENT_NAME: string; EVENT_DATA: { FIELDS?: { ID?: string } }; authConnector: string; clientId: string }>;
}

let rig: SourceRig;
let reader: EventsReader;
const BUYER = legalCounterpartyId('7728168971', '772801001');
const hookOf = (r: SourceRig) => `${r.c.url}${webhookPath(r.systemId)}`;
const ours = (s: EventsState) => s.bindings.filter((b) => b.clientId === CLIENT.clientId && b.event !== 'ONAPPINSTALL');

beforeAll(async () => {
  rig = await startRig({ prefix: 'b24oa', mode: 'oauth' });
  reader = await new EventsReader(rig.systemId).start();
});

afterAll(async () => {
  await reader?.stop();
  await rig?.close();
});

/** A write as the bus's sink makes it: as the application, tagged with our auth_connector. */
async function appWrite(method: string, params: Record<string, unknown>): Promise<void> {
  const { access_token } = await admin<{ access_token: string }>(rig.sb, '/_admin/tokens/issue', { clientId: CLIENT.clientId, userId: 1 });
  const res = await fetch(`${rig.sb.url}/rest/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...params, auth: access_token, auth_connector: AUTH_CONNECTOR }) });
  expect(res.status).toBe(200);
}

describe('OAuth mode', () => {
  it('stores the tokens of ONAPPINSTALL and binds online handlers and offline events', async () => {
    const hook = hookOf(rig);
    await admin(rig.sb, '/_admin/apps', { ...CLIENT, applicationToken: APP_TOKEN, scope: ['crm'], installUrl: hook, userId: 1 });
    const state = await eventually('bindings made', async () => {
      const s = await admin<EventsState>(rig.sb, '/_admin/events');
      return ours(s).length === ONLINE_EVENTS.length + OFFLINE_EVENTS.length ? s : undefined;
    });
    expect(ours(state).filter((b) => b.type === 'online').every((b) => b.handler === hook)).toBe(true);
    expect(ours(state).filter((b) => b.type === 'offline').every((b) => b.authConnector === AUTH_CONNECTOR)).toBe(true);
    const tokens: Array<{ member_id: string }> = await rig.c.store.dataSource.query(`SELECT member_id FROM oauth_token`);
    const { memberId } = await admin<{ memberId: string }>(rig.sb, '/_admin/settings');
    expect(tokens).toEqual([{ member_id: memberId }]);
    expect(await exchangeLog(rig.c, `operation = 'webhook ONAPPINSTALL' AND status = 'ok'`)).toHaveLength(1);
  });

  it('publishes the Order of a deal at the trigger stage from the online event', async () => {
    await rest(rig.sb, 'crm.deal.update', { id: 394, fields: { STAGE_ID: 'C5:PREPAYMENT_INVOICE' } });
    const o = await reader.waitFor<Order>('order', 'the Order of deal 394', (v) => v.orderId === documentId('order', rig.systemId, '394'));
    expect(o).toMatchObject({ origin: { categoryId: '5' }, total: '21800.00', buyer: { counterpartyId: BUYER } });
  });

  it('publishes the Order again with the new funnel when the deal moves to another legal entity (ONCRMDEALMOVETOCATEGORY)', async () => {
    // Moving resets the stage to the new funnel's first one: the deal is an order already, so it follows.
    await rest(rig.sb, 'crm.item.update', { entityTypeId: 2, id: 394, fields: { categoryId: 0 } });
    const moved = await reader.waitFor<Order>('order', 'the moved Order', (v) => v.orderId === documentId('order', rig.systemId, '394') && v.origin.categoryId === '0');
    expect(moved.total).toBe('21800.00');
    const log = await exchangeLog(rig.c, `operation = 'webhook ONCRMDEALMOVETOCATEGORY'`);
    expect(log.map((l) => l.status)).toContain('ok');
  });

  it('recovers what changed while it was down from the offline queue after a restart, leaving out its own tagged writes', async () => {
    const oldHook = hookOf(rig);
    await rig.c.stop();
    await rest(rig.sb, 'crm.deal.productrows.set', { id: 394, rows: [{ PRODUCT_ID: 101, PRICE: 12000, QUANTITY: 2, TAX_RATE: 20, TAX_INCLUDED: 'Y' }] });
    await rest(rig.sb, 'crm.company.update', { id: 9, fields: { TITLE: 'Ромашка Холдинг' } });
    await appWrite('crm.company.update', { id: 11, fields: { COMMENTS: 'written by the bus' } });
    const down = await eventsSettled(rig.sb);
    const lost = down.deliveries.filter((d) => d.url === oldHook && (d.event === 'ONCRMDEALUPDATE' || d.event === 'ONCRMCOMPANYUPDATE')).slice(-2);
    expect(lost.map((d) => d.status)).toEqual(['failed', 'failed']);
    const queue = (await admin<EventsState>(rig.sb, '/_admin/events')).offline.filter((r) => r.clientId === CLIENT.clientId);
    expect(queue.map((r) => `${r.EVENT_NAME}:${r.EVENT_DATA.FIELDS?.ID}`)).toEqual(expect.arrayContaining(['ONCRMDEALUPDATE:394', 'ONCRMCOMPANYUPDATE:9']));
    expect(queue.map((r) => `${r.EVENT_NAME}:${r.EVENT_DATA.FIELDS?.ID}`)).not.toContain('ONCRMCOMPANYUPDATE:11');

    const c = await rig.restart();
    await c.poll(SOURCE_POLLERS.bind);
    const rebound = ours(await admin<EventsState>(rig.sb, '/_admin/events')).filter((b) => b.type === 'online');
    expect(new Set(rebound.map((b) => b.handler))).toEqual(new Set([hookOf(rig)]));
    await c.poll(SOURCE_POLLERS.offline);

    const v = await reader.waitFor<Order>('order', 'the Order with the rows changed while down', (o) => o.orderId === documentId('order', rig.systemId, '394') && o.lines.length === 1 && o.lines[0]!.name === 'Стол');
    expect(v).toMatchObject({ total: '24000.00', origin: { categoryId: '0' } });
    await reader.waitFor<Counterparty>('counterparty', 'the company renamed while down', (cp) => cp.counterpartyId === BUYER && cp.name === 'Ромашка Холдинг');
    const fromQueue: Array<{ dedupe_key: string; status: string }> = await c.store.dataSource.query(`SELECT dedupe_key, status FROM inbound WHERE source = 'offline' ORDER BY id`);
    expect(fromQueue).toEqual(expect.arrayContaining([{ dedupe_key: 'deal:394', status: 'done' }, { dedupe_key: 'company:9', status: 'done' }]));
    expect((await admin<EventsState>(rig.sb, '/_admin/events')).offline.filter((r) => r.clientId === CLIENT.clientId)).toHaveLength(0);
  });
});
