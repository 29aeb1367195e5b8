// Old invoices (crm.invoice.*, entityTypeId 5, deprecated but alive): statuses N/S/P/D with PAYED/DATE_PAYED
// bookkeeping, nested PRODUCT_ROWS (VAT_RATE as a coefficient) from which PRICE and TAX_VALUE are computed, and
// INVOICE_PROPERTIES of the payer.
import { errors } from '../rest/errors.ts';
import { float, int, isMap, param, str, values, type Php, type PhpMap } from '../rest/php.ts';
import type { Core } from './core.ts';
import { Entity, type WriteCtx } from './entity.ts';
import { defs, type FieldDef, type Rec } from './fields.ts';
import { money, round2 } from './format.ts';

export const INVOICE_FIELDS: FieldDef[] = defs([
  ['ID', 'integer', 'ID', { ro: true }],
  ['ACCOUNT_NUMBER', 'string', 'Invoice #', { required: true }],
  ['ORDER_TOPIC', 'string', 'Subject', { required: true }],
  ['STATUS_ID', 'crm_status', 'Status', { statusType: 'INVOICE_STATUS' }],
  ['DATE_INSERT', 'datetime', 'Created on', { ro: true }],
  ['DATE_BILL', 'date', 'Invoice date'],
  ['DATE_PAY_BEFORE', 'date', 'Payment due'],
  ['DATE_MARKED', 'datetime', 'Marked on'],
  ['PAY_VOUCHER_DATE', 'date', 'Payment date'],
  ['DATE_PAYED', 'datetime', 'Paid on', { ro: true }],
  ['DATE_STATUS', 'datetime', 'Status changed on', { ro: true }],
  ['DATE_UPDATE', 'datetime', 'Modified on', { ro: true }],
  ['PAY_VOUCHER_NUM', 'string', 'Payment document #'],
  ['REASON_MARKED', 'string', 'Status comment'],
  ['PAYED', 'char', 'Paid', { ro: true }],
  ['PRICE', 'money', 'Total', { ro: true }],
  ['TAX_VALUE', 'money', 'Tax', { ro: true }],
  ['CURRENCY', 'crm_currency', 'Currency', { ro: true }],
  ['PERSON_TYPE_ID', 'integer', 'Payer type', { required: true }],
  ['PAY_SYSTEM_ID', 'integer', 'Payment system', { required: true }],
  ['RESPONSIBLE_ID', 'user', 'Responsible person'],
  ['UF_COMPANY_ID', 'crm_company', 'Company'],
  ['UF_CONTACT_ID', 'crm_contact', 'Contact'],
  ['UF_MYCOMPANY_ID', 'crm_company', 'Your company details'],
  ['UF_DEAL_ID', 'crm_deal', 'Deal'],
  ['UF_QUOTE_ID', 'crm_quote', 'Quote'],
  ['XML_ID', 'string', 'External ID'],
  ['LID', 'string', 'Site', { ro: true }],
  ['COMMENTS', 'string', 'Comment (manager)'],
  ['USER_DESCRIPTION', 'string', 'Comment (client)'],
  ['PR_LOCATION', 'location', 'Location'],
  ['EMP_PAYED_ID', 'user', 'Paid by', { ro: true }],
  ['EMP_STATUS_ID', 'user', 'Status changed by', { ro: true }],
  ['CREATED_BY', 'user', 'Created by', { ro: true }],
  ['INVOICE_PROPERTIES', 'object', 'Invoice properties'],
  ['PRODUCT_ROWS', 'object', 'Products'],
]);

export const PERSON_TYPES = [
  { ID: 1, NAME: 'CRM_COMPANY' },
  { ID: 2, NAME: 'CRM_CONTACT' },
];

export const PAY_SYSTEMS = [
  { ID: 1, NAME: 'Bank transfer', PERSON_TYPE_ID: 1, ACTIVE: 'Y', SORT: 100, ACTION_FILE: 'bill' },
  { ID: 2, NAME: 'Cash', PERSON_TYPE_ID: 2, ACTIVE: 'Y', SORT: 200, ACTION_FILE: 'cash' },
];

interface InvoiceRow {
  ID: number;
  PRODUCT_ID: number;
  PRODUCT_NAME: string;
  PRICE: number;
  DISCOUNT_PRICE: number;
  VAT_RATE: number;
  VAT_INCLUDED: 'Y' | 'N';
  MEASURE_CODE: number;
  MEASURE_NAME: string;
  QUANTITY: number;
  CATALOG_XML_ID: string;
  PRODUCT_XML_ID: string;
}

export class OldInvoices extends Entity {
  constructor(
    core: Core,
    private readonly opts: { currency: () => string; productXmlId: (id: number) => string },
  ) {
    super({ code: 'INVOICE', entityTypeId: 5, ufEntityId: 'CRM_INVOICE', fields: INVOICE_FIELDS }, core);
  }

  protected override defaults(rec: Rec, ctx: WriteCtx): void {
    for (const f of INVOICE_FIELDS) if (f.name !== 'ID') rec[f.name] = null;
    Object.assign(rec, {
      STATUS_ID: 'N', DATE_INSERT: ctx.now, DATE_UPDATE: ctx.now, DATE_STATUS: ctx.now, DATE_BILL: ctx.now, PAYED: 'N', PRICE: 0,
      TAX_VALUE: 0, CURRENCY: this.opts.currency(), RESPONSIBLE_ID: ctx.userId, LID: 's1', CREATED_BY: ctx.userId,
      EMP_STATUS_ID: ctx.userId, INVOICE_PROPERTIES: {}, PRODUCT_ROWS: [],
    });
  }

