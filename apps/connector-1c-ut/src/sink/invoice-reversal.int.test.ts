// CRM invoices into УТ 11.5 (F2) and order reversals (F10) against the 1C sandbox, Kafka, registry and PostgreSQL: the
// invoice bills its order (ДокументОснование, parties taken from the order), a cancelled one is «Аннулирован»; a
// deal moved to another legal entity's funnel unposts the old entity's order — its debt disappears — marks it for
// deletion, and the new Order for the other entity becomes a separate document; a shipped order is not reversed
// behind a person's back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DEMO, startOneCSandbox, type OneCSandbox } from '@esb/sandbox-1c';
import { documentId, legalCounterpartyId, type Invoice, type Link, type Order, type OrderReversal } from '@esb/canonical';
import { originMarker } from '../mapping/order.ts';
import { again, company, dealOrder, deliver, dlqTopic, eventually, linkTopic, reasonOf, startSink, sysId, topologyOf, TopicReader, type SinkUnderTest } from './test-harness.ts';

const D = DEMO.ut;
const TRADE = { inn: '7707083893', kpp: '770701001' };
const OPT = { inn: '5024089920', kpp: '502401001' };
const OPT_ORG = 'e0000000-0000-4000-8000-000000000001';
const ROMASHKA = company('ООО «Ромашка»', '7736050003', '773601001');
const ORDER = 'Document_ЗаказКлиента';
const INVOICE = 'Document_СчетНаОплатуКлиенту';

let sb: OneCSandbox;
let sink: SinkUnderTest;
let links: TopicReader<Link>;
let dlq: TopicReader<OrderReversal>;
const systemId = sysId('ut-inv');
const ib = () => sb.infobase('ut');
const byMarker = (set: string, kind: 'order' | 'invoice', id: string) => ib().all(set).filter((d) => String(d['Комментарий']).includes(originMarker(kind, id)));
const send = (...records: Array<{ recordType: string; key: string; value: { meta: { eventId: string } } }>) => deliver(sink.c, systemId, records);
const asOrder = (o: Order) => ({ recordType: 'esb.canonical.Order', key: o.orderId, value: o });
const applied = async (eventId: string) => ((await sink.c.store.dataSource.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [eventId])) as unknown[]).length > 0;
/** What the customer still owes for an order: the КОплате balance of its settlement object. */
const due = (order: Record<string, unknown>) =>
  ib()
    .recordsOf('AccumulationRegister_РасчетыСКлиентами')
    .filter((r) => r['ОбъектРасчетов_Key'] === order['ОбъектРасчетов_Key'] && r['Active'] !== false)
    .reduce((s, r) => s + (r['RecordType'] === 'Expense' ? -1 : 1) * Number(r['КОплате']), 0);

function crmInvoice(id: string, over: Partial<Invoice>): Invoice {
  const eventId = randomUUID();
  return {
    meta: { eventId, occurredAt: new Date().toISOString(), source: { system: 'b24', kind: 'bitrix24', externalId: id }, legalEntityId: null, correlationId: eventId, causationId: null },
    invoiceId: documentId('invoice', 'b24', id),
    number: `СЧ-${id}`,
    date: '2026-11-21T09:00:00.000Z',
    orderId: null,
    buyer: null,
    sellerLegalEntityId: legalCounterpartyId(TRADE.inn, TRADE.kpp),
    amount: '0.00',
    vatAmount: '0.00',
    currency: 'RUB',
    dueDate: '2026-11-28',
    status: 'SENT',
    pdf: null,
    ...over,
  };
}

function reversal(o: Order, over: Partial<OrderReversal> = {}): OrderReversal {
  const eventId = randomUUID();
  return {
    meta: { eventId, occurredAt: '2026-11-22T08:00:00.000Z', source: { system: 'esb', kind: 'esb', externalId: o.origin.externalId }, legalEntityId: legalCounterpartyId(TRADE.inn, TRADE.kpp), correlationId: eventId, causationId: null },
    orderId: o.orderId,
    orderNumber: o.number,
    reason: 'MOVED_TO_OTHER_LEGAL_ENTITY',
    fromLegalEntityId: legalCounterpartyId(TRADE.inn, TRADE.kpp),
    toLegalEntityId: legalCounterpartyId(OPT.inn, OPT.kpp),
    comment: 'Сделка перенесена в воронку «Опт»',
    ...over,
  };
}

