// How each delivered record is named in messages and which business keys it is traced by (architecture §7: "where
// is order ЗК-123, deal 4512, INN 7701234567"), for the exchange log of the sink's writes and of the consumer.
import type { BusMessage } from '@esb/bus';
import type { Counterparty, CounterpartyRef, Invoice, Order, OrderReversal } from '@esb/canonical';
import { originLabel } from '../mapping/order.ts';
import type { RecordInfo } from './job.ts';

const ORIGIN_KEY: Record<string, string> = { deal: 'deal', 'site-order': 'siteOrder', 'smart-invoice': 'smartInvoice' };

export function orderKeys(o: Order): Record<string, string> {
  const k: Record<string, string> = { [ORIGIN_KEY[o.origin.entityType] ?? 'origin']: o.origin.externalId, order: o.number };
  if (o.buyer.inn) k['inn'] = o.buyer.inn;
  return k;
}

export function invoiceKeys(i: Invoice): Record<string, string> {
  const k: Record<string, string> = { invoice: i.number };
  if (i.buyer?.inn) k['inn'] = i.buyer.inn;
  return k;
}

export function reversalKeys(r: OrderReversal): Record<string, string> {
  return { orderId: r.orderId, ...(r.orderNumber ? { order: r.orderNumber } : {}) };
}

const base = (recordType: string, v: { meta: { eventId: string; correlationId: string } }) => ({ recordType, eventId: v.meta.eventId, correlationId: v.meta.correlationId });

export function orderInfo(o: Order): RecordInfo {
  return { ...base('esb.canonical.Order', o), what: `Order ${o.number} (${originLabel(o.origin)}, buyer ${o.buyer.name}${o.buyer.inn ? ` INN ${o.buyer.inn}` : ''})`, keys: orderKeys(o) };
}

export function invoiceInfo(i: Invoice): RecordInfo {
  return { ...base('esb.canonical.Invoice', i), what: `Invoice ${i.number} (${i.meta.source.system}, ${i.amount} ${i.currency})`, keys: invoiceKeys(i) };
}

export function reversalInfo(r: OrderReversal): RecordInfo {
  return { ...base('esb.canonical.OrderReversal', r), what: `OrderReversal of order ${r.orderNumber ?? r.orderId} (${r.reason})`, keys: reversalKeys(r) };
}

/** Business keys of any delivered record, for the consumer's own exchange-log lines (consume, retry, dlq). */
export function sinkBusinessKeys(msg: BusMessage): Record<string, string> {
  switch (msg.recordType) {
    case 'esb.canonical.Order':
      return orderKeys(msg.value as unknown as Order);
    case 'esb.canonical.Invoice':
      return invoiceKeys(msg.value as unknown as Invoice);
    case 'esb.canonical.OrderReversal':
      return reversalKeys(msg.value as unknown as OrderReversal);
    default:
      return {};
  }
}

export function counterpartyInfo(c: Counterparty): RecordInfo {
  const keys: Record<string, string> = { counterparty: c.name };
  if (c.inn) keys['inn'] = c.inn;
  if (c.kpp) keys['kpp'] = c.kpp;
  return { ...base('esb.canonical.Counterparty', c), what: `Counterparty ${c.name}${c.inn ? ` INN ${c.inn}` : ''} (${c.meta.source.system})`, keys };
}

/** What the sink needs of a counterparty to find or create it in 1C: the same as an order's buyer. */
export function counterpartyRefOf(c: Counterparty): CounterpartyRef {
  return { counterpartyId: c.counterpartyId, kind: c.kind, name: c.legalName ?? c.name, inn: c.inn, kpp: c.kpp, phone: c.phones[0]?.number ?? null, email: c.emails[0]?.address ?? null };
}
