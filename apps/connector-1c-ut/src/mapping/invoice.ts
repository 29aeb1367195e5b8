// A CRM invoice (F2, Bitrix24 → 1C) as УТ 11's Document_СчетНаОплатуКлиенту: parties, amount, the order it bills as
// ДокументОснование when that order is in this base, the due date as one payment stage, and the origin marker in the
// comment. The document has no goods table in УТ (reference §2.1): it prints the goods of its basis order.
import type { Invoice } from '@esb/canonical';
import { originMarker, toOneCNumber, oneCToMinor, toMinor, type OneCBody } from './order.ts';

export interface InvoiceRefs {
  organisation: string;
  counterparty: string;
  partner?: string;
  currency: string;
  /** Ref_Key of the 1C order the invoice bills, when it is in this base. */
  order?: string;
  orderSet?: string;
}

const ORIGIN_KIND: Record<string, string> = { bitrix24: 'Битрикс24', 'bitrix-site': 'сайта' };

export function invoiceComment(invoice: Pick<Invoice, 'number' | 'invoiceId' | 'meta'>): string {
  const from = ORIGIN_KIND[invoice.meta.source.kind] ?? invoice.meta.source.system;
  return `Счет ${from} № ${invoice.number}. Создан шиной ESB (${invoice.meta.source.system}). ${originMarker('invoice', invoice.invoiceId)}`;
}

/** What the invoice owns in the 1C document; the date is set only on creation. */
export function invoiceContentBody(invoice: Invoice, refs: InvoiceRefs): OneCBody {
  const amount = toOneCNumber(invoice.amount, 2, 'amount');
  const body: OneCBody = {
    Организация_Key: refs.organisation,
    Контрагент_Key: refs.counterparty,
    Валюта_Key: refs.currency,
    СуммаДокумента: amount,
    ФормаОплаты: 'Безналичная',
    Аннулирован: invoice.status === 'CANCELLED',
    НазначениеПлатежа: `Оплата по счету № ${invoice.number}. Сумма ${invoice.amount}, в т.ч. НДС ${invoice.vatAmount}`,
    Комментарий: invoiceComment(invoice),
    ЭтапыГрафикаОплаты: invoice.dueDate
      ? [{ LineNumber: '1', ВариантОплаты: 'ПредоплатаДоОтгрузки', ДатаПлатежа: `${invoice.dueDate}T00:00:00`, ПроцентПлатежа: 100, СуммаПлатежа: amount }]
      : [],
  };
  if (refs.partner) body['Партнер_Key'] = refs.partner;
  if (refs.order && refs.orderSet) {
    body['ДокументОснование'] = refs.order;
    body['ДокументОснование_Type'] = `StandardODATA.${refs.orderSet}`;
  }
  return body;
}

export function invoiceCreateBody(invoice: Invoice, refs: InvoiceRefs): OneCBody {
  return { Date: new Date(invoice.date), ...invoiceContentBody(invoice, refs) };
}

const sameRef = (a: unknown, b: unknown) => String(a ?? '').toLowerCase() === String(b ?? '').toLowerCase() || ((a === null || a === undefined || a === '') && (b === null || b === undefined || b === ''));

/** Header fields that differ between the 1C invoice and what the Invoice would write; empty = nothing to write. */
export function invoiceDifferences(existing: Record<string, unknown>, content: OneCBody): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(content)) {
    if (k === 'Комментарий' || k === 'НазначениеПлатежа' || k === 'ЭтапыГрафикаОплаты' || k === 'ДокументОснование_Type') continue;
    const old = existing[k];
    if (k === 'СуммаДокумента') {
      if (oneCToMinor(old, 2) !== toMinor(String(v), 2)) out.push(k);
    } else if (k.endsWith('_Key') || k === 'ДокументОснование') {
      if (!sameRef(old, v)) out.push(k);
    } else if (old !== v) out.push(k);
  }
  return out;
}
