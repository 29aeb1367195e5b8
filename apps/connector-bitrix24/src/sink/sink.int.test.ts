// The sink against the Bitrix24 sandbox with real Kafka, registry and PostgreSQL: each record 1C sends lands on the
// portal as a manager would see it (deal fields, stage, timeline, Disk, smart invoice, company with requisites,
// contact), replaying the deliveries — the same eventIds and new ones with the same content — writes nothing, and a
// record about a deal the portal does not have goes to the DLQ with a reason.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentId, individualId, legalCounterpartyId, type Counterparty, type Debt, type EdoStatus, type Invoice, type Link, type Payment, type Shipment } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import type { Connector } from '@esb/connector-kit';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from '@esb/sandbox-bitrix24';
import { eventually } from '@esb/testing';
import { portalClient } from '../client.ts';
import { ensureUserFields } from './userfields.ts';
import { admin, deliver, dropStore, handled, metaFrom1C, openSink, republished, testSystemId, topologyFor, type Delivery, type LoggedRequest } from './test-support.ts';

type Rec = Record<string, unknown>;
interface State {
  deals: Rec[];
  companies: Rec[];
  contacts: Rec[];
  requisites: Rec[];
  smartInvoices: Rec[];
  timeline: Array<Rec & { FILES: Array<{ name: string; size: number }> }>;
  userfields: Rec[];
  disk: { objects: Array<Rec & { versions: Rec[] }> };
}

const systemId = testSystemId('b24sink');
const orderId = documentId('order', systemId, '394');
const inn = '7707083893';
const kpp = '770701001';
const companyCp = legalCounterpartyId(inn, kpp);
const pdf = Buffer.from(`%PDF-1.4\n% счёт ТД00-000451\n${'x'.repeat(3000)}\n%%EOF\n`);
let pdfServer: Server;
let pdfUrl: string;
let pdfFetches = 0;
let sb: Bitrix24Sandbox;
let c: Connector;

const state = () => admin<State>(sb.url, 'state');
const deal = async (id = 394) => (await state()).deals.find((d) => d.ID === String(id))!;

