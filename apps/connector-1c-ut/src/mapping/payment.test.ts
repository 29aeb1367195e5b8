import { describe, it, expect } from 'vitest';
import type { Meta } from '@esb/canonical';
import { amountsByTarget, paidUpTo, parseTargetKey, paymentKey, paymentStatus, sumContributions, targetKey, toPayment } from './payment.ts';

const meta: Meta = { eventId: 'e0e0e0e0-0000-4000-8000-000000000001', occurredAt: '2026-11-21T07:00:00.000Z', source: { system: 'ut', kind: '1c-ut', externalId: 'r1' }, legalEntityId: null, correlationId: 'c', causationId: null };

describe('what a receipt pays', () => {
  it('adds rows per order or invoice and leaves out rows paying nothing known', () => {
    const m = amountsByTarget([
      { target: { kind: 'order', ref: 'o1' }, amount: 40000n },
      { target: { kind: 'order', ref: 'o1' }, amount: 10000n },
      { target: { kind: 'invoice', ref: 'i1' }, amount: 500n },
      { target: null, amount: 99900n },
    ]);
    expect([...m]).toEqual([
      ['order:o1', 50000n],
      ['invoice:i1', 500n],
    ]);
    expect(parseTargetKey(targetKey({ kind: 'invoice', ref: 'i1' }))).toEqual({ kind: 'invoice', ref: 'i1' });
    expect(() => parseTargetKey('contract:x')).toThrow(/not a payment target/);
  });
});

describe('running totals', () => {
  const cs = [
    { ref: 'b', date: '2026-11-21T10:00:00', amount: 40000n },
    { ref: 'a', date: '2026-11-21T10:00:00', amount: 60000n },
    { ref: 'c', date: '2026-11-20T09:00:00', amount: 5000n },
  ];

  it('sums receipts up to this one in 1C order (date, then Ref_Key)', () => {
    expect(paidUpTo(cs, { date: '2026-11-21T10:00:00', ref: 'a' })).toBe(65000n);
    expect(paidUpTo(cs, { date: '2026-11-21T10:00:00', ref: 'b' })).toBe(105000n);
    expect(paidUpTo(cs, { date: '2026-11-20T09:00:00', ref: 'c' })).toBe(5000n);
    expect(sumContributions(cs)).toBe(105000n);
  });

  it('counts receipts already published even when 1C orders them later, so the paid amount never goes down', () => {
    expect(paidUpTo(cs, { date: '2026-11-21T10:00:00', ref: 'a' }, new Set(['b']))).toBe(105000n);
  });
});

describe('payment status and the event', () => {
  it('is PAID when covered (overpaid too), PARTIAL when something is paid, else UNPAID', () => {
    expect(paymentStatus(150000n, 150000n)).toBe('PAID');
    expect(paymentStatus(160000n, 150000n)).toBe('PAID');
    expect(paymentStatus(1n, 150000n)).toBe('PARTIAL');
    expect(paymentStatus(0n, 150000n)).toBe('UNPAID');
    expect(paymentStatus(0n, 0n)).toBe('UNPAID');
  });

  it('carries amount, total paid, order total and balance as decimals; negative for a cancelled receipt', () => {
    const p = toPayment({ meta, paymentId: 'p', orderId: 'o', invoiceId: null, counterpartyId: null, amount: -30000n, totalPaid: 0n, total: 100000n, currency: 'RUB', date: '2026-11-21T07:00:00.000Z', kind: 'BANK', number: 'УТ00-000001' });
    expect(p).toMatchObject({ status: 'UNPAID', amount: '-300.00', totalPaid: '0.00', orderTotal: '1000.00', balance: '1000.00', document: { kind: 'BANK', number: 'УТ00-000001', date: '2026-11-21T07:00:00.000Z' } });
    const over = toPayment({ meta, paymentId: 'p', orderId: null, invoiceId: 'i', counterpartyId: null, amount: 120000n, totalPaid: 120000n, total: 100000n, currency: 'RUB', date: '2026-11-21T07:00:00.000Z', kind: 'CASH', number: '1' });
    expect(over.balance).toBe('-200.00');
    expect(paymentKey(over)).toBe('i');
    expect(paymentKey({ orderId: null, invoiceId: null, paymentId: 'p' })).toBe('p');
  });
});
