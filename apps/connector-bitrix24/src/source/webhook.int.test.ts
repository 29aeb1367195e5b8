// The source side in webhook mode against the Bitrix24 sandbox, real Kafka, registry and PostgreSQL: the sandbox's
// outgoing webhook POSTs each change to the connector, which turns it into canonical events on esb.events.*.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { buildQuery } from '@esb/bitrix24-client';
import { documentId, individualId, legalCounterpartyId, type Counterparty, type Invoice, type Order } from '@esb/canonical';
import { eventually } from '@esb/testing';
import { admin, APP_TOKEN, eventsSettled, EventsReader, exchangeLog, outboxRows, rest, startRig, type SourceRig } from './int-support.ts';
import { SOURCE_POLLERS, WEBHOOK_EVENTS, webhookPath } from './index.ts';

let rig: SourceRig;
let reader: EventsReader;
let hook: string;
const BUYER = legalCounterpartyId('7728168971', '772801001');

beforeAll(async () => {
  rig = await startRig({ prefix: 'b24wh', mode: 'webhook' });
  hook = `${rig.c.url}${webhookPath(rig.systemId)}`;
  await admin(rig.sb, '/_admin/outgoing-webhooks', { handler: hook, events: WEBHOOK_EVENTS, applicationToken: APP_TOKEN });
  // The first reconcile only learns the portal's clock: later ones look at what changed since.
  await rig.c.poll(SOURCE_POLLERS.reconcile);
  reader = await new EventsReader(rig.systemId).start();
});

afterAll(async () => {
  await reader?.stop();
  await rig?.close();
});

