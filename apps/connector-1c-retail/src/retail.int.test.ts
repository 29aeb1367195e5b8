// The Retail connector against a 1C:Розница infobase of the sandbox, with real Kafka, registry and PostgreSQL: an
// order becomes Document_ЗаказПокупателя (no partners, enum VAT, the organisation's store), a reversal unposts and
// marks it, and what Розница lacks is reported at start-up and dead-lettered with a reason naming it — never faked.
// A Retail system pointed at a УТ base fails its start-up check with a report of what does not match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@esb/bus';
import { documentId, legalCounterpartyId, type Invoice, type Link, type Order, type OrderReversal } from '@esb/canonical';
import { Connector } from '@esb/connector-kit';
import { originMarker } from '@esb/connector-1c-ut';
import { DEMO, startOneCSandbox, type OneCSandbox } from '@esb/sandbox-1c';
import { Store } from '@esb/store';
import { endpoints } from '@esb/testing';
// The UT connector's test set-up (sandbox topology, deliveries, topic readers, canonical builders) serves both.
import { again, company, dealOrder, deliver, dlqTopic, eventually, linkTopic, reasonOf, sysId, topologyOf, TopicReader } from '../../connector-1c-ut/src/sink/test-harness.ts';
import { buildRetail, retailOptions } from './build.ts';
import { RETAIL_KINDS, RETAIL_SERVICE } from './config.ts';

const R = DEMO.retail;
const SELLER = { inn: '5024089920', kpp: '502401001' };
const ROMASHKA = company('ООО «Ромашка»', '7736050003', '773601001');
const ORDER = 'Document_ЗаказПокупателя';

let sb: OneCSandbox;
let c: Connector;
let links: TopicReader<Link>;
let dlq: TopicReader<{ meta: { eventId: string } }>;
const logs: string[] = [];
const systemId = sysId('retail');
const ib = () => sb.infobase('retail');
const ordersOf = (o: Order) => ib().all(ORDER).filter((d) => String(d['Комментарий']).includes(originMarker('order', o.orderId)));
const applied = async (eventId: string) => ((await c.store.dataSource.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [eventId])) as unknown[]).length > 0;

async function open(id: string, topology: ReturnType<typeof topologyOf>, sink: string[]): Promise<Connector> {
  const e = endpoints();
  return Connector.open({
    ...retailOptions(),
    service: RETAIL_SERVICE,
    kinds: RETAIL_KINDS,
    systemId: id,
    topology: () => topology,
    endpoints: { kafkaBrokers: e.kafkaBrokers, schemaRegistryUrl: e.schemaRegistryUrl, databaseUrl: e.databaseUrl },
    logger: createLogger(RETAIL_SERVICE, { systemId: id }, (l) => sink.push(l)),
    partitions: 3,
  });
}

async function dispose(conn: Connector): Promise<void> {
  const schema = conn.store.schema;
  await conn.stop();
  const s = await Store.open({ url: endpoints().databaseUrl, schema });
  await s.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await s.close();
}

beforeAll(async () => {
  sb = await startOneCSandbox({ port: 0, infobases: [{ name: 'retail', profile: 'retail', demo: true }, { name: 'ut', profile: 'ut11', demo: true }] });
  const topology = topologyOf(sb, [{ id: systemId, kind: '1c-retail', infobase: 'retail', profile: 'retail3.0' }], [{ id: 'retail', name: 'Розница', ...SELLER, tradeSystem: systemId }]);
  c = await open(systemId, topology, logs);
  await buildRetail(c);
  await c.start({ pollers: false });
  links = await TopicReader.open<Link>(linkTopic());
  dlq = await TopicReader.open(dlqTopic(systemId));
});

afterAll(async () => {
  await links?.close();
  await dlq?.close();
  if (c) await dispose(c);
  await sb?.close();
});

