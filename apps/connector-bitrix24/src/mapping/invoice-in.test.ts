import { describe, it, expect } from 'vitest';
import { documentId, individualId, schemaByName } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import type { CounterpartyBody } from './counterparty-in.ts';
import { oldInvoiceStatus, oldInvoiceToInvoice, smartInvoiceStatus, smartInvoiceToInvoice, type InvoiceBody } from './invoice-in.ts';

const SYSTEM = 'b24';

/** crm.item.get (entityTypeId 31): typed JSON as the portal returns it. */
const smart = (over: Record<string, unknown> = {}) => ({
  id: 17,
  title: 'Счёт #17',
  accountNumber: 'СЧ-17',
  begindate: '2026-11-21T00:00:00+03:00',
  closedate: '2026-11-28T00:00:00+03:00',
  createdTime: '2026-11-21T10:00:00+03:00',
  updatedTime: '2026-11-21T10:05:00+03:00',
  companyId: 9,
  contactId: null,
  mycompanyId: 1,
  categoryId: 2,
  stageId: 'DT31_2:S',
  stageSemanticId: 'P',
  currencyId: 'RUB',
  opportunity: 9800,
  taxValue: 1633.33,
  parentId2: 394,
  xmlId: null,
  ...over,
});

/** crm.invoice.get: legacy strings. */
const old = (over: Record<string, unknown> = {}) => ({
  ID: '17',
  ACCOUNT_NUMBER: 'INV-7',
  STATUS_ID: 'N',
  PAYED: 'N',
  DATE_BILL: '2026-11-21T00:00:00+03:00',
  DATE_INSERT: '2026-11-21T10:00:00+03:00',
  DATE_PAY_BEFORE: '2026-12-01T00:00:00+03:00',
  DATE_UPDATE: '2026-11-21T10:05:00+03:00',
  PRICE: '200.00',
  TAX_VALUE: '33.33',
  CURRENCY: 'RUB',
  UF_COMPANY_ID: null,
  UF_CONTACT_ID: '3',
  UF_DEAL_ID: '394',
  ...over,
});

const person: CounterpartyBody = {
  counterpartyId: individualId({ phone: '+79031112233' }),
  kind: 'INDIVIDUAL',
  name: 'Петров Иван',
  legalName: null,
  shortName: null,
  inn: null,
  kpp: null,
  ogrn: null,
  ogrnip: null,
  okpo: null,
  snils: null,
  addresses: [],
  bankAccounts: null,
  phones: [{ number: '+79031112233', kind: 'WORK', extension: null }],
  emails: [],
  contactPersons: [],
  deleted: false,
};

const valid = (i: InvoiceBody) => schemaByName('esb.canonical.Invoice')!.type.isValid({ meta: canonicalSamples['esb.canonical.Invoice'].meta, ...i });

describe('smart invoice → Invoice', () => {
  it('maps the typed item: number, dates in the portal timezone, the deal as the order, money from JSON numbers', () => {
    const i = smartInvoiceToInvoice({ systemId: SYSTEM, invoice: smart(), buyer: null, sellerLegalEntityId: null });
    expect(i).toEqual({
      invoiceId: documentId('invoice', SYSTEM, 'SI_17'),
      number: 'СЧ-17',
      date: '2026-11-20T21:00:00.000Z',
      orderId: documentId('order', SYSTEM, '394'),
      buyer: null,
      sellerLegalEntityId: null,
      amount: '9800.00',
      vatAmount: '1633.33',
      currency: 'RUB',
      dueDate: '2026-11-28',
      status: 'SENT',
      pdf: null,
    });
    expect(valid(i)).toBe(true);
  });

  it('keeps a standalone invoice without order, and falls back to the id as number', () => {
    const i = smartInvoiceToInvoice({ systemId: SYSTEM, invoice: smart({ parentId2: null, accountNumber: '', closedate: null }), buyer: person, sellerLegalEntityId: null });
    expect(i).toMatchObject({ orderId: null, number: '17', dueDate: null, buyer: { kind: 'INDIVIDUAL', phone: '+79031112233' } });
    expect(valid(i)).toBe(true);
  });

  it('reads statuses from the default stage codes of any funnel, else from the stage semantics', () => {
    expect(smartInvoiceStatus('DT31_2:N', 'P')).toBe('NEW');
    expect(smartInvoiceStatus('DT31_5:S', 'P')).toBe('SENT');
    expect(smartInvoiceStatus('DT31_2:P', 'S')).toBe('PAID');
    expect(smartInvoiceStatus('DT31_2:D', 'F')).toBe('CANCELLED');
    expect(smartInvoiceStatus('DT31_2:UC_A1B2C3', 'S')).toBe('PAID');
    expect(smartInvoiceStatus('DT31_2:UC_A1B2C3', 'F')).toBe('CANCELLED');
    expect(smartInvoiceStatus('DT31_2:UC_A1B2C3', 'P')).toBe('SENT');
  });

  it('refuses an invoice without a currency, naming it', () => {
    expect(() => smartInvoiceToInvoice({ systemId: SYSTEM, invoice: smart({ currencyId: null }), buyer: null, sellerLegalEntityId: null })).toThrow(/smart invoice 17: field currencyId/);
    expect(() => smartInvoiceToInvoice({ systemId: SYSTEM, invoice: smart({ opportunity: 'много' }), buyer: null, sellerLegalEntityId: null })).toThrow(/smart invoice 17: field opportunity: "много" is not a decimal number/);
  });
});

describe('old invoice → Invoice', () => {
  it('maps the legacy record with its own id space (I_ vs SI_)', () => {
    const i = oldInvoiceToInvoice({ systemId: SYSTEM, invoice: old(), buyer: person, sellerLegalEntityId: null });
    expect(i).toMatchObject({
      invoiceId: documentId('invoice', SYSTEM, 'I_17'),
      number: 'INV-7',
      date: '2026-11-20T21:00:00.000Z',
      orderId: documentId('order', SYSTEM, '394'),
      amount: '200.00',
      vatAmount: '33.33',
      currency: 'RUB',
      dueDate: '2026-12-01',
      status: 'NEW',
    });
    expect(i.invoiceId).not.toBe(smartInvoiceToInvoice({ systemId: SYSTEM, invoice: smart(), buyer: null, sellerLegalEntityId: null }).invoiceId);
    expect(valid(i)).toBe(true);
  });

  it('reads STATUS_ID, and a custom status by the paid flag', () => {
    expect(oldInvoiceStatus('P', 'Y')).toBe('PAID');
    expect(oldInvoiceStatus('D', 'N')).toBe('CANCELLED');
    expect(oldInvoiceStatus('S', 'N')).toBe('SENT');
    expect(oldInvoiceStatus('A', 'Y')).toBe('PAID');
    expect(oldInvoiceStatus('A', 'N')).toBe('SENT');
  });

  it('dates it by DATE_BILL, else DATE_INSERT', () => {
    expect(oldInvoiceToInvoice({ systemId: SYSTEM, invoice: old({ DATE_BILL: null }), buyer: null, sellerLegalEntityId: null }).date).toBe('2026-11-21T07:00:00.000Z');
    expect(() => oldInvoiceToInvoice({ systemId: SYSTEM, invoice: old({ DATE_BILL: null, DATE_INSERT: null }), buyer: null, sellerLegalEntityId: null })).toThrow(/invoice 17: neither DATE_BILL nor DATE_INSERT/);
  });
});
