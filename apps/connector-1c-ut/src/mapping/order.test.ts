import { describe, expect, it } from 'vitest';
import { canonicalSamples } from '@esb/canonical/samples';
import type { Order } from '@esb/canonical';
import {
  checkOrderTotals,
  fromMinor,
  navigationUrl,
  oneCToMinor,
  orderComment,
  orderContentBody,
  orderCreateBody,
  orderDifferences,
  originMarker,
  toMinor,
  toOneCNumber,
  type OrderRefs,
} from './order.ts';

const sample = canonicalSamples['esb.canonical.Order'] as Order;
const UT = { family: 'ut' as const, vatField: 'СтавкаНДС_Key' };
const RETAIL = { family: 'retail' as const, vatField: 'СтавкаНДС' };
const refs: OrderRefs = {
  organisation: 'd0000001-0000-4000-8000-000000000002',
  counterparty: 'd0000001-0000-4000-8000-00000000001a',
  partner: 'd0000001-0000-4000-8000-000000000018',
  currency: 'd0000001-0000-4000-8000-000000000001',
  nomenclature: ['a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000003'],
  vat: { VAT_22: 'v0000000-0000-4000-8000-000000000022', VAT_NONE: 'БезНДС' },
};

describe('decimals', () => {
  it('converts decimal strings to minor units and back without floats', () => {
    expect(toMinor('1200.5', 2)).toBe(120050n);
    expect(toMinor('-0.01', 2)).toBe(-1n);
    expect(toMinor('12.500', 3)).toBe(12500n);
    expect(toMinor('3.100', 2)).toBe(310n);
    expect(fromMinor(120050n, 2)).toBe('1200.50');
    expect(fromMinor(-5n, 2)).toBe('-0.05');
    expect(fromMinor(12500n, 3)).toBe('12.500');
  });

  it('refuses more decimal places than the scale and non-numbers', () => {
    expect(() => toMinor('1.005', 2, 'price')).toThrow('price: 1.005 has more than 2 decimal places');
    expect(() => toMinor('1,5', 2)).toThrow(/not a decimal number/);
  });

  it('sends numbers 1C gets exactly, and refuses those a double would change', () => {
    expect(toOneCNumber('98.40', 2)).toBe(98.4);
    expect(toOneCNumber('12.500', 3)).toBe(12.5);
    expect(() => toOneCNumber('1234567890123456.78', 2, 'total')).toThrow('total: 1234567890123456.78 cannot be sent to 1C without losing digits');
    expect(oneCToMinor(98.4, 2)).toBe(9840n);
    expect(oneCToMinor('12.5', 3)).toBe(12500n);
    expect(oneCToMinor(null, 2)).toBe(0n);
  });
});

describe('origin marker and comment', () => {
  it('puts the origin and a fixed-length marker on the last line', () => {
    expect(originMarker('order', 'ABCDEF00-0000-4000-8000-000000000001')).toBe('ESB:order:abcdef00-0000-4000-8000-000000000001');
    const c = orderComment({ ...sample, comment: 'Позвонить перед доставкой' });
    expect(c.split('\n')).toEqual(['Позвонить перед доставкой', `Создан шиной ESB: Битрикс24, сделка 4512 (b24). ESB:order:${sample.orderId}`]);
    expect(orderComment({ ...sample, comment: null })).toBe(`Создан шиной ESB: Битрикс24, сделка 4512 (b24). ESB:order:${sample.orderId}`);
  });
});

