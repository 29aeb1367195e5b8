// OrderReversal (F10) → what to do with the order in this base: unpost it (1C removes its movements — in УТ the
// amount the customer owes for it in РасчетыСКлиентами and the goods to ship), then mark it for deletion. The order
// is never deleted physically (reference §1.9: DELETE is physical), so the history stays. In this order, because
// 1C refuses to post — and so to re-write a posted document — once it is marked for deletion.
import type { OrderReversal } from '@esb/canonical';

export interface ReversalPlan {
  unpost: boolean;
  markDeleted: boolean;
  /** Nothing left to do: a replay, or someone already cancelled it in 1C. */
  done: boolean;
}

export function reversalPlan(doc: { Posted?: unknown; DeletionMark?: unknown }): ReversalPlan {
  const unpost = doc.Posted === true;
  const markDeleted = doc.DeletionMark !== true;
  return { unpost, markDeleted, done: !unpost && !markDeleted };
}

const REASONS: Record<OrderReversal['reason'], string> = {
  CANCELLED: 'заказ отменен',
  MOVED_TO_OTHER_LEGAL_ENTITY: 'сделка перенесена в воронку другого юрлица',
};

/** The comment after reversal: the old one kept, one line saying why and when the bus cancelled it. */
export function reversalComment(existing: unknown, reversal: Pick<OrderReversal, 'reason' | 'comment' | 'meta'>): string {
  const old = typeof existing === 'string' ? existing.trimEnd() : '';
  const why = [REASONS[reversal.reason], reversal.comment?.trim()].filter(Boolean).join(': ');
  const line = `Отменен шиной ESB ${reversal.meta.occurredAt.slice(0, 10)}: ${why}.`;
  return old.includes(line) ? old : old ? `${old}\n${line}` : line;
}
