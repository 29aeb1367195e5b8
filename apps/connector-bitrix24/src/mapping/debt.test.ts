import { describe, expect, it } from 'vitest';
import { canonicalSamples } from '@esb/canonical/samples';
import { debtToCompany, debtTotal, mergeDebt } from './debt.ts';

const d = canonicalSamples['esb.canonical.Debt'];
const other = '8e2d4a71-0c6f-5b3a-a418-5d7e9f1a2b3c';

describe('Debt → company card', () => {
  it('keeps one balance per legal entity and shows their sum in kopecks', () => {
    const a = mergeDebt([], d).entries;
    const b = mergeDebt(a, { ...d, legalEntityId: other, amount: '10000.10', asOf: '2026-11-24T00:00:00.000Z' }).entries;
    expect(debtTotal(b, 'RUB')).toBe('8749.60');
    expect(debtToCompany(b, d, 'UF_CRM_DEBT')).toEqual({ UF_CRM_DEBT: { t: 'money', amount: '8749.60', currency: 'RUB' } });
    // A new balance of the same entity replaces the old one.
    const c = mergeDebt(b, { ...d, amount: '0.00', asOf: '2026-11-25T00:00:00.000Z' }).entries;
    expect(debtTotal(c, 'RUB')).toBe('10000.10');
  });

  it('ignores an older balance arriving late, and leaves other currencies out of the sum', () => {
    const a = mergeDebt([], d).entries;
    expect(mergeDebt(a, { ...d, amount: '5.00', asOf: '2026-11-01T00:00:00.000Z' })).toEqual({ entries: a, stale: true });
    const b = mergeDebt(a, { ...d, legalEntityId: other, amount: '100.00', currency: 'EUR' }).entries;
    expect(debtTotal(b, 'RUB')).toBe('-1250.50');
  });
});
