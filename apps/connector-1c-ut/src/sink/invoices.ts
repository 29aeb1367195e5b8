// Invoice deliveries from the CRM (F2) → the customer invoice in this base (Document_СчетНаОплатуКлиенту in УТ 11):
// parties from the invoice, or from the order it bills when that order is here (then also its ДокументОснование);
// found by xref or marker before creating; cancelled invoices become «Аннулирован». Configurations without a
// customer invoice (Розница) reject the delivery with a reason naming what is missing.
import type { Invoice, Link } from '@esb/canonical';
import { substringof, type OneCEntity } from '@esb/onec-client';
import { invoiceContentBody, invoiceCreateBody, invoiceDifferences, type InvoiceRefs } from '../mapping/invoice.ts';
import { navigationUrl, onecRefFor, originMarker } from '../mapping/order.ts';
import type { Job } from './job.ts';
import { fullDoc } from './orders.ts';
import { buyerOf, currencyOf, legalEntityOf, organisationOf } from './resolve.ts';

async function orderDocOf(job: Job, orderId: string): Promise<OneCEntity | undefined> {
  const set = job.shape.order?.set;
  if (!set) return undefined;
  const x = await job.tx.xrefByCanonical('order', orderId, job.systemId);
  const viaXref = x ? await fullDoc(job, set, x.externalId) : undefined;
  if (viaXref && viaXref['DeletionMark'] !== true) return viaXref;
  const found = await job.read((c) => c.list(set, { filter: substringof(originMarker('order', orderId), 'Комментарий'), select: ['Ref_Key', 'DeletionMark'], orderby: ['Date', 'Number'] }));
  const live = found.find((d) => d['DeletionMark'] !== true);
  return live ? fullDoc(job, set, String(live['Ref_Key'])) : undefined;
}

export async function writeInvoice(job: Job, invoice: Invoice): Promise<void> {
  const set = job.shape.invoice?.set;
  if (!set) {
    const lack = job.shape.lacks.find((l) => l.record === 'esb.canonical.Invoice');
    throw job.reject(`${job.shape.title} (profile ${job.shape.profile}) lacks ${lack?.missing ?? 'a customer invoice document'}: ${lack?.effect ?? 'invoices cannot be written here'}`, 'ESB_TARGET_REJECTED');
  }
  await job.lock(`invoice:${invoice.invoiceId}`);
  const order = invoice.orderId ? await orderDocOf(job, invoice.orderId) : undefined;
  const sellerIds = [invoice.sellerLegalEntityId, invoice.meta.legalEntityId];
  const organisation = sellerIds.some(Boolean) || !order ? await organisationOf(job, legalEntityOf(job, sellerIds)) : String(order['Организация_Key']);

  let counterparty: string;
  let partner: string | undefined;
  if (invoice.buyer) ({ counterparty, partner } = await buyerOf(job, invoice.buyer));
  else if (order) {
    counterparty = String(order['Контрагент_Key']);
    partner = typeof order['Партнер_Key'] === 'string' ? order['Партнер_Key'] : undefined;
  } else throw job.reject(`the invoice names no buyer and its order${invoice.orderId ? ` (${invoice.orderId})` : ''} is not in this base to take the buyer from`);
  const currency = await currencyOf(job, invoice.currency);
  if (!currency) throw job.reject(`${job.shape.title} has no currency catalog to write the invoice's ${invoice.currency} into`, 'ESB_TARGET_REJECTED');
  const refs: InvoiceRefs = {
    organisation,
    counterparty,
    currency,
    ...(partner ? { partner } : {}),
    ...(order ? { order: String(order['Ref_Key']), orderSet: job.shape.order!.set } : {}),
  };
  if (invoice.orderId && !order) job.c.logger.info('invoice written without its order: the order is not in this base (yet)', { systemId: job.systemId, invoiceId: invoice.invoiceId, orderId: invoice.orderId, eventId: job.rec.eventId });

  const x = await job.tx.xrefByCanonical('invoice', invoice.invoiceId, job.systemId);
  let doc = x ? await fullDoc(job, set, x.externalId) : undefined;
  if (!doc) {
    const found = await job.read((c) => c.list(set, { filter: substringof(originMarker('invoice', invoice.invoiceId), 'Комментарий'), select: ['Ref_Key', 'DeletionMark'], orderby: ['Date', 'Number'] }));
    const pick = found.find((d) => d['DeletionMark'] !== true) ?? found[0];
    if (pick) doc = await fullDoc(job, set, String(pick['Ref_Key']));
  }
  const cancelled = invoice.status === 'CANCELLED';
  let existed = !!doc;
  if (!doc) {
    const r = await job.createOnce(set, onecRefFor('invoice', invoice.invoiceId, organisation), invoiceCreateBody(invoice, refs), { details: { invoiceId: invoice.invoiceId, amount: invoice.amount, order: refs.order ?? null } });
    doc = r.entity;
    existed = r.existed;
  }
  if (existed) {
    const content = invoiceContentBody(invoice, refs);
    const changed = invoiceDifferences(doc, content);
    if (changed.length) {
      const ref = String(doc['Ref_Key']);
      doc = await job.write(`update ${set}`, (c) => c.update(set, ref, content), { details: { invoiceId: invoice.invoiceId, changed } });
    }
  }
  const ref = String(doc['Ref_Key']);
  if (job.cfg.system.postDocuments && !cancelled && doc['Posted'] !== true) await job.write(`post ${set}`, (c) => c.post(set, ref), { details: { ref } });
  const final = await job.read((c) => c.get(set, ref, { select: ['Ref_Key', 'Number', 'DataVersion'] }));
  await job.remember(set, final);

  const number = typeof final['Number'] === 'string' ? final['Number'] : null;
  const url = navigationUrl(job.client.baseUrl, set, ref);
  const prev = await job.tx.xrefByCanonical('invoice', invoice.invoiceId, job.systemId);
  await job.tx.xrefPut({ entityType: 'invoice', canonicalId: invoice.invoiceId, systemId: job.systemId, externalId: ref, number, url });
  if (!prev || prev.externalId !== ref || prev.number !== number) {
    const value: Link = { meta: job.c.metaCausedBy(invoice, { externalId: ref }), entityType: 'invoice', canonicalId: invoice.invoiceId, systemId: job.systemId, externalId: ref, number, url };
    await job.c.emit(job.tx, 'esb.canonical.Link', value, invoice.invoiceId);
  }
}
