// The source side against the 1C sandbox (УТ 11.5), real Kafka, registry and PostgreSQL: what a person does in 1C
// (posts a receipt, ships, sends a УПД over EDO, edits a counterparty) reaches esb.events.* once, in order, with
// the amounts adding up; our own writes are not echoed; 1C pushes through /ingest; a poll killed midway loses and
// duplicates nothing.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { AvroSerde, createKafka, createLogger } from '@esb/bus';
import { documentId, legalCounterpartyId, productId, schemaByName, type Debt, type EdoStatus, type Invoice, type Meta, type Payment, type Shipment } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import { parseTopology, type Topology } from '@esb/config';
import { Connector } from '@esb/connector-kit';
import { OneCClient, type OneCEntity } from '@esb/onec-client';
import { startOneCSandbox, DEMO, type OneCSandbox } from '@esb/sandbox-1c';
import { endpoints, eventually, uniqueName } from '@esb/testing';
import { rememberOwnWrite } from '../echo.ts';
import { registerSource, SOURCE_EMITS } from './index.ts';

const D = DEMO.ut;
const systemId = uniqueName('ut-src').toLowerCase().replace(/_/g, '-');
const TOKEN = `tok-${randomUUID()}`;
const ORG_ENTITY = legalCounterpartyId('7707083893', '770701001');

let sb: OneCSandbox;
let c: Connector;
let onec: OneCClient;
let consumer: Consumer;
const logs: string[] = [];
/** Every event of this test's system that reached Kafka, in arrival order per topic. */
const seen: Array<{ topic: string; value: { meta: Meta } & Record<string, unknown> }> = [];

const events = <T>(recordName: string) => seen.filter((e) => e.topic === schemaByName(`esb.canonical.${recordName}`)!.topic).map((e) => e.value as unknown as T & { meta: Meta });
const byExternal = <T>(recordName: string, externalId: string) => events<T>(recordName).filter((e) => e.meta.source.externalId === externalId);

async function outboxCount(where: string, params: unknown[] = []): Promise<number> {
  const r: Array<{ n: string }> = await c.store.dataSource.query(`SELECT count(*) AS n FROM outbox WHERE ${where}`, params);
  return Number(r[0]!.n);
}

/** Waits until the relay has published everything in the outbox, so "nothing more arrived" can be asserted. */
async function drained(): Promise<void> {
  await eventually('outbox drained', async () => (await outboxCount('published_at IS NULL')) === 0);
  const published = await outboxCount(`topic LIKE 'esb.events.%'`);
  await eventually(`all ${published} published events consumed`, async () => seen.length >= published, 30_000);
}

beforeAll(async () => {
  sb = await startOneCSandbox({ infobases: [{ name: 'ut', profile: 'ut11', demo: true }] });
  const topology: Topology = parseTopology(
    `
version: 1
legalEntities:
  - { id: trade, name: Торговый дом, inn: "7707083893", kpp: "770701001", tradeSystem: ${systemId} }
systems:
  ${systemId}:
    kind: 1c-ut
    url: ${sb.odataUrl('ut')}
    profile: ut11.5
    auth: { user: odata, password: { env: PW } }
    ingestToken: { env: TOKEN }
`,
    'source.yaml',
    { PW: 'odata', TOKEN },
  );
  const e = endpoints();
  c = await Connector.open({
    service: 'connector-1c-ut',
    systemId,
    kinds: ['1c-ut'],
    topology: () => topology,
    endpoints: e,
    logger: createLogger('connector-1c-ut', {}, (l) => logs.push(l)),
    emits: SOURCE_EMITS,
    partitions: 1,
    relayPollMs: 50,
  });
  onec = new OneCClient({ baseUrl: sb.odataUrl('ut'), user: 'odata', password: 'odata' });
  // Small pages, so every scan crosses page boundaries (and transactions) as a large base would.
  registerSource(c, () => onec, { pageSize: 2 });
  await c.start({ pollers: false });
  const kafka = createKafka({ brokers: e.kafkaBrokers, clientId: `${systemId}-read` });
  const serde = new AvroSerde(e.schemaRegistryUrl);
  consumer = kafka.consumer({ groupId: `${systemId}-read` });
  await consumer.connect();
  await consumer.subscribe({ topics: SOURCE_EMITS.map((r) => schemaByName(r)!.topic), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const d = await serde.decode<{ meta: Meta } & Record<string, unknown>>(message.value);
      if (d.value.meta.source.system === systemId) seen.push({ topic, value: d.value });
    },
  });
}, 120_000);

