// Orders delivered to a УТ 11.5 database (F1) against the 1C sandbox, real Kafka, registry and PostgreSQL: the order
// that appears in 1C (rows, sums, VAT, counterparty by INN, the debt it books), one counterparty per company even
// when its orders arrive at once, nothing twice on replays, redeliveries, a lost answer or a crash between the write
// and the commit, retries of 1C's failures and timeouts, the DLQ for what a person must fix, and the Link back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startOneCSandbox, type OneCSandbox } from '@esb/sandbox-1c';
import type { Link, Order } from '@esb/canonical';
import { originMarker } from '../mapping/order.ts';
import { again, company, dealOrder, deliver, dlqTopic, eventually, linkTopic, reasonOf, startSink, sysId, topologyOf, TopicReader, type SinkUnderTest } from './test-harness.ts';

const D = DEMO.ut;
const SELLER = { inn: '7707083893', kpp: '770701001' };
const ROMASHKA = company('ООО «Ромашка»', '7736050003', '773601001');
const ORDER = 'Document_ЗаказКлиента';

let sb: OneCSandbox;
let sink: SinkUnderTest;
let links: TopicReader<Link>;
let dlq: TopicReader<Order>;
const systemId = sysId('ut');

const ib = () => sb.infobase('ut');
const ordersOf = (o: Order) => ib().all(ORDER).filter((d) => String(d['Комментарий']).includes(originMarker('order', o.orderId)));
const send = (...orders: Order[]) => deliver(sink.c, systemId, orders.map((o) => ({ recordType: 'esb.canonical.Order', key: o.orderId, value: o })));
/** Link events the sink emitted for an order (its outbox), once each has reached esb.events.link. */
async function linkEvents(o: Order): Promise<string[]> {
  const rows: Array<{ event_id: string }> = await sink.c.store.dataSource.query(`SELECT event_id FROM outbox WHERE record_type = 'esb.canonical.Link' AND message_key = $1`, [o.orderId]);
  const ids = rows.map((r) => r.event_id);
  await eventually('Link events published', async () => ids.every((id) => links.seen.some((l) => l.value.meta.eventId === id && l.value.canonicalId === o.orderId)));
  return ids;
}
const applied = async (eventId: string) => {
  const rows: unknown[] = await sink.c.store.dataSource.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [eventId]);
  return rows.length > 0;
};

beforeAll(async () => {
  sb = await startOneCSandbox({ port: 0, infobases: [{ name: 'ut', profile: 'ut11', demo: true }] });
  const topology = topologyOf(sb, [{ id: systemId, kind: '1c-ut', infobase: 'ut', profile: 'ut11.5' }], [{ id: 'trade', name: 'Торговый дом', ...SELLER, tradeSystem: systemId }]);
  sink = await startSink(() => topology, systemId);
  links = await TopicReader.open<Link>(linkTopic());
  dlq = await TopicReader.open<Order>(dlqTopic(systemId));
});

afterAll(async () => {
  await links?.close();
  await dlq?.close();
  await sink?.stop();
  await sb?.close();
});