const post = (body: string, url = hook) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const count = async (table: string): Promise<number> => Number(((await rig.c.store.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`)) as Array<{ n: number }>)[0]!.n);

describe('webhook mode', () => {
  it('turns a deal moved to the trigger stage into an Order with all rows and the buyer, plus the buyer Counterparty', async () => {
    await rest(rig.sb, 'crm.deal.update', { id: 394, fields: { STAGE_ID: 'C5:PREPAYMENT_INVOICE' } });
    const orderId = documentId('order', rig.systemId, '394');
    const order = await reader.waitFor<Order>('order', 'the Order of deal 394', (o) => o.orderId === orderId);
    expect(order.meta.source).toEqual({ system: rig.systemId, kind: 'bitrix24', externalId: '394' });
    expect(order).toMatchObject({
      number: '394',
      origin: { system: rig.systemId, kind: 'bitrix24', entityType: 'deal', externalId: '394', categoryId: '5' },
      buyer: { counterpartyId: BUYER, kind: 'LEGAL_ENTITY', name: 'Ромашка', inn: '7728168971', kpp: '772801001', phone: '+74951234567' },
      sellerLegalEntityId: null,
      currency: 'RUB',
      vatIncluded: true,
      total: '21800.00',
      vatTotal: '3633.33',
    });
    expect(order.lines.map((l) => [l.lineNo, l.name, l.quantity, l.price, l.amount, l.vatRate, l.vatAmount])).toEqual([
      [1, 'Стул', '2.000', '4900.00', '9800.00', 'VAT_20', '1633.33'],
      [2, 'Стол', '1.000', '12000.00', '12000.00', 'VAT_20', '2000.00'],
    ]);
    const cp = await reader.waitFor<Counterparty>('counterparty', 'the buyer Counterparty', (v) => v.counterpartyId === BUYER);
    expect(cp).toMatchObject({ kind: 'LEGAL_ENTITY', name: 'Ромашка', shortName: 'ООО «Ромашка»', inn: '7728168971', kpp: '772801001' });
    expect(cp.contactPersons).toEqual([{ fullName: 'Петров Иван', position: 'Снабженец', phones: [], emails: [{ address: 'ivan@romashka.ru', kind: 'WORK' }] }]);
    const log = await exchangeLog(rig.c, `operation LIKE 'webhook ONCRMDEALUPDATE' OR operation LIKE 'publish Order%'`);
    expect(log.map((l) => [l.operation.split(' (')[0], l.status])).toEqual(expect.arrayContaining([['webhook ONCRMDEALUPDATE', 'ok'], ['publish Order', 'ok']]));
  });

  it('does not publish again when only a field the bus writes back changed (UF_CRM_1C_ORDER_ID)', async () => {
    const orderId = documentId('order', rig.systemId, '394');
    await rest(rig.sb, 'crm.deal.update', { id: 394, fields: { UF_CRM_1C_ORDER_ID: 'ЗК-000123' } });
    await eventually('the echo recognised', async () => (await exchangeLog(rig.c, `operation LIKE 'publish Order%' AND status = 'duplicate'`)).length > 0);
    expect(await outboxRows(rig.c, 'esb.canonical.Order', orderId)).toHaveLength(1);
  });

  it('publishes the next version when the rows or the seller change', async () => {
    const orderId = documentId('order', rig.systemId, '394');
    await rest(rig.sb, 'crm.deal.update', { id: 394, fields: { UF_CRM_SELLER: 'opt' } });
    await rest(rig.sb, 'crm.deal.productrows.set', { id: 394, rows: [{ PRODUCT_ID: 100, PRICE: 4500, QUANTITY: 3, TAX_RATE: 20, TAX_INCLUDED: 'Y' }] });
    const v2 = await reader.waitFor<Order>('order', 'the changed Order', (o) => o.orderId === orderId && o.lines.length === 1 && o.sellerLegalEntityId !== null);
    expect(v2).toMatchObject({ total: '13500.00', vatTotal: '2250.00', sellerLegalEntityId: legalCounterpartyId('7736050003', '773601001') });
    const ids = (await outboxRows(rig.c, 'esb.canonical.Order', orderId)).map((r) => r.event_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a forged or missing application_token with 401, stores and publishes nothing, and logs it', async () => {
    const [inbound, outbox] = [await count('inbound'), await count('outbox')];
    const forged = buildQuery({ event: 'ONCRMDEALUPDATE', data: { FIELDS: { ID: '394' } }, ts: '1736405807', auth: { application_token: 'forged-token', member_id: 'x' } });
    const res = await post(forged);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'ESB_UNAUTHORIZED' });
    expect((await post(buildQuery({ event: 'ONCRMDEALUPDATE', data: { FIELDS: { ID: '394' } }, auth: { member_id: 'x' } }))).status).toBe(401);
    expect(await count('inbound')).toBe(inbound);
    expect(await count('outbox')).toBe(outbox);
    const errors = await exchangeLog(rig.c, `status = 'error' AND error_code = 'ESB_UNAUTHORIZED'`);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]!.error).toMatch(/ONCRMDEALUPDATE: auth\[application_token\] does not match the configured applicationToken/);
    expect(JSON.stringify(errors)).not.toContain('forged-token');
  });

  it('refuses the right token from another portal (member_id) and a path naming another system', async () => {
    const settings = await admin<{ memberId: string }>(rig.sb, '/_admin/settings');
    const other = await post(buildQuery({ event: 'ONCRMDEALUPDATE', data: { FIELDS: { ID: '394' } }, auth: { application_token: APP_TOKEN, member_id: `${settings.memberId}0` } }));
    expect(other.status).toBe(401);
    const wrongPath = await post(buildQuery({ event: 'ONCRMDEALUPDATE', data: { FIELDS: { ID: '394' } }, auth: { application_token: APP_TOKEN } }), `${rig.c.url}/webhooks/bitrix24/somebody-else`);
    expect(wrongPath.status).toBe(404);
  });

  it('answers a malformed POST with 400 and says what is wrong', async () => {
    const broken = await post(`event=ONCRMDEALUPDATE&data[FIELDS][ID]=1&auth[application_token]=${APP_TOKEN}&x=%ZZ`);
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { message: string }).message).toMatch(/malformed Bitrix24 event POST: pair 4: the value "%ZZ" has a broken %-escape/);
    const noId = await post(buildQuery({ event: 'ONCRMDEALUPDATE', data: { FIELDS: {} }, auth: { application_token: APP_TOKEN } }));
    expect(noId.status).toBe(400);
    expect(((await noId.json()) as { message: string }).message).toMatch(/ONCRMDEALUPDATE without data\[FIELDS\]\[ID\]/);
    expect((await exchangeLog(rig.c, `status = 'error' AND error_code = 'ESB_VALIDATION' AND operation LIKE 'webhook%'`)).length).toBeGreaterThanOrEqual(2);
  });

  it('reports a wrong INN of the buyer as an error naming the deal and the field, and publishes nothing for it', async () => {
    await rest(rig.sb, 'crm.deal.update', { id: 395, fields: { STAGE_ID: 'C5:PREPAYMENT_INVOICE' } });
    const [err] = await eventually('the error in the exchange log', async () => {
      const rows = await exchangeLog(rig.c, `status = 'error' AND business_keys->>'deal' = '395'`);
      return rows.length > 0 ? rows : undefined;
    });
    expect(err!.error_code).toBe('ESB_VALIDATION');
    expect(err!.error).toMatch(/deal 395: buyer: company 11 «Лютик», requisite \d+: field RQ_INN: INN 7701234567: check digit/);
    const rows: Array<{ status: string; last_error: string }> = await rig.c.store.dataSource.query(`SELECT status, last_error FROM inbound WHERE dedupe_key = 'deal:395'`);
    expect(rows.map((r) => r.status)).toContain('failed');
    expect(await outboxRows(rig.c, 'esb.canonical.Order', documentId('order', rig.systemId, '395'))).toHaveLength(0);
  });

  it('publishes companies, free contacts, smart invoices and old invoices', async () => {
    await rest(rig.sb, 'crm.company.update', { id: 9, fields: { TITLE: 'Ромашка Плюс' } });
    await reader.waitFor<Counterparty>('counterparty', 'the renamed company', (v) => v.counterpartyId === BUYER && v.name === 'Ромашка Плюс');

    const contactId = await rest<number>(rig.sb, 'crm.contact.add', { fields: { NAME: 'Анна', LAST_NAME: 'Смирнова', PHONE: [{ VALUE: '8 916 123-45-67', VALUE_TYPE: 'MOBILE' }] } });
    const person = await reader.waitFor<Counterparty>('counterparty', 'the individual', (v) => v.counterpartyId === individualId({ phone: '+79161234567' }));
    expect(person).toMatchObject({ kind: 'INDIVIDUAL', name: 'Смирнова Анна', phones: [{ number: '+79161234567', kind: 'MOBILE', extension: null }] });
    expect(person.meta.source.externalId).toBe(`C_${contactId}`);

    const si = await rest<{ item: { id: number; opportunity: number } }>(rig.sb, 'crm.item.add', { entityTypeId: 31, fields: { title: 'Счёт по заказу 42', parentId2: 394, companyId: 9, opportunity: 13500, currencyId: 'RUB', isManualOpportunity: 'Y' } });
    const inv = await reader.waitFor<Invoice>('invoice', 'the smart invoice', (v) => v.invoiceId === documentId('invoice', rig.systemId, `SI_${si.item.id}`));
    expect(inv).toMatchObject({ orderId: documentId('order', rig.systemId, '394'), buyer: { counterpartyId: BUYER, inn: '7728168971' }, amount: '13500.00', currency: 'RUB', status: 'NEW' });

    const oldId = await rest<number>(rig.sb, 'crm.invoice.add', {
      fields: { ACCOUNT_NUMBER: 'INV-9', ORDER_TOPIC: 'Счёт', PERSON_TYPE_ID: 1, PAY_SYSTEM_ID: 1, UF_COMPANY_ID: 9, UF_DEAL_ID: 394, PRODUCT_ROWS: [{ PRODUCT_NAME: 'Стул', PRICE: 4900, QUANTITY: 2, VAT_RATE: 0.2 }] },
    });
    const oldInvoiceId = documentId('invoice', rig.systemId, `I_${oldId}`);
    const old = await reader.waitFor<Invoice>('invoice', 'the old invoice', (v) => v.invoiceId === oldInvoiceId);
    expect(old).toMatchObject({ number: 'INV-9', amount: '9800.00', vatAmount: '1633.33', status: 'NEW', orderId: documentId('order', rig.systemId, '394') });
    await rest(rig.sb, 'crm.invoice.update', { id: oldId, fields: { STATUS_ID: 'P' } });
    await reader.waitFor<Invoice>('invoice', 'the paid old invoice', (v) => v.invoiceId === oldInvoiceId && v.status === 'PAID');
  });

  it('keeps an event while the portal cannot be read, and publishes it on the retry', async () => {
    await admin(rig.sb, '/_admin/faults', { op: '^batch$', count: 2, response: { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } } });
    await rest(rig.sb, 'crm.company.update', { id: 9, fields: { TITLE: 'Ромашка Групп' } });
    const [retry] = await eventually('the failed attempt recorded', async () => {
      const rows = await exchangeLog(rig.c, `status = 'retry' AND business_keys->>'company' = '9'`);
      return rows.length > 0 ? rows : undefined;
    });
    expect(retry!.error_code).toBe('ESB_TARGET_UNAVAILABLE');
    const [row] = (await rig.c.store.dataSource.query(`SELECT status, attempts, next_attempt_at FROM inbound WHERE dedupe_key = 'company:9' ORDER BY id DESC LIMIT 1`)) as Array<{ status: string; attempts: number; next_attempt_at: Date }>;
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    await new Promise((r) => setTimeout(r, Math.max(0, row!.next_attempt_at.getTime() - Date.now()) + 100));
    await rig.c.poll(SOURCE_POLLERS.worker);
    await reader.waitFor<Counterparty>('counterparty', 'the company after the portal recovered', (v) => v.counterpartyId === BUYER && v.name === 'Ромашка Групп');
  });

  it('catches a change whose webhook was lost by the DATE_MODIFY reconcile', async () => {
    await admin(rig.sb, '/_admin/webhooks/drop', { count: 1 });
    await rest(rig.sb, 'crm.company.update', { id: 9, fields: { PHONE: [{ VALUE: '+7 812 000-00-01', VALUE_TYPE: 'WORK' }] } });
    const deliveries = (await eventsSettled(rig.sb)).deliveries;
    expect(deliveries.at(-1)).toMatchObject({ event: 'ONCRMCOMPANYUPDATE', status: 'dropped' });
    await rig.c.poll(SOURCE_POLLERS.reconcile);
    const cp = await reader.waitFor<Counterparty>('counterparty', 'the company with its new phone', (v) => v.counterpartyId === BUYER && v.phones.some((p) => p.number === '+78120000001'));
    expect(cp.name).toBe('Ромашка Групп');
    expect((await exchangeLog(rig.c, `operation = 'reconcile company'`)).length).toBeGreaterThan(0);
  });
});

describe('a worker that dies mid-way', () => {
  it('leaves the event pending and the outbox empty; the next run publishes the Order exactly once', async () => {
    const orderId = documentId('order', rig.systemId, '396');
    // The portal answers slowly, so the worker is caught holding its transaction between the read and the commit.
    await admin(rig.sb, '/_admin/faults', { op: '^batch$', count: 1, latencyMs: 1500 });
    await rest(rig.sb, 'crm.deal.update', { id: 396, fields: { STAGE_ID: 'PREPAYMENT_INVOICE' } });
    // What a crash looks like to PostgreSQL: the worker's connection drops, its transaction is rolled back.
    const killed = await eventually('the worker caught inside its transaction', async () => {
      const r: Array<{ killed: boolean }> = await rig.c.store.dataSource.query(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
         WHERE application_name = $1 AND state = 'idle in transaction' AND query LIKE '%pg_advisory_xact_lock%'`,
        [`esb:${rig.storeSchema}`],
      );
      return r.length > 0 ? r : undefined;
    }, 5_000, 20);
    expect(killed).toEqual([{ killed: true }]);
    await new Promise((r) => setTimeout(r, 2_000));
    const [row] = (await rig.c.store.dataSource.query(`SELECT status, attempts FROM inbound WHERE dedupe_key = 'deal:396'`)) as Array<{ status: string; attempts: number }>;
    expect(row).toEqual({ status: 'pending', attempts: 0 });
    expect(await outboxRows(rig.c, 'esb.canonical.Order', orderId)).toHaveLength(0);

    await rig.c.poll(SOURCE_POLLERS.worker);
    const o = await reader.waitFor<Order>('order', 'the Order of deal 396', (v) => v.orderId === orderId);
    expect(o.total).toBe('60000.00');
    await rig.c.poll(SOURCE_POLLERS.worker);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await outboxRows(rig.c, 'esb.canonical.Order', orderId)).toHaveLength(1);
    expect(new Set(reader.of<Order>('order', (v) => v.orderId === orderId).map((v) => v.meta.eventId)).size).toBe(1);
  });
});
