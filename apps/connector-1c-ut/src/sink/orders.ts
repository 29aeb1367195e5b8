// Order deliveries → the customer order in this base (F1, F8, F10's "creates it under the new one"): found by xref or
// by the origin marker in its comment before anything is created, so a crash between the write in 1C and our commit
// — or any redelivery — never makes a second order; updated only when the content changed; posted when the database
// is configured to post; then linked (xref + a Link event in the same transaction as the inbox row).
import type { Link, Order } from '@esb/canonical';
import { EsbError } from '@esb/bus';
import { datetime, and, ge, le, substringof, OneCError, type OneCEntity } from '@esb/onec-client';
import { checkOrderTotals, navigationUrl, onecRefFor, orderContentBody, orderCreateBody, orderDifferences, originMarker, type OrderRefs } from '../mapping/order.ts';
import type { Job } from './job.ts';
import { buyerOf, currencyOf, legalEntityOf, nomenclatureOf, organisationOf, storeOf, vatValues } from './resolve.ts';

const DAY = 86_400_000;
const HEADER = ['Ref_Key', 'Number', 'Date', 'Posted', 'DeletionMark', 'Организация_Key', 'Комментарий'];

/** The order set of this configuration, or a permanent error naming what the configuration lacks. */
export function orderSetOf(job: Job, record: 'esb.canonical.Order' | 'esb.canonical.OrderReversal'): string {
  const o = job.shape.order;
  if (!o) {
    const lack = job.shape.lacks.find((l) => l.record === record && l.blocking);
    throw job.reject(`${job.shape.title} (profile ${job.shape.profile}) lacks ${lack?.missing ?? 'a customer order document'}: ${lack?.effect ?? 'orders cannot be written here'}`, 'ESB_TARGET_REJECTED');
  }
  return o.set;
}

export async function fullDoc(job: Job, set: string, ref: string): Promise<OneCEntity | undefined> {
  try {
    return await job.read((c) => c.get(set, ref));
  } catch (e) {
    if (e instanceof OneCError && e.status === 404) return undefined;
    throw e;
  }
}

/**
 * The 1C document this order already is under `organisation`, if any: through the xref, else under the Ref_Key the
 * bus gives it, else through the marker in the comment of documents dated around the order date (the date the bus wrote, so the search stays on 1C's date
 * index). A live document of the same order under another organisation means the reversal for that entity has not
 * been applied yet: retriable, it usually arrives first on the same partition.
 */
export async function findOrderDoc(job: Job, set: string, orderId: string, orderDate: string | null, organisation: string, opts: { conflictIfElsewhere: boolean }): Promise<OneCEntity | undefined> {
  const sameOrg = (d: OneCEntity) => String(d['Организация_Key'] ?? '').toLowerCase() === organisation.toLowerCase();
  const x = await job.tx.xrefByCanonical('order', orderId, job.systemId);
  if (x) {
    const d = await fullDoc(job, set, x.externalId);
    if (d && sameOrg(d)) return d;
  }
  const byKey = await fullDoc(job, set, onecRefFor('order', orderId, organisation));
  if (byKey) return byKey;
  const marker = originMarker('order', orderId);
  const filter = orderDate
    ? and(ge('Date', datetime(new Date(Date.parse(orderDate) - 2 * DAY))), le('Date', datetime(new Date(Date.parse(orderDate) + 2 * DAY))), substringof(marker, 'Комментарий'))
    : substringof(marker, 'Комментарий');
  const found = await job.read((c) => c.list(set, { filter, select: HEADER, orderby: ['Date', 'Number'] }));
  const mine = found.filter(sameOrg);
  const pick = mine.find((d) => d['DeletionMark'] !== true) ?? mine[0];
  if (pick) {
    if (mine.length > 1) job.c.logger.warn('several 1C documents carry the same order marker; using the first live one', { systemId: job.systemId, marker, refs: mine.map((d) => d['Ref_Key']) });
    return fullDoc(job, set, String(pick['Ref_Key']));
  }
  const elsewhere = found.find((d) => d['DeletionMark'] !== true);
  if (elsewhere && opts.conflictIfElsewhere) {
    throw new EsbError(
      'ESB_CONFLICT',
      `${job.rec.what} → ${job.systemId}: the order is already ${set} ${String(elsewhere['Number'])} under another organisation (${String(elsewhere['Организация_Key'])}) and not cancelled; an OrderReversal for that legal entity must come first`,
      { system: job.systemId, businessKey: job.businessKey() },
    );
  }
  return undefined;
}

