// Products: one catalog behind the deprecated crm.product.* (UPPER_CASE, strings, PRICE on the product) and
// catalog.product.* (camelCase, typed, `iblockId` required, XML_ID as `xmlId`) — the same rows under two APIs.
import type { PhpMap } from '../rest/php.ts';
import type { Core } from './core.ts';
import { Entity, type WriteCtx } from './entity.ts';
import { camelName, defs, renderTyped, type FieldDef, type Rec } from './fields.ts';

export const PRODUCT_FIELDS: FieldDef[] = defs([
  ['ID', 'integer', 'ID', { ro: true }],
  ['CATALOG_ID', 'integer', 'Catalog', { camel: 'iblockId' }],
  ['PRICE', 'money', 'Price'],
  ['CURRENCY_ID', 'crm_currency', 'Currency'],
  ['NAME', 'string', 'Name', { required: true }],
  ['CODE', 'string', 'Symbolic code'],
  ['DESCRIPTION', 'string', 'Description', { camel: 'detailText' }],
  ['DESCRIPTION_TYPE', 'string', 'Description type', { camel: 'detailTextType' }],
  ['ACTIVE', 'char', 'Active'],
  ['SECTION_ID', 'integer', 'Section', { camel: 'iblockSectionId' }],
  ['SORT', 'integer', 'Sort'],
  ['VAT_ID', 'integer', 'VAT rate'],
  ['VAT_INCLUDED', 'char', 'VAT included'],
  ['MEASURE', 'integer', 'Unit of measurement'],
  ['XML_ID', 'string', 'External ID'],
  ['PREVIEW_PICTURE', 'object', 'Preview image'],
  ['DETAIL_PICTURE', 'object', 'Full image'],
  ['DATE_CREATE', 'datetime', 'Created on', { ro: true }],
  ['TIMESTAMP_X', 'datetime', 'Modified on', { ro: true, camel: 'timestampX' }],
  ['MODIFIED_BY', 'user', 'Modified by', { ro: true }],
  ['CREATED_BY', 'user', 'Created by', { ro: true }],
  ['QUANTITY', 'double', 'Quantity in stock'],
  ['PURCHASING_PRICE', 'double', 'Purchase price'],
  ['PURCHASING_CURRENCY', 'crm_currency', 'Purchase currency'],
  ['TYPE', 'integer', 'Product type'],
  ['AVAILABLE', 'char', 'Available', { ro: true }],
]);

/** Fields catalog.product.* does not show (the price lives in catalog.price there). */
const CRM_ONLY = new Set(['PRICE', 'CURRENCY_ID']);
/** Fields crm.product.* does not show. */
const CATALOG_ONLY = new Set(['QUANTITY', 'PURCHASING_PRICE', 'PURCHASING_CURRENCY', 'TYPE', 'AVAILABLE']);

/** Units of measure (catalog.measure): id → OKEI code and short name. */
export const MEASURES: Record<number, { code: number; name: string }> = {
  1: { code: 6, name: 'm' },
  3: { code: 112, name: 'l' },
  5: { code: 796, name: 'pcs' },
  7: { code: 166, name: 'kg' },
  9: { code: 55, name: 'm²' },
};

export class Products extends Entity {
  constructor(
    core: Core,
    private readonly opts: { catalogId: () => number; currency: () => string },
  ) {
    super({ code: 'PRODUCT', entityTypeId: 0, fields: PRODUCT_FIELDS }, core);
  }

  protected override defaults(rec: Rec, ctx: WriteCtx): void {
    for (const f of PRODUCT_FIELDS) if (f.name !== 'ID') rec[f.name] = null;
    Object.assign(rec, {
      CATALOG_ID: this.opts.catalogId(), CURRENCY_ID: this.opts.currency(), ACTIVE: 'Y', SORT: 500, VAT_INCLUDED: 'Y', MEASURE: 5,
      DESCRIPTION_TYPE: 'text', DATE_CREATE: ctx.now, TIMESTAMP_X: ctx.now, CREATED_BY: ctx.userId, MODIFIED_BY: ctx.userId, TYPE: 1,
      AVAILABLE: 'Y', QUANTITY: 0,
    });
  }

  protected override derive(rec: Rec, prev: Rec | undefined, _changed: Set<string>, ctx: WriteCtx): void {
    if (prev) {
      rec.TIMESTAMP_X = ctx.now;
      rec.MODIFIED_BY = ctx.userId;
    }
  }

  override legacy(rec: Rec): PhpMap {
    const out = super.legacy(rec);
    for (const k of CATALOG_ONLY) delete out[k];
    return out;
  }

  /** catalog.product view: camelCase; purchasingPrice is a 6-decimal string as in the docs' example. */
  catalogView(rec: Rec): PhpMap {
    const out: PhpMap = {};
    for (const f of PRODUCT_FIELDS) {
      if (CRM_ONLY.has(f.name)) continue;
      out[camelName(f)] = renderTyped(f, rec[f.name], this.offsetMin);
    }
    out.purchasingPrice = rec.PURCHASING_PRICE === null || rec.PURCHASING_PRICE === undefined ? null : Number(rec.PURCHASING_PRICE).toFixed(6);
    return out;
  }

  fromCatalog(input: PhpMap): PhpMap {
    const out: PhpMap = {};
    for (const [k, v] of Object.entries(input)) {
      const f = this.fieldByCamel(k);
      if (f && !CRM_ONLY.has(f.name)) out[f.name] = v;
    }
    return out;
  }

  catalogKinds(): Record<string, 'int' | 'float' | 'string' | 'date' | 'bool' | 'enum'> {
    const cols = this.typedColumns();
    return cols.kinds;
  }
}
