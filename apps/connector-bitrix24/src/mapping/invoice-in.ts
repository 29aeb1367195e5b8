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

/** crm.item.get (entityTypeId 31) → Invoice. */
export function smartInvoiceToInvoice(i: InvoiceInput): InvoiceBody {
  const it = i.invoice;
  const id = idOf(it.id);
  if (!id) throw invalid(`smart invoice: no id in ${JSON.stringify(text(it.id))}`, text(it.id));
  const where = `smart invoice ${id}`;
  const date = instant(it.begindate) ?? instant(it.createdTime);
  if (!date) throw invalid(`${where}: neither begindate nor createdTime is a date`, id);
  const deal = idOf(it.parentId2);
  return {
    invoiceId: documentId('invoice', i.systemId, smartInvoiceExternalId(id)),
    number: text(it.accountNumber) || id,
    date,
    orderId: deal ? documentId('order', i.systemId, deal) : null,
    buyer: i.buyer ? toRef(i.buyer) : null,
    sellerLegalEntityId: i.sellerLegalEntityId,
    amount: money(it.opportunity, where, 'opportunity'),
    vatAmount: money(it.taxValue, where, 'taxValue'),
    currency: currencyOf(it.currencyId, where, 'currencyId'),
    dueDate: localDate(it.closedate),
    status: smartInvoiceStatus(it.stageId, it.stageSemanticId),
    pdf: null,
  };
}

/** crm.invoice.get → Invoice. */
export function oldInvoiceToInvoice(i: InvoiceInput): InvoiceBody {
  const inv = i.invoice;
  const id = idOf(inv.ID);
  if (!id) throw invalid(`invoice: no ID in ${JSON.stringify(text(inv.ID))}`, text(inv.ID));
  const where = `invoice ${id}`;
  const date = instant(inv.DATE_BILL) ?? instant(inv.DATE_INSERT);
  if (!date) throw invalid(`${where}: neither DATE_BILL nor DATE_INSERT is a date`, id);
  const deal = idOf(inv.UF_DEAL_ID);
  return {
    invoiceId: documentId('invoice', i.systemId, oldInvoiceExternalId(id)),
    number: text(inv.ACCOUNT_NUMBER) || id,
    date,
    orderId: deal ? documentId('order', i.systemId, deal) : null,
    buyer: i.buyer ? toRef(i.buyer) : null,
    sellerLegalEntityId: i.sellerLegalEntityId,
    amount: money(inv.PRICE, where, 'PRICE'),
    vatAmount: money(inv.TAX_VALUE, where, 'TAX_VALUE'),
    currency: currencyOf(inv.CURRENCY, where, 'CURRENCY'),
    dueDate: localDate(inv.DATE_PAY_BEFORE),
    status: oldInvoiceStatus(inv.STATUS_ID, inv.PAYED),
    pdf: null,
  };
}