describe('Order → Document_ЗаказКлиента', () => {
  it('creates a posted order with rows, sums and 2026 VAT, for the counterparty found by INN, and links it back', async () => {
    const o = dealOrder('4512', ROMASHKA, [
      { article: 'SKU-001', name: 'Ноутбук 15"', qty: '2', price: '89990.00', vat: 'VAT_22' },
      { article: 'SKU-002', name: 'Мышь беспроводная', qty: '3', price: '1490.00', discount: '470.00', vat: 'VAT_20' },
      { article: null, name: 'Доставка', qty: '1', price: '500.00', vat: 'VAT_NONE' },
    ], SELLER, { comment: 'Позвонить за час' });
    const before = ib().all('Catalog_Контрагенты').length;
    await send(o);
    const doc = await eventually('order in 1C', async () => ordersOf(o)[0]?.['Posted'] === true && ordersOf(o)[0]);

    expect(doc).toMatchObject({
      Posted: true,
      DeletionMark: false,
      Организация_Key: D.organization,
      Контрагент_Key: D.romashka,
      Партнер_Key: D.partnerRomashka,
      Валюта_Key: D.currency,
      ЦенаВключаетНДС: true,
      Статус: 'КОбеспечению',
      ХозяйственнаяОперация: 'РеализацияКлиенту',
      СуммаДокумента: 184480,
      Date: '2026-11-20T13:00:00',
    });
    expect(String(doc['Комментарий'])).toBe(`Позвонить за час\nСоздан шиной ESB: Битрикс24, сделка 4512 (b24). ${originMarker('order', o.orderId)}`);
    const rows = (doc['Товары'] as Array<Record<string, unknown>>).map((r) => [r['LineNumber'], r['Номенклатура_Key'], r['Количество'], r['Цена'], r['СуммаРучнойСкидки'], r['Сумма'], r['СтавкаНДС_Key'], r['СуммаНДС']]);
    expect(rows).toEqual([
      [1, D.laptop, 2, 89990, 0, 179980, D.vat22, 32455.41],
      [2, D.mouse, 3, 1490, 470, 4000, D.vat20, 666.67],
      [3, D.delivery, 1, 500, 0, 500, D.vatNone, 0],
    ]);
    // The counterparty already existed by INN/KPP: none created.
    expect(ib().all('Catalog_Контрагенты')).toHaveLength(before);
    // Posting booked what the customer owes for the order.
    const due = ib().recordsOf('AccumulationRegister_РасчетыСКлиентами').filter((r) => r['Recorder'] === doc['Ref_Key']);
    expect(due.map((r) => r['КОплате'])).toEqual([184480]);

    const link = await eventually('Link event', async () => links.seen.find((l) => l.value.canonicalId === o.orderId && l.value.systemId === systemId)?.value);
    expect(link).toMatchObject({ entityType: 'order', systemId, externalId: doc['Ref_Key'], number: doc['Number'] });
    expect(link.url).toMatch(/\/ut\/#e1cib\/data\/Документ\.ЗаказКлиента\?ref=[0-9a-f]{32}$/);
    expect(link.meta.causationId).toBe(o.meta.eventId);
    expect(link.meta.correlationId).toBe(o.meta.correlationId);

    const trace: Array<{ operation: string; business_keys: Record<string, string> }> = await sink.c.store.dataSource.query(
      `SELECT operation, business_keys FROM exchange_log WHERE event_id = $1 AND direction = 'out' AND status = 'ok' ORDER BY id`,
      [o.meta.eventId],
    );
    expect(trace.map((t) => t.operation)).toEqual([`create ${ORDER}`, `post ${ORDER}`]);
    expect(trace[0]!.business_keys).toEqual({ deal: '4512', order: '4512', inn: '7736050003', onecNumber: doc['Number'] });
  });

  it('creates a new company once — partner and counterparty — even when its orders arrive at the same time', async () => {
    const vasilek = company('ООО «Василёк»', '5024089920', '502401001');
    const orders = ['5001', '5002', '5003', '5004', '5005', '5006'].map((deal) => dealOrder(deal, vasilek, [{ article: 'SKU-003', name: 'Кабель HDMI 2 м', qty: '1', price: '590.00', vat: 'VAT_22' }], SELLER));
    sb.infobase('ut').slowPosting = { ms: 200 };
    try {
      await send(...orders);
      await eventually('all six orders posted', async () => orders.every((o) => ordersOf(o)[0]?.['Posted'] === true), 60_000);
    } finally {
      sb.infobase('ut').slowPosting = { ms: 0 };
    }
    const counterparties = ib().all('Catalog_Контрагенты').filter((k) => k['ИНН'] === '5024089920');
    expect(counterparties).toHaveLength(1);
    expect(counterparties[0]).toMatchObject({ КПП: '502401001', ЮрФизЛицо: 'ЮрЛицо', Description: 'ООО «Василёк»' });
    const partners = ib().all('Catalog_Партнеры').filter((p) => String(p['Комментарий']).includes(originMarker('counterparty', vasilek.counterpartyId)));
    expect(partners).toHaveLength(1);
    expect(counterparties[0]!['Партнер_Key']).toBe(partners[0]!['Ref_Key']);
    expect(new Set(orders.map((o) => ordersOf(o)[0]!['Контрагент_Key']))).toEqual(new Set([counterparties[0]!['Ref_Key']]));
    // The orders really were handled side by side: they came from more than one partition.
    const parts: Array<{ p: string }> = await sink.c.store.dataSource.query(
      `SELECT DISTINCT details->>'partition' AS p FROM exchange_log WHERE operation LIKE 'consume %' AND status = 'ok' AND event_id = ANY($1::uuid[])`,
      [orders.map((o) => o.meta.eventId)],
    );
    expect(parts.length).toBeGreaterThan(1);
  });

  it('creates nothing twice on a replay (same eventId) or a redelivery (new eventId), and updates rows that changed', async () => {
    const o = dealOrder('4600', ROMASHKA, [{ article: 'SKU-002', name: 'Мышь беспроводная', qty: '1', price: '1490.00', vat: 'VAT_22' }], SELLER);
    await send(o, o, again(o));
    await eventually('three deliveries handled', async () => (sink.c.sinkConsumer?.stats.duplicates ?? 0) >= 1 && ordersOf(o)[0]?.['Posted'] === true);
    const changed = again({ ...o, lines: [{ ...o.lines[0]!, quantity: '2.000', amount: '2980.00', vatAmount: '537.38' }], total: '2980.00', vatTotal: '537.38' });
    await send(changed);
    await eventually('redelivery applied', () => applied(changed.meta.eventId));
    const docs = ordersOf(o);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ Posted: true, СуммаДокумента: 2980 });
    expect((docs[0]!['Товары'] as Array<Record<string, unknown>>).map((r) => r['Количество'])).toEqual([2]);
    expect(await linkEvents(o)).toHaveLength(1);
    const ops: Array<{ operation: string }> = await sink.c.store.dataSource.query(
      `SELECT operation FROM exchange_log WHERE direction = 'out' AND status = 'ok' AND business_keys->>'deal' = '4600' ORDER BY id`,
    );
    expect(ops.map((r) => r.operation)).toEqual([`create ${ORDER}`, `post ${ORDER}`, `update ${ORDER}`]);
  });

  it('survives a crash between the write in 1C and the commit: the retry finds the order and posts it', async () => {
    // The order is created, then posting answers 503: the inbox transaction (xref, Link) rolls back, as in a crash.
    sb.faults.add({ op: `^ut:${ORDER}/Post$`, count: 1, response: { status: 503, body: { 'odata.error': { code: '-1', message: { lang: 'ru', value: 'Сервис недоступен' } } } } });
    const o = dealOrder('4700', ROMASHKA, [{ article: 'SKU-001', name: 'Ноутбук 15"', qty: '1', price: '89990.00', vat: 'VAT_22' }], SELLER);
    await send(o);
    await eventually('order posted after the retry', async () => ordersOf(o)[0]?.['Posted'] === true);
    expect(ordersOf(o)).toHaveLength(1);
    const ops: Array<{ operation: string; status: string }> = await sink.c.store.dataSource.query(
      `SELECT operation, status FROM exchange_log WHERE direction = 'out' AND event_id = $1 ORDER BY id`,
      [o.meta.eventId],
    );
    expect(ops).toEqual([
      { operation: `create ${ORDER}`, status: 'ok' },
      { operation: `post ${ORDER}`, status: 'error' },
      { operation: `post ${ORDER}`, status: 'ok' },
    ]);
    await eventually('one Link', async () => links.seen.some((l) => l.value.canonicalId === o.orderId && l.value.systemId === systemId));
    expect(await linkEvents(o)).toHaveLength(1);
  });

  it('retries 1C errors and a timeout whose write 1C still completes, without a twin', async () => {
    // Two 500s without a 1C code on the counterparty lookup, then the create answers after the client gave up.
    sb.faults.add({ op: '^ut:Catalog_Контрагенты$', count: 2, response: { status: 500, body: 'Internal Server Error' } });
    sb.faults.add({ op: `^ut:${ORDER}$`, method: 'POST', count: 1, latencyMs: 2500 });
    const o = dealOrder('4800', ROMASHKA, [{ article: 'SKU-003', name: 'Кабель HDMI 2 м', qty: '4', price: '590.00', vat: 'VAT_5' }], SELLER);
    await send(o);
    await eventually('order posted', async () => ordersOf(o)[0]?.['Posted'] === true, 45_000);
    await eventually('delivery committed', () => applied(o.meta.eventId));
    await new Promise((r) => setTimeout(r, 1500)); // the slow create has landed by now
    expect(ordersOf(o)).toHaveLength(1);
    const errors: Array<{ operation: string; error: string }> = await sink.c.store.dataSource.query(
      `SELECT operation, error FROM exchange_log WHERE status = 'retry' AND event_id = $1 ORDER BY id`,
      [o.meta.eventId],
    );
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.some((e) => /timed out after 1500 ms/.test(e.error))).toBe(true);
    expect(errors.some((e) => /HTTP 500/.test(e.error) && e.error.startsWith('Order 4800 (Битрикс24, сделка 4800'))).toBe(true);
    expect((ordersOf(o)[0]!['Товары'] as Array<Record<string, unknown>>)[0]!['СтавкаНДС_Key']).toBe(D.vat5);
  });

  it('dead-letters what a person must fix, with a reason that names the order and the article', async () => {
    const unknown = dealOrder('4900', ROMASHKA, [
      { article: 'SKU-001', name: 'Ноутбук 15"', qty: '1', price: '89990.00', vat: 'VAT_22' },
      { article: 'NOPE-77', name: 'Стул «Призрак»', qty: '2', price: '1000.00', vat: 'VAT_22' },
    ], SELLER);
    sb.infobase('ut').postingErrors.push({ document: /ЗаказКлиента/, message: 'Не заполнено поле "Склад"', count: 1 });
    const rejected = dealOrder('4901', ROMASHKA, [{ article: 'SKU-002', name: 'Мышь беспроводная', qty: '1', price: '1490.00', vat: 'VAT_22' }], SELLER);
    await send(unknown, rejected);
    const a = await eventually('unknown product in the DLQ', async () => dlq.seen.find((m) => m.value.orderId === unknown.orderId));
    expect(reasonOf(a.headers)).toBe(
      `Order 4900 (Битрикс24, сделка 4900, buyer ООО «Ромашка» INN 7736050003) → ${systemId}: unknown product: row 2 «Стул «Призрак»», article NOPE-77 — no such item in Catalog_Номенклатура; enter it in 1C (Артикул) or set createMissingProducts: true for system "${systemId}"`,
    );
    expect(a.headers['esb.error.class']).toBe('permanent');
    expect(ordersOf(unknown)).toHaveLength(0);
    const b = await eventually('posting error in the DLQ', async () => dlq.seen.find((m) => m.value.orderId === rejected.orderId));
    expect(reasonOf(b.headers)).toMatch(new RegExp(`^Order 4901 \\(Битрикс24, сделка 4901, buyer ООО «Ромашка» INN 7736050003\\) → ${systemId}: 1C POST ${ORDER}\\([0-9a-f-]{36}\\): HTTP 500, 1C code -1: Не удалось провести "`));
    expect(reasonOf(b.headers)).toContain('Не заполнено поле "Склад"');
    // The document stays in 1C unposted; replaying from the DLQ later finds it by its marker.
    expect(ordersOf(rejected).map((d) => d['Posted'])).toEqual([false]);
  });
});
