// The deal-side effects of 1C's documents about an order (F1 write-back, F2, F3, F4, F8): Link, Invoice, Payment,
// Shipment and EdoStatus records delivered to this portal, each applied to the order's deal compare-before-write.
import type { EdoStatus, Invoice, Link, Payment, Shipment } from '@esb/canonical';
import type { Connector } from '@esb/connector-kit';
import type { StoreTx } from '@esb/store';
import { b24Config } from '../config.ts';
import { edoToDeal } from '../mapping/edo.ts';
import { invoiceToDeal } from '../mapping/invoice-out.ts';
import { linkToDeal } from '../mapping/link.ts';
import { invoicesToMarkPaid, paymentToDeal, type SmartInvoiceState } from '../mapping/payment.ts';
import { shipmentToDeal } from '../mapping/shipment.ts';
import { invalid, refOf, rethrow, trace, type RecordRef } from './context.ts';
import type { Deals } from './deals.ts';
import type { DiskFiles } from './disk.ts';
import type { Portal } from './portal.ts';

const short = (id: string): string => id.slice(0, 8);

export class OrderEffects {
  constructor(
    private readonly c: Connector,
    private readonly portal: Portal,
    private readonly deals: Deals,
    private readonly disk: DiskFiles,
  ) {}

  private get cfg() {
    return b24Config(this.c);
  }

  /** A record this portal published itself, come back: the portal already shows it. */
  private async ownEcho(ref: RecordRef, source: { system: string }, keys: Record<string, string>): Promise<boolean> {
    if (source.system !== this.c.systemId) return false;
    await trace(this.c, ref, 'apply', 'skipped', keys, { details: { reason: `the record was published by ${this.c.systemId} itself` } });
    return true;
  }

  async link(link: Link, tx: StoreTx): Promise<void> {
    const ref = refOf('Link', link.meta, `Link of ${link.entityType} ${link.canonicalId} to ${link.systemId} ${link.number ?? link.externalId}`, tx);
    const keys = { order: link.canonicalId, onecOrder: link.number ?? link.externalId };
    const d = linkToDeal(link, this.cfg.fields);
    if ('skip' in d) {
      await trace(this.c, ref, 'apply', 'skipped', keys, { details: { reason: d.skip } });
      return;
    }
    if (link.systemId === this.c.systemId) {
      await trace(this.c, ref, 'apply', 'skipped', keys, { details: { reason: 'a link to a record of this portal itself' } });
      return;
    }
    // The other system's id of the order, for traces ("where is order ЗК-000123").
    await putXref(tx, { entityType: link.entityType, canonicalId: link.canonicalId, systemId: link.systemId, externalId: link.externalId, number: link.number, url: link.url });
    const dealId = await this.deals.dealOfOrder(ref, link.canonicalId);
    await putXref(tx, { entityType: 'order', canonicalId: link.canonicalId, systemId: this.c.systemId, externalId: String(dealId) });
    const deal = await this.deals.get(ref, dealId);
    await this.deals.apply(ref, deal, d.apply.fields, { keys });
    await this.deals.commentOnce(ref, dealId, d.apply.comment, { keys });
  }

  async invoice(inv: Invoice, tx: StoreTx): Promise<void> {
    const ref = refOf('Invoice', inv.meta, `Invoice ${inv.number} (${short(inv.invoiceId)}) of order ${inv.orderId ?? '—'}`, tx);
    const keys = { invoice: inv.number, ...(inv.orderId ? { order: inv.orderId } : {}) };
    if (await this.ownEcho(ref, inv.meta.source, keys)) return;
    if (!inv.orderId) {
      await trace(this.c, ref, 'apply', 'skipped', keys, { details: { reason: 'a standalone invoice (orderId null) has no deal to be shown on' } });
      return;
    }
    const dealId = await this.deals.dealOfOrder(ref, inv.orderId);
    const deal = await this.deals.get(ref, dealId);
    const dkeys = { ...keys, deal: String(dealId) };
    let pdfUrl: string | undefined;
    let placed: Awaited<ReturnType<DiskFiles['placeOnce']>> | undefined;
    if (inv.pdf) {
      const folder = await this.disk.dealFolder(ref, dealId);
      placed = await this.disk.placeOnce(ref, folder, inv.pdf, dkeys);
      pdfUrl = placed.detailUrl || undefined;
    }
    const plan = invoiceToDeal(inv, this.cfg.fields, deal.offsetMin, pdfUrl);
    await this.deals.apply(ref, deal, plan.fields, { keys });
    // The PDF goes on the timeline with the comment; its bytes are fetched only when the comment is really added.
    const pdf = inv.pdf;
    const attach = pdf && placed ? async (): Promise<Array<[string, string]>> => [[placed.name, (placed.bytes ?? (await this.disk.fetchDocument(ref, pdf))).toString('base64')]] : undefined;
    await this.deals.commentOnce(ref, dealId, plan.comment, { keys, ...(attach ? { files: attach } : {}) });
    await putXref(tx, { entityType: 'invoice', canonicalId: inv.invoiceId, systemId: this.c.systemId, externalId: `D_${dealId}:${inv.number}`, number: inv.number, url: pdfUrl ?? null });
  }

