// Product, Price and StockLevel from 1C (F6) into the portal's CRM catalog: the crm.product fields of a nomenclature
// item (XML_ID = its 1C id), the price of the base price type, and the quantity summed over warehouses. The sink keeps
// the desired state per product and what it last pushed; these functions compute both and their difference. Pure.
import { formatDecimal, parseDecimal, type Price, type Product, type StockLevel } from '@esb/canonical';

/** The portal's default units of measure (catalog.measure ids) by OKEI code; other units leave MEASURE unset. */
export const MEASURE_BY_OKEI: Readonly<Record<string, number>> = { '006': 1, '112': 3, '796': 5, '166': 7, '055': 9 };

/** The price type whose price is the product's own PRICE (crm.product): Bitrix's base price type. */
export const BASE_PRICE_TYPE = 'BASE';

/** The crm.product fields of an item; `xmlId` is its id in the 1C database that sent it. */
export function productFields(p: Product, xmlId: string): Record<string, string> {
  const out: Record<string, string> = { NAME: p.name.trim(), XML_ID: xmlId, ACTIVE: p.deleted ? 'N' : 'Y', DESCRIPTION: p.description?.trim() ?? '', DESCRIPTION_TYPE: 'text' };
  const measure = MEASURE_BY_OKEI[p.unit.okei.padStart(3, '0')];
  if (measure !== undefined) out.MEASURE = String(measure);
  return out;
}

export type PriceDecision = { fields: Record<string, string> } | { skip: string };

/** The base price as product fields, or why this price type is not written (`priceTypes` maps 1C names to codes). */
export function priceFields(price: Price, priceTypes: Record<string, string>): PriceDecision {
  const code = priceTypes[price.priceType];
  if (code === undefined) return { skip: `price type "${price.priceType}" is not mapped in mappings.priceTypes` };
  if (code !== BASE_PRICE_TYPE) return { skip: `price type "${price.priceType}" maps to ${code}; only ${BASE_PRICE_TYPE} (the product's PRICE) is written to this catalog` };
  return { fields: { PRICE: price.amount, CURRENCY_ID: price.currency, VAT_INCLUDED: price.vatIncluded ? 'Y' : 'N' } };
}

export interface StockEntry {
  quantity: string;
  reserved: string | null;
  asOf: string;
}

/** The stock by warehouse after `s`; unchanged when a newer balance of that warehouse is already known. */
export function mergeStock(stock: Record<string, StockEntry>, s: StockLevel): Record<string, StockEntry> {
  const cur = stock[s.warehouse.externalId];
  if (cur && Date.parse(cur.asOf) > Date.parse(s.asOf)) return stock;
  return { ...stock, [s.warehouse.externalId]: { quantity: s.quantity, reserved: s.reserved, asOf: s.asOf } };
}

/** Available quantity: on hand minus reserved, over all warehouses, at scale 3. */
export function stockQuantity(stock: Record<string, StockEntry>): string {
  let sum = 0n;
  for (const e of Object.values(stock)) sum += parseDecimal(e.quantity, 18, 3) - (e.reserved ? parseDecimal(e.reserved, 18, 3) : 0n);
  return formatDecimal(sum, 3);
}

/** Everything the portal should show for one product. */
export interface CatalogState {
  fields: Record<string, string>;
  quantity?: string;
}

export function desiredState(product: Record<string, string> | null, price: Record<string, string> | null, stock: Record<string, StockEntry> | null): CatalogState {
  const fields = { ...(product ?? {}), ...(price ?? {}) };
  return { fields, ...(stock && Object.keys(stock).length > 0 ? { quantity: stockQuantity(stock) } : {}) };
}

/** Decimal strings compare by value ("98.40" = "98.4"), as text; everything else exactly. */
function canonicalNumber(s: string): string | undefined {
  const m = /^(-?)0*(\d+?)(?:\.(\d*?)0*)?$/.exec(s.trim());
  if (!m) return undefined;
  const int = m[2]!;
  const frac = m[3] ?? '';
  const sign = int === '0' && frac === '' ? '' : m[1]!;
  return `${sign}${int}${frac ? `.${frac}` : ''}`;
}

function sameValue(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const na = canonicalNumber(a);
  const nb = canonicalNumber(b);
  return na !== undefined && nb !== undefined ? na === nb : a === b;
}

/** What differs from what was last pushed: the product fields to send and the new quantity, if any. */
export function catalogChanges(pushed: CatalogState | null, desired: CatalogState): CatalogState {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(desired.fields)) if (!sameValue(pushed?.fields[k], v)) fields[k] = v;
  const quantity = desired.quantity !== undefined && !sameValue(pushed?.quantity, desired.quantity) ? desired.quantity : undefined;
  return { fields, ...(quantity !== undefined ? { quantity } : {}) };
}

export function isEmptyChange(c: CatalogState): boolean {
  return Object.keys(c.fields).length === 0 && c.quantity === undefined;
}
