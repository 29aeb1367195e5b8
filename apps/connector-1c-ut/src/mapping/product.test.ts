import { describe, it, expect } from 'vitest';
import { productId, type Meta } from '@esb/canonical';
import { nomenclatureProductId, productKind, toProduct, unitOf, vatRateFromEnum } from './product.ts';

describe('VAT enum values', () => {
  it('maps every current 1C value, 2025 and 2026 rates included', () => {
    expect(vatRateFromEnum('БезНДС')).toBe('VAT_NONE');
    expect(vatRateFromEnum('НДС0')).toBe('VAT_0');
    expect(vatRateFromEnum('НДС22')).toBe('VAT_22');
    expect(vatRateFromEnum('НДС5_105')).toBe('VAT_5_105');
    expect(vatRateFromEnum('НДС20_120')).toBe('VAT_20_120');
    expect(vatRateFromEnum('НДС12')).toBeNull();
    expect(vatRateFromEnum('')).toBeNull();
  });
});

describe('units and kinds', () => {
  it('trims 1C\'s padded OKEI code and falls back to pieces', () => {
    expect(unitOf({ Code: '796 ', Description: 'шт' })).toEqual({ okei: '796', name: 'шт' });
    expect(unitOf({ Code: '006', Description: '' })).toEqual({ okei: '006', name: '006' });
    expect(unitOf(undefined)).toEqual({ okei: '796', name: 'шт' });
    expect([productKind('Товар'), productKind('Услуга'), productKind('Работа'), productKind('Набор')]).toEqual(['GOODS', 'SERVICE', 'WORK', 'GOODS']);
  });
});

describe('toProduct', () => {
  it('keys by article, else by this system and the Ref_Key', () => {
    expect(nomenclatureProductId('ut', { Артикул: ' sku-1 ', Ref_Key: 'r' })).toBe(productId({ article: 'SKU-1' }));
    expect(nomenclatureProductId('ut', { Артикул: '', Ref_Key: 'r' })).toBe(productId({ originSystem: 'ut', externalId: 'r' }));
    const p = toProduct({} as Meta, 'ut', { Ref_Key: 'r', Description: 'Доставка ', НаименованиеПолное: 'Доставка курьером', Описание: '', Артикул: 'SRV-1', ТипНоменклатуры: 'Услуга', DeletionMark: true }, { okei: '796', name: 'шт' }, null);
    expect(p).toMatchObject({ article: 'SRV-1', name: 'Доставка', fullName: 'Доставка курьером', description: null, kind: 'SERVICE', vatRate: 'VAT_NONE', barcodes: [], deleted: true });
  });
});
