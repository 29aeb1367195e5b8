import { describe, it, expect } from 'vitest';
import type { Meta } from '@esb/canonical';
import { dueDate, invoiceFileName, invoiceStatus, printFormUrl, toInvoice } from './invoice-out.ts';

describe('invoice state', () => {
  it('is CANCELLED when annulled or marked for deletion, SENT when posted, unpublished as a draft', () => {
    expect(invoiceStatus({ Posted: true, Аннулирован: true })).toBe('CANCELLED');
    expect(invoiceStatus({ Posted: false, DeletionMark: true })).toBe('CANCELLED');
    expect(invoiceStatus({ Posted: true })).toBe('SENT');
    expect(invoiceStatus({ Posted: false })).toBeNull();
  });

  it('is due on the earliest payment stage', () => {
    expect(dueDate([{ ДатаПлатежа: '2026-12-10T00:00:00' }, { ДатаПлатежа: '2026-12-01T00:00:00' }, { ДатаПлатежа: null }])).toBe('2026-12-01');
    expect(dueDate([])).toBeNull();
  });
});

describe('the printed PDF', () => {
  it('lives next to the OData root under /hs/ and is named as people expect', () => {
    expect(printFormUrl('http://1c.local/ut/odata/standard.odata/', 'abc')).toBe('http://1c.local/ut/hs/printforms/invoice/abc');
    expect(printFormUrl('http://1c.local/ut/odata/standard.odata', 'abc', 'forms/schet')).toBe('http://1c.local/ut/hs/forms/schet/abc');
    expect(() => printFormUrl('http://1c.local/ut/', 'abc')).toThrow(/not a 1C OData root/);
    expect(invoiceFileName('УТ00-000012', '2026-11-21T10:00:00')).toBe('Счет УТ00-000012 от 21.11.2026.pdf');
    expect(invoiceFileName('A/1', '2026-01-02T00:00:00')).toBe('Счет A_1 от 02.01.2026.pdf');
  });
});

describe('toInvoice', () => {
  it('turns 1C numbers into money decimals', () => {
    const i = toInvoice({ meta: {} as Meta, invoiceId: 'i', number: '1', date: '2026-11-21T07:00:00.000Z', orderId: null, buyer: null, sellerLegalEntityId: null, amount: 1100, vatAmount: 183.33, currency: 'RUB', dueDate: null, status: 'SENT', pdf: null });
    expect(i).toMatchObject({ amount: '1100.00', vatAmount: '183.33', status: 'SENT', pdf: null });
  });
});
