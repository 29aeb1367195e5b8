// OrderReversal deliveries (F10: a deal moved to another legal entity's funnel, or cancelled) → the order of the old
// entity in this base is unposted — in УТ that removes what the customer owed for it (РасчетыСКлиентами.КОплате)
// and the goods to ship — and marked for deletion with the reason in its comment. A shipped order is not reversed
// behind a person's back: its posted sales must be undone in 1C first, and the error says which.
import type { OrderReversal } from '@esb/canonical';
import { and, cast, eq } from '@esb/onec-client';
import { reversalComment, reversalPlan } from '../mapping/reversal.ts';
import type { Job } from './job.ts';
import { findOrderDoc, orderSetOf, reversalCursor } from './orders.ts';
import { legalEntityOf, organisationOf } from './resolve.ts';

export async function reverseOrder(job: Job, rev: OrderReversal): Promise<void> {
  const set = orderSetOf(job, 'esb.canonical.OrderReversal');
  await job.lock(`order:${rev.orderId}`);
  const entity = legalEntityOf(job, [rev.fromLegalEntityId]);
  const organisation = await organisationOf(job, entity);
  const doc = await findOrderDoc(job, set, rev.orderId, null, organisation, { conflictIfElsewhere: false });
  const skip = async (why: string) => {
    job.c.logger.info(`order reversal skipped: ${why}`, { systemId: job.systemId, orderId: rev.orderId, eventId: job.rec.eventId });
    await job.c.log({ direction: 'out', operation: `reverse ${set}`, status: 'skipped', recordType: job.rec.recordType, eventId: job.rec.eventId, correlationId: job.rec.correlationId, businessKeys: job.rec.keys, details: { why } }, job.tx);
  };
  if (!doc) return skip(`no order ${rev.orderNumber ?? rev.orderId} of legal entity "${entity.id}" in this base`);
  const ref = String(doc['Ref_Key']);
  const number = String(doc['Number'] ?? '');
  const plan = reversalPlan(doc);
  // Remembered (the latest wins) so an older Order event redelivered later does not bring the order back.
  const cursor = reversalCursor(rev.orderId, organisation);
  const before = await job.tx.cursorGet(cursor);
  if (!before || Date.parse(before) < Date.parse(rev.meta.occurredAt)) await job.tx.cursorSet(cursor, rev.meta.occurredAt);
  if (plan.done) return skip(`${set} ${number} is already unposted and marked for deletion`);

  if (job.shape.sale && plan.unpost) {
    const sales = await job.read((c) => c.list(job.shape.sale!, { filter: and(eq('ЗаказКлиента', cast(ref, set)), eq('Posted', true), eq('DeletionMark', false)), select: ['Ref_Key', 'Number'] }));
    if (sales.length) {
      throw job.reject(
        `${set} ${number} is already shipped (posted ${job.shape.sale} ${sales.map((s) => String(s['Number'])).join(', ')}); unpost the shipments in 1C, then replay this reversal from the DLQ`,
        'ESB_TARGET_REJECTED',
      );
    }
  }
  const keys = { ...job.rec.keys, onecNumber: number };
  if (plan.unpost) await job.write(`unpost ${set}`, (c) => c.unpost(set, ref), { keys, details: { ref, debtReversed: !!job.shape.settlements } });
  if (plan.markDeleted) {
    const patch = { DeletionMark: true, Комментарий: reversalComment(doc['Комментарий'], rev) };
    await job.write(`mark deleted ${set}`, (c) => c.update(set, ref, patch), { keys, details: { ref, reason: rev.reason, toLegalEntityId: rev.toLegalEntityId } });
  }
  const final = await job.read((c) => c.get(set, ref, { select: ['Ref_Key', 'DataVersion'] }));
  await job.remember(set, final);
}
