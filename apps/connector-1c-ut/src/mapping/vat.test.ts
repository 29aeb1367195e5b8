import { describe, expect, it } from 'vitest';
import type { VatRate } from '@esb/canonical';
import { vatFromOneC, vatPercent, vatTaxation, vatToOneC } from './vat.ts';

const ALL: VatRate[] = ['VAT_NONE', 'VAT_0', 'VAT_5', 'VAT_7', 'VAT_10', 'VAT_18', 'VAT_20', 'VAT_22', 'VAT_5_105', 'VAT_7_107', 'VAT_10_110', 'VAT_18_118', 'VAT_20_120', 'VAT_22_122'];

describe('VAT rates', () => {
  it('maps the 2025–2026 rates to the 1C enum values', () => {
    expect(vatToOneC('VAT_22')).toBe('НДС22');
    expect(vatToOneC('VAT_5')).toBe('НДС5');
    expect(vatToOneC('VAT_7')).toBe('НДС7');
    expect(vatToOneC('VAT_22_122')).toBe('НДС22_122');
    expect(vatToOneC('VAT_NONE')).toBe('БезНДС');
    expect(vatToOneC('VAT_0')).toBe('НДС0');
  });

  it('round-trips every canonical rate through 1C', () => {
    for (const r of ALL) expect(vatFromOneC(vatToOneC(r))).toBe(r);
  });

  it('reads what people type into Catalog_СтавкиНДС', () => {
    expect(vatFromOneC('22%')).toBe('VAT_22');
    expect(vatFromOneC('Без НДС')).toBe('VAT_NONE');
    expect(vatFromOneC('20/120')).toBe('VAT_20_120');
    expect(vatFromOneC('ндс10')).toBe('VAT_10');
    expect(vatFromOneC('НДС 13%')).toBeUndefined();
    expect(vatFromOneC(null)).toBeUndefined();
  });

  it('refuses an unknown canonical rate instead of sending nothing', () => {
    expect(() => vatToOneC('VAT_13' as VatRate)).toThrow(/unknown VAT rate "VAT_13"/);
  });

  it('gives percents and the document taxation', () => {
    expect(vatPercent('VAT_22_122')).toBe(22);
    expect(vatPercent('VAT_NONE')).toBeNull();
    expect(vatTaxation(['VAT_NONE', 'VAT_NONE'])).toBe('ПродажаНеОблагаетсяНДС');
    expect(vatTaxation(['VAT_NONE', 'VAT_0'])).toBe('ПродажаОблагаетсяНДС');
  });
});
