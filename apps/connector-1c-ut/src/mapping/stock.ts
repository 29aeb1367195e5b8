// 1C stock (AccumulationRegister_ТоварыНаСкладах, its Balance virtual table by item and warehouse) → canonical
// StockLevel (F6): one event per item and warehouse whose quantity changed since the last poll, zero included.
import type { Meta, StockLevel } from '@esb/canonical';
import { formatUnscaled, unscaled, type Wire } from './inbound.ts';

export const stockKey = (itemRef: string, warehouseRef: string): string => `${itemRef}/${warehouseRef}`;

export function parseStockKey(key: string): { item: string; warehouse: string } {
  const [item, warehouse] = key.split('/');
  if (!item || !warehouse) throw new TypeError(`not a stock key: ${key}`);
  return { item, warehouse };
}

/** Balance rows per item/warehouse summed over characteristics (in thousandths), as canonical quantity strings. */
export function stockSnapshot(rows: ReadonlyArray<{ item: string; warehouse: string; quantity: Wire }>): Map<string, string> {
  const sums = new Map<string, bigint>();
  for (const r of rows) {
    const k = stockKey(r.item, r.warehouse);
    sums.set(k, (sums.get(k) ?? 0n) + unscaled(r.quantity, 3));
  }
  return new Map([...sums].map(([k, v]) => [k, formatUnscaled(v, 3)]));
}

export interface StockInput {
  meta: Meta;
  productId: string;
  article: string | null;
  warehouse: { externalId: string; name: string };
  quantity: string;
  /** ISO instant the balance was read. */
  asOf: string;
}

export function toStockLevel(i: StockInput): StockLevel {
  return { meta: i.meta, productId: i.productId, article: i.article, warehouse: i.warehouse, quantity: i.quantity, reserved: null, asOf: i.asOf };
}
