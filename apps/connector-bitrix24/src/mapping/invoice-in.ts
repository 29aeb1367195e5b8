// Bitrix24 invoices → canonical Invoice (F2). Two kinds live side by side on real portals (lessons §3.10): old
// invoices (crm.invoice.*, entityTypeId 5: legacy UPPER_CASE strings, STATUS_ID N/S/P/D, UF_DEAL_ID) and smart
// invoices (crm.item.*, entityTypeId 31: typed camelCase JSON, stageId DT31_<funnel>:<code>, parentId2 = the deal).
// Their ids overlap, so the canonical invoice id keys them apart with the CRM's own prefixes: I_<id> and SI_<id>.
import { EsbError } from '@esb/bus';
import { documentId } from '@esb/canonical';
import type { Invoice, InvoiceStatus } from '@esb/canonical';
import { toRef, type B24Record, type CounterpartyBody } from './counterparty-in.ts';
import { decimalString, FormError, idOf, instant, localDate, text, unscaled } from './form.ts';

export type InvoiceBody = Omit<Invoice, 'meta'>;

/** External id of an old invoice (CRM binding prefix `I`, reference §6.8). */
export const oldInvoiceExternalId = (id: string): string => `I_${id}`;
/** External id of a smart invoice (CRM binding prefix `SI`). */
export const smartInvoiceExternalId = (id: string): string => `SI_${id}`;

const SYSTEM = 'bitrix24';

function invalid(message: string, businessKey: string): EsbError {
  return new EsbError('ESB_VALIDATION', message, { system: SYSTEM, businessKey });
}

function money(v: unknown, where: string, field: string): string {
  try {
    return decimalString(unscaled(v, 2, `${where}: field ${field}`) ?? 0n, 2);
  } catch (e) {
    if (e instanceof FormError) throw invalid(e.message, where);
    throw e;
  }
}

const BY_CODE: Record<string, InvoiceStatus> = { N: 'NEW', S: 'SENT', P: 'PAID', D: 'CANCELLED' };

/**
 * A smart invoice's stage → status: the default codes N (new), S (sent), P (paid), D (declined) of any funnel
 * (`DT31_2:P`), and for custom stages their semantics: success = paid, failure = cancelled, otherwise sent.
 */
export function smartInvoiceStatus(stageId: unknown, semantic: unknown): InvoiceStatus {
  const code = text(stageId).split(':').pop() ?? '';
  const known = BY_CODE[code.toUpperCase()];
  if (known) return known;
  const s = text(semantic).toUpperCase();
  return s === 'S' ? 'PAID' : s === 'F' ? 'CANCELLED' : 'SENT';
}

/** An old invoice's STATUS_ID → status; custom statuses count as sent unless the invoice is marked paid (PAYED). */
export function oldInvoiceStatus(statusId: unknown, payed: unknown): InvoiceStatus {
  const known = BY_CODE[text(statusId).toUpperCase()];
  if (known) return known;
  return text(payed).toUpperCase() === 'Y' ? 'PAID' : 'SENT';
}

export interface InvoiceInput {
  systemId: string;
  /** crm.item.get(31).item for smart invoices, crm.invoice.get for old ones. */
  invoice: B24Record;
  /** The payer, when the invoice names a company or contact that could be keyed; null = the order names it. */
  buyer: CounterpartyBody | null;
  sellerLegalEntityId: string | null;
}

function currencyOf(v: unknown, where: string, field: string): string {
  const c = text(v).toUpperCase();
  if (!/^[A-Z]{3}$/.test(c)) throw invalid(`${where}: field ${field} = ${JSON.stringify(c)} is not an ISO 4217 code`, where);
  return c;
}

/** Where the two invoice APIs keep the same facts: crm.item.* (camelCase) and the old crm.invoice.* (upper case). */
interface InvoiceShape {
  what: string;
  id: string;
  dates: [string, string];
  deal: string;
  number: string;
  amount: string;
  vat: string;
  currency: string;
  due: string;
  externalId: (id: string) => string;
  status: (r: B24Record) => InvoiceStatus;
}

const SMART: InvoiceShape = {
  what: 'smart invoice',
  id: 'id',
  dates: ['begindate', 'createdTime'],
  deal: 'parentId2',
  number: 'accountNumber',
  amount: 'opportunity',
  vat: 'taxValue',
  currency: 'currencyId',
  due: 'closedate',
  externalId: smartInvoiceExternalId,
  status: (r) => smartInvoiceStatus(r.stageId, r.stageSemanticId),
};

const OLD: InvoiceShape = {
  what: 'invoice',
  id: 'ID',
  dates: ['DATE_BILL', 'DATE_INSERT'],
  deal: 'UF_DEAL_ID',
  number: 'ACCOUNT_NUMBER',
  amount: 'PRICE',
  vat: 'TAX_VALUE',
  currency: 'CURRENCY',
  due: 'DATE_PAY_BEFORE',
  externalId: oldInvoiceExternalId,
  status: (r) => oldInvoiceStatus(r.STATUS_ID, r.PAYED),
};

function toInvoice(shape: InvoiceShape, i: InvoiceInput): InvoiceBody {
  const r = i.invoice;
  const id = idOf(r[shape.id]);
  if (!id) throw invalid(`${shape.what}: no ${shape.id} in ${JSON.stringify(text(r[shape.id]))}`, text(r[shape.id]));
  const where = `${shape.what} ${id}`;
  const date = instant(r[shape.dates[0]]) ?? instant(r[shape.dates[1]]);
  if (!date) throw invalid(`${where}: neither ${shape.dates[0]} nor ${shape.dates[1]} is a date`, id);
  const deal = idOf(r[shape.deal]);
  return {
    invoiceId: documentId('invoice', i.systemId, shape.externalId(id)),
    number: text(r[shape.number]) || id,
    date,
    orderId: deal ? documentId('order', i.systemId, deal) : null,
    buyer: i.buyer ? toRef(i.buyer) : null,
    sellerLegalEntityId: i.sellerLegalEntityId,
    amount: money(r[shape.amount], where, shape.amount),
    vatAmount: money(r[shape.vat], where, shape.vat),
    currency: currencyOf(r[shape.currency], where, shape.currency),
    dueDate: localDate(r[shape.due]),
    status: shape.status(r),
    pdf: null,
  };
}

/** crm.item.get (entityTypeId 31) → Invoice. */
export const smartInvoiceToInvoice = (i: InvoiceInput): InvoiceBody => toInvoice(SMART, i);

/** crm.invoice.get → Invoice. */
export const oldInvoiceToInvoice = (i: InvoiceInput): InvoiceBody => toInvoice(OLD, i);
