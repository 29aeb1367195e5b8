// The flows of architecture §1, driven from the outside as people would: a manager moves a deal in the portal, an
// accountant posts a receipt in 1C. Each flow waits for its effect in the other system and reports what happened and
// how long it took end to end. The end-to-end suites assert on the results; `npm run demo` prints them.
import { DEMO } from '@esb/sandbox-1c';
import { OneCClient, eq, substringof, and, type OneCEntity } from '@esb/onec-client';
import { documentId } from '@esb/canonical';
import { DEFAULT_FIELDS } from '@esb/connector-bitrix24';
import type { Stack } from './stack.ts';

const D = DEMO.ut;

export interface FlowStep {
  what: string;
  ms: number;
}

export interface FlowResult {
  id: string;
  title: string;
  ok: boolean;
  ms: number;
  steps: FlowStep[];
  error?: string;
}

export class FlowFailed extends Error {}

/** Polls `check` until it returns a value, or fails naming `what` (and the last thing seen). */
export async function until<T>(what: string, check: () => Promise<T | undefined | false | null>, timeoutMs = 45_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false && v !== null) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new FlowFailed(`${what}: not within ${timeoutMs / 1000} s${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs one flow, timing its steps; a failure is reported, not thrown, so a demo can go on to the next flow. */
export async function runFlow(id: string, title: string, body: (step: (what: string, t0: number) => void) => Promise<void>): Promise<FlowResult> {
  const t0 = Date.now();
  const steps: FlowStep[] = [];
  try {
    await body((what, since) => steps.push({ what, ms: Date.now() - since }));
    return { id, title, ok: true, ms: Date.now() - t0, steps };
  } catch (e) {
    return { id, title, ok: false, ms: Date.now() - t0, steps, error: e instanceof Error ? e.message : String(e) };
  }
}

// ---- the portal, as people and scripts use it ------------------------------------------------------------------

/**
 * What a person does or sees in the portal's UI (the sandbox runs the method as user 1, outside the REST limits,
 * and changes fire their events as a user's edit would). The bus's own calls are the ones the limits govern.
 */
export async function b24<T = unknown>(s: Stack, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${s.b24.url}/_admin/act/${method}?user=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  const body = (await res.json()) as { result?: T; error?: string; error_description?: string };
  if (body.error !== undefined || res.status >= 400) throw new Error(`act ${method}: ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
  return body.result as T;
}

type Rec = Record<string, unknown>;
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

// ---- 1C, as an accountant uses it --------------------------------------------------------------------------------

export function onecOf(s: Stack, infobase = 'ut-main'): OneCClient {
  return new OneCClient({ baseUrl: s.onec.odataUrl(infobase), user: 'odata', password: 'odata', maxConcurrency: 2 });
}

/** The 1C order the bus created for a deal: found by the origin marker the sink writes into its comment. */
export async function onecOrderOf(s: Stack, dealId: string, infobase = 'ut-main', set = 'Document_ЗаказКлиента'): Promise<OneCEntity | undefined> {
  const orderId = documentId('order', s.ids.b24, dealId);
  const rows = await onecOf(s, infobase).list(set, { filter: and(eq('DeletionMark', false), substringof(`ESB:order:${orderId}`, 'Комментарий')) });
  return rows[0];
}

const poll = (s: Stack, system: string, job: string): Promise<void> => {
  const c = s.connectors.get(system);
  if (!c) throw new Error(`no connector for ${system}`);
  return c.poll(job);
};

// ---- shared state between the flows of one run ---------------------------------------------------------------------

export interface Scenario {
  /** F1's deal and its 1C order. */
  dealId?: string;
  orderRef?: string;
  orderTotal?: number;
  companyId?: string;
}

