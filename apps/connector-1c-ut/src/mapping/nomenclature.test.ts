import { describe, expect, it } from 'vitest';
import { lineText, nomenclatureBody, normalizeArticle, okeiCode, pickNomenclature } from './nomenclature.ts';

describe('order lines → nomenclature', () => {
  it('normalises articles and OKEI codes as 1C keeps them', () => {
    expect(normalizeArticle('  CAB  325 ')).toBe('CAB 325');
    expect(normalizeArticle('   ')).toBeUndefined();
    expect(normalizeArticle(null)).toBeUndefined();
    expect(okeiCode('796 ')).toBe('796');
  });

  it('picks the one live item, and reports ambiguity instead of guessing', () => {
    expect(pickNomenclature([{ Ref_Key: 'a', DeletionMark: true }, { Ref_Key: 'b' }, { Ref_Key: 'g', IsFolder: true }])).toEqual({ ref: 'b', ambiguous: [] });
    expect(pickNomenclature([{ Ref_Key: 'a', DeletionMark: true }])).toEqual({ ambiguous: [] });
    expect(pickNomenclature([{ Ref_Key: 'a', Description: 'Стул' }, { Ref_Key: 'b', Description: 'Стул' }])).toEqual({ ambiguous: ['Стул (a)', 'Стул (b)'] });
  });

  it('names a line by number, name and article', () => {
    expect(lineText({ lineNo: 2, name: 'Кабель', article: ' CAB-325 ' })).toBe('row 2 «Кабель», article CAB-325');
    expect(lineText({ lineNo: 3, name: 'Доставка', article: null })).toBe('row 3 «Доставка», no article');
  });

  it('creates a missing item with article, unit, VAT and the product marker', () => {
    expect(nomenclatureBody({ name: 'Стул', article: 'CH-100', productId: 'p0000000-0000-4000-8000-000000000001' }, { unit: 'u', vatField: 'СтавкаНДС_Key', vat: 'v' })).toEqual({
      Description: 'Стул',
      НаименованиеПолное: 'Стул',
      ТипНоменклатуры: 'Товар',
      Описание: 'Создано шиной ESB по строке заказа. ESB:product:p0000000-0000-4000-8000-000000000001',
      Артикул: 'CH-100',
      ЕдиницаИзмерения_Key: 'u',
      СтавкаНДС_Key: 'v',
    });
    expect(nomenclatureBody({ name: 'Доставка', article: null, productId: null }, { vatField: 'СтавкаНДС' })).not.toHaveProperty('Артикул');
  });
});