beforeAll(async () => {
  sb = await startOneCSandbox({
    port: 0,
    infobases: [
      {
        name: 'ut',
        profile: 'ut11',
        demo: true,
        data: { Catalog_Организации: [{ Ref_Key: OPT_ORG, Description: 'Ромашка-Опт', ИНН: OPT.inn, КПП: OPT.kpp, ЮрФизЛицо: 'ЮрЛицо' }] },
      },
    ],
  });
  const topology = topologyOf(sb, [{ id: systemId, kind: '1c-ut', infobase: 'ut', profile: 'ut11.5' }], [
    { id: 'trade', name: 'Торговый дом', ...TRADE, tradeSystem: systemId },
    { id: 'opt', name: 'Ромашка-Опт', ...OPT, tradeSystem: systemId },
  ]);
  sink = await startSink(() => topology, systemId);
  links = await TopicReader.open<Link>(linkTopic());
  dlq = await TopicReader.open<OrderReversal>(dlqTopic(systemId));
});

afterAll(async () => {
  await links?.close();
  await dlq?.close();
  await sink?.stop();
  await sb?.close();
});

describe('Invoice → Document_СчетНаОплатуКлиенту', () => {
  it('bills the order in this base, with the buyer taken from it, and is annulled when the CRM cancels it', async () => {
    const o = dealOrder('6100', ROMASHKA, [{ article: 'SKU-001', name: 'Ноутбук 15"', qty: '1', price: '89990.00', vat: 'VAT_22' }], TRADE);
    await send(asOrder(o));
    const order = await eventually('order posted', async () => byMarker(ORDER, 'order', o.orderId)[0]?.['Posted'] === true && byMarker(ORDER, 'order', o.orderId)[0]);

    const inv = crmInvoice('31-77', { orderId: o.orderId, amount: '89990.00', vatAmount: '16227.70' });
    await send({ recordType: 'esb.canonical.Invoice', key: inv.invoiceId, value: inv });
    const doc = await eventually('invoice posted', async () => byMarker(INVOICE, 'invoice', inv.invoiceId)[0]?.['Posted'] === true && byMarker(INVOICE, 'invoice', inv.invoiceId)[0]);
    expect(doc).toMatchObject({
      Организация_Key: D.organization,
      Контрагент_Key: D.romashka,
      Партнер_Key: D.partnerRomashka,
      Валюта_Key: D.currency,
      СуммаДокумента: 89990,
      ДокументОснование: order['Ref_Key'],
      ДокументОснование_Type: `StandardODATA.${ORDER}`,
      Аннулирован: false,
      Date: '2026-11-21T12:00:00',
    });
    expect((doc['ЭтапыГрафикаОплаты'] as Array<Record<string, unknown>>).map((s) => [s['ДатаПлатежа'], s['СуммаПлатежа']])).toEqual([['2026-11-28T00:00:00', 89990]]);
    const link = await eventually('invoice Link', async () => links.seen.find((l) => l.value.canonicalId === inv.invoiceId && l.value.systemId === systemId)?.value);
    expect(link).toMatchObject({ entityType: 'invoice', externalId: doc['Ref_Key'], number: doc['Number'] });

    const cancelled = again({ ...inv, status: 'CANCELLED' as const });
    await send({ recordType: 'esb.canonical.Invoice', key: inv.invoiceId, value: cancelled });
    await eventually('cancellation applied', () => applied(cancelled.meta.eventId));
    expect(byMarker(INVOICE, 'invoice', inv.invoiceId).map((d) => [d['Ref_Key'], d['Аннулирован']])).toEqual([[doc['Ref_Key'], true]]);
  });

  it('writes a standalone invoice for a buyer found by INN when its order is not in this base', async () => {
    const inv = crmInvoice('31-78', { orderId: documentId('order', 'b24', 'nowhere'), buyer: ROMASHKA, amount: '1000.00', vatAmount: '180.33', dueDate: null });
    await send({ recordType: 'esb.canonical.Invoice', key: inv.invoiceId, value: inv });
    const doc = await eventually('invoice', async () => byMarker(INVOICE, 'invoice', inv.invoiceId)[0]?.['Posted'] === true && byMarker(INVOICE, 'invoice', inv.invoiceId)[0]);
    expect(doc).toMatchObject({ Контрагент_Key: D.romashka, СуммаДокумента: 1000, ДокументОснование: '' });
  });
});

