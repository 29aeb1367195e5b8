import { describe, it, expect } from 'vitest';
import { EsbError } from '@esb/bus';
import { documentId, legalCounterpartyId, productId, schemaByName } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import type { B24Record, CounterpartyBody } from './counterparty-in.ts';
import { dealToOrder, documentBuyer, lineOf, sellerFromField, sellerFromOwnCompany, stagesOf, triggerDecision, vatIncludedOf, vatOf, type OrderBody, type SellerEntity } from './deal.ts';

const SYSTEM = 'b24';

const deal = (over: B24Record = {}): B24Record => ({
  ID: '394',
  TITLE: 'Заказ 42',
  CATEGORY_ID: '2',
  STAGE_ID: 'C2:PREPAYMENT_INVOICE',
  STAGE_SEMANTIC_ID: 'P',
  CURRENCY_ID: 'RUB',
  OPPORTUNITY: '13000.00',
  COMPANY_ID: '9',
  CONTACT_ID: '3',
  BEGINDATE: '2026-11-21T00:00:00+03:00',
  DATE_CREATE: '2026-11-20T09:00:00+03:00',
  DATE_MODIFY: '2026-11-21T10:07:45+03:00',
  COMMENTS: '[b]Доставка[/b] до склада',
  ...over,
});

/** crm.deal.productrows.get rows: numbers are JSON numbers there, ID a string. */
const row = (over: B24Record = {}): B24Record => ({
  ID: '1',
  PRODUCT_ID: 100,
  PRODUCT_NAME: 'Стул',
  PRICE: 4900,
  PRICE_EXCLUSIVE: 4083.33,
  PRICE_NETTO: 4083.33,
  PRICE_BRUTTO: 4900,
  QUANTITY: 2,
  DISCOUNT_TYPE_ID: 2,
  DISCOUNT_RATE: 0,
  DISCOUNT_SUM: 0,
  TAX_RATE: 20,
  TAX_INCLUDED: 'Y',
  MEASURE_CODE: 796,
  MEASURE_NAME: 'шт',
  SORT: 10,
  ...over,
});

const buyer: CounterpartyBody = {
  counterpartyId: legalCounterpartyId('7707083893', '770701001'),
  kind: 'LEGAL_ENTITY',
  name: 'Ромашка',
  legalName: null,
  shortName: null,
  inn: '7707083893',
  kpp: '770701001',
  ogrn: null,
  ogrnip: null,
  okpo: null,
  snils: null,
  addresses: [],
  bankAccounts: null,
  phones: [{ number: '+74951234567', kind: 'WORK', extension: null }],
  emails: [],
  contactPersons: [],
  deleted: false,
};

function valid(o: OrderBody): boolean {
  const errors: string[] = [];
  const ok = schemaByName('esb.canonical.Order')!.type.isValid({ meta: canonicalSamples['esb.canonical.Order'].meta, ...o }, { errorHook: (p) => errors.push(p.join('.')) });
  if (!ok) throw new Error(`invalid Order at ${errors.join(', ')}`);
  return ok;
}

