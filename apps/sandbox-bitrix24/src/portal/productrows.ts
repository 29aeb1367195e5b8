// Product rows of deals ('D') and smart invoices ('SI'): one store behind crm.deal.productrows.* (legacy, replace-all)
// and crm.item.productrow.* (typed, per row). Prices follow the CRM's arithmetic: PRICE is the final unit price with
// discount and tax; PRICE_EXCLUSIVE, PRICE_NETTO, PRICE_BRUTTO and DISCOUNT_SUM/RATE are derived from it.
import { errors } from '../rest/errors.ts';
import { float, int, param, str, type PhpMap } from '../rest/php.ts';
import type { Core } from './core.ts';
import { money, round2 } from './format.ts';

export interface ProductRow {
  ID: number;
  OWNER_TYPE: string;
  OWNER_ID: number;
  PRODUCT_ID: number;
  PRODUCT_NAME: string;
  ORIGINAL_PRODUCT_NAME: string;
  PRODUCT_DESCRIPTION: string | null;
  PRICE: number;
  PRICE_EXCLUSIVE: number;
  PRICE_NETTO: number;
  PRICE_BRUTTO: number;
  QUANTITY: number;
  DISCOUNT_TYPE_ID: number;
  DISCOUNT_RATE: number;
  DISCOUNT_SUM: number;
  TAX_RATE: number | null;
  TAX_INCLUDED: 'Y' | 'N';
  MEASURE_CODE: number;
  MEASURE_NAME: string;
  SORT: number;
  XML_ID: string;
  TYPE: number;
  STORE_ID: number | null;
}

/** Row keys in both spellings: UPPER (legacy) and camelCase (crm.item.productrow). */
const CAMEL: Record<string, string> = {
  productId: 'PRODUCT_ID', productName: 'PRODUCT_NAME', productDescription: 'PRODUCT_DESCRIPTION', price: 'PRICE',
  priceExclusive: 'PRICE_EXCLUSIVE', priceNetto: 'PRICE_NETTO', priceBrutto: 'PRICE_BRUTTO', quantity: 'QUANTITY',
  discountTypeId: 'DISCOUNT_TYPE_ID', discountRate: 'DISCOUNT_RATE', discountSum: 'DISCOUNT_SUM', taxRate: 'TAX_RATE',
  taxIncluded: 'TAX_INCLUDED', measureCode: 'MEASURE_CODE', measureName: 'MEASURE_NAME', sort: 'SORT', xmlId: 'XML_ID',
  type: 'TYPE', storeId: 'STORE_ID', ownerId: 'OWNER_ID', ownerType: 'OWNER_TYPE', id: 'ID',
};

export function upperRow(input: PhpMap): PhpMap {
  const out: PhpMap = {};
  for (const [k, v] of Object.entries(input)) out[CAMEL[k] ?? k.toUpperCase()] = v;
  return out;
}

export interface ProductInfo {
  name: string;
  measureCode: number;
  measureName: string;
  xmlId: string;
}

export class ProductRows {
  rows: ProductRow[] = [];

  constructor(
    private readonly core: Core,
    private readonly product: (id: number) => ProductInfo | undefined,
  ) {}

  of(ownerType: string, ownerId: number): ProductRow[] {
    return this.rows.filter((r) => r.OWNER_TYPE === ownerType && r.OWNER_ID === ownerId).sort((a, b) => a.SORT - b.SORT || a.ID - b.ID);
  }

  byId(id: number): ProductRow | undefined {
    return this.rows.find((r) => r.ID === id);
  }

  /** Sum of PRICE × QUANTITY and of the tax inside it: what the owner's OPPORTUNITY/TAX_VALUE become. */
  totals(ownerType: string, ownerId: number): { sum: number; tax: number; count: number } {
    let sum = 0;
    let tax = 0;
    const rows = this.of(ownerType, ownerId);
    for (const r of rows) {
      sum += r.PRICE * r.QUANTITY;
      tax += (r.PRICE - r.PRICE_EXCLUSIVE) * r.QUANTITY;
    }
    return { sum: round2(sum), tax: round2(tax), count: rows.length };
  }