  protected override derive(rec: Rec, prev: Rec | undefined, changed: Set<string>, ctx: WriteCtx): void {
    // UNCONFIRMED wording; the required set (ACCOUNT_NUMBER, ORDER_TOPIC, PERSON_TYPE_ID, PAY_SYSTEM_ID) is the reference's.
    for (const f of ['ACCOUNT_NUMBER', 'ORDER_TOPIC', 'PERSON_TYPE_ID', 'PAY_SYSTEM_ID']) {
      if (rec[f] === null || rec[f] === '' || rec[f] === 0) throw errors.legacy(`The field "${f}" is required.`);
    }
    if (!['N', 'S', 'P', 'D'].includes(str(rec.STATUS_ID)) && !prev) rec.STATUS_ID = 'N';
    if (changed.has('PRODUCT_ROWS')) rec.PRODUCT_ROWS = this.rowsFrom(rec.PRODUCT_ROWS, prev?.PRODUCT_ROWS);
    let total = 0;
    let tax = 0;
    for (const r of values(rec.PRODUCT_ROWS)) {
      if (!isMap(r)) continue;
      const q = Number(r.QUANTITY);
      const p = Number(r.PRICE);
      const vat = Number(r.VAT_RATE);
      const gross = r.VAT_INCLUDED === 'Y' ? p : p * (1 + vat);
      total += gross * q;
      tax += (gross - gross / (1 + vat)) * q;
    }
    rec.PRICE = round2(total);
    rec.TAX_VALUE = round2(tax);
    if (prev && changed.has('STATUS_ID')) {
      rec.DATE_STATUS = ctx.now;
      rec.EMP_STATUS_ID = ctx.userId;
    }
    if (rec.STATUS_ID === 'P' && rec.PAYED !== 'Y') {
      rec.PAYED = 'Y';
      rec.DATE_PAYED = ctx.now;
      rec.EMP_PAYED_ID = ctx.userId;
    } else if (rec.STATUS_ID !== 'P' && rec.PAYED === 'Y') {
      rec.PAYED = 'N';
      rec.DATE_PAYED = null;
    }
    if (prev) rec.DATE_UPDATE = ctx.now;
  }

  /** PRODUCT_ROWS replace the invoice's rows: ID 0 (or absent) is a new row, a known ID keeps its id. */
  private rowsFrom(input: Php | undefined, before: Php | undefined): Php {
    const known = new Set(values(before).map((r) => (isMap(r) ? Number(r.ID) : 0)));
    const out: Php[] = [];
    for (const r of values(input)) {
      if (!isMap(r)) continue;
      const id = int(param(r, 'ID'));
      const productId = int(param(r, 'PRODUCT_ID'));
      const row: InvoiceRow = {
        ID: id > 0 && known.has(id) ? id : this.core.nextId('invoicerow'),
        PRODUCT_ID: productId,
        PRODUCT_NAME: str(param(r, 'PRODUCT_NAME')),
        PRICE: float(param(r, 'PRICE')),
        DISCOUNT_PRICE: float(param(r, 'DISCOUNT_PRICE')),
        VAT_RATE: float(param(r, 'VAT_RATE')),
        VAT_INCLUDED: str(param(r, 'VAT_INCLUDED') ?? 'Y').toUpperCase() === 'N' ? 'N' : 'Y',
        MEASURE_CODE: int(param(r, 'MEASURE_CODE') ?? 796) || 796,
        MEASURE_NAME: str(param(r, 'MEASURE_NAME') ?? 'pcs') || 'pcs',
        QUANTITY: float(param(r, 'QUANTITY') ?? 1) || 1,
        CATALOG_XML_ID: productId > 0 ? 'crm_external' : '',
        PRODUCT_XML_ID: productId > 0 ? this.opts.productXmlId(productId) : '',
      };
      out.push({ ...row });
    }
    return out;
  }

  override legacy(rec: Rec): PhpMap {
    const out = super.legacy(rec);
    // UNCONFIRMED: nested rows printed as strings like the rest of the legacy invoice.
    out.PRODUCT_ROWS = values(rec.PRODUCT_ROWS).map((r) =>
      isMap(r)
        ? {
            ID: String(r.ID), PRODUCT_ID: String(r.PRODUCT_ID), PRODUCT_NAME: r.PRODUCT_NAME ?? '', PRICE: money(Number(r.PRICE)),
            DISCOUNT_PRICE: money(Number(r.DISCOUNT_PRICE)), VAT_RATE: Number(r.VAT_RATE).toFixed(2), VAT_INCLUDED: r.VAT_INCLUDED ?? 'Y',
            MEASURE_CODE: String(r.MEASURE_CODE), MEASURE_NAME: r.MEASURE_NAME ?? '', QUANTITY: String(r.QUANTITY),
            CATALOG_XML_ID: r.CATALOG_XML_ID ?? '', PRODUCT_XML_ID: r.PRODUCT_XML_ID ?? '',
          }
        : r,
    );
    out.INVOICE_PROPERTIES = isMap(rec.INVOICE_PROPERTIES) && Object.keys(rec.INVOICE_PROPERTIES).length ? rec.INVOICE_PROPERTIES : [];
    return out;
  }
}