describe('dealToOrder', () => {
  it('maps a deal with VAT-inclusive rows, a discount and a free-text row, amounts in exact kopecks', () => {
    const o = dealToOrder({
      systemId: SYSTEM,
      deal: deal(),
      rows: [
        row(),
        row({ ID: '2', PRODUCT_ID: 101, PRODUCT_NAME: 'Стол', PRICE: 900, PRICE_BRUTTO: 1000, PRICE_EXCLUSIVE: 750, PRICE_NETTO: 833.33, QUANTITY: 3, DISCOUNT_RATE: 10, DISCOUNT_SUM: 83.33, SORT: 20 }),
        row({ ID: '3', PRODUCT_ID: 0, PRODUCT_NAME: 'Доставка', PRICE: 500, PRICE_BRUTTO: 500, PRICE_EXCLUSIVE: 500, PRICE_NETTO: 500, QUANTITY: 1, TAX_RATE: null, TAX_INCLUDED: 'N', MEASURE_CODE: 6, MEASURE_NAME: 'м', SORT: 30 }),
      ],
      buyer,
      sellerLegalEntityId: null,
      productIds: { '100': '11111111-2222-5333-8444-555555555555' },
    });
    expect(o).toMatchObject({
      orderId: documentId('order', SYSTEM, '394'),
      number: '394',
      date: '2026-11-20T21:00:00.000Z',
      origin: { system: SYSTEM, kind: 'bitrix24', entityType: 'deal', externalId: '394', categoryId: '2' },
      buyer: { counterpartyId: buyer.counterpartyId, kind: 'LEGAL_ENTITY', name: 'Ромашка', inn: '7707083893', kpp: '770701001', phone: '+74951234567', email: null },
      sellerLegalEntityId: null,
      currency: 'RUB',
      vatIncluded: true,
      total: '13000.00',
      vatTotal: '2083.33',
      comment: 'Доставка до склада',
    });
    expect(o.lines).toEqual([
      { lineNo: 1, productId: '11111111-2222-5333-8444-555555555555', article: null, name: 'Стул', quantity: '2.000', unit: { okei: '796', name: 'шт' }, price: '4900.00', discount: '0.00', vatRate: 'VAT_20', vatAmount: '1633.33', amount: '9800.00' },
      { lineNo: 2, productId: productId({ originSystem: SYSTEM, externalId: '101' }), article: null, name: 'Стол', quantity: '3.000', unit: { okei: '796', name: 'шт' }, price: '1000.00', discount: '300.00', vatRate: 'VAT_20', vatAmount: '450.00', amount: '2700.00' },
      { lineNo: 3, productId: null, article: null, name: 'Доставка', quantity: '1.000', unit: { okei: '006', name: 'м' }, price: '500.00', discount: '0.00', vatRate: 'VAT_NONE', vatAmount: '0.00', amount: '500.00' },
    ]);
    expect(valid(o)).toBe(true);
  });

  it('prices without VAT when every taxed row was entered without it, VAT added on top of the total', () => {
    const o = dealToOrder({
      systemId: SYSTEM,
      deal: deal(),
      rows: [
        row({ PRICE: 1200, PRICE_EXCLUSIVE: 1000, PRICE_NETTO: 1000, PRICE_BRUTTO: 1200, QUANTITY: 1.5, TAX_INCLUDED: 'N' }),
        row({ ID: '2', PRICE: 400, PRICE_EXCLUSIVE: 333.33, PRICE_NETTO: 333.33, PRICE_BRUTTO: 400, QUANTITY: 3, TAX_INCLUDED: 'N', SORT: 20 }),
      ],
      buyer,
      sellerLegalEntityId: null,
    });
    expect(o.vatIncluded).toBe(false);
    expect(o.lines.map((l) => [l.price, l.quantity, l.amount, l.vatAmount])).toEqual([
      ['1000.00', '1.500', '1500.00', '300.00'],
      ['333.33', '3.000', '999.99', '200.00'],
    ]);
    expect(o.total).toBe('2999.99');
    expect(o.vatTotal).toBe('500.00');
    expect(valid(o)).toBe(true);
  });

  it('uses gross figures when rows mix VAT-inclusive and VAT-exclusive pricing', () => {
    const rows = [row(), row({ ID: '2', TAX_INCLUDED: 'N', PRICE: 1200, PRICE_BRUTTO: 1200, PRICE_EXCLUSIVE: 1000, QUANTITY: 1, SORT: 20 })];
    expect(vatIncludedOf(rows)).toBe(true);
    const o = dealToOrder({ systemId: SYSTEM, deal: deal(), rows, buyer, sellerLegalEntityId: null });
    expect(o.lines[1]).toMatchObject({ price: '1200.00', amount: '1200.00', vatAmount: '200.00' });
    expect(o.total).toBe('11000.00');
  });

  it('rounds a fractional quantity per row, half away from zero', () => {
    const l = lineOf(SYSTEM, 'deal 1', row({ PRICE: 99.99, PRICE_BRUTTO: 99.99, QUANTITY: 0.333, TAX_RATE: 10 }), 1, true, {});
    // 99.99 × 0.333 = 33.29667 → 33.30; VAT 10/110 of 33.30 = 3.0272… → 3.03
    expect(l).toMatchObject({ quantity: '0.333', amount: '33.30', vatAmount: '3.03', vatRate: 'VAT_10' });
  });

  it('sorts rows by SORT, keeps a surcharge out of the discount, and reads legacy strings too', () => {
    const o = dealToOrder({ systemId: SYSTEM, deal: deal(), rows: [row({ ID: '2', SORT: '20', PRODUCT_NAME: 'B', PRICE: '110.00', PRICE_BRUTTO: '100.00', QUANTITY: '1' }), row({ ID: '1', SORT: '10', PRODUCT_NAME: 'A' })], buyer, sellerLegalEntityId: null });
    expect(o.lines.map((l) => l.name)).toEqual(['A', 'B']);
    expect(o.lines[1]).toMatchObject({ price: '110.00', discount: '0.00', amount: '110.00' });
  });

  it('refuses, naming the deal, the row and the field: an unknown VAT rate, no quantity, no rows, no currency', () => {
    expect(() => dealToOrder({ systemId: SYSTEM, deal: deal(), rows: [row({ TAX_RATE: 13 })], buyer, sellerLegalEntityId: null })).toThrow(
      /deal 394 «Заказ 42», product row 1 \(ID 1\): field TAX_RATE = 13.00% is not a Russian VAT rate/,
    );
    expect(() => dealToOrder({ systemId: SYSTEM, deal: deal(), rows: [row({ QUANTITY: 0 })], buyer, sellerLegalEntityId: null })).toThrow(/product row 1 \(ID 1\): field QUANTITY must be more than 0/);
    expect(() => dealToOrder({ systemId: SYSTEM, deal: deal(), rows: [row({ PRICE: 'abc' })], buyer, sellerLegalEntityId: null })).toThrow(/field PRICE: "abc" is not a decimal number/);
    expect(() => dealToOrder({ systemId: SYSTEM, deal: deal(), rows: [], buyer, sellerLegalEntityId: null })).toThrow(/deal 394 «Заказ 42»: the deal has no product rows/);
    expect(() => dealToOrder({ systemId: SYSTEM, deal: deal({ CURRENCY_ID: '' }), rows: [row()], buyer, sellerLegalEntityId: null })).toThrow(/field CURRENCY_ID/);
    try {
      dealToOrder({ systemId: SYSTEM, deal: deal(), rows: [row({ TAX_RATE: 13 })], buyer, sellerLegalEntityId: null });
    } catch (e) {
      expect(e).toBeInstanceOf(EsbError);
      expect((e as EsbError).code).toBe('ESB_VALIDATION');
    }
  });

  it('dates the order by BEGINDATE, else DATE_CREATE; the general funnel is "0"', () => {
    const o = dealToOrder({ systemId: SYSTEM, deal: deal({ BEGINDATE: null, CATEGORY_ID: null, COMMENTS: null }), rows: [row()], buyer, sellerLegalEntityId: 'c1f0b2b4-0000-5000-8000-000000000001' });
    expect(o.date).toBe('2026-11-20T06:00:00.000Z');
    expect(o.origin.categoryId).toBe('0');
    expect(o.comment).toBeNull();
    expect(o.sellerLegalEntityId).toBe('c1f0b2b4-0000-5000-8000-000000000001');
  });
});