  /** Builds a row from UPPER_CASE input (merged over `base` on update), computing the derived prices. */
  build(ownerType: string, ownerId: number, input: PhpMap, base?: ProductRow, index = 0): ProductRow {
    const has = (k: string): boolean => param(input, k) !== undefined && param(input, k) !== null && param(input, k) !== '';
    const num = (k: string, d: number): number => (has(k) ? float(param(input, k)) : d);
    const productId = has('PRODUCT_ID') ? int(param(input, 'PRODUCT_ID')) : (base?.PRODUCT_ID ?? 0);
    const product = productId > 0 ? this.product(productId) : undefined;
    const name = has('PRODUCT_NAME') ? str(param(input, 'PRODUCT_NAME')) : (base?.PRODUCT_NAME ?? product?.name ?? '');
    const taxRate = has('TAX_RATE') ? float(param(input, 'TAX_RATE')) : param(input, 'TAX_RATE') === null ? null : (base?.TAX_RATE ?? null);
    const t = (taxRate ?? 0) / 100;
    const discountType = int(param(input, 'DISCOUNT_TYPE_ID') ?? base?.DISCOUNT_TYPE_ID ?? 2) === 1 ? 1 : 2;
    if (!base && has('DISCOUNT_TYPE_ID')) {
      if (discountType === 2 && !has('DISCOUNT_RATE')) throw errors.core('Discount Rate (DISCOUNT_RATE) is required if Percentage Discount Type (DISCOUNT_TYPE_ID) is defined<br>');
      if (discountType === 1 && !has('DISCOUNT_SUM')) throw errors.core('Discount Sum (DISCOUNT_SUM) is required if Monetary Discount Type (DISCOUNT_TYPE_ID) is defined<br>');
    }
    let price: number;
    if (has('PRICE')) price = float(param(input, 'PRICE'));
    else if (has('PRICE_EXCLUSIVE')) price = round2(float(param(input, 'PRICE_EXCLUSIVE')) * (1 + t));
    else price = base?.PRICE ?? 0;
    const exclusive = round2(price / (1 + t));
    let rate = num('DISCOUNT_RATE', base?.DISCOUNT_RATE ?? 0);
    let sum = num('DISCOUNT_SUM', base?.DISCOUNT_SUM ?? 0);
    let netto: number;
    if (discountType === 2) {
      if (rate >= 100) {
        if (!has('DISCOUNT_SUM')) {
          throw errors.core('Discount Sum (DISCOUNT_SUM) is required if Percentage Discount Type (DISCOUNT_TYPE_ID) is defined and Discount Rate (DISCOUNT_RATE) is 100%<br>');
        }
        netto = round2(exclusive + sum);
      } else {
        netto = rate > 0 ? round2(exclusive / (1 - rate / 100)) : exclusive;
      }
      sum = round2(netto - exclusive);
    } else {
      netto = round2(exclusive + sum);
      rate = netto > 0 ? round2((sum / netto) * 100) : 0;
    }
    return {
      ID: base?.ID ?? 0,
      OWNER_TYPE: ownerType,
      OWNER_ID: ownerId,
      PRODUCT_ID: productId,
      PRODUCT_NAME: name,
      ORIGINAL_PRODUCT_NAME: product?.name ?? name,
      PRODUCT_DESCRIPTION: has('PRODUCT_DESCRIPTION') ? str(param(input, 'PRODUCT_DESCRIPTION')) : (base?.PRODUCT_DESCRIPTION ?? null),
      PRICE: price,
      PRICE_EXCLUSIVE: exclusive,
      PRICE_NETTO: netto,
      PRICE_BRUTTO: round2(netto * (1 + t)),
      QUANTITY: num('QUANTITY', base?.QUANTITY ?? 1),
      DISCOUNT_TYPE_ID: discountType,
      DISCOUNT_RATE: rate,
      DISCOUNT_SUM: sum,
      TAX_RATE: taxRate,
      TAX_INCLUDED: (has('TAX_INCLUDED') ? str(param(input, 'TAX_INCLUDED')).toUpperCase() : (base?.TAX_INCLUDED ?? 'N')) === 'Y' ? 'Y' : 'N',
      MEASURE_CODE: has('MEASURE_CODE') ? int(param(input, 'MEASURE_CODE')) : (base?.MEASURE_CODE ?? product?.measureCode ?? 796),
      MEASURE_NAME: has('MEASURE_NAME') ? str(param(input, 'MEASURE_NAME')) : (base?.MEASURE_NAME ?? product?.measureName ?? 'pcs'),
      SORT: has('SORT') ? int(param(input, 'SORT')) : (base?.SORT ?? (index + 1) * 10),
      XML_ID: has('XML_ID') ? str(param(input, 'XML_ID')) : (base?.XML_ID ?? product?.xmlId ?? ''),
      TYPE: has('TYPE') ? int(param(input, 'TYPE')) : (base?.TYPE ?? (productId > 0 ? 1 : 4)),
      STORE_ID: has('STORE_ID') ? int(param(input, 'STORE_ID')) : (base?.STORE_ID ?? null),
    };
  }

