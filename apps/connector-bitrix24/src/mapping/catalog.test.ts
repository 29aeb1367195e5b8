import { describe, expect, it } from 'vitest';
import { canonicalSamples } from '@esb/canonical/samples';
import { catalogChanges, desiredState, isEmptyChange, mergeStock, priceFields, productFields, stockQuantity } from './catalog.ts';

const product = canonicalSamples['esb.canonical.Product'];
const price = canonicalSamples['esb.canonical.Price'];
const stock = canonicalSamples['esb.canonical.StockLevel'];

describe('catalog from 1C', () => {
  it('maps a nomenclature item to crm.product fields with XML_ID = the 1C id', () => {
    expect(productFields(product, 'a1f2')).toEqual({ NAME: 'Кабель ВВГнг 3×2,5', XML_ID: 'a1f2', ACTIVE: 'Y', DESCRIPTION: '', DESCRIPTION_TYPE: 'text', MEASURE: '1' });
    expect(productFields({ ...product, deleted: true, unit: { okei: '999', name: '?' } }, 'a1f2')).toEqual({ NAME: 'Кабель ВВГнг 3×2,5', XML_ID: 'a1f2', ACTIVE: 'N', DESCRIPTION: '', DESCRIPTION_TYPE: 'text' });
  });

  it('writes the base price type into PRICE and says why other types are not written', () => {
    expect(priceFields(price, { Розничная: 'BASE' })).toEqual({ fields: { PRICE: '98.40', CURRENCY_ID: 'RUB', VAT_INCLUDED: 'Y' } });
    expect(priceFields(price, { Оптовая: 'BASE' })).toEqual({ skip: 'price type "Розничная" is not mapped in mappings.priceTypes' });
    expect(priceFields(price, { Розничная: 'RETAIL' })).toEqual({ skip: 'price type "Розничная" maps to RETAIL; only BASE (the product\'s PRICE) is written to this catalog' });
  });

  it('sums available stock over warehouses and keeps the newest balance of each', () => {
    const a = mergeStock({}, stock);
    const b = mergeStock(a, { ...stock, warehouse: { externalId: 'w2', name: 'Второй' }, quantity: '10.000', reserved: null });
    expect(stockQuantity(b)).toBe('1518.250');
    expect(mergeStock(b, { ...stock, quantity: '1.000', asOf: '2026-01-01T00:00:00.000Z' })).toBe(b);
  });

  it('finds nothing to push when the desired state was pushed already, decimals compared by value', () => {
    const desired = desiredState(productFields(product, 'a1f2'), { PRICE: '98.40', CURRENCY_ID: 'RUB' }, mergeStock({}, stock));
    expect(isEmptyChange(catalogChanges(desired, desired))).toBe(true);
    const pushed = { fields: { ...desired.fields, PRICE: '98.4' }, quantity: '1508.25' };
    expect(isEmptyChange(catalogChanges(pushed, desired))).toBe(true);
    expect(catalogChanges({ ...pushed, fields: { ...pushed.fields, PRICE: '98.41' } }, desired)).toEqual({ fields: { PRICE: '98.40' } });
    expect(catalogChanges(null, desired)).toEqual({ fields: desired.fields, quantity: '1508.250' });
  });
});
