// Posted bank and cash receipts (Document_ПоступлениеБезналичныхДенежныхСредств, Document_ПриходныйКассовыйОрдер)
// → canonical Payment (F3). A receipt's rows (РасшифровкаПлатежа) may pay several orders; each paid order gets its
// own Payment carrying that order's running total, so partial payments add up to PAID on the deal.
import type { Meta, Payment, PaymentDocumentKind, PaymentStatus } from '@esb/canonical';
import { fromKopecks } from './inbound.ts';

/** What a receipt row pays for: a customer order, or an invoice with no order behind it. */
export type PaymentTarget = { kind: 'order'; ref: string } | { kind: 'invoice'; ref: string };

export interface ReceiptLine {
  target: PaymentTarget | null;
  /** Kopecks. */
  amount: bigint;
}

export const targetKey = (t: PaymentTarget): string => `${t.kind}:${t.ref}`;

export function parseTargetKey(key: string): PaymentTarget {
  const i = key.indexOf(':');
  const kind = key.slice(0, i);
  if (i < 0 || (kind !== 'order' && kind !== 'invoice')) throw new TypeError(`not a payment target key: ${key}`);
  return { kind, ref: key.slice(i + 1) };
}

/**
 * The receipt's amount per paid target. Rows linking to nothing the connector knows (an advance without an order,
 * a contract) are left out: such money is no order's payment and shows up in the debt instead.
 */
export function amountsByTarget(lines: readonly ReceiptLine[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const l of lines) {
    if (!l.target) continue;
    const k = targetKey(l.target);
    out.set(k, (out.get(k) ?? 0n) + l.amount);
  }
  return out;
}

/** One posted receipt's contribution to a target, for the running total. `date` is the naive 1C date. */
export interface Contribution {
  ref: string;
  date: string;
  amount: bigint;
}

const before = (a: { date: string; ref: string }, b: { date: string; ref: string }) => a.date < b.date || (a.date === b.date && a.ref <= b.ref);

/**
 * What was paid for a target up to and including one receipt: receipts before it in 1C's own order (date, then
 * Ref_Key) — so two receipts posted between polls publish PARTIAL then PAID, not PAID twice — plus those already
 * published, whatever their place (a receipt of the same second with a larger Ref_Key went out earlier; leaving it
 * out would make the deal's paid amount go down).
 */
export function paidUpTo(contributions: readonly Contribution[], upTo: { date: string; ref: string }, published: ReadonlySet<string> = new Set()): bigint {
  let s = 0n;
  for (const c of contributions) if (before(c, upTo) || published.has(c.ref)) s += c.amount;
  return s;
}

export function sumContributions(contributions: readonly Contribution[]): bigint {
  return contributions.reduce((s, c) => s + c.amount, 0n);
}

/** PAID when the total is covered (overpayment included), PARTIAL when something is paid, else UNPAID. */
export function paymentStatus(totalPaid: bigint, total: bigint): PaymentStatus {
  if (totalPaid > 0n && totalPaid >= total) return 'PAID';
  return totalPaid > 0n ? 'PARTIAL' : 'UNPAID';
}

export const RECEIPT_KIND: Record<string, PaymentDocumentKind> = {
  Document_ПоступлениеБезналичныхДенежныхСредств: 'BANK',
  Document_ПоступлениеНаРасчетныйСчет: 'BANK',
  Document_ПриходныйКассовыйОрдер: 'CASH',
  Document_ОперацияПоПлатежнойКарте: 'CARD',
};

export interface PaymentInput {
  meta: Meta;
  paymentId: string;
  orderId: string | null;
  invoiceId: string | null;
  counterpartyId: string | null;
  /** Kopecks of this receipt for this target; negative when the receipt was unposted or its row moved away. */
  amount: bigint;
  totalPaid: bigint;
  /** Kopecks of the order (of the invoice when there is no order). */
  total: bigint;
  currency: string;
  /** ISO instant the money arrived (the receipt's date). */
  date: string;
  kind: PaymentDocumentKind;
  number: string;
}

export function toPayment(i: PaymentInput): Payment {
  return {
    meta: i.meta,
    paymentId: i.paymentId,
    orderId: i.orderId,
    invoiceId: i.invoiceId,
    counterpartyId: i.counterpartyId,
    status: paymentStatus(i.totalPaid, i.total),
    amount: fromKopecks(i.amount),
    totalPaid: fromKopecks(i.totalPaid),
    orderTotal: fromKopecks(i.total),
    balance: fromKopecks(i.total - i.totalPaid),
    currency: i.currency,
    date: i.date,
    document: { kind: i.kind, number: i.number, date: i.date },
  };
}

/** The aggregate key of a Payment on the bus: the order, else the invoice, else the payment itself. */
export const paymentKey = (p: Pick<Payment, 'orderId' | 'invoiceId' | 'paymentId'>): string => p.orderId ?? p.invoiceId ?? p.paymentId;