/** A new customer company with its requisites, as a manager enters it in the portal. */
async function newCompany(s: Stack, title: string, inn: string, kpp: string): Promise<string> {
  const id = str(await b24(s, 'crm.company.add', { fields: { TITLE: title, PHONE: [{ VALUE: '+7 495 555-01-02', VALUE_TYPE: 'WORK' }] } }));
  await b24(s, 'crm.requisite.add', { fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: id, PRESET_ID: 1, NAME: 'Организация', RQ_INN: inn, RQ_KPP: kpp, RQ_COMPANY_NAME: title } });
  return id;
}

/** Portal products the catalog flow created from 1C, by 1C Ref_Key (XML_ID). */
async function portalProduct(s: Stack, onecRef: string): Promise<Rec | undefined> {
  const list = await b24<Rec[]>(s, 'crm.product.list', { filter: { XML_ID: onecRef }, select: ['ID', 'NAME', 'PRICE', 'XML_ID'] });
  return list[0];
}

/** A deal in `categoryId` with two of the catalog's products, then moved to the funnel's trigger stage. */
async function dealAtTrigger(s: Stack, categoryId: number, companyId: string, title: string): Promise<string> {
  const laptop = await portalProduct(s, D.laptop);
  const mouse = await portalProduct(s, D.mouse);
  if (!laptop || !mouse) throw new FlowFailed('the catalog flow (F6) has not put the 1C products into the portal');
  const prefix = categoryId === 0 ? '' : `C${categoryId}:`;
  const dealId = str(await b24(s, 'crm.deal.add', { fields: { TITLE: title, CATEGORY_ID: categoryId, STAGE_ID: `${prefix}NEW`, COMPANY_ID: companyId, CURRENCY_ID: 'RUB' } }));
  await b24(s, 'crm.deal.productrows.set', {
    id: dealId,
    rows: [
      { PRODUCT_ID: laptop.ID, PRICE: 1000, QUANTITY: 2, TAX_RATE: 20, TAX_INCLUDED: 'Y' },
      { PRODUCT_ID: mouse.ID, PRICE: 250, QUANTITY: 4, TAX_RATE: 20, TAX_INCLUDED: 'Y' },
    ],
  });
  await b24(s, 'crm.deal.update', { id: dealId, fields: { STAGE_ID: `${prefix}PREPAYMENT_INVOICE` } });
  return dealId;
}

const deal = (s: Stack, id: string) => b24<Rec>(s, 'crm.deal.get', { id });

// ---- F6: catalog, prices, stock ----------------------------------------------------------------------------------

export const F6 = (s: Stack) =>
  runFlow('F6', 'nomenclature, prices and stock from 1C:УТ to the portal catalog', async (step) => {
    let t = Date.now();
    await poll(s, s.ids.ut, 'products');
    const laptop = await until('product «laptop» in the portal catalog with XML_ID = 1C Ref_Key', () => portalProduct(s, D.laptop));
    step(`1C nomenclature → portal product ${str(laptop.ID)} «${str(laptop.NAME)}» (XML_ID = 1C Ref_Key)`, t);
    t = Date.now();
    await poll(s, s.ids.ut, 'prices');
    await until('a price on the portal product', async () => Number((await portalProduct(s, D.laptop))?.PRICE ?? 0) > 0);
    step('1C prices → portal price', t);
    t = Date.now();
    await poll(s, s.ids.ut, 'stock');
    step('1C stock balances published', t);
  });

// ---- F5: counterparties ------------------------------------------------------------------------------------------

