// Deals → Order (+ the buyer's Counterparty), F1 and F10. ONE batch call reads the deal, its product rows, the stages
// of its funnel, its company with requisites and contact persons, and its contact with requisites — later commands
// take the ids from the deal through `$result[d][…]` (reference §3.3). A deal at/after its funnel's trigger stage
// becomes an Order keyed documentId('order', system, deal id); a funnel move republishes it with the new
// categoryId (the router turns that into a reversal plus a new order); anything that leaves the Order unchanged,
// like the sink writing UF_CRM_1C_ORDER_ID back, publishes nothing.
import type { StoreTx } from '@esb/store';
import { dealToOrder, documentBuyer, sellerFromField, stagesOf, triggerDecision } from '../mapping/deal.ts';
import { idOf, instant, text } from '../mapping/form.ts';
import { b24Config } from '../config.ts';
import { CONTACT_SELECT, isNotFound, isRecord, part, records, ref, sellerEntities, type SourceCtx } from './context.ts';
import { publishCounterparty } from './parties.ts';
import { lastPublished, lockObject, publishIfChanged } from './state.ts';

export const ORDER = 'esb.canonical.Order';

export async function processDeal(s: SourceCtx, tx: StoreTx, dealId: string, via: string): Promise<void> {
  const c = s.c;
  const objectKey = `deal:${dealId}`;
  await lockObject(tx, c.systemId, objectKey);
  const client = await s.client();
  const b = await client.batch({
    d: { method: 'crm.deal.get', params: { id: dealId } },
    rows: { method: 'crm.deal.productrows.get', params: { id: dealId } },
    st: { method: 'crm.dealcategory.stage.list', params: { id: ref('d', 'CATEGORY_ID') } },
    co: { method: 'crm.company.get', params: { id: ref('d', 'COMPANY_ID') } },
    corq: { method: 'crm.requisite.list', params: { filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: ref('d', 'COMPANY_ID') } } },
    coct: { method: 'crm.contact.list', params: { filter: { COMPANY_ID: ref('d', 'COMPANY_ID') }, select: CONTACT_SELECT } },
    ct: { method: 'crm.contact.get', params: { id: ref('d', 'CONTACT_ID') } },
    ctrq: { method: 'crm.requisite.list', params: { filter: { ENTITY_TYPE_ID: 3, ENTITY_ID: ref('d', 'CONTACT_ID') } } },
  });
  const skip = (reason: string, keys: Record<string, string> = {}) =>
    c.log({ direction: 'in', operation: `read deal (${via})`, status: 'skipped', businessKeys: { deal: dealId, ...keys }, details: { reason } }, tx);

  if (b.errors.d) {
    if (isNotFound(b.errors.d)) return skip(`deal ${dealId} no longer exists in the portal`);
    throw b.errors.d;
  }
  const deal = part(b, 'd');
  if (!isRecord(deal)) return skip(`deal ${dealId}: the portal returned no record`);
  if (b.errors.rows) throw b.errors.rows;

  const cfg = b24Config(c);
  const categoryId = text(deal.CATEGORY_ID) || '0';
  const stageId = text(deal.STAGE_ID);
  const before = await lastPublished(tx, ORDER, objectKey);
  const decision = triggerDecision({
    dealId,
    categoryId,
    stageId,
    semantic: text(deal.STAGE_SEMANTIC_ID),
    triggerStage: cfg.triggerStages.get(categoryId),
    stages: stagesOf(part(b, 'st')),
    alreadyPublished: before !== undefined,
  });
  if (!decision.publish) return skip(decision.reason, { stage: stageId, funnel: categoryId });

  const where = `deal ${dealId}`;
  const buyer = documentBuyer(where, deal.COMPANY_ID, deal.CONTACT_ID, {
    company: isRecord(part(b, 'co')) ? (part(b, 'co') as Record<string, unknown>) : undefined,
    companyRequisites: records(part(b, 'corq')),
    companyContacts: records(part(b, 'coct')),
    contact: isRecord(part(b, 'ct')) ? (part(b, 'ct') as Record<string, unknown>) : undefined,
    contactRequisites: records(part(b, 'ctrq')),
  });
  const field = cfg.system.sellerEntityField;
  const seller = field ? sellerFromField(deal[field], sellerEntities(c), where, field) : null;
  const rows = records(part(b, 'rows'));
  // Products the catalog sink put into the portal carry the canonical id it recorded; others are keyed by portal id.
  const productIds: Record<string, string> = {};
  const articles: Record<string, string> = {};
  for (const r of rows) {
    const pid = idOf(r.PRODUCT_ID);
    if (!pid || productIds[pid]) continue;
    const x = await tx.xrefByExternal('product', c.systemId, pid);
    if (x) productIds[pid] = x.canonicalId;
    if (x?.number) articles[pid] = x.number;
  }
  const order = dealToOrder({ systemId: c.systemId, deal, rows, buyer, sellerLegalEntityId: seller, productIds, articles });

  const company = idOf(deal.COMPANY_ID);
  const owner = company ? { kind: 'company' as const, id: company } : { kind: 'contact' as const, id: idOf(deal.CONTACT_ID)! };
  await lockObject(tx, c.systemId, `${owner.kind}:${owner.id}`);
  await publishCounterparty(s, tx, owner, buyer, instant(deal.DATE_MODIFY), `${via}, buyer of deal ${dealId}`);

  const r = await publishIfChanged(c, tx, { recordType: ORDER, objectKey, body: order, key: order.orderId, externalId: dealId, occurredAt: instant(deal.DATE_MODIFY) });
  await c.log(
    {
      direction: 'in',
      operation: `publish Order (${via})`,
      status: r.published ? 'ok' : 'duplicate',
      recordType: ORDER,
      eventId: r.eventId,
      businessKeys: { deal: dealId, order: order.orderId, funnel: categoryId, ...(buyer.inn ? { inn: buyer.inn } : {}) },
      details: r.published
        ? { reason: decision.reason, version: r.seq, lines: order.lines.length, total: order.total }
        : { reason: `deal ${dealId} maps to the Order published as version ${r.seq}: nothing relevant changed (e.g. a field written by the bus)` },
    },
    tx,
  );
}
