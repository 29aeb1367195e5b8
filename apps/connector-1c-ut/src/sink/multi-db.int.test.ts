// A second УТ database added only in config (architecture §5.4): a second infobase, a second system in the topology
// and a second connector instance with that SYSTEM_ID — no code. Each receives its own deliveries and writes its own
// legal entity's orders; an order routed to the wrong database is dead-lettered with the reason, not written there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DEMO, startOneCSandbox, type OneCSandbox } from '@esb/sandbox-1c';
import type { Order } from '@esb/canonical';
import { originMarker } from '../mapping/order.ts';
import { company, dealOrder, deliver, dlqTopic, eventually, reasonOf, startSink, sysId, topologyOf, TopicReader, type SinkUnderTest } from './test-harness.ts';

const TRADE = { inn: '7707083893', kpp: '770701001' };
// The second base's organisation is found through organisationRef: its demo organisation carries another INN.
const OPT = { inn: '5024089920', kpp: '502401001' };
const ROMASHKA = company('ООО «Ромашка»', '7736050003', '773601001');
const ORDER = 'Document_ЗаказКлиента';

let sb: OneCSandbox;
let a: SinkUnderTest;
let b: SinkUnderTest;
let dlqA: TopicReader<Order>;
const sysA = sysId('ut-a');
const sysB = sysId('ut-b');
const ordersIn = (infobase: string, o: Order) => sb.infobase(infobase).all(ORDER).filter((d) => String(d['Комментарий']).includes(originMarker('order', o.orderId)));

beforeAll(async () => {
  sb = await startOneCSandbox({ port: 0, infobases: [{ name: 'ut-a', profile: 'ut11', demo: true }, { name: 'ut-b', profile: 'ut11', demo: true }] });
  const topology = topologyOf(
    sb,
    [
      { id: sysA, kind: '1c-ut', infobase: 'ut-a', profile: 'ut11.5' },
      { id: sysB, kind: '1c-ut', infobase: 'ut-b', profile: 'ut11.5', createMissingProducts: true },
    ],
    [
      { id: 'trade', name: 'Торговый дом', ...TRADE, tradeSystem: sysA },
      { id: 'opt', name: 'Ромашка-Опт', ...OPT, tradeSystem: sysB, organisationRef: DEMO.ut.organization },
    ],
  );
  [a, b] = await Promise.all([startSink(() => topology, sysA), startSink(() => topology, sysB)]);
  dlqA = await TopicReader.open<Order>(dlqTopic(sysA));
});

afterAll(async () => {
  await dlqA?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await sb?.close();
});

describe('two УТ databases from config alone', () => {
  it('each connector writes the orders delivered to its own system, into its own base', async () => {
    const line = { article: 'SKU-002', name: 'Мышь беспроводная', qty: '1', price: '1490.00', vat: 'VAT_22' as const };
    const forA = dealOrder('7001', ROMASHKA, [line], TRADE);
    const forB = dealOrder('7002', ROMASHKA, [line], OPT);
    await deliver(a.c, sysA, [{ recordType: 'esb.canonical.Order', key: forA.orderId, value: forA }]);
    await deliver(b.c, sysB, [{ recordType: 'esb.canonical.Order', key: forB.orderId, value: forB }]);
    await eventually('both orders posted', async () => ordersIn('ut-a', forA)[0]?.['Posted'] === true && ordersIn('ut-b', forB)[0]?.['Posted'] === true);
    expect(ordersIn('ut-b', forA)).toEqual([]);
    expect(ordersIn('ut-a', forB)).toEqual([]);
    expect(ordersIn('ut-b', forB)[0]!['Организация_Key']).toBe(DEMO.ut.organization);
    const xa: Array<{ system_id: string }> = await a.c.store.dataSource.query(`SELECT system_id FROM xref WHERE entity_type = 'order'`);
    const xb: Array<{ system_id: string }> = await b.c.store.dataSource.query(`SELECT system_id FROM xref WHERE entity_type = 'order'`);
    expect([xa, xb]).toEqual([[{ system_id: sysA }], [{ system_id: sysB }]]);
  });

  it('creates a missing product once where the database is configured to (createMissingProducts)', async () => {
    const o = dealOrder('7010', ROMASHKA, [{ article: 'NEW-100', name: 'Стол письменный', qty: '1', price: '12000.00', vat: 'VAT_10', okei: '796' }], OPT);
    await deliver(b.c, sysB, [{ recordType: 'esb.canonical.Order', key: o.orderId, value: o }]);
    await eventually('order posted', async () => ordersIn('ut-b', o)[0]?.['Posted'] === true);
    const redelivered = { ...o, meta: { ...o.meta, eventId: randomUUID() } };
    await deliver(b.c, sysB, [{ recordType: 'esb.canonical.Order', key: o.orderId, value: redelivered }]);
    await eventually('redelivery applied', async () => ((await b.c.store.dataSource.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [redelivered.meta.eventId])) as unknown[]).length > 0);
    const items = sb.infobase('ut-b').all('Catalog_Номенклатура').filter((n) => n['Артикул'] === 'NEW-100');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ Description: 'Стол письменный', ТипНоменклатуры: 'Товар', ЕдиницаИзмерения_Key: DEMO.ut.unitPcs, СтавкаНДС_Key: DEMO.ut.vat10 });
    expect((ordersIn('ut-b', o)[0]!['Товары'] as Array<Record<string, unknown>>)[0]!['Номенклатура_Key']).toBe(items[0]!['Ref_Key']);
    // The other base is not configured to create products and has none of it.
    expect(sb.infobase('ut-a').all('Catalog_Номенклатура').filter((n) => n['Артикул'] === 'NEW-100')).toEqual([]);
  });

  it('dead-letters an order of the other database\'s legal entity instead of writing it', async () => {
    const wrong = dealOrder('7003', ROMASHKA, [{ article: 'SKU-001', name: 'Ноутбук 15"', qty: '1', price: '89990.00', vat: 'VAT_22' }], OPT);
    await deliver(a.c, sysA, [{ recordType: 'esb.canonical.Order', key: wrong.orderId, value: wrong }]);
    const m = await eventually('DLQ', async () => dlqA.seen.find((x) => x.value.orderId === wrong.orderId));
    expect(reasonOf(m.headers)).toBe(
      `Order 7003 (Битрикс24, сделка 7003, buyer ООО «Ромашка» INN 7736050003) → ${sysA}: legal entity "opt" (INN 5024089920) keeps its trade in "${sysB}", not in this base: the delivery was routed to the wrong database`,
    );
    expect(ordersIn('ut-a', wrong)).toEqual([]);
  });
});
