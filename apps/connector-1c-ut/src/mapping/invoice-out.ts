// 1C customer invoices (Document_СчетНаОплатуКлиенту) → canonical Invoice (F2) with the printed PDF by reference:
// the order it bills (ДокументОснование), the buyer, amount and VAT, the first payment date of its schedule, and
// SENT / CANCELLED from Posted / Аннулирован.
import type { CounterpartyRef, DocumentRef, Invoice, InvoiceStatus, Meta } from '@esb/canonical';
import { money, naiveDay, textOrNull, type Wire } from './inbound.ts';

/**
 * The invoice's state as 1C shows it: annulled or marked for deletion → CANCELLED, posted → SENT (it was issued to
 * the customer), otherwise a draft that is not published (null). Payment states travel as Payment events.
 */
export function invoiceStatus(doc: { Posted?: Wire; DeletionMark?: Wire; Аннулирован?: Wire }): InvoiceStatus | null {
  if (doc.Аннулирован === true || doc.DeletionMark === true) return 'CANCELLED';
  return doc.Posted === true ? 'SENT' : null;
}

/** The earliest ДатаПлатежа of the payment schedule, as a calendar date. */
export function dueDate(schedule: ReadonlyArray<{ ДатаПлатежа?: Wire }> | undefined): string | null {
  const days = (schedule ?? []).map((s) => textOrNull(s.ДатаПлатежа)).filter((d): d is string => d !== null && /^\d{4}-\d{2}-\d{2}T/.test(d)).map(naiveDay);
  return days.length ? days.sort()[0]! : null;
}

/** `Счет УТ00-000012 от 21.11.2026.pdf`: what people see on the deal and on Disk. */
export function invoiceFileName(number: string, naiveDate: string): string {
  const [y, m, d] = naiveDay(naiveDate).split('-');
  return `Счет ${number.replace(/[\\/:*?"<>|]/g, '_')} от ${d}.${m}.${y}.pdf`;
}

/** The print form's address next to the OData root: `…/<publication>/odata/standard.odata/` → `…/<publication>/hs/…`. */
export function printFormUrl(odataBase: string, ref: string, path = 'printforms/invoice'): string {
  const root = odataBase.replace(/odata\/standard\.odata\/?$/, '');
  if (root === odataBase) throw new TypeError(`not a 1C OData root (…/odata/standard.odata/): ${odataBase}`);
  return `${root}${root.endsWith('/') ? '' : '/'}hs/${path}/${ref}`;
}

export interface InvoiceInput {
  meta: Meta;
  invoiceId: string;
  number: string;
  /** ISO instant of the invoice date. */
  date: string;
  orderId: string | null;
  buyer: CounterpartyRef | null;
  sellerLegalEntityId: string | null;
  amount: Wire;
  vatAmount: Wire;
  currency: string;
  dueDate: string | null;
  status: InvoiceStatus;
  pdf: DocumentRef | null;
}

export function toInvoice(i: InvoiceInput): Invoice {
  return {
    meta: i.meta,
    invoiceId: i.invoiceId,
    number: i.number,
    date: i.date,
    orderId: i.orderId,
    buyer: i.buyer,
    sellerLegalEntityId: i.sellerLegalEntityId,
    amount: money(i.amount),
    vatAmount: money(i.vatAmount),
    currency: i.currency,
    dueDate: i.dueDate,
    status: i.status,
    pdf: i.pdf,
  };
}
