import { describe, expect, it } from 'vitest';
import { dayAt, diffFields, encodeUf, kopecks, sameUf } from './fields.ts';

describe('custom field values', () => {
  it('compares money in kopecks with the currency the portal printed', () => {
    expect(kopecks('15900.01')).toBe(1590001n);
    expect(kopecks('300')).toBe(30000n);
    expect(kopecks('98.400')).toBe(9840n);
    expect(sameUf('15900.01|RUB', { t: 'money', amount: '15900.01', currency: 'RUB' })).toBe(true);
    expect(sameUf('15900.1|RUB', { t: 'money', amount: '15900.10', currency: 'RUB' })).toBe(true);
    expect(sameUf('15900.01|EUR', { t: 'money', amount: '15900.01', currency: 'RUB' })).toBe(false);
    expect(sameUf('15900.00|RUB', { t: 'money', amount: '15900.01', currency: 'RUB' })).toBe(false);
    expect(sameUf(null, { t: 'money', amount: '0.00', currency: 'RUB' })).toBe(false);
    expect(() => kopecks('1.005')).toThrow(/fraction digits/);
  });

  it('takes the day of an instant in the zone the portal prints its dates in', () => {
    // 21:30 UTC is already the next day in Moscow.
    expect(dayAt('2026-11-21T21:30:00.000Z', 180)).toBe('2026-11-22');
    expect(sameUf('2026-11-22T00:00:00+03:00', { t: 'instant', at: '2026-11-21T21:30:00.000Z' })).toBe(true);
    expect(sameUf('2026-11-21T00:00:00+03:00', { t: 'instant', at: '2026-11-21T21:30:00.000Z' })).toBe(false);
    expect(sameUf('2026-11-23T00:00:00+03:00', { t: 'date', date: '2026-11-23' })).toBe(true);
    expect(sameUf('', { t: 'date', date: '2026-11-23' })).toBe(false);
  });

  it('writes enumerations by the item with the status code as XML_ID, and a string field gets the code', () => {
    const def = { type: 'enumeration', items: [{ ID: '41', XML_ID: 'PAID', VALUE: 'Оплачено' }, { ID: '42', XML_ID: 'PARTIAL', VALUE: 'Частично' }] };
    expect(encodeUf({ t: 'enum', xmlId: 'PARTIAL' }, def)).toBe('42');
    expect(sameUf('42', { t: 'enum', xmlId: 'PARTIAL' }, def)).toBe(true);
    expect(encodeUf({ t: 'enum', xmlId: 'UNPAID' }, def)).toBeUndefined();
    expect(encodeUf({ t: 'enum', xmlId: 'UNPAID' }, { type: 'string' })).toBe('UNPAID');
  });

  it('sends only what differs, and names enumeration values the portal lacks', () => {
    const current = { UF_A: 'x', UF_B: '10.00|RUB', UF_S: '' };
    const d = diffFields(current, { UF_A: { t: 'text', v: 'x' }, UF_B: { t: 'money', amount: '12.50', currency: 'RUB' }, UF_S: { t: 'enum', xmlId: 'PAID' } }, { UF_S: { type: 'enumeration', items: [] } });
    expect(d).toEqual({ fields: { UF_B: '12.50|RUB' }, missing: ['UF_S'] });
    expect(diffFields({ UF_A: ' x ' }, { UF_A: { t: 'text', v: 'x' } }).fields).toEqual({});
  });
});
