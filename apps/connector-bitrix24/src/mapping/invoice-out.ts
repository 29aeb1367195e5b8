// Invoice from 1C (F2) into the portal: the deal gets the invoice number and the link to its PDF on Disk, and one
// timeline comment with the PDF attached. Pure: the plan, the folder and file names, and the check of the bytes
// fetched from the invoice's DocumentRef (events never carry file bytes).
import { createHash } from 'node:crypto';
import type { DocumentRef, Invoice } from '@esb/canonical';
import { dayAt, type UfValue } from '../sink/fields.ts';

export interface InvoiceFields {
  invoiceNumber: string;
  invoiceUrl: string;
}

export interface DealInvoicePlan {
  fields: Record<string, UfValue>;
  comment: string;
}

/** dd.mm.yyyy of an instant at the portal's UTC offset, as people read dates on the portal. */
export function ruDate(instant: string, offsetMin: number): string {
  const [y, m, d] = dayAt(instant, offsetMin).split('-');
  return `${d}.${m}.${y}`;
}

/** `pdfUrl` is where the PDF sits on Disk (its DETAIL_URL); without a PDF the link field is left alone. */
export function invoiceToDeal(inv: Invoice, f: InvoiceFields, offsetMin: number, pdfUrl?: string): DealInvoicePlan {
  const fields: Record<string, UfValue> = { [f.invoiceNumber]: { t: 'text', v: inv.number } };
  if (pdfUrl) fields[f.invoiceUrl] = { t: 'text', v: pdfUrl };
  const pdf = pdfUrl ? ` PDF: ${pdfUrl}` : '';
  return { fields, comment: `Счёт ${inv.number} от ${ruDate(inv.date, offsetMin)} на сумму ${inv.amount} ${inv.currency} выставлен в 1С.${pdf}` };
}

/** The Disk folder of a deal's documents, under the connector's root folder. */
export function dealFolderName(dealId: number): string {
  return `Сделка ${dealId}`;
}

/** A file name Disk accepts: no path separators or control characters, at most 200 characters, extension kept. */
export function diskFileName(ref: DocumentRef): string {
  // eslint-disable-next-line no-control-regex
  const clean = ref.fileName.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim() || 'invoice.pdf';
  if (clean.length <= 200) return clean;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
  return `${clean.slice(0, 200 - ext.length)}${ext}`;
}

/** Why fetched bytes are not the document the event describes; undefined when they are. */
export function pdfMismatch(bytes: Buffer, ref: DocumentRef): string | undefined {
  if (bytes.length !== ref.size) return `size ${bytes.length} bytes, the event says ${ref.size}`;
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== ref.sha256.toLowerCase()) return `SHA-256 ${sha}, the event says ${ref.sha256}`;
  return undefined;
}