export const F5 = (s: Stack) =>
  runFlow('F5', 'a counterparty created in 1C appears once in the CRM with requisites', async (step) => {
    const t = Date.now();
    const onec = onecOf(s);
    const partner = await onec.create('Catalog_Партнеры', { Description: 'Василёк', НаименованиеПолное: 'ООО «Василёк»', Клиент: true });
    await onec.create('Catalog_Контрагенты', { Description: 'Василёк ООО', НаименованиеПолное: 'ООО «Василёк»', ЮрФизЛицо: 'ЮрЛицо', ИНН: '7728168971', КПП: '772801001', Партнер_Key: str(partner['Ref_Key']) });
    await poll(s, s.ids.ut, 'counterparties');
    const rq = await until('a requisite with RQ_INN 7728168971 in the portal', async () => (await b24<Rec[]>(s, 'crm.requisite.list', { filter: { RQ_INN: '7728168971' } }))[0]);
    step(`1C counterparty → portal company ${str(rq.ENTITY_ID)} with requisite INN 7728168971 / KPP ${str(rq.RQ_KPP)}`, t);
    // A second poll, and the same counterparty published again, must not make a second company.
    await poll(s, s.ids.ut, 'counterparties');
    await new Promise((r) => setTimeout(r, 1500));
    const all = await b24<Rec[]>(s, 'crm.requisite.list', { filter: { RQ_INN: '7728168971' } });
    if (all.length !== 1) throw new FlowFailed(`expected one company with INN 7728168971 in the portal, found ${all.length}`);
  });

// ---- F1: deal → 1C order, id written back ------------------------------------------------------------------------

export const F1 = (s: Stack, sc: Scenario) =>
  runFlow('F1', 'a deal at its trigger stage becomes a 1C customer order; the 1C id comes back to the deal', async (step) => {
    const companyId = await newCompany(s, 'ООО «Одуванчик»', '7704217370', '770401001');
    sc.companyId = companyId;
    const t = Date.now();
    const dealId = await dealAtTrigger(s, 0, companyId, 'Заказ Одуванчика');
    sc.dealId = dealId;
    const order = await until(`1C order for deal ${dealId} in ut-main`, () => onecOrderOf(s, dealId));
    sc.orderRef = str(order['Ref_Key']);
    sc.orderTotal = Number(order['СуммаДокумента']);
    const rows = (order['Товары'] as Rec[] | undefined) ?? [];
    if (rows.length !== 2) throw new FlowFailed(`the 1C order has ${rows.length} rows, expected 2`);
    step(`deal ${dealId} → 1C Document_ЗаказКлиента ${str(order['Number'])} (${rows.length} rows, ${str(order['СуммаДокумента'])} RUB)`, t);
    const d = await until(`${DEFAULT_FIELDS.onecOrderId} on deal ${dealId}`, async () => {
      const v = await deal(s, dealId);
      return str(v[DEFAULT_FIELDS.onecOrderId]) ? v : undefined;
    });
    if (str(d[DEFAULT_FIELDS.onecOrderId]) !== sc.orderRef) throw new FlowFailed(`deal ${dealId} got ${str(d[DEFAULT_FIELDS.onecOrderId])}, the 1C order is ${sc.orderRef}`);
    step(`1C order id and number ${str(d[DEFAULT_FIELDS.onecOrderNumber])} written back to deal ${dealId}`, t);
  });

// ---- F2: invoice number and PDF on the deal ------------------------------------------------------------------------

export const F2 = (s: Stack, sc: Scenario) =>
  runFlow('F2', '1C invoice for the order: number and PDF link on the deal, the PDF on Disk', async (step) => {
    if (!sc.orderRef || !sc.dealId) throw new FlowFailed('needs F1');
    const onec = onecOf(s);
    const order = await onec.get('Document_ЗаказКлиента', sc.orderRef);
    const t = Date.now();
    const inv = await onec.create('Document_СчетНаОплатуКлиенту', {
      Date: new Date(),
      Организация_Key: str(order['Организация_Key']),
      Партнер_Key: str(order['Партнер_Key']),
      Контрагент_Key: str(order['Контрагент_Key']),
      Валюта_Key: str(order['Валюта_Key']),
      СуммаДокумента: sc.orderTotal,
      ДокументОснование: sc.orderRef,
      ДокументОснование_Type: 'StandardODATA.Document_ЗаказКлиента',
    });
    await onec.post('Document_СчетНаОплатуКлиенту', str(inv['Ref_Key']));
    await poll(s, s.ids.ut, 'invoices');
    const dealId = sc.dealId;
    const d = await until(`invoice number on deal ${dealId}`, async () => {
      const v = await deal(s, dealId);
      return str(v[DEFAULT_FIELDS.invoiceNumber]) ? v : undefined;
    });
    step(`1C invoice ${str(inv['Number'])} → deal ${dealId}: ${DEFAULT_FIELDS.invoiceNumber} = ${str(d[DEFAULT_FIELDS.invoiceNumber])}, ${DEFAULT_FIELDS.invoiceUrl} set`, t);
    const files = await until('the invoice PDF on Disk', async () => {
      const state = (await (await fetch(`${s.b24.url}/_admin/state`)).json()) as { disk?: { objects?: Array<{ NAME: string; TYPE: string; DELETED_TYPE: unknown }> } };
      const f = (state.disk?.objects ?? []).filter((x) => x.TYPE === 'file' && x.NAME.endsWith('.pdf') && !Number(x.DELETED_TYPE));
      return f.length > 0 ? f : undefined;
    });
    if (files.length !== 1) throw new FlowFailed(`expected one invoice PDF on Disk, found ${files.length}`);
    step(`PDF «${files[0]!.NAME}» uploaded to Disk and linked from the deal`, t);
  });