afterAll(async () => {
  await consumer?.disconnect();
  const schema = c?.store.schema;
  if (c) {
    await c.store.dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await c.stop();
  }
  await sb?.close();
});

// ---- 1C as a person uses it -------------------------------------------------------------------------------------

async function postedOrder(opts: { counterparty?: string; partner?: string; comment?: string; rows?: Array<{ item: string; qty: number; price: number }> } = {}): Promise<OneCEntity> {
  const rows = opts.rows ?? [{ item: D.laptop, qty: 1, price: 1000 }];
  const o = await onec.create('Document_ЗаказКлиента', {
    Date: new Date(),
    Организация_Key: D.organization,
    Партнер_Key: opts.partner ?? D.partnerRomashka,
    Контрагент_Key: opts.counterparty ?? D.romashka,
    Валюта_Key: D.currency,
    Склад_Key: D.warehouse,
    Статус: 'КОтгрузке',
    ЦенаВключаетНДС: true,
    Комментарий: opts.comment ?? '',
    Товары: rows.map((r) => ({ Номенклатура_Key: r.item, Количество: r.qty, Цена: r.price, Сумма: r.qty * r.price, СуммаСНДС: r.qty * r.price, СтавкаНДС_Key: D.vat20, СуммаНДС: Math.round((r.qty * r.price * 20) / 1.2) / 100 })),
  });
  await onec.post('Document_ЗаказКлиента', String(o['Ref_Key']));
  return onec.get('Document_ЗаказКлиента', String(o['Ref_Key']));
}

async function bankReceipt(order: OneCEntity, amount: number, counterparty: string = D.romashka, date: Date = new Date()): Promise<OneCEntity> {
  const r = await onec.create('Document_ПоступлениеБезналичныхДенежныхСредств', {
    Date: date,
    ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента',
    Организация_Key: D.organization,
    БанковскийСчет_Key: D.bankAccount,
    Контрагент_Key: counterparty,
    Валюта_Key: D.currency,
    СуммаДокумента: amount,
    РасшифровкаПлатежа: [{ ОбъектРасчетов_Key: String(order['ОбъектРасчетов_Key']), Сумма: amount }],
  });
  await onec.post('Document_ПоступлениеБезналичныхДенежныхСредств', String(r['Ref_Key']));
  return r;
}

async function cashReceiptFor(basisSet: string, basisRef: string, amount: number): Promise<OneCEntity> {
  const r = await onec.create('Document_ПриходныйКассовыйОрдер', {
    Date: new Date(),
    ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента',
    Организация_Key: D.organization,
    Касса_Key: D.cashDesk,
    Контрагент_Key: D.romashka,
    Валюта_Key: D.currency,
    СуммаДокумента: amount,
    ДокументОснование: basisRef,
    ДокументОснование_Type: `StandardODATA.${basisSet}`,
  });
  await onec.post('Document_ПриходныйКассовыйОрдер', String(r['Ref_Key']));
  return r;
}