describe('order body', () => {
  it('checks that rows add up to the total (VAT included or on top)', () => {
    expect(() => checkOrderTotals(sample)).not.toThrow();
    expect(() => checkOrderTotals({ ...sample, total: '15900.00' })).toThrow('its rows add up to 15900.01 (VAT included) but its total is 15900.00');
    const onTop = { ...sample, vatIncluded: false, total: '18766.60' };
    expect(() => checkOrderTotals(onTop)).toThrow(/add up to 18767\.22 \(plus VAT\)/);
  });

  it('builds an УТ 11.5 customer order: rows with LineNumber, sums, VAT reference, status by posting', () => {
    const b = orderCreateBody(sample, refs, UT, { post: true });
    expect(b).toMatchObject({
      Date: new Date(sample.date),
      Организация_Key: refs.organisation,
      Партнер_Key: refs.partner,
      Контрагент_Key: refs.counterparty,
      Валюта_Key: refs.currency,
      ЦенаВключаетНДС: true,
      НалогообложениеНДС: 'ПродажаОблагаетсяНДС',
      ХозяйственнаяОперация: 'РеализацияКлиенту',
      Статус: 'КОбеспечению',
      Согласован: true,
    });
    const rows = b['Товары'] as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(3);
    expect(rows[1]).toEqual({
      LineNumber: '2',
      КодСтроки: 2,
      Номенклатура_Key: refs.nomenclature[1],
      Количество: 12.5,
      Цена: 98.4,
      СуммаРучнойСкидки: 30,
      Сумма: 1200,
      СтавкаНДС_Key: refs.vat.VAT_22,
      СуммаНДС: 216.39,
      СуммаСНДС: 1200,
    });
    expect(orderCreateBody(sample, refs, UT, { post: false })).toMatchObject({ Статус: 'НеСогласован', Согласован: false });
  });

  it('adds VAT on top into СуммаСНДС when prices exclude it', () => {
    const o: Order = { ...sample, vatIncluded: false, lines: [{ ...sample.lines[0]!, amount: '12049.18', vatAmount: '2650.82' }], total: '14700.00' };
    const row = (orderContentBody(o, { ...refs, nomenclature: [refs.nomenclature[0]!] }, UT)['Товары'] as Array<Record<string, unknown>>)[0]!;
    expect(row['Сумма']).toBe(12049.18);
    expect(row['СуммаСНДС']).toBe(14700);
  });

  it('builds a Розница order without partner, currency or row codes, with the enum VAT', () => {
    const b = orderCreateBody(sample, { ...refs, vat: { VAT_22: 'НДС22', VAT_NONE: 'БезНДС' }, store: 'b0000000-0000-4000-8000-000000000001' }, RETAIL, { post: true });
    expect(b).not.toHaveProperty('Партнер_Key');
    expect(b).not.toHaveProperty('Статус');
    expect(b['Магазин_Key']).toBe('b0000000-0000-4000-8000-000000000001');
    const row = (b['Товары'] as Array<Record<string, unknown>>)[0]!;
    expect(row['СтавкаНДС']).toBe('НДС22');
    expect(row).not.toHaveProperty('СуммаСНДС');
  });

  it('names the row whose VAT rate has no 1C value', () => {
    expect(() => orderContentBody(sample, { ...refs, vat: {} }, UT)).toThrow('row 1 (Стул офисный «Комфорт»): no 1C value for VAT rate VAT_22');
  });

  it('sees no difference in a document 1C returned for the same content, and names what changed', () => {
    const content = orderContentBody(sample, refs, UT);
    // What 1C answers: numbers as it stores them, LineNumber strings, other columns filled.
    const existing = { ...content, Number: 'УТ00-000001', Статус: 'КОтгрузке', Товары: (content['Товары'] as Array<Record<string, unknown>>).map((r, i) => ({ ...r, LineNumber: String(i + 1), Склад_Key: null })) };
    expect(orderDifferences(existing, content, UT)).toEqual([]);
    const rows = (existing.Товары as Array<Record<string, unknown>>).map((r, i) => (i === 0 ? { ...r, Количество: 4 } : r));
    expect(orderDifferences({ ...existing, Товары: rows, Контрагент_Key: refs.partner }, content, UT)).toEqual(['Контрагент_Key', 'Товары']);
  });
});

describe('navigation links', () => {
  it('opens the object in the web client of the same publication with 1C\'s byte order', () => {
    expect(navigationUrl('http://1c.local/ut/odata/standard.odata/', 'Document_ЗаказКлиента', 'b2d4f8a1-1234-11e5-80c9-000c29c1f2b9')).toBe(
      'http://1c.local/ut/#e1cib/data/Документ.ЗаказКлиента?ref=80c9000c29c1f2b911e51234b2d4f8a1',
    );
    expect(navigationUrl('http://1c.local/ut/odata/standard.odata/', 'InformationRegister_X', 'b2d4f8a1-1234-11e5-80c9-000c29c1f2b9')).toBeNull();
  });
});