// ---- F3: a partial, then a full payment ------------------------------------------------------------------------

async function receipt(s: Stack, orderRef: string, amount: number): Promise<void> {
  const onec = onecOf(s);
  const order = await onec.get('Document_ЗаказКлиента', orderRef);
  const r = await onec.create('Document_ПоступлениеБезналичныхДенежныхСредств', {
    Date: new Date(),
    ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента',
    Организация_Key: str(order['Организация_Key']),
    БанковскийСчет_Key: D.bankAccount,
    Контрагент_Key: str(order['Контрагент_Key']),
    Валюта_Key: D.currency,
    СуммаДокумента: amount,
    РасшифровкаПлатежа: [{ ОбъектРасчетов_Key: str(order['ОбъектРасчетов_Key']), Сумма: amount }],
  });
  await onec.post('Document_ПоступлениеБезналичныхДенежныхСредств', str(r['Ref_Key']));
}

/** The deal's payment status as people see it: the XML_ID of the enumeration item the field holds. */
type EnumItems = Array<{ ID: unknown; XML_ID: unknown }>;
const statusItems = new WeakMap<Stack, EnumItems>();

async function paymentStatus(s: Stack, d: Rec): Promise<string> {
  const value = str(d[DEFAULT_FIELDS.paymentStatus]);
  if (!value) return '';
  // The field's items do not change once the connector created it: read them once per stack.
  let items = statusItems.get(s);
  if (!items) {
    const fields = await b24<Array<{ FIELD_NAME: string; LIST?: EnumItems }>>(s, 'crm.deal.userfield.list', { filter: { FIELD_NAME: DEFAULT_FIELDS.paymentStatus } });
    items = fields[0]?.LIST ?? [];
    if (items.length > 0) statusItems.set(s, items);
  }
  return str(items.find((i) => str(i.ID) === value)?.XML_ID) || value;
}

export const F3 = (s: Stack, sc: Scenario) =>
  runFlow('F3', 'a partial then a full payment in 1C reach the deal: status, amount, balance, stage', async (step) => {
    if (!sc.orderRef || !sc.dealId || !sc.orderTotal) throw new FlowFailed('needs F1');
    const dealId = sc.dealId;
    const part = Math.round(sc.orderTotal * 0.4);
    let t = Date.now();
    await receipt(s, sc.orderRef, part);
    await poll(s, s.ids.ut, 'receipts');
    const d1 = await until(`PARTIAL on deal ${dealId}`, async () => {
      const v = await deal(s, dealId);
      return (await paymentStatus(s, v)) === 'PARTIAL' ? v : undefined;
    });
    step(`receipt ${part} RUB → deal ${dealId}: PARTIAL, paid ${str(d1[DEFAULT_FIELDS.amountPaid])}, balance ${str(d1[DEFAULT_FIELDS.balance])}, stage ${str(d1.STAGE_ID)}`, t);
    if (str(d1.STAGE_ID) !== 'EXECUTING') throw new FlowFailed(`deal ${dealId} is at stage ${str(d1.STAGE_ID)}, the mapping says EXECUTING for PARTIAL`);
    t = Date.now();
    await receipt(s, sc.orderRef, sc.orderTotal - part);
    await poll(s, s.ids.ut, 'receipts');
    const d2 = await until(`PAID on deal ${dealId}`, async () => {
      const v = await deal(s, dealId);
      return (await paymentStatus(s, v)) === 'PAID' ? v : undefined;
    });
    step(`receipt ${sc.orderTotal - part} RUB → deal ${dealId}: PAID, paid ${str(d2[DEFAULT_FIELDS.amountPaid])}, balance ${str(d2[DEFAULT_FIELDS.balance])}, stage ${str(d2.STAGE_ID)}`, t);
    if (str(d2.STAGE_ID) !== 'FINAL_INVOICE') throw new FlowFailed(`deal ${dealId} is at stage ${str(d2.STAGE_ID)}, the mapping says FINAL_INVOICE for PAID`);
  });