export async function writeOrder(job: Job, order: Order): Promise<void> {
  const set = orderSetOf(job, 'esb.canonical.Order');
  const shape = job.shape.order!.shape;
  if (!order.lines.length) throw job.reject('the order has no rows; 1C does not post an order without goods');
  checkOrderTotals(order);
  await job.lock(`order:${order.orderId}`);

  const entity = legalEntityOf(job, [order.sellerLegalEntityId, order.meta.legalEntityId]);
  const organisation = await organisationOf(job, entity);
  let doc = await findOrderDoc(job, set, order.orderId, order.date, organisation, { conflictIfElsewhere: true });

  const buyer = await buyerOf(job, order.buyer);
  const vat = await vatValues(job, order.lines.map((l) => l.vatRate));
  const nomenclature = await nomenclatureOf(job, order, vat);
  const currency = await currencyOf(job, order.currency);
  const store = shape.family === 'retail' ? await storeOf(job, organisation) : undefined;
  const refs: OrderRefs = {
    organisation,
    counterparty: buyer.counterparty,
    nomenclature,
    vat,
    ...(buyer.partner ? { partner: buyer.partner } : {}),
    ...(currency ? { currency } : {}),
    ...(store ? { store } : {}),
  };
  const post = job.cfg.system.postDocuments;

  if (!doc) {
    const body = orderCreateBody(order, refs, shape, { post });
    const r = await job.createOnce(set, onecRefFor('order', order.orderId, organisation), body, { details: { orderId: order.orderId, rows: order.lines.length, total: order.total } });
    // `existed`: an earlier attempt created it and its answer was lost; it may hold an older version of the order.
    doc = r.existed ? await reconcile(job, set, r.entity, order, refs) : r.entity;
  } else doc = await reconcile(job, set, doc, order, refs);
  const ref = String(doc['Ref_Key']);
  // A document marked for deletion (a reversed order that stays cancelled) cannot be posted in 1C.
  if (post && doc['Posted'] !== true && doc['Статус'] !== 'Закрыт' && doc['DeletionMark'] !== true) await job.write(`post ${set}`, (c) => c.post(set, ref), { details: { ref } });
  const final = await job.read((c) => c.get(set, ref, { select: ['Ref_Key', 'Number', 'DataVersion', 'Posted'] }));
  await job.remember(set, final);
  await link(job, order, set, final, entity.canonicalId);
}

/** Where the time of the last reversal of an order under an organisation is kept (the store's cursor table). */
export const reversalCursor = (orderId: string, organisation: string) => `esb-1c-reversed:${orderId.toLowerCase()}:${organisation.toLowerCase()}`;

/** Brings an order already in 1C up to date: written only when the content differs (or it must be restored). */
async function reconcile(job: Job, set: string, doc: OneCEntity, order: Order, refs: OrderRefs): Promise<OneCEntity> {
  const shape = job.shape.order!.shape;
  if (doc['Статус'] === 'Закрыт') {
    job.c.logger.info('order is closed in 1C; the redelivery changes nothing', { systemId: job.systemId, ref: doc['Ref_Key'], number: doc['Number'], eventId: job.rec.eventId });
    return doc;
  }
  const content = orderContentBody(order, refs, shape);
  const changed = orderDifferences(doc, content, shape);
  const revive = doc['DeletionMark'] === true;
  if (revive) {
    // A reversal newer than this order event wins: a late redelivery or a DLQ replay must not bring a cancelled order back.
    const reversedAt = await job.tx.cursorGet(reversalCursor(order.orderId, refs.organisation));
    if (reversedAt && Date.parse(reversedAt) >= Date.parse(order.meta.occurredAt)) {
      job.c.logger.info('order stays cancelled: it was reversed after this order event', { systemId: job.systemId, ref: doc['Ref_Key'], reversedAt, occurredAt: order.meta.occurredAt, eventId: job.rec.eventId });
      await job.c.log({ direction: 'out', operation: `update ${set}`, status: 'skipped', recordType: job.rec.recordType, eventId: job.rec.eventId, correlationId: job.rec.correlationId, businessKeys: job.rec.keys, details: { why: `reversed at ${reversedAt}, after this order event (${order.meta.occurredAt})` } }, job.tx);
      return doc;
    }
  }
  if (!changed.length && !revive) return doc;
  // A posted order is re-posted by 1C when written; one marked for deletion (a reversed order whose deal came back) is restored.
  const patch = { ...content, ...(revive ? { DeletionMark: false } : {}) };
  const ref = String(doc['Ref_Key']);
  return job.write(`update ${set}`, (c) => c.update(set, ref, patch), { details: { orderId: order.orderId, changed, revived: revive } });
}

/** xref of the order, and a Link event for the origin (the 1C id and number on the deal) when the link is new or changed. */
async function link(job: Job, order: Order, set: string, doc: OneCEntity, legalEntityId: string): Promise<void> {
  const ref = String(doc['Ref_Key']);
  const number = typeof doc['Number'] === 'string' ? doc['Number'] : null;
  const url = navigationUrl(job.client.baseUrl, set, ref);
  const prev = await job.tx.xrefByCanonical('order', order.orderId, job.systemId);
  await job.tx.xrefPut({ entityType: 'order', canonicalId: order.orderId, systemId: job.systemId, externalId: ref, number, url });
  if (prev && prev.externalId === ref && prev.number === number) return;
  const value: Link = {
    meta: job.c.metaCausedBy(order, { externalId: ref, legalEntityId }),
    entityType: 'order',
    canonicalId: order.orderId,
    systemId: job.systemId,
    externalId: ref,
    number,
    url,
  };
  await job.c.emit(job.tx, 'esb.canonical.Link', value, order.orderId);
}
