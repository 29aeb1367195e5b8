import { describe, it, expect } from 'vitest';
import type { Meta } from '@esb/canonical';
import { priceKey, priceValue, toPrice } from './price.ts';

describe('prices', () => {
  it('compares the amount and the period, so re-setting the same price stays quiet but a new period does not', () => {
    expect(priceKey('item', 'retail')).toBe('item/retail');
    expect(priceValue(1490, '2025-01-01T00:00:00')).toBe(priceValue('1490.00', '2025-01-01T00:00:00'));
    expect(priceValue(1490, '2025-02-01T00:00:00')).not.toBe(priceValue(1490, '2025-01-01T00:00:00'));
  });

  it('publishes money decimals', () => {
    expect(toPrice({ meta: {} as Meta, productId: 'p', article: null, priceType: 'Розничная', amount: 89990.5, currency: 'RUB', vatIncluded: true, validFrom: '2024-12-31T21:00:00.000Z' })).toMatchObject({ amount: '89990.50', priceType: 'Розничная', vatIncluded: true });
  });
});