// ---- F4: shipment ----------------------------------------------------------------------------------------------

/** A posted sale (realization) of the order's goods, as the warehouse books a shipment. */
async function postSale(s: Stack, orderRef: string, tracking?: string): Promise<OneCEntity> {
  const onec = onecOf(s);
  const order = await onec.get('Document_ЗаказКлиента', orderRef);
  const rows = ((order['Товары'] as OneCEntity[] | undefined) ?? []).map((r) => ({ Номенклатура_Key: r['Номенклатура_Key'], Количество: r['Количество'], Цена: r['Цена'], Сумма: r['Сумма'], СуммаСНДС: r['СуммаСНДС'], СтавкаНДС_Key: r['СтавкаНДС_Key'] }));
  const sale = await onec.create('Document_РеализацияТоваровУслуг', {
    Date: new Date(),
    Организация_Key: str(order['Организация_Key']),
    Партнер_Key: str(order['Партнер_Key']),
    Контрагент_Key: str(order['Контрагент_Key']),
    Валюта_Key: D.currency,
    Склад_Key: D.warehouse,
    ХозяйственнаяОперация: 'РеализацияКлиенту',
    ЗаказКлиента: orderRef,
    ЗаказКлиента_Type: 'StandardODATA.Document_ЗаказКлиента',
    ЦенаВключаетНДС: true,
    Товары: rows,
    ...(tracking ? { ДополнительныеРеквизиты: [{ Свойство_Key: D.propTracking, Значение: tracking, Значение_Type: 'Edm.String' }] } : {}),
  });
  await onec.post('Document_РеализацияТоваровУслуг', str(sale['Ref_Key']));
  return sale;
}

export const F4 = (s: Stack, sc: Scenario) =>
  runFlow('F4', 'a posted sale in 1C: shipment date and tracking number on the deal', async (step) => {
    if (!sc.orderRef || !sc.dealId) throw new FlowFailed('needs F1');
    const dealId = sc.dealId;
    const t = Date.now();
    const sale = await postSale(s, sc.orderRef, 'CDEK-1000-2026');
    await poll(s, s.ids.ut, 'sales');
    const d = await until(`tracking number on deal ${dealId}`, async () => {
      const v = await deal(s, dealId);
      return str(v[DEFAULT_FIELDS.trackingNumber]) ? v : undefined;
    });
    if (str(d[DEFAULT_FIELDS.trackingNumber]) !== 'CDEK-1000-2026') throw new FlowFailed(`tracking number ${str(d[DEFAULT_FIELDS.trackingNumber])}`);
    step(`sale ${str(sale['Number'])} → deal ${dealId}: shipped ${str(d[DEFAULT_FIELDS.shipmentDate])}, tracking ${str(d[DEFAULT_FIELDS.trackingNumber])}`, t);
  });

// ---- F7: debt --------------------------------------------------------------------------------------------------

