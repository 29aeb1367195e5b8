import { describe, expect, it } from 'vitest';
import { documentId } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import { invoicesToMarkPaid, paymentToDeal } from './payment.ts';

const f = { paymentStatus: 'UF_CRM_PAYMENT_STATUS', amountPaid: 'UF_CRM_AMOUNT_PAID', paymentDate: 'UF_CRM_PAYMENT_DATE', balance: 'UF_CRM_BALANCE' };
const stages = { '0': { PARTIAL: 'EXECUTING', PAID: 'FINAL_INVOICE' } };
const p = canonicalSamples['esb.canonical.Payment'];
const open = { categoryId: '0', stageId: 'PREPAYMENT_INVOICE', stageSemantic: 'P' };

describe('Payment → deal', () => {
  it('shows status, amount paid, date and balance, and moves the stage by the funnel mapping', () => {
    expect(paymentToDeal(p, open, f, stages)).toEqual({
      fields: {
        UF_CRM_PAYMENT_STATUS: { t: 'enum', xmlId: 'PARTIAL' },
        UF_CRM_AMOUNT_PAID: { t: 'money', amount: '10000.00', currency: 'RUB' },
        UF_CRM_PAYMENT_DATE: { t: 'instant', at: '2026-11-22T00:00:00.000Z' },
        UF_CRM_BALANCE: { t: 'money', amount: '5900.01', currency: 'RUB' },
      },
      stage: 'EXECUTING',
    });
  });

  it('does not move a deal already there, closed, or in a funnel without a mapping', () => {
    expect(paymentToDeal(p, { ...open, stageId: 'EXECUTING' }, f, stages).stage).toBeUndefined();
    expect(paymentToDeal({ ...p, status: 'PAID' }, { categoryId: '0', stageId: 'WON', stageSemantic: 'S' }, f, stages).stage).toBeUndefined();
    expect(paymentToDeal(p, { ...open, categoryId: '7' }, f, stages).stage).toBeUndefined();
    expect(paymentToDeal({ ...p, status: 'UNPAID' }, open, f, stages).stage).toBeUndefined();
  });

  it('moves the named smart invoice to paid, or every open one when the order is paid and none is named', () => {
    const paidStageOf = (cat: number) => `DT31_${cat}:P`;
    const isOpen = (s: string) => s.endsWith(':N') || s.endsWith(':S');
    const invoices = [
      { id: 7, stageId: 'DT31_2:S', categoryId: 2 },
      { id: 8, stageId: 'DT31_2:N', categoryId: 2 },
      { id: 9, stageId: 'DT31_2:D', categoryId: 2 },
    ];
    const paid = { ...p, status: 'PAID' as const };
    expect(invoicesToMarkPaid({ ...paid, invoiceId: documentId('invoice', 'b24', '8') }, invoices, 'b24', paidStageOf, isOpen)).toEqual([{ id: 8, stageId: 'DT31_2:P' }]);
    expect(invoicesToMarkPaid({ ...paid, invoiceId: null }, invoices, 'b24', paidStageOf, isOpen)).toEqual([
      { id: 7, stageId: 'DT31_2:P' },
      { id: 8, stageId: 'DT31_2:P' },
    ]);
    expect(invoicesToMarkPaid(p, invoices, 'b24', paidStageOf, isOpen)).toEqual([]);
    expect(invoicesToMarkPaid({ ...paid, invoiceId: null }, [{ id: 7, stageId: 'DT31_2:P', categoryId: 2 }], 'b24', paidStageOf, isOpen)).toEqual([]);
  });
});