beforeAll(async () => {
  pdfServer = createServer((req, res) => {
    pdfFetches++;
    if (req.url === '/files/inv-451.pdf') res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => pdfServer.listen(0, '127.0.0.1', r));
  pdfUrl = `http://127.0.0.1:${(pdfServer.address() as AddressInfo).port}/files/inv-451.pdf`;
  sb = await startBitrix24Sandbox({
    seed: {
      companies: [
        { ID: 9, TITLE: 'Вектор', PHONE: [{ VALUE: '8 (495) 123-45-67 доб. 204', VALUE_TYPE: 'WORK' }] },
        { ID: 10, TITLE: 'Опт-Сервис' },
      ],
      requisites: [
        { ENTITY_TYPE_ID: 4, ENTITY_ID: 9, PRESET_ID: 1, NAME: 'Вектор', RQ_INN: inn, RQ_KPP: kpp },
        { ENTITY_TYPE_ID: 4, ENTITY_ID: 10, PRESET_ID: 1, NAME: 'Опт-Сервис', RQ_INN: '7736050003', RQ_KPP: '773601001' },
      ],
      contacts: [{ ID: 30, NAME: 'Ольга', LAST_NAME: 'Иванова', PHONE: [{ VALUE: '+7 (916) 111-22-33', VALUE_TYPE: 'MOBILE' }] }],
      deals: [
        { ID: 390, TITLE: 'Другая сделка', STAGE_ID: 'NEW' },
        { ID: 394, TITLE: 'Заказ 394', STAGE_ID: 'PREPAYMENT_INVOICE', COMPANY_ID: 9, OPPORTUNITY: 15900.01, IS_MANUAL_OPPORTUNITY: 'Y' },
      ],
      smartInvoices: [{ title: 'Счёт к сделке 394', parentId2: 394, companyId: 9, stageId: 'DT31_2:S', opportunity: 15900.01 }],
    },
  });
  // An Enterprise plan: this file is about effects, not pacing (catalog.int.test.ts is).
  await admin(sb.url, 'limits', { preset: 'enterprise' });
  c = await openSink(systemId, topologyFor(systemId, sb.url, { limits: { burst: 250, perSecond: 5 } }));
  await ensureUserFields(c, await portalClient(c));
  await c.start();
}, 120_000);

afterAll(async () => {
  await dropStore(c);
  await sb.close();
  await new Promise((r) => pdfServer.close(r));
});

const link: Link = { ...canonicalSamples['esb.canonical.Link'], meta: metaFrom1C('8b7c6d5e-4f3a-11ee-8c90-0242ac120002'), canonicalId: orderId };
const invoice = (): Invoice => ({
  ...canonicalSamples['esb.canonical.Invoice'],
  meta: metaFrom1C('f1e2d3c4-b5a6-11ee-8c90-0242ac120002'),
  orderId,
  pdf: { url: pdfUrl, sha256: createHash('sha256').update(pdf).digest('hex'), size: pdf.length, mime: 'application/pdf', fileName: 'Счет ТД00-000451 от 21.11.2026.pdf' },
});
const partial: Payment = { ...canonicalSamples['esb.canonical.Payment'], meta: metaFrom1C('0a9b8c7d-6e5f-11ee-8c90-0242ac120002'), orderId, invoiceId: null };
const paid: Payment = { ...partial, meta: metaFrom1C('0a9b8c7d-6e5f-11ee-8c90-0242ac120003'), status: 'PAID', amount: '5900.01', totalPaid: '15900.01', balance: '0.00', date: '2026-11-24T09:30:00.000Z' };
const shipment: Shipment = { ...canonicalSamples['esb.canonical.Shipment'], meta: metaFrom1C('1b0c9d8e-7f6a-11ee-8c90-0242ac120002'), orderId };
const signed: EdoStatus = { ...canonicalSamples['esb.canonical.EdoStatus'], meta: metaFrom1C('2c1d0e9f-8a7b-11ee-8c90-0242ac120002'), orderId, status: 'SIGNED', reason: null };
const company: Counterparty = { ...canonicalSamples['esb.canonical.Counterparty'], meta: metaFrom1C('b7c1d2e3-f4a5-11ee-8c90-0242ac120002'), counterpartyId: companyCp };
const debt: Debt = { ...canonicalSamples['esb.canonical.Debt'], meta: metaFrom1C('b7c1d2e3-f4a5-11ee-8c90-0242ac120002'), counterpartyId: companyCp };
const person: Counterparty = {
  ...canonicalSamples['esb.canonical.Counterparty'],
  meta: metaFrom1C('c8d2e3f4-a5b6-11ee-8c90-0242ac120002'),
  counterpartyId: individualId({ phone: '+79161112233' }),
  kind: 'INDIVIDUAL',
  name: 'Иванова Ольга Петровна',
  legalName: null,
  shortName: null,
  inn: null,
  kpp: null,
  ogrn: null,
  okpo: null,
  addresses: [],
  bankAccounts: null,
  phones: [{ number: '+79161112233', kind: 'MOBILE', extension: null }],
  emails: [{ address: 'olga@example.ru', kind: 'HOME' }],
  contactPersons: [],
};
const newPerson: Counterparty = { ...person, meta: metaFrom1C('d9e3f4a5-b6c7-11ee-8c90-0242ac120002'), counterpartyId: individualId({ phone: '+79035556677' }), name: 'Петров Пётр', phones: [{ number: '+79035556677', kind: 'WORK', extension: null }], emails: [] };

const d = {
  link: { recordType: 'esb.canonical.Link', key: orderId, value: link },
  partial: { recordType: 'esb.canonical.Payment', key: orderId, value: partial },
  paid: { recordType: 'esb.canonical.Payment', key: orderId, value: paid },
  shipment: { recordType: 'esb.canonical.Shipment', key: orderId, value: shipment },
  signed: { recordType: 'esb.canonical.EdoStatus', key: orderId, value: signed },
  company: { recordType: 'esb.canonical.Counterparty', key: companyCp, value: company },
  debt: { recordType: 'esb.canonical.Debt', key: companyCp, value: debt },
  person: { recordType: 'esb.canonical.Counterparty', key: person.counterpartyId, value: person },
  newPerson: { recordType: 'esb.canonical.Counterparty', key: newPerson.counterpartyId, value: newPerson },
} satisfies Record<string, Delivery>;
let invoiceDelivery: Delivery;
let delivered = 0;

async function send(...records: Delivery[]): Promise<void> {
  await deliver(c, records);
  delivered += records.length;
  await handled(c, delivered);
}

describe('Bitrix24 sink', () => {
  it('creates its custom fields at start-up, without the UF_CRM_ prefix in FIELD_NAME', async () => {
    const ufs = (await state()).userfields.map((u) => `${String(u.ENTITY_ID)}.${String(u.FIELD_NAME)}`);
    expect(ufs).toEqual(expect.arrayContaining(['CRM_DEAL.UF_CRM_1C_ORDER_ID', 'CRM_DEAL.UF_CRM_PAYMENT_STATUS', 'CRM_DEAL.UF_CRM_INVOICE_URL', 'CRM_COMPANY.UF_CRM_DEBT']));
    expect(ufs.filter((u) => u.startsWith('CRM_DEAL.UF_CRM_UF_'))).toEqual([]);
    // A second start-up finds them all and adds none.
    await ensureUserFields(c, await portalClient(c));
    expect((await state()).userfields).toHaveLength(ufs.length);
  });

  it('writes the 1C order back to its deal with one timeline comment', async () => {
    await send(d.link);
    const dl = await deal();
    expect(dl.UF_CRM_1C_ORDER_ID).toBe(link.externalId);
    expect(dl.UF_CRM_1C_ORDER_NUMBER).toBe('ЗК-000123');
    const comments = (await state()).timeline.filter((t) => t.ENTITY_ID === 394);
    expect(comments.map((t) => t.COMMENT)).toEqual([`Заказ клиента ЗК-000123 создан в 1С (ut-main). Открыть в 1С: ${link.url}`]);
  });

  it('puts the invoice number, its PDF on Disk and on the deal', async () => {
    invoiceDelivery = { recordType: 'esb.canonical.Invoice', key: orderId, value: invoice() };
    await send(invoiceDelivery);
    const s = await state();
    const folder = s.disk.objects.find((o) => o.NAME === 'Сделка 394' && o.TYPE === 'folder')!;
    const files = s.disk.objects.filter((o) => o.TYPE === 'file' && o.PARENT_ID === folder.ID);
    expect(files.map((f) => [f.NAME, f.versions.length])).toEqual([['Счет ТД00-000451 от 21.11.2026.pdf', 1]]);
    const dl = s.deals.find((x) => x.ID === '394')!;
    expect(dl.UF_CRM_INVOICE_NUMBER).toBe('ТД00-000451');
    expect(String(dl.UF_CRM_INVOICE_URL)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+/);
    const comment = s.timeline.find((t) => t.ENTITY_ID === 394 && String(t.COMMENT).startsWith('Счёт ТД00-000451'))!;
    expect(comment.COMMENT).toBe(`Счёт ТД00-000451 от 21.11.2026 на сумму 15900.01 RUB выставлен в 1С. PDF: ${String(dl.UF_CRM_INVOICE_URL)}`);
    expect(comment.FILES).toEqual([{ name: 'Счет ТД00-000451 от 21.11.2026.pdf', size: pdf.length }]);
  });

  it('shows payments on the deal, moves its stage, and the paid smart invoice to its paid stage', async () => {
    await send(d.partial);
    let dl = await deal();
    const items = (await state()).userfields.find((u) => u.FIELD_NAME === 'UF_CRM_PAYMENT_STATUS')!.LIST as Array<{ ID: number; XML_ID: string }>;
    const item = (code: string) => String(items.find((i) => i.XML_ID === code)!.ID);
    expect([dl.UF_CRM_PAYMENT_STATUS, dl.UF_CRM_AMOUNT_PAID, dl.UF_CRM_BALANCE, dl.STAGE_ID]).toEqual([item('PARTIAL'), '10000.00|RUB', '5900.01|RUB', 'EXECUTING']);
    expect(String(dl.UF_CRM_PAYMENT_DATE)).toMatch(/^2026-11-22T00:00:00\+03:00$/);
    expect((await state()).smartInvoices.map((i) => i.stageId)).toEqual(['DT31_2:S']);

    await send(d.paid);
    dl = await deal();
    expect([dl.UF_CRM_PAYMENT_STATUS, dl.UF_CRM_AMOUNT_PAID, dl.UF_CRM_BALANCE, dl.STAGE_ID]).toEqual([item('PAID'), '15900.01|RUB', '0.00|RUB', 'FINAL_INVOICE']);
    expect(String(dl.UF_CRM_PAYMENT_DATE)).toMatch(/^2026-11-24T/);
    expect((await state()).smartInvoices.map((i) => i.stageId)).toEqual(['DT31_2:P']);
  });

  it('writes the shipment date and tracking number, and closes the deal when the УПД is signed', async () => {
    await send(d.shipment, d.signed);
    const dl = await deal();
    expect(String(dl.UF_CRM_SHIPMENT_DATE)).toMatch(/^2026-11-23T/);
    expect(dl.UF_CRM_TRACKING_NUMBER).toBe('10123456789');
    expect([dl.STAGE_ID, dl.CLOSED]).toEqual(['WON', 'Y']);
  });

  it('matches the company by its requisites, merges phones without duplicates, and shows its debt', async () => {
    await send(d.company, d.debt);
    const s = await state();
    expect(s.companies).toHaveLength(2);
    const co = s.companies.find((x) => x.ID === '9')!;
    expect(co.TITLE).toBe('Вектор ООО');
    expect((co.PHONE as Rec[]).map((p) => [p.VALUE, p.VALUE_TYPE])).toEqual([
      ['8 (495) 123-45-67 доб. 204', 'WORK'],
      ['+79161234567', 'MOBILE'],
    ]);
    expect((co.EMAIL as Rec[]).map((p) => p.VALUE)).toEqual(['zakupki@vektor.example']);
    expect(s.requisites).toHaveLength(2);
    expect(s.requisites.find((r) => r.ENTITY_ID === '9')).toMatchObject({ ENTITY_ID: '9', RQ_INN: inn, RQ_KPP: kpp, RQ_OGRN: '1027700132195', RQ_COMPANY_FULL_NAME: 'Общество с ограниченной ответственностью «Вектор»' });
    expect(co.UF_CRM_DEBT).toBe('-1250.50|RUB');
  });

  it('finds the company of a debt by its requisites when 1C never sent the counterparty', async () => {
    const other = legalCounterpartyId('7736050003', '773601001');
    const owed: Debt = { ...debt, meta: metaFrom1C('e1f2a3b4-c5d6-11ee-8c90-0242ac120002'), counterpartyId: other, amount: '120000.00' };
    await send({ recordType: 'esb.canonical.Debt', key: other, value: owed });
    expect((await state()).companies.find((x) => x.ID === '10')!.UF_CRM_DEBT).toBe('120000.00|RUB');
  });

  it('finds an individual by phone, creates one it cannot find, and adds only new values', async () => {
    await send(d.person, d.newPerson);
    const s = await state();
    expect(s.contacts).toHaveLength(2);
    const olga = s.contacts.find((x) => x.ID === '30')!;
    expect((olga.PHONE as Rec[]).map((p) => p.VALUE)).toEqual(['+7 (916) 111-22-33']);
    expect((olga.EMAIL as Rec[]).map((p) => p.VALUE)).toEqual(['olga@example.ru']);
    const petr = s.contacts.find((x) => x.ID !== '30')!;
    expect([petr.LAST_NAME, petr.NAME, petr.ORIGINATOR_ID]).toEqual(['Петров', 'Пётр', 'esb']);
    expect((petr.PHONE as Rec[]).map((p) => [p.VALUE, p.VALUE_TYPE])).toEqual([['+79035556677', 'WORK']]);
  });

  it('changes nothing when every delivery is replayed, with the same eventIds and with new ones', async () => {
    const before = await state();
    const fetchesBefore = pdfFetches;
    const t0 = new Date().toISOString();
    const last = [d.link, invoiceDelivery, d.paid, d.shipment, d.signed, d.company, d.debt, d.person, d.newPerson];
    await send(...last, ...last.map((r) => ({ ...r, value: republished(r.value) }) as Delivery));
    const after = await state();
    // The sink consumer saw the same eventIds as duplicates; the new ones ran and found nothing to write.
    expect(c.sinkConsumer?.stats.duplicates).toBe(last.length);
    for (const k of ['deals', 'companies', 'contacts', 'requisites', 'smartInvoices', 'timeline', 'userfields', 'disk'] as const) expect(after[k], k).toEqual(before[k]);
    expect(pdfFetches).toBe(fetchesBefore);
    const writes = (await admin<LoggedRequest[]>(sb.url, 'requests')).filter((r) => r.at >= t0 && !/(\.get|\.list|getlist|getchildren|findbycomm)$/.test(r.op ?? ''));
    expect(writes).toEqual([]);
  });

  it('retries a write the portal failed with a 5xx instead of dead-lettering it', async () => {
    await admin(sb.url, 'faults', { op: '^crm\\.deal\\.update$', count: 1, response: { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } } });
    const before = { ...c.sinkConsumer!.stats };
    const resent: Shipment = { ...shipment, meta: metaFrom1C('1b0c9d8e-7f6a-11ee-8c90-0242ac120002'), trackingNumber: '20987654321' };
    await send({ recordType: 'esb.canonical.Shipment', key: orderId, value: resent });
    expect((await deal()).UF_CRM_TRACKING_NUMBER).toBe('20987654321');
    expect(c.sinkConsumer!.stats.retries).toBe(before.retries + 1);
    expect(c.sinkConsumer!.stats.deadLettered).toBe(before.deadLettered);
    const failed = (await admin<LoggedRequest[]>(sb.url, 'requests')).filter((r) => r.op === 'crm.deal.update' && r.status === 500);
    expect(failed).toHaveLength(1);
  });

  it('traces every write in the exchange log with its business keys', async () => {
    const rows: Array<{ operation: string; status: string; business_keys: Record<string, string> }> = await c.store.dataSource.query(
      `SELECT operation, status, business_keys FROM exchange_log WHERE direction = 'out' AND business_keys->>'deal' = '394' ORDER BY id`,
    );
    const ops = rows.filter((r) => r.status === 'ok').map((r) => r.operation);
    expect(ops).toEqual(expect.arrayContaining(['crm.deal.update', 'crm.timeline.comment.add', 'disk.folder.uploadfile', 'crm.item.update']));
    // The 1C order, the invoice and the signed УПД: one comment each.
    expect(rows.filter((r) => r.operation === 'crm.timeline.comment.add' && r.status === 'ok')).toHaveLength(3);
    const texts = (await state()).timeline.filter((t) => t.ENTITY_ID === 394).map((t) => String(t.COMMENT));
    expect(texts).toEqual([expect.stringMatching(/^Заказ клиента ЗК-000123 /), expect.stringMatching(/^Счёт ТД00-000451 /), 'ЭДО (1С-ЭДО): УПД ТД00-000733 подписан покупателем.']);
    expect(rows.find((r) => r.operation === 'crm.item.update')?.business_keys).toMatchObject({ deal: '394', order: orderId, payment: '1187', status: 'PAID' });
  });

  it('dead-letters a payment of an order that is no deal of this portal, naming the record', async () => {
    const stray: Payment = { ...partial, meta: metaFrom1C('0a9b8c7d-6e5f-11ee-8c90-0242ac120009'), orderId: documentId('order', 'ut-main', 'nope') };
    await send({ recordType: 'esb.canonical.Payment', key: stray.orderId!, value: stray });
    const dlq = await eventually('the DLQ entry', async () => {
      const rows: Array<{ error_code: string; error: string }> = await c.store.dataSource.query(`SELECT error_code, error FROM exchange_log WHERE status = 'dlq' AND event_id = $1`, [stray.meta.eventId]);
      return rows[0];
    });
    expect(dlq.error_code).toBe('ESB_VALIDATION');
    expect(dlq.error).toContain(`Payment 1187 (${stray.paymentId.slice(0, 8)}) of order ${stray.orderId}`);
    expect(dlq.error).toContain(`is not a deal of portal ${systemId}`);
  });
});