export const F7 = (s: Stack, sc: Scenario) =>
  runFlow('F7', 'mutual settlements in 1C: the debt on the company card', async (step) => {
    if (!sc.companyId || !sc.orderRef) throw new FlowFailed('needs F1');
    const companyId = sc.companyId;
    const t = Date.now();
    // The order is paid and shipped (balance 0); a second shipment on credit leaves the customer owing its amount.
    await postSale(s, sc.orderRef!);
    await poll(s, s.ids.ut, 'debts');
    const c = await until(`${DEFAULT_FIELDS.debt} on company ${companyId}`, async () => {
      const v = await b24<Rec>(s, 'crm.company.get', { id: companyId });
      return str(v[DEFAULT_FIELDS.debt]) !== '' ? v : undefined;
    });
    step(`settlements → company ${companyId}: ${DEFAULT_FIELDS.debt} = ${str(c[DEFAULT_FIELDS.debt])}`, t);
  });

// ---- F10: several legal entities ---------------------------------------------------------------------------------

export const F10 = (s: Stack) =>
  runFlow('F10', 'orders of each legal entity land in their own database; a funnel move reverses and re-creates', async (step) => {
    const companyId = await newCompany(s, 'ООО «Лютик»', '7710140679', '771001001');
    let t = Date.now();
    const optDeal = await dealAtTrigger(s, 2, companyId, 'Оптовый заказ');
    const optOrder = await until(`1C order for deal ${optDeal} in ut-main`, () => onecOrderOf(s, optDeal));
    const orgOpt = await onecOf(s).get('Catalog_Организации', str(optOrder['Организация_Key']));
    if (str(orgOpt['ИНН']) !== '7736050003') throw new FlowFailed(`deal ${optDeal} of funnel 2 went to organisation ${str(orgOpt['Description'])} (INN ${str(orgOpt['ИНН'])}), expected Ромашка-Опт 7736050003`);
    step(`funnel 2 (ООО «Ромашка-Опт») deal ${optDeal} → ut-main order ${str(optOrder['Number'])} of organisation ${str(orgOpt['Description'])}`, t);

    t = Date.now();
    const retailDeal = await dealAtTrigger(s, 4, companyId, 'Розничный заказ');
    const retailOrder = await until(`1C:Розница order for deal ${retailDeal}`, () => onecOrderOf(s, retailDeal, 'retail', 'Document_ЗаказПокупателя'));
    step(`funnel 4 (ООО «Ромашка-Розница») deal ${retailDeal} → retail order ${str(retailOrder['Number'])}`, t);

    t = Date.now();
    // A funnel move is its own operation in Bitrix24 (crm.item.update with categoryId → ONCRMDEALMOVETOCATEGORY).
    await b24(s, 'crm.item.update', { entityTypeId: 2, id: optDeal, fields: { categoryId: 4 } });
    const reversed = await until(`order of deal ${optDeal} reversed in ut-main`, async () => {
      const o = await onecOf(s).get('Document_ЗаказКлиента', str(optOrder['Ref_Key']));
      return o['DeletionMark'] === true && o['Posted'] === false ? o : undefined;
    });
    step(`deal ${optDeal} moved to funnel 4 → ut-main order ${str(reversed['Number'])} unposted and marked for deletion`, t);
    const moved = await until(`deal ${optDeal} re-created in retail`, () => onecOrderOf(s, optDeal, 'retail', 'Document_ЗаказПокупателя'));
    step(`… and created in retail as ${str(moved['Number'])}`, t);
  });

/** Every flow in the order a holding lives them: catalog and customers first, then an order's life. */
export async function allFlows(s: Stack, onResult: (r: FlowResult) => void = () => undefined): Promise<FlowResult[]> {
  const sc: Scenario = {};
  const out: FlowResult[] = [];
  for (const f of [() => F6(s), () => F5(s), () => F1(s, sc), () => F2(s, sc), () => F3(s, sc), () => F4(s, sc), () => F7(s, sc), () => F10(s)]) {
    const r = await f();
    out.push(r);
    onResult(r);
  }
  return out;
}