describe('vatOf', () => {
  it('maps percents to the canonical rates', () => {
    expect(vatOf(20, 'r')).toEqual({ rate: 'VAT_20', percent: 20n });
    expect(vatOf('22.00', 'r')).toEqual({ rate: 'VAT_22', percent: 22n });
    expect(vatOf(0, 'r')).toEqual({ rate: 'VAT_0', percent: 0n });
    expect(vatOf(null, 'r')).toEqual({ rate: 'VAT_NONE', percent: 0n });
    expect(vatOf('', 'r')).toEqual({ rate: 'VAT_NONE', percent: 0n });
    expect(() => vatOf(20.5, 'r')).toThrow(/20.50%/);
  });
});

describe('triggerDecision', () => {
  const stages = stagesOf([
    { STATUS_ID: 'C2:NEW', SORT: '10' },
    { STATUS_ID: 'C2:PREPAYMENT_INVOICE', SORT: '30' },
    { STATUS_ID: 'C2:EXECUTING', SORT: '40' },
    { STATUS_ID: 'C2:WON', SORT: '60' },
    { STATUS_ID: 'C2:LOSE', SORT: '70' },
  ]);
  const base = { dealId: '5', categoryId: '2', semantic: 'P', triggerStage: 'C2:PREPAYMENT_INVOICE', stages, alreadyPublished: false };

  it('publishes at the trigger stage and after it', () => {
    expect(triggerDecision({ ...base, stageId: 'C2:PREPAYMENT_INVOICE' })).toEqual({ publish: true, reason: 'deal 5 is at the trigger stage C2:PREPAYMENT_INVOICE' });
    expect(triggerDecision({ ...base, stageId: 'C2:WON', semantic: 'S' }).publish).toBe(true);
  });

  it('does not publish before the trigger stage, in a failure stage, or in a funnel without a trigger stage', () => {
    expect(triggerDecision({ ...base, stageId: 'C2:NEW' })).toEqual({ publish: false, reason: 'deal 5 is at stage C2:NEW, before the trigger stage C2:PREPAYMENT_INVOICE' });
    expect(triggerDecision({ ...base, stageId: 'C2:LOSE', semantic: 'F' }).publish).toBe(false);
    expect(triggerDecision({ ...base, stageId: 'C7:NEW', categoryId: '7', triggerStage: undefined }).reason).toMatch(/funnel 7, which has no trigger stage/);
  });

  it('keeps following a deal that is already an order, e.g. after a move to the first stage of another funnel', () => {
    expect(triggerDecision({ ...base, stageId: 'C2:NEW', alreadyPublished: true }).publish).toBe(true);
    expect(triggerDecision({ ...base, stageId: 'C2:LOSE', semantic: 'F', alreadyPublished: true }).publish).toBe(false);
  });

  it('explains a trigger stage that is not in the funnel', () => {
    expect(triggerDecision({ ...base, stageId: 'C2:NEW', triggerStage: 'C2:TYPO' }).reason).toMatch(/trigger stage C2:TYPO is not a stage of funnel 2/);
    expect(triggerDecision({ ...base, stageId: 'C2:TYPO', triggerStage: 'C2:TYPO' }).publish).toBe(true);
  });
});

