import { describe, it, expect } from 'vitest';
import type { Meta } from '@esb/canonical';
import { debtKey, debtSnapshot, parseDebtKey, toDebt } from './debt.ts';

describe('debt snapshot', () => {
  it('sums settlement objects per organisation, counterparty and currency; prepayment is negative', () => {
    const s = debtSnapshot([
      { organization: 'o', counterparty: 'c', currency: 'rub', amount: 1500 },
      { organization: 'o', counterparty: 'c', currency: 'rub', amount: -400.5 },
      { organization: 'o', counterparty: 'd', currency: 'rub', amount: -100 },
    ]);
    expect([...s]).toEqual([
      ['o/c/rub', '1099.50'],
      ['o/d/rub', '-100.00'],
    ]);
    expect(parseDebtKey(debtKey('o', 'c', 'rub'))).toEqual({ organization: 'o', counterparty: 'c', currency: 'rub' });
    expect(toDebt({ meta: {} as Meta, counterpartyId: 'c', legalEntityId: 'l', amount: '0.00', currency: 'RUB', asOf: '2026-11-21T07:00:00.000Z' }).overdueAmount).toBeNull();
  });
});