async function postedSale(order: OneCEntity, extra: Record<string, unknown> = {}): Promise<OneCEntity> {
  const rows = (order['Товары'] as OneCEntity[]).map((r) => ({ Номенклатура_Key: r['Номенклатура_Key'], Количество: r['Количество'], Цена: r['Цена'], Сумма: r['Сумма'], СуммаСНДС: r['СуммаСНДС'], СтавкаНДС_Key: D.vat20 }));
  const s = await onec.create('Document_РеализацияТоваровУслуг', {
    Date: new Date(),
    Организация_Key: D.organization,
    Партнер_Key: order['Партнер_Key'],
    Контрагент_Key: order['Контрагент_Key'],
    Валюта_Key: D.currency,
    Склад_Key: D.warehouse,
    ХозяйственнаяОперация: 'РеализацияКлиенту',
    ЗаказКлиента: String(order['Ref_Key']),
    ЗаказКлиента_Type: 'StandardODATA.Document_ЗаказКлиента',
    ЦенаВключаетНДС: true,
    Товары: rows,
    ...extra,
  });
  await onec.post('Document_РеализацияТоваровУслуг', String(s['Ref_Key']));
  return onec.get('Document_РеализацияТоваровУслуг', String(s['Ref_Key']));
}

async function admin(path: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`${sb.url}/_admin/infobases/ut/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = (await r.json()) as Record<string, unknown>;
  if (r.status >= 300) throw new Error(`admin ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

const ref = (e: OneCEntity) => String(e['Ref_Key']);

// ---- the flows ---------------------------------------------------------------------------------------------------

describe('1C → bus: payments and shipments (F3, F4, F2)', () => {
  it('publishes a partial then a full payment with totals that add up, the invoice with its PDF, and the shipment', async () => {
    const order = await postedOrder({ rows: [{ item: D.laptop, qty: 1, price: 1000 }, { item: D.mouse, qty: 2, price: 250 }] });
    const orderId = documentId('order', systemId, ref(order));
    const first = await bankReceipt(order, 400);
    await c.poll('receipts');
    await drained();
    const p1 = byExternal<Payment>('Payment', ref(first));
    expect(p1).toHaveLength(1);
    expect(p1[0]).toMatchObject({ orderId, status: 'PARTIAL', amount: '400.00', totalPaid: '400.00', orderTotal: '1500.00', balance: '1100.00', currency: 'RUB', counterpartyId: legalCounterpartyId('7736050003', '773601001') });
    expect(p1[0]!.paymentId).toBe(documentId('payment', systemId, ref(first)));
    expect(p1[0]!.meta.legalEntityId).toBe(ORG_ENTITY);
    expect(p1[0]!.document).toMatchObject({ kind: 'BANK', number: String(first['Number']) });

    // The rest is paid in cash against an invoice issued for the order.
    const inv = await onec.create('Document_СчетНаОплатуКлиенту', {
      Date: new Date(),
      Организация_Key: D.organization,
      Партнер_Key: D.partnerRomashka,
      Контрагент_Key: D.romashka,
      Валюта_Key: D.currency,
      СуммаДокумента: 1100,
      ДокументОснование: ref(order),
      ДокументОснование_Type: 'StandardODATA.Document_ЗаказКлиента',
      ЭтапыГрафикаОплаты: [{ ВариантОплаты: 'ПредоплатаДоОтгрузки', ДатаПлатежа: '2030-01-15T00:00:00', ПроцентПлатежа: 100, СуммаПлатежа: 1100 }],
    });
    await onec.post('Document_СчетНаОплатуКлиенту', ref(inv));
    const second = await cashReceiptFor('Document_СчетНаОплатуКлиенту', ref(inv), 1100);
    await c.poll('receipts');
    await c.poll('invoices');
    const sale = await postedSale(order, { ДополнительныеРеквизиты: [{ Свойство_Key: D.propTracking, Значение: 'TRACK-777', Значение_Type: 'Edm.String' }] });
    await c.poll('sales');
    await drained();

    const p2 = byExternal<Payment>('Payment', ref(second));
    expect(p2).toHaveLength(1);
    expect(p2[0]).toMatchObject({ orderId, invoiceId: documentId('invoice', systemId, ref(inv)), status: 'PAID', amount: '1100.00', totalPaid: '1500.00', balance: '0.00' });
    expect(p2[0]!.document.kind).toBe('CASH');

    const invoice = byExternal<Invoice>('Invoice', ref(inv));
    expect(invoice).toHaveLength(1);
    expect(invoice[0]).toMatchObject({ invoiceId: documentId('invoice', systemId, ref(inv)), orderId, amount: '1100.00', status: 'SENT', dueDate: '2030-01-15', sellerLegalEntityId: ORG_ENTITY });
    expect(invoice[0]!.buyer).toMatchObject({ inn: '7736050003', kpp: '773601001', kind: 'LEGAL_ENTITY' });
    const pdf = invoice[0]!.pdf!;
    expect(pdf.mime).toBe('application/pdf');
    expect(pdf.fileName).toMatch(new RegExp(`^Счет ${String(inv['Number'])} от \\d{2}\\.\\d{2}\\.\\d{4}\\.pdf$`));
    // The link points at this connector, signed: no 1C credentials needed, a tampered link is refused.
    expect(pdf.url.startsWith(`${c.url}/files/1c/${systemId}/invoice/`)).toBe(true);
    const bytes = Buffer.from(await (await fetch(pdf.url)).arrayBuffer());
    expect((await fetch(pdf.url.replace(/sig=[0-9a-f]/, (m) => (m.endsWith('0') ? m.slice(0, -1) + '1' : m.slice(0, -1) + '0')))).status).toBe(403);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({ size: pdf.size, sha256: pdf.sha256 });

    const shipment = byExternal<Shipment>('Shipment', ref(sale));
    expect(shipment).toHaveLength(1);
    expect(shipment[0]).toMatchObject({ shipmentId: documentId('shipment', systemId, ref(sale)), orderId, documentNumber: String(sale['Number']), shippedOn: String(sale['Date']).slice(0, 10), trackingNumber: 'TRACK-777' });
    expect(shipment[0]!.lines).toEqual([
      { productId: productId({ article: 'SKU-001' }), article: 'SKU-001', name: 'Ноутбук 15"', quantity: '1.000', unit: { okei: '796', name: 'шт' } },
      { productId: productId({ article: 'SKU-002' }), article: 'SKU-002', name: 'Мышь беспроводная', quantity: '2.000', unit: { okei: '796', name: 'шт' } },
    ]);

    // Nothing changed in 1C: the next polls publish nothing.
    const before = seen.length;
    for (const job of ['receipts', 'sales', 'invoices']) await c.poll(job);
    await drained();
    expect(seen.length).toBe(before);
    const logged: Array<{ n: string }> = await c.store.dataSource.query(`SELECT count(*) AS n FROM exchange_log WHERE operation = 'poll receipts' AND status = 'ok' AND business_keys->>'order' = $1`, [String(order['Number'])]);
    expect(Number(logged[0]!.n)).toBe(2);
  });

  it('names the canonical order the sink stored in the 1C order, and publishes an unposted payment as a negative one', async () => {
    const canonical = randomUUID();
    const order = await postedOrder({ comment: `Создан шиной ESB: Битрикс24, сделка 4512 (b24). ESB:order:${canonical}` });
    const r = await bankReceipt(order, 300);
    await c.poll('receipts');
    await onec.unpost('Document_ПоступлениеБезналичныхДенежныхСредств', ref(r));
    await c.poll('receipts');
    await drained();
    const ps = byExternal<Payment>('Payment', ref(r));
    expect(ps.map((p) => [p.orderId, p.status, p.amount, p.totalPaid, p.balance])).toEqual([
      [canonical, 'PARTIAL', '300.00', '300.00', '700.00'],
      [canonical, 'UNPAID', '-300.00', '0.00', '1000.00'],
    ]);
  });
});

describe('1C-ЭДО states (F8)', () => {
  it('publishes sent → delivered → signed in order, and a rejection with its reason', async () => {
    const order = await postedOrder();
    const orderId = documentId('order', systemId, ref(order));
    const sale = await postedSale(order);
    const ed = String((await admin('edo/send', { object: ref(sale) }))['ref']);
    await c.poll('edo');
    await admin(`edo/${ed}/delivered`, {});
    await c.poll('edo');
    await admin(`edo/${ed}/signed`, {});
    await c.poll('edo');
    await c.poll('edo');

    const order2 = await postedOrder();
    const sale2 = await postedSale(order2);
    const ed2 = String((await admin('edo/send', { object: ref(sale2) }))['ref']);
    await c.poll('edo');
    await admin(`edo/${ed2}/delivered`, {});
    await admin(`edo/${ed2}/rejected`, { reason: 'Неверная цена в строке 1' });
    await c.poll('edo');
    await drained();

    const signed = byExternal<EdoStatus>('EdoStatus', ed);
    expect(signed.map((e) => e.status)).toEqual(['SENT', 'DELIVERED', 'SIGNED']);
    expect(signed[0]).toMatchObject({ orderId, documentId: documentId('shipment', systemId, ref(sale)), documentNumber: String(sale['Number']), operator: '1С-ЭДО', reason: null });
    const rejected = byExternal<EdoStatus>('EdoStatus', ed2);
    expect(rejected.map((e) => [e.status, e.reason])).toEqual([
      ['SENT', null],
      ['REJECTED', 'Неверная цена в строке 1'],
    ]);
    expect(rejected[1]!.orderId).toBe(documentId('order', systemId, ref(order2)));
  });
});

describe('master data, prices and stock (F5, F6)', () => {
  it('publishes each change once, nothing for unchanged objects, and never our own writes', async () => {
    await c.poll('counterparties');
    await c.poll('products');
    await c.poll('prices');
    await c.poll('stock');
    await drained();
    const romashkaId = legalCounterpartyId('7736050003', '773601001');
    expect(events<{ counterpartyId: string }>('Counterparty').filter((e) => e.counterpartyId === romashkaId)).toHaveLength(1);
    expect(byExternal<{ kind: string; inn: string }>('Counterparty', D.ivanov)[0]).toMatchObject({ kind: 'SOLE_PROPRIETOR', inn: '500100732259', kpp: null });
    expect(byExternal<{ name: string; vatRate: string; kind: string; unit: unknown }>('Product', D.delivery)[0]).toMatchObject({ name: 'Доставка', kind: 'SERVICE', vatRate: 'VAT_20', unit: { okei: '796', name: 'шт' } });
    expect(byExternal<{ amount: string; priceType: string }>('Price', D.laptop).map((p) => [p.priceType, p.amount]).sort()).toEqual([
      ['Оптовая', '84990.00'],
      ['Розничная', '89990.00'],
    ]);
    const cableStock = () => byExternal<{ quantity: string; warehouse: { name: string } }>('StockLevel', D.cable);
    expect(cableStock().map((s) => [s.warehouse.name, s.quantity])).toEqual([['Основной склад', '100.000']]);

    const before = seen.length;
    for (const job of ['counterparties', 'products', 'prices', 'stock']) await c.poll(job);
    await drained();
    expect(seen.length).toBe(before);

    // A person renames Ромашка, re-prices the mouse and finds 5 cables; the bus itself renames Иванов and the cable.
    await onec.update('Catalog_Контрагенты', D.romashka, { Description: 'Ромашка АО' });
    const ivanov = await onec.update('Catalog_Контрагенты', D.ivanov, { Description: 'Иванов И.И. ИП' });
    const cable = await onec.update('Catalog_Номенклатура', D.cable, { Description: 'Кабель HDMI 2.1, 2 м' });
    await c.transaction(async (tx) => {
      await rememberOwnWrite(tx, 'Catalog_Контрагенты', D.ivanov, String(ivanov['DataVersion']));
      await rememberOwnWrite(tx, 'Catalog_Номенклатура', D.cable, String(cable['DataVersion']));
    });
    const ps = await onec.create('Document_УстановкаЦенНоменклатуры', { Date: new Date(), Статус: 'Согласовано', Товары: [{ Номенклатура_Key: D.mouse, ВидЦены_Key: D.priceRetail, Упаковка_Key: D.unitPcs, Цена: 1590 }] });
    await onec.post('Document_УстановкаЦенНоменклатуры', ref(ps));
    const found = await onec.create('Document_ОприходованиеИзлишковТоваров', { Date: new Date(), Организация_Key: D.organization, Склад_Key: D.warehouse, Товары: [{ Номенклатура_Key: D.cable, Количество: 5 }] });
    await onec.post('Document_ОприходованиеИзлишковТоваров', ref(found));
    for (const job of ['counterparties', 'products', 'prices', 'stock']) await c.poll(job);
    await drained();

    const fresh = seen.slice(before).map((e) => e.value);
    expect(fresh.map((e) => `${e.meta.source.externalId}:${e.meta.source.system === systemId}`).sort()).toEqual([`${D.cable}:true`, `${D.mouse}:true`, `${D.romashka}:true`].sort());
    expect(byExternal<{ name: string }>('Counterparty', D.romashka).map((e) => e.name)).toEqual(['Ромашка ООО', 'Ромашка АО']);
    expect(byExternal<{ amount: string; priceType: string }>('Price', D.mouse).filter((p) => p.priceType === 'Розничная').map((p) => p.amount)).toEqual(['1490.00', '1590.00']);
    expect(cableStock().map((s) => s.quantity)).toEqual(['100.000', '105.000']);
    const skipped: Array<{ operation: string }> = await c.store.dataSource.query(`SELECT operation FROM exchange_log WHERE status = 'skipped' AND details->>'reason' = 'written by the bus itself' ORDER BY id`);
    expect(skipped.map((s) => s.operation).sort()).toEqual(['poll counterparties', 'poll products']);
  });
});

describe('mutual settlements (F7)', () => {
  it('publishes the debt after a sale and zero once it is paid', async () => {
    const partner = await onec.create('Catalog_Партнеры', { Description: 'Вектор', НаименованиеПолное: 'Вектор', ЮрФизЛицо: 'Компания', Клиент: true });
    const vector = await onec.create('Catalog_Контрагенты', { Description: 'Вектор ООО', НаименованиеПолное: 'ООО «Вектор»', Партнер_Key: ref(partner), ЮрФизЛицо: 'ЮрЛицо', ИНН: '5024089920', КПП: '502401001' });
    const order = await postedOrder({ counterparty: ref(vector), partner: ref(partner), rows: [{ item: D.mouse, qty: 2, price: 1000 }] });
    await postedSale(order);
    await c.poll('debts');
    await bankReceipt(order, 2000, ref(vector));
    await c.poll('debts');
    await c.poll('debts');
    await drained();
    const vectorId = legalCounterpartyId('5024089920', '502401001');
    const debts = events<Debt>('Debt').filter((d) => d.counterpartyId === vectorId);
    expect(debts.map((d) => [d.amount, d.currency, d.legalEntityId])).toEqual([
      ['2000.00', 'RUB', ORG_ENTITY],
      ['0.00', 'RUB', ORG_ENTITY],
    ]);
  });
});

describe('POST /ingest/1c/:systemId', () => {
  const url = () => `${c.url}/ingest/1c/${systemId}`;
  const post = (body: unknown, token = TOKEN) => fetch(url(), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('publishes a valid event once even when 1C posts it twice; refuses a forged token and an invalid body', async () => {
    const sample = canonicalSamples['esb.canonical.Payment'];
    const eventId = randomUUID();
    const event = { ...sample, meta: { eventId, source: { externalId: 'a1b2c3d4-0000-4000-8000-000000000001' } } };
    const r1 = await post({ recordType: 'Payment', event });
    expect(r1.status).toBe(200);
    expect(await r1.json()).toEqual({ eventId, duplicate: false });
    const r2 = await post({ recordType: 'Payment', event });
    expect(await r2.json()).toEqual({ eventId, duplicate: true });

    const forged = await post({ recordType: 'Payment', event: { ...event, meta: { ...event.meta, eventId: randomUUID() } } }, 'forged');
    expect(forged.status).toBe(401);
    const none = await fetch(url(), { method: 'POST', body: JSON.stringify({ recordType: 'Payment', event }) });
    expect(none.status).toBe(401);

    const bad = await post({ recordType: 'Payment', event: { ...event, status: 'PAYED', meta: { ...event.meta, eventId: randomUUID() } } });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: string; message: string; fields: string[] };
    expect(badBody.fields).toEqual(['event.status']);
    expect(badBody.message).toContain('event.status');

    await drained();
    const got = events<Payment>('Payment').filter((p) => p.meta.source.externalId === 'a1b2c3d4-0000-4000-8000-000000000001');
    expect(got.map((p) => p.meta.eventId)).toEqual([eventId]);
    expect(got[0]!.meta.source).toEqual({ system: systemId, kind: '1c-ut', externalId: 'a1b2c3d4-0000-4000-8000-000000000001' });
    expect(got[0]!.totalPaid).toBe(sample.totalPaid);
    const log: Array<{ status: string; error_code: string | null }> = await c.store.dataSource.query(`SELECT status, error_code FROM exchange_log WHERE operation = 'ingest' ORDER BY id`);
    expect(log.map((l) => [l.status, l.error_code])).toEqual([
      ['ok', null],
      ['duplicate', null],
      ['error', 'ESB_UNAUTHORIZED'],
      ['error', 'ESB_UNAUTHORIZED'],
      ['error', 'ESB_VALIDATION'],
    ]);
  });
});

describe('a poll killed midway', () => {
  it('loses and duplicates nothing: the interrupted transaction leaves no trace, the next run publishes each payment once', async () => {
    const order = await postedOrder();
    // a is dated first, so 1C's order (date, Ref_Key) puts it before b whatever their GUIDs.
    const a = await bankReceipt(order, 100, D.romashka, new Date(Date.now() - 5000));
    const b = await bankReceipt(order, 200);
    const schema = c.store.schema;
    // The "kill": the database refuses the second receipt's event inside the poll's transaction.
    await c.store.dataSource.query(`CREATE FUNCTION "${schema}".die() RETURNS trigger AS $$ BEGIN IF NEW.payload::text LIKE '%${ref(b)}%' THEN RAISE EXCEPTION 'killed midway'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await c.store.dataSource.query(`CREATE TRIGGER die BEFORE INSERT ON "${schema}".outbox FOR EACH ROW EXECUTE FUNCTION "${schema}".die()`);
    await expect(c.poll('receipts')).rejects.toThrow(/killed midway/);
    await c.store.dataSource.query(`DROP TRIGGER die ON "${schema}".outbox; DROP FUNCTION "${schema}".die()`);
    await c.poll('receipts');
    await c.poll('receipts');
    await drained();
    const pa = byExternal<Payment>('Payment', ref(a));
    const pb = byExternal<Payment>('Payment', ref(b));
    expect(pa.map((p) => [p.amount, p.totalPaid, p.status])).toEqual([['100.00', '100.00', 'PARTIAL']]);
    expect(pb.map((p) => [p.amount, p.totalPaid, p.status])).toEqual([['200.00', '300.00', 'PARTIAL']]);
    expect(await outboxCount(`payload->'meta'->'source'->>'externalId' IN ($1, $2)`, [ref(a), ref(b)])).toBe(2);
  });
});
