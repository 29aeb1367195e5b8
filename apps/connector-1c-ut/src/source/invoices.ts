// F2: 1C customer invoices (Document_СчетНаОплатуКлиенту) → Invoice with the printed PDF. The PDF comes from the
// configuration's HTTP service (`/hs/printforms/invoice/{Ref_Key}` by default): the connector downloads it once to
// give the event the file's SHA-256 and size (fetching it
// needs the base's credentials, so the event carries a signed link to this connector: source/files.ts). A base without that service publishes the invoice without a PDF, logged.
import type { DocumentRef } from '@esb/canonical';
import type { OneCEntity } from '@esb/onec-client';
import type { StoreTx } from '@esb/store';
import { isOwnWrite } from '../echo.ts';
import { counterpartyRef, mapCounterparty } from '../mapping/counterparty-in.ts';
import { changeEventId, fromKopecks, kopecks, refOf, text, typeOf } from '../mapping/inbound.ts';
import { dueDate, invoiceFileName, invoiceStatus, printFormUrl, toInvoice } from '../mapping/invoice-out.ts';
import type { SourceContext } from './context.ts';
import type { Lookups } from './lookups.ts';
import { fetchPrintForm } from './onec-http.ts';
import { scanDocuments } from './scan.ts';

export const INVOICES_JOB = 'invoices';

/** VAT of the invoice: its basis order's (or sale's) rows — a УТ invoice has no goods of its own (reference §2.1). */
async function vatOfBasis(sc: SourceContext, L: Lookups, doc: OneCEntity): Promise<string> {
  const type = typeOf(doc['ДокументОснование_Type']);
  if (!type || (type !== sc.entity('customerOrder') && type !== sc.entity('sale'))) return '0.00';
  const basis = await L.one(type, doc['ДокументОснование']);
  const rows = Array.isArray(basis?.['Товары']) ? (basis['Товары'] as OneCEntity[]) : [];
  return fromKopecks(rows.filter((r) => r['Отменено'] !== true).reduce((s, r) => s + kopecks(r['СуммаНДС']), 0n));
}

async function pdfOf(sc: SourceContext, tx: StoreTx, ref: string, number: string, naiveDate: string, keys: Record<string, string>): Promise<DocumentRef | null> {
  const form = await fetchPrintForm(sc.client(), printFormUrl(sc.cfg.system.url, ref, sc.printFormPath));
  if (!form) {
    await sc.note(tx, INVOICES_JOB, 'skipped', 'esb.canonical.Invoice', keys, `no print form at /hs/${sc.printFormPath}/{Ref_Key}: the invoice is published without its PDF`);
    return null;
  }
  // The event carries a signed link to this connector, which fetches the form with the base's credentials.
  return { url: await sc.links.link(ref), sha256: form.sha256, size: form.bytes.length, mime: form.mime, fileName: invoiceFileName(number, naiveDate) };
}

async function handleInvoice(sc: SourceContext, L: Lookups, tx: StoreTx, set: string, doc: OneCEntity, ref: string, version: string, seen: string | undefined, remember: (ref: string, value: string) => Promise<void>): Promise<void> {
  const number = text(doc['Number']);
  const keys = { invoice: number, invoiceRef: ref };
  const published = seen !== undefined && (JSON.parse(seen) as { p?: boolean }).p === true;
  const keep = (p: boolean) => remember(ref, JSON.stringify({ v: version, p }));
  if (await isOwnWrite(tx, set, ref, version)) {
    await sc.note(tx, INVOICES_JOB, 'skipped', 'esb.canonical.Invoice', keys, 'written by the bus itself');
    return keep(published);
  }
  // A draft goes out once it is posted; a published invoice that went back to a draft is published as NEW.
  const status = invoiceStatus(doc) ?? (published ? 'NEW' : null);
  if (!status) return;
  const orderSet = sc.entity('customerOrder');
  const orderRef = orderSet && typeOf(doc['ДокументОснование_Type']) === orderSet ? refOf(doc['ДокументОснование']) : null;
  const orderDoc = orderRef && orderSet ? await L.one(orderSet, orderRef) : undefined;
  const cp = await L.one(sc.need('counterparty'), doc['Контрагент_Key']);
  const buyer = cp ? mapCounterparty(cp as Parameters<typeof mapCounterparty>[0], await L.contactKindNames()) : undefined;
  if (buyer && !buyer.ok) await sc.note(tx, INVOICES_JOB, 'error', 'esb.canonical.Invoice', keys, `buyer left out: ${buyer.reason}`);
  const org = await L.one(sc.entity('organization') ?? 'Catalog_Организации', doc['Организация_Key']);
  const date = sc.instant(doc['Date']);
  const invoice = toInvoice({
    meta: sc.meta({ eventId: changeEventId(sc.systemId, set, ref, version), externalId: ref, occurredAt: date, legalEntityId: sc.legalEntityId(org) }),
    invoiceId: await sc.documentIdOf(tx, 'invoice', ref, doc),
    number,
    date,
    orderId: orderRef ? await sc.documentIdOf(tx, 'order', orderRef, orderDoc) : null,
    buyer: buyer?.ok ? { ...counterpartyRef(buyer.value), counterpartyId: (await sc.counterpartyId(tx, L, doc['Контрагент_Key'])) ?? buyer.value.counterpartyId } : null,
    sellerLegalEntityId: sc.legalEntityId(org),
    amount: doc['СуммаДокумента'],
    vatAmount: await vatOfBasis(sc, L, doc),
    currency: await L.currency(doc['Валюта_Key']),
    dueDate: dueDate(doc['ЭтапыГрафикаОплаты'] as Array<{ ДатаПлатежа?: unknown }> | undefined),
    status,
    pdf: status === 'CANCELLED' ? null : await pdfOf(sc, tx, ref, number, text(doc['Date']), keys),
  });
  await sc.emit(tx, INVOICES_JOB, 'esb.canonical.Invoice', invoice, invoice.invoiceId, { ...keys, ...(orderDoc ? { order: text(orderDoc['Number']) } : {}), ...(invoice.buyer?.inn ? { inn: invoice.buyer.inn } : {}), status });
  await keep(true);
}

export async function pollInvoices(sc: SourceContext): Promise<void> {
  const set = sc.need('customerInvoice');
  const L = sc.lookups();
  await scanDocuments(sc, { job: `${INVOICES_JOB}/${set}`, set }, async (tx, changed, remember) => {
    for (const { doc, ref, version, seen } of changed) await handleInvoice(sc, L, tx, set, doc, ref, version, seen, remember);
  });
}

export const hasInvoices = (sc: SourceContext): boolean => !!sc.entity('customerInvoice');