  /** Replace-all semantics of crm.deal.productrows.set / crm.item.productrow.set: omitted rows are deleted. */
  set(ownerType: string, ownerId: number, inputs: PhpMap[]): ProductRow[] {
    const built = inputs.map((r, i) => this.build(ownerType, ownerId, r, undefined, i));
    this.rows = this.rows.filter((r) => !(r.OWNER_TYPE === ownerType && r.OWNER_ID === ownerId));
    for (const r of built) {
      r.ID = this.core.nextId('productrow');
      this.rows.push(r);
    }
    return this.of(ownerType, ownerId);
  }

  add(ownerType: string, ownerId: number, input: PhpMap): ProductRow {
    const r = this.build(ownerType, ownerId, input, undefined, this.of(ownerType, ownerId).length);
    r.ID = this.core.nextId('productrow');
    this.rows.push(r);
    return r;
  }

  update(id: number, input: PhpMap): ProductRow {
    const cur = this.byId(id)!;
    const next = this.build(cur.OWNER_TYPE, cur.OWNER_ID, input, cur);
    this.rows = this.rows.map((r) => (r.ID === id ? next : r));
    return next;
  }

  delete(id: number): void {
    this.rows = this.rows.filter((r) => r.ID !== id);
  }

  dropOwner(ownerType: string, ownerId: number): void {
    this.rows = this.rows.filter((r) => !(r.OWNER_TYPE === ownerType && r.OWNER_ID === ownerId));
  }
}

/** crm.deal.productrows.get: string ID/OWNER_ID, JSON numbers for amounts, PRICE_ACCOUNT as money string. */
export function renderRowLegacy(r: ProductRow): PhpMap {
  return {
    ID: String(r.ID),
    OWNER_ID: String(r.OWNER_ID),
    OWNER_TYPE: r.OWNER_TYPE,
    PRODUCT_ID: r.PRODUCT_ID,
    PRODUCT_NAME: r.PRODUCT_NAME,
    ORIGINAL_PRODUCT_NAME: r.ORIGINAL_PRODUCT_NAME,
    PRODUCT_DESCRIPTION: r.PRODUCT_DESCRIPTION,
    PRICE: r.PRICE,
    PRICE_EXCLUSIVE: r.PRICE_EXCLUSIVE,
    PRICE_NETTO: r.PRICE_NETTO,
    PRICE_BRUTTO: r.PRICE_BRUTTO,
    PRICE_ACCOUNT: money(r.PRICE),
    QUANTITY: r.QUANTITY,
    DISCOUNT_TYPE_ID: r.DISCOUNT_TYPE_ID,
    DISCOUNT_RATE: r.DISCOUNT_RATE,
    DISCOUNT_SUM: r.DISCOUNT_SUM,
    TAX_RATE: r.TAX_RATE,
    TAX_INCLUDED: r.TAX_INCLUDED,
    CUSTOMIZED: 'Y',
    MEASURE_CODE: r.MEASURE_CODE,
    MEASURE_NAME: r.MEASURE_NAME,
    SORT: r.SORT,
    XML_ID: r.XML_ID,
    TYPE: r.TYPE,
    STORE_ID: r.STORE_ID,
    RESERVE_ID: null,
    DATE_RESERVE_END: null,
    RESERVE_QUANTITY: null,
  };
}

/** crm.item.productrow.*: camelCase, all numbers typed. */
export function renderRowTyped(r: ProductRow): PhpMap {
  return {
    id: r.ID,
    ownerId: r.OWNER_ID,
    ownerType: r.OWNER_TYPE,
    productId: r.PRODUCT_ID,
    productName: r.PRODUCT_NAME,
    productDescription: r.PRODUCT_DESCRIPTION,
    price: r.PRICE,
    priceAccount: r.PRICE,
    priceExclusive: r.PRICE_EXCLUSIVE,
    priceNetto: r.PRICE_NETTO,
    priceBrutto: r.PRICE_BRUTTO,
    quantity: r.QUANTITY,
    discountTypeId: r.DISCOUNT_TYPE_ID,
    discountRate: r.DISCOUNT_RATE,
    discountSum: r.DISCOUNT_SUM,
    taxRate: r.TAX_RATE,
    taxIncluded: r.TAX_INCLUDED,
    customized: 'Y',
    measureCode: r.MEASURE_CODE,
    measureName: r.MEASURE_NAME,
    sort: r.SORT,
    xmlId: r.XML_ID,
    type: r.TYPE,
    storeId: r.STORE_ID,
  };
}