describe('OrderReversal', () => {
  it('moves a deal to another legal entity: the old order is unposted (no debt left) and marked deleted, the new one is a separate order', async () => {
    const o = dealOrder('6200', ROMASHKA, [{ article: 'SKU-002', name: 'Мышь беспроводная', qty: '2', price: '1490.00', vat: 'VAT_22' }], TRADE);
    await send(asOrder(o));
    const old = await eventually('order posted', async () => byMarker(ORDER, 'order', o.orderId)[0]?.['Posted'] === true && byMarker(ORDER, 'order', o.orderId)[0]);
    expect(due(old)).toBe(2980);

    // What the router sends on ONCRMDEALMOVETOCATEGORY: the reversal for the old entity, then the order for the new one.
    const rev = reversal(o);
    const moved = again({ ...o, sellerLegalEntityId: legalCounterpartyId(OPT.inn, OPT.kpp) });
    await send({ recordType: 'esb.canonical.OrderReversal', key: o.orderId, value: rev }, asOrder(moved));
    await eventually('both applied', async () => (await applied(rev.meta.eventId)) && (await applied(moved.meta.eventId)));

    const docs = byMarker(ORDER, 'order', o.orderId);
    expect(docs).toHaveLength(2);
    const cancelled = docs.find((d) => d['Ref_Key'] === old['Ref_Key'])!;
    expect(cancelled).toMatchObject({ Posted: false, DeletionMark: true, Организация_Key: D.organization });
    expect(String(cancelled['Комментарий'])).toContain('Отменен шиной ESB 2026-11-22: сделка перенесена в воронку другого юрлица: Сделка перенесена в воронку «Опт».');
    expect(due(cancelled)).toBe(0);
    const fresh = docs.find((d) => d['Ref_Key'] !== old['Ref_Key'])!;
    expect(fresh).toMatchObject({ Posted: true, DeletionMark: false, Организация_Key: OPT_ORG, Контрагент_Key: D.romashka, СуммаДокумента: 2980 });
    expect(due(fresh)).toBe(2980);
    const link = await eventually('Link to the new order', async () => links.seen.find((l) => l.value.canonicalId === o.orderId && l.value.systemId === systemId && l.value.externalId === fresh['Ref_Key'])?.value);
    expect(link.number).toBe(fresh['Number']);

    // A replayed reversal (new event) changes nothing.
    const version = cancelled['DataVersion'];
    const replay = again(rev);
    await send({ recordType: 'esb.canonical.OrderReversal', key: o.orderId, value: replay });
    await eventually('replay applied', () => applied(replay.meta.eventId));
    expect(ib().get(ORDER, String(old['Ref_Key']))!['DataVersion']).toBe(version);
    const skipped: Array<{ status: string; details: { why: string } }> = await sink.c.store.dataSource.query(`SELECT status, details FROM exchange_log WHERE event_id = $1 AND direction = 'out'`, [replay.meta.eventId]);
    expect(skipped).toEqual([{ status: 'skipped', details: { why: `${ORDER} ${String(old['Number'])} is already unposted and marked for deletion` } }]);
  });

  it('refuses to reverse a shipped order and names the shipment', async () => {
    const o = dealOrder('6300', ROMASHKA, [{ article: 'SKU-003', name: 'Кабель HDMI 2 м', qty: '2', price: '590.00', vat: 'VAT_22' }], TRADE);
    await send(asOrder(o));
    const order = await eventually('order posted', async () => byMarker(ORDER, 'order', o.orderId)[0]?.['Posted'] === true && byMarker(ORDER, 'order', o.orderId)[0]);
    const sale = ib().create('Document_РеализацияТоваровУслуг', {
      Date: '2026-11-21T15:00:00',
      Организация_Key: D.organization,
      Партнер_Key: D.partnerRomashka,
      Контрагент_Key: D.romashka,
      Валюта_Key: D.currency,
      Склад_Key: D.warehouse,
      ЗаказКлиента: order['Ref_Key'],
      ЗаказКлиента_Type: `StandardODATA.${ORDER}`,
      Товары: [{ LineNumber: '1', Номенклатура_Key: D.cable, Количество: 2, Цена: 590, Сумма: 1180 }],
    });
    ib().postNow('Document_РеализацияТоваровУслуг', String(sale['Ref_Key']));
    const rev = reversal(o, { reason: 'CANCELLED', toLegalEntityId: null });
    await send({ recordType: 'esb.canonical.OrderReversal', key: o.orderId, value: rev });
    const m = await eventually('reversal in the DLQ', async () => dlq.seen.find((x) => x.value.meta.eventId === rev.meta.eventId));
    expect(reasonOf(m.headers)).toBe(
      `OrderReversal of order 6300 (CANCELLED) → ${systemId}: ${ORDER} ${String(order['Number'])} is already shipped (posted Document_РеализацияТоваровУслуг ${String(ib().get('Document_РеализацияТоваровУслуг', String(sale['Ref_Key']))!['Number'])}); unpost the shipments in 1C, then replay this reversal from the DLQ`,
    );
    expect(ib().get(ORDER, String(order['Ref_Key']))).toMatchObject({ Posted: true, DeletionMark: false });
  });
});
