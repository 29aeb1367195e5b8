import { describe, it, expect } from 'vitest';
import { parseStockKey, stockKey, stockSnapshot } from './stock.ts';

describe('stock snapshot', () => {
  it('adds characteristics of one item at one warehouse, exactly', () => {
    const s = stockSnapshot([
      { item: 'i', warehouse: 'w', quantity: 0.1 },
      { item: 'i', warehouse: 'w', quantity: 0.2 },
      { item: 'i', warehouse: 'w2', quantity: -1 },
      { item: 'j', warehouse: 'w', quantity: 100 },
    ]);
    expect([...s]).toEqual([
      ['i/w', '0.300'],
      ['i/w2', '-1.000'],
      ['j/w', '100.000'],
    ]);
    expect(parseStockKey(stockKey('i', 'w'))).toEqual({ item: 'i', warehouse: 'w' });
    expect(() => parseStockKey('i')).toThrow(/not a stock key/);
  });
});
