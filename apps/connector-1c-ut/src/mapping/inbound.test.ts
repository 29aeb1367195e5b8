import { describe, it, expect } from 'vitest';
import { changeEventId, currencyCode, diffSnapshot, instantToNaive, kopecks, money, naiveDay, naiveToInstant, quantity, refOf, shiftNaive, typeOf, unscaled, type SnapshotState } from './inbound.ts';

describe('1C numbers → canonical decimals', () => {
  it('keeps what 1C printed, without float noise', () => {
    expect(money(166.67)).toBe('166.67');
    expect(money(0.1 + 0.2)).toBe('0.30');
    expect(money(89990)).toBe('89990.00');
    expect(money('-1490.5')).toBe('-1490.50');
    expect(quantity(2)).toBe('2.000');
    expect(quantity(0.3333333)).toBe('0.333');
    expect(quantity(1e-7)).toBe('0.000');
  });

  it('rounds half away from zero at the scale', () => {
    expect(unscaled(2.675, 2)).toBe(268n);
    expect(unscaled(-2.675, 2)).toBe(-268n);
    expect(unscaled('-0.004', 2)).toBe(0n);
  });

  it('reads unfilled numbers as zero and refuses text', () => {
    expect(kopecks(null)).toBe(0n);
    expect(kopecks('')).toBe(0n);
    expect(() => money('12,5')).toThrow(/not a decimal/);
    expect(() => money(Number.NaN)).toThrow(/finite/);
  });
});

describe('1C dates', () => {
  it('turns the base wall clock (Moscow, UTC+3) into an instant and back', () => {
    expect(naiveToInstant('2026-11-21T10:00:00', 'Europe/Moscow')).toBe('2026-11-21T07:00:00.000Z');
    expect(naiveToInstant('2026-01-01T00:30:00', 'Asia/Yekaterinburg')).toBe('2025-12-31T19:30:00.000Z');
    expect(instantToNaive(Date.parse('2026-11-21T07:00:00Z'), 'Europe/Moscow')).toBe('2026-11-21T10:00:00');
  });

  it('handles a zone with daylight saving on both sides of the change', () => {
    expect(naiveToInstant('2026-07-01T12:00:00', 'Europe/Berlin')).toBe('2026-07-01T10:00:00.000Z');
    expect(naiveToInstant('2026-01-01T12:00:00', 'Europe/Berlin')).toBe('2026-01-01T11:00:00.000Z');
  });

  it('moves naive dates on the wall clock and takes their day', () => {
    expect(shiftNaive('2026-03-01T00:00:10', -20_000)).toBe('2026-02-28T23:59:50');
    expect(naiveDay('2026-11-21T23:59:59')).toBe('2026-11-21');
    expect(() => naiveToInstant('2026-11-21T10:00:00Z', 'Europe/Moscow')).toThrow(/naive/);
  });
});

describe('references and currencies', () => {
  it('reads empty references and Undefined types as null', () => {
    expect(refOf('00000000-0000-0000-0000-000000000000')).toBeNull();
    expect(refOf('D0000001-0000-4000-8000-000000000001')).toBe('d0000001-0000-4000-8000-000000000001');
    expect(typeOf('StandardODATA.Undefined')).toBeNull();
    expect(typeOf('StandardODATA.Document_ЗаказКлиента')).toBe('Document_ЗаказКлиента');
  });

  it('maps ISO numeric codes from Catalog_Валюты and refuses unknown ones', () => {
    expect(currencyCode('643')).toBe('RUB');
    expect(currencyCode('978')).toBe('EUR');
    expect(currencyCode('51')).toBe('AMD');
    expect(() => currencyCode('999')).toThrow(/no ISO 4217/);
  });

  it('derives the same event id for the same change only', () => {
    expect(changeEventId('ut', 'Document_X', 'r', 'AAAA')).toBe(changeEventId('ut', 'Document_X', 'r', 'AAAA'));
    expect(changeEventId('ut', 'Document_X', 'r', 'AAAB')).not.toBe(changeEventId('ut', 'Document_X', 'r', 'AAAA'));
  });
});

describe('diffSnapshot', () => {
  const prev = new Map<string, SnapshotState>([
    ['a', { value: '5.000', seq: 1 }],
    ['b', { value: '3.000', seq: 4 }],
    ['gone', { value: '2.000', seq: 2 }],
    ['zeroed', { value: '0.000', seq: 3 }],
  ]);

  it('reports new and changed keys, and a vanished balance as zero once', () => {
    const cur = new Map([
      ['a', '5.000'],
      ['b', '4.000'],
      ['new', '1.000'],
    ]);
    expect(diffSnapshot(prev, cur, '0.000')).toEqual([
      { key: 'b', value: '4.000', previous: '3.000', seq: 5 },
      { key: 'gone', value: '0.000', previous: '2.000', seq: 3 },
      { key: 'new', value: '1.000', previous: null, seq: 1 },
    ]);
  });

  it('gives a value that comes back a new change number', () => {
    const once = diffSnapshot(new Map([['a', { value: '3.000', seq: 2 }]]), new Map([['a', '5.000']]), '0.000');
    expect(once).toEqual([{ key: 'a', value: '5.000', previous: '3.000', seq: 3 }]);
  });
});