describe('1C:Розница', () => {
  it('reports at start-up what Розница lacks for the deliveries it may get', () => {
    const report = logs.map((l) => JSON.parse(l) as { level: string; msg: string }).find((l) => l.level === 'warn' && l.msg.startsWith('1C configuration lacks'));
    expect(report?.msg).toContain('1C:Розница 2.3/3.0 (profile retail) lacks what some deliveries need');
    expect(report?.msg).toContain('Invoice: missing a customer invoice document (Document_СчетНаОплатуКлиенту in УТ 11) — invoices cannot be written to this base');
    expect(report?.msg).toContain('OrderReversal: missing a customer settlements register (AccumulationRegister_РасчетыСКлиентами in УТ 11)');
  });

  it('writes an order as a posted Document_ЗаказПокупателя of the organisation\'s store, creating the counterparty by INN', async () => {
    const o = dealOrder('8100', ROMASHKA, [
      { article: 'SKU-001', name: 'Ноутбук 15"', qty: '1', price: '92990.00', vat: 'VAT_22' },
      { article: 'SKU-002', name: 'Мышь беспроводная', qty: '2', price: '1590.00', discount: '180.00', vat: 'VAT_7' },
    ], SELLER);
    await deliver(c, systemId, [{ recordType: 'esb.canonical.Order', key: o.orderId, value: o }]);
    const doc = await eventually('retail order posted', async () => ordersOf(o)[0]?.['Posted'] === true && ordersOf(o)[0]);
    const buyer = ib().all('Catalog_Контрагенты').filter((k) => k['ИНН'] === '7736050003');
    expect(buyer).toHaveLength(1);
    expect(buyer[0]).toMatchObject({ КПП: '773601001', ЮрФизЛицо: 'ЮрЛицо' });
    expect(doc).toMatchObject({ Организация_Key: R.organization, Контрагент_Key: buyer[0]!['Ref_Key'], Магазин_Key: R.store, ЦенаВключаетНДС: true, СуммаДокумента: 95990 });
    expect((doc['Товары'] as Array<Record<string, unknown>>).map((r) => [r['Номенклатура_Key'], r['Количество'], r['Цена'], r['СуммаРучнойСкидки'], r['Сумма'], r['СтавкаНДС'], r['СуммаНДС']])).toEqual([
      [R.laptop, 1, 92990, 0, 92990, 'НДС22', 16768.69],
      [R.mouse, 2, 1590, 180, 3000, 'НДС7', 196.26],
    ]);
    const link = await eventually('Link', async () => links.seen.find((l) => l.value.canonicalId === o.orderId && l.value.systemId === systemId)?.value);
    expect(link).toMatchObject({ entityType: 'order', externalId: doc['Ref_Key'], number: doc['Number'] });
    expect(link.url).toContain('/retail/#e1cib/data/Документ.ЗаказПокупателя?ref=');

    // A reversal: Розница has no debt register, so the order is unposted and marked for deletion.
    const eventId = randomUUID();
    const rev: OrderReversal = {
      meta: { eventId, occurredAt: '2026-11-22T08:00:00.000Z', source: { system: 'esb', kind: 'esb', externalId: '8100' }, legalEntityId: null, correlationId: eventId, causationId: null },
      orderId: o.orderId,
      orderNumber: '8100',
      reason: 'CANCELLED',
      fromLegalEntityId: legalCounterpartyId(SELLER.inn, SELLER.kpp),
      toLegalEntityId: null,
      comment: null,
    };
    await deliver(c, systemId, [{ recordType: 'esb.canonical.OrderReversal', key: o.orderId, value: rev }]);
    await eventually('reversal applied', () => applied(eventId));
    expect(ib().get(ORDER, String(doc['Ref_Key']))).toMatchObject({ Posted: false, DeletionMark: true });
    // The order event redelivered after the reversal neither creates a second order nor brings this one back.
    const redelivered = again(o);
    await deliver(c, systemId, [{ recordType: 'esb.canonical.Order', key: o.orderId, value: redelivered }]);
    await eventually('redelivery applied', () => applied(redelivered.meta.eventId));
    expect(ordersOf(o).map((d) => [d['Ref_Key'], d['Posted'], d['DeletionMark']])).toEqual([[doc['Ref_Key'], false, true]]);
  });

  it('dead-letters an invoice with a reason naming the document Розница does not have', async () => {
    const eventId = randomUUID();
    const inv: Invoice = {
      meta: { eventId, occurredAt: new Date().toISOString(), source: { system: 'b24', kind: 'bitrix24', externalId: '91' }, legalEntityId: null, correlationId: eventId, causationId: null },
      invoiceId: documentId('invoice', 'b24', '91'),
      number: 'СЧ-91',
      date: '2026-11-21T09:00:00.000Z',
      orderId: null,
      buyer: ROMASHKA,
      sellerLegalEntityId: legalCounterpartyId(SELLER.inn, SELLER.kpp),
      amount: '1000.00',
      vatAmount: '180.33',
      currency: 'RUB',
      dueDate: null,
      status: 'SENT',
      pdf: null,
    };
    await deliver(c, systemId, [{ recordType: 'esb.canonical.Invoice', key: inv.invoiceId, value: inv }]);
    const m = await eventually('invoice in the DLQ', async () => dlq.seen.find((x) => x.value.meta.eventId === eventId));
    expect(reasonOf(m.headers)).toBe(
      `Invoice СЧ-91 (b24, 1000.00 RUB) → ${systemId}: 1C:Розница 2.3/3.0 (profile retail) lacks a customer invoice document (Document_СчетНаОплатуКлиенту in УТ 11): invoices cannot be written to this base; route this legal entity's invoices to a УТ database or drop the Invoice route for it`,
    );
    expect(m.headers['esb.error.class']).toBe('permanent');
  });

  it('refuses to start on a base that is not Розница, with a report of what does not match', async () => {
    const wrongId = sysId('retail-wrong');
    const topology = topologyOf(sb, [{ id: wrongId, kind: '1c-retail', infobase: 'ut', profile: 'retail3.0' }], [{ id: 'retail', name: 'Розница', ...SELLER, tradeSystem: wrongId }]);
    const wrongLogs: string[] = [];
    const conn = await open(wrongId, topology, wrongLogs);
    try {
      const err = await buildRetail(conn).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.name).toBe('MetadataMismatchError');
      expect(err?.message).toContain(`system "${wrongId}"`);
      expect(err?.message).toContain('retail expects entity set Document_ЗаказПокупателя (customerOrder), the base has Document_ЗаказКлиента — wrong profile? try ut11.5');
      expect(err?.message).toContain('The base matches profile ut11.5.');
    } finally {
      await dispose(conn);
    }
  });
});
