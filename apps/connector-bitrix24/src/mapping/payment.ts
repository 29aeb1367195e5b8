// Payment (F3): the deal shows paid / partial / unpaid, the amount paid, the payment date and the balance; its stage
// moves as the funnel's mapping says; a paid order moves its smart invoice to the paid stage. Pure.
import { documentId, type Payment } from '@esb/canonical';
import type { UfValue } from '../sink/fields.ts';

export interface PaymentFields {
  paymentStatus: string;
  amountPaid: string;
  paymentDate: string;
  balance: string;
}

/** What the sink knows about the deal before writing. */
export interface DealState {
  categoryId: string;
  stageId: string;
  /** P in progress, S won, F lost (STAGE_SEMANTIC_ID). */
  stageSemantic: string;
}

export interface DealPaymentPlan {
  fields: Record<string, UfValue>;
  /** The stage to move to; undefined when the mapping has none or the deal is closed or already there. */
  stage?: string;
}

export type StageMap = Record<string, Partial<Record<Payment['status'], string>>>;

export function paymentToDeal(p: Payment, deal: DealState, f: PaymentFields, stages: StageMap): DealPaymentPlan {
  const fields: Record<string, UfValue> = {
    [f.paymentStatus]: { t: 'enum', xmlId: p.status },
    [f.amountPaid]: { t: 'money', amount: p.totalPaid, currency: p.currency },
    [f.paymentDate]: { t: 'instant', at: p.date },
    [f.balance]: { t: 'money', amount: p.balance, currency: p.currency },
  };
  const target = stages[deal.categoryId]?.[p.status];
  // A closed deal (won or lost) is not reopened by a late payment: people closed it on purpose.
  const stage = target && deal.stageSemantic === 'P' && deal.stageId !== target ? target : undefined;
  return { fields, ...(stage ? { stage } : {}) };
}

export interface SmartInvoiceState {
  id: number;
  stageId: string;
  categoryId: number;
}

/**
 * The smart invoices (entityTypeId 31) of the deal to move to their paid stage: the one the payment names (its
 * canonical id is documentId('invoice', <this portal>, <item id>) when the invoice was born here), or — when the
 * order is paid in full and the payment names none of them — every one still open. Partial payments move nothing.
 */
export function invoicesToMarkPaid(p: Payment, invoices: SmartInvoiceState[], portalSystemId: string, paidStageOf: (categoryId: number) => string | undefined, isOpen: (stageId: string) => boolean): Array<{ id: number; stageId: string }> {
  if (p.status !== 'PAID') return [];
  const named = p.invoiceId ? invoices.filter((i) => documentId('invoice', portalSystemId, String(i.id)) === p.invoiceId) : [];
  const chosen = named.length > 0 ? named : invoices.filter((i) => isOpen(i.stageId));
  const out: Array<{ id: number; stageId: string }> = [];
  for (const i of chosen) {
    const paid = paidStageOf(i.categoryId);
    if (paid && i.stageId !== paid) out.push({ id: i.id, stageId: paid });
  }
  return out;
}