  async payment(p: Payment, tx: StoreTx): Promise<void> {
    const ref = refOf('Payment', p.meta, `Payment ${p.document.number} (${short(p.paymentId)}) of order ${p.orderId ?? '—'} / invoice ${p.invoiceId ?? '—'}`, tx);
    const keys = { payment: p.document.number, status: p.status, ...(p.orderId ? { order: p.orderId } : {}) };
    if (await this.ownEcho(ref, p.meta.source, keys)) return;
    const dealId = await this.dealOfPayment(ref, p);
    const deal = await this.deals.get(ref, dealId);
    const plan = paymentToDeal(p, deal, this.cfg.fields, this.cfg.paymentStages);
    await this.deals.apply(ref, deal, plan.fields, { keys, ...(plan.stage ? { stage: plan.stage } : {}) });
    await this.markInvoicesPaid(ref, p, dealId, keys);
  }

  private async dealOfPayment(ref: RecordRef, p: Payment): Promise<number> {
    if (p.orderId) return this.deals.dealOfOrder(ref, p.orderId);
    if (p.invoiceId) {
      const x = await ref.tx.xrefByCanonical('invoice', p.invoiceId, this.c.systemId);
      const m = x ? /^D_(\d+):/.exec(x.externalId) : null;
      if (m) return Number(m[1]);
      throw invalid(this.c, ref, `invoiceId ${p.invoiceId} is not an invoice this portal has shown on a deal, and orderId is null; deliver the Invoice first, then replay this payment`, p.invoiceId);
    }
    throw invalid(this.c, ref, 'orderId and invoiceId are both null: nothing ties the payment to a deal', p.paymentId);
  }

  private async markInvoicesPaid(ref: RecordRef, p: Payment, dealId: number, keys: Record<string, string>): Promise<void> {
    if (p.status !== 'PAID') return;
    let items: Array<{ id: number; stageId: string; categoryId: number }>;
    try {
      const r = await this.portal.call<{ items?: Array<{ id: number; stageId: string; categoryId: number }> }>('crm.item.list', { entityTypeId: 31, filter: { parentId2: dealId }, select: ['id', 'stageId', 'categoryId'] });
      items = Array.isArray(r?.items) ? r.items : [];
    } catch (e) {
      rethrow(this.c, ref, `listing the smart invoices of deal ${dealId}`, e, String(dealId));
    }
    const invoices: SmartInvoiceState[] = items.map((i) => ({ id: Number(i.id), stageId: String(i.stageId), categoryId: Number(i.categoryId) }));
    const semantics = new Map<number, Map<string, string>>();
    for (const cat of new Set(invoices.map((i) => i.categoryId))) semantics.set(cat, await this.portal.stageSemantics(`SMART_INVOICE_STAGE_${cat}`));
    const paidStageOf = (cat: number) => [...(semantics.get(cat) ?? new Map<string, string>())].find(([, s]) => s === 'S')?.[0];
    const isOpen = (stageId: string) => [...semantics.values()].some((m) => m.get(stageId) === '');
    const moves = invoicesToMarkPaid(p, invoices, this.c.systemId, paidStageOf, isOpen);
    for (const m of moves) {
      const t0 = performance.now();
      try {
        await this.portal.write('crm.item.update', { entityTypeId: 31, id: m.id, fields: { stageId: m.stageId } });
      } catch (e) {
        rethrow(this.c, ref, `moving smart invoice ${m.id} of deal ${dealId} to ${m.stageId}`, e, String(dealId));
      }
      await trace(this.c, ref, 'crm.item.update', 'ok', { ...keys, deal: String(dealId), smartInvoice: String(m.id) }, { latencyMs: performance.now() - t0, details: { stageId: m.stageId } });
    }
  }

  async shipment(s: Shipment, tx: StoreTx): Promise<void> {
    const ref = refOf('Shipment', s.meta, `Shipment ${s.documentNumber} (${short(s.shipmentId)}) of order ${s.orderId}`, tx);
    const keys = { shipment: s.documentNumber, order: s.orderId, ...(s.trackingNumber ? { tracking: s.trackingNumber } : {}) };
    if (await this.ownEcho(ref, s.meta.source, keys)) return;
    const dealId = await this.deals.dealOfOrder(ref, s.orderId);
    const deal = await this.deals.get(ref, dealId);
    await this.deals.apply(ref, deal, shipmentToDeal(s, this.cfg.fields), { keys });
  }

  async edo(e: EdoStatus, tx: StoreTx): Promise<void> {
    const ref = refOf('EdoStatus', e.meta, `EDO status ${e.status} of ${e.documentNumber ?? e.documentId} (order ${e.orderId})`, tx);
    const keys = { order: e.orderId, edo: e.status, ...(e.documentNumber ? { document: e.documentNumber } : {}) };
    if (await this.ownEcho(ref, e.meta.source, keys)) return;
    const dealId = await this.deals.dealOfOrder(ref, e.orderId);
    const deal = await this.deals.get(ref, dealId);
    const plan = edoToDeal(e, deal, this.cfg.edoSignedStages);
    if (plan.stage) await this.deals.apply(ref, deal, {}, { keys, stage: plan.stage });
    if (plan.comment) await this.deals.commentOnce(ref, dealId, plan.comment, { keys });
    if (!plan.stage && !plan.comment) await trace(this.c, ref, 'apply', 'skipped', { ...keys, deal: String(dealId) }, { details: { reason: `${e.status} changes nothing on the deal` } });
  }
}

/** xrefPut that leaves an external id already linked to another canonical id alone (xref_external is unique). */
export async function putXref(tx: StoreTx, l: { entityType: string; canonicalId: string; systemId: string; externalId: string; number?: string | null; url?: string | null }): Promise<boolean> {
  const other = await tx.xrefByExternal(l.entityType, l.systemId, l.externalId);
  if (other && other.canonicalId !== l.canonicalId) return false;
  await tx.xrefPut(l);
  return true;
}