describe('seller', () => {
  const entities: SellerEntity[] = [
    { id: 'romashka-trade', name: 'Трейд', inn: '7707083893', kpp: '770701001', canonicalId: legalCounterpartyId('7707083893', '770701001') },
    { id: 'romashka-opt', name: 'Опт', inn: '7736050003', kpp: '773601001', canonicalId: legalCounterpartyId('7736050003', '773601001') },
    { id: 'romashka-opt-spb', name: 'Опт СПб', inn: '7736050003', kpp: '781001001', canonicalId: legalCounterpartyId('7736050003', '781001001') },
  ];

  it('reads the seller field as an entity id, an INN or INN/KPP', () => {
    expect(sellerFromField('Romashka-Trade', entities, 'deal 1', 'UF_CRM_SELLER')).toBe(entities[0]!.canonicalId);
    expect(sellerFromField('7707083893', entities, 'deal 1', 'UF_CRM_SELLER')).toBe(entities[0]!.canonicalId);
    expect(sellerFromField('7736050003/781001001', entities, 'deal 1', 'UF_CRM_SELLER')).toBe(entities[2]!.canonicalId);
    expect(sellerFromField('', entities, 'deal 1', 'UF_CRM_SELLER')).toBeNull();
    expect(sellerFromField(null, entities, 'deal 1', 'UF_CRM_SELLER')).toBeNull();
  });

  it('refuses a value naming no entity or several', () => {
    expect(() => sellerFromField('acme', entities, 'deal 1', 'UF_CRM_SELLER')).toThrow(/deal 1: field UF_CRM_SELLER = "acme" names no legal entity of the topology. Known: romashka-trade \(INN 7707083893\/770701001\)/);
    expect(() => sellerFromField('7736050003', entities, 'deal 1', 'UF_CRM_SELLER')).toThrow(/matches several legal entities by INN/);
  });

  it('finds the seller of an invoice by its own company requisites', () => {
    const rq = [{ ID: '1', ENTITY_TYPE_ID: '4', ENTITY_ID: '1', ACTIVE: 'Y', RQ_INN: '7736050003', RQ_KPP: '773601001' }];
    expect(sellerFromOwnCompany('1', rq, entities)).toBe(entities[1]!.canonicalId);
    expect(sellerFromOwnCompany('2', rq, entities)).toBeNull();
    expect(sellerFromOwnCompany(null, rq, entities)).toBeNull();
    expect(sellerFromOwnCompany('1', [{ ...rq[0]!, RQ_KPP: '999999999' }], entities)).toBeNull();
  });
});

describe('documentBuyer', () => {
  const company = { ID: '9', TITLE: 'Ромашка' };
  const requisite = { ID: '1', ENTITY_TYPE_ID: '4', ENTITY_ID: '9', ACTIVE: 'Y', RQ_INN: '7707083893', RQ_KPP: '770701001' };
  const contact = { ID: '3', NAME: 'Иван', LAST_NAME: 'Петров', PHONE: [{ ID: '1', VALUE: '+79031112233' }] };
  const none = { companyRequisites: [], companyContacts: [], contactRequisites: [] };

  it('prefers the company, else the contact as an individual', () => {
    expect(documentBuyer('deal 1', '9', '3', { ...none, company, companyRequisites: [requisite], contact }).kind).toBe('LEGAL_ENTITY');
    expect(documentBuyer('deal 1', null, '3', { ...none, contact }).kind).toBe('INDIVIDUAL');
  });

  it('refuses a deal without a buyer, a company without requisites, a contact without phone or e-mail', () => {
    expect(() => documentBuyer('deal 1', null, '0', none)).toThrow(/deal 1: no buyer — the deal has neither a company \(COMPANY_ID\) nor a contact/);
    expect(() => documentBuyer('deal 1', '9', null, { ...none, company })).toThrow(/deal 1: buyer: company 9 «Ромашка» has no active requisite with an INN/);
    expect(() => documentBuyer('deal 1', null, '3', { ...none, contact: { ...contact, PHONE: [] } })).toThrow(/deal 1: buyer: contact 3 «Петров Иван»: fields PHONE, EMAIL/);
    expect(() => documentBuyer('deal 1', '9', null, none)).toThrow(/company 9 \(COMPANY_ID\) could not be read/);
  });
});
