// The site's OnSaleOrderPaid handler: when an order becomes paid it POSTs the order to a configured URL, once,
// synchronously inside the save, with Bitrix\Main\Web\HttpClient — no queue and no retries, so a receiver that
// is down simply misses it (the bus must catch up through the CommerceML `query`). Every attempt is recorded.
import { fmt2 } from '../util/money.ts';
import type { Clock } from '../util/clock.ts';
import type { PushRecord, SiteState } from '../state.ts';
import type { Order } from './model.ts';
import { orderFull } from './shape.ts';
import { lineSum, propsOf } from './orders.ts';

const USER_AGENT = 'BitrixSM HttpClient class';

function propertiesByCode(state: SiteState, order: Order): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of propsOf(state, order.personTypeId)) out[p.code] = order.properties.find((v) => v.orderPropsId === p.id)?.value ?? '';
  return out;
}

/** The body a typical handler sends: JSON with the order as sale.order.get returns it, or a PHP-style form. */
export function paidOrderBody(state: SiteState, clock: Clock, order: Order, format: 'json' | 'form'): { body: string; contentType: string } {
  const ts = Math.floor(clock.now() / 1000);
  const secret = state.push.config.secret;
  const props = propertiesByCode(state, order);
  if (format === 'json') {
    const payload = {
      event: 'OnSaleOrderPaid',
      ts,
      site: order.lid,
      ...(secret ? { secret } : {}),
      order: { ...orderFull(state, clock, order), datePayed: order.datePayed === null ? null : clock.iso(order.datePayed), properties: props },
    };
    return { body: JSON.stringify(payload), contentType: 'application/json; charset=utf-8' };
  }
  const f = new URLSearchParams();
  f.set('event', 'OnSaleOrderPaid');
  f.set('ts', String(ts));
  f.set('site', order.lid);
  if (secret) f.set('secret', secret);
  f.set('ORDER_ID', String(order.id));
  f.set('ACCOUNT_NUMBER', order.accountNumber);
  f.set('XML_ID', order.xmlId);
  f.set('PERSON_TYPE_ID', String(order.personTypeId));
  f.set('USER_ID', String(order.userId));
  f.set('STATUS_ID', order.statusId);
  f.set('PRICE', fmt2(order.price));
  f.set('CURRENCY', order.currency);
  f.set('PAYED', order.payed);
  f.set('DATE_PAYED', order.datePayed === null ? '' : clock.iso(order.datePayed));
  for (const [code, value] of Object.entries(props)) f.set(`PROPERTIES[${code}]`, value);
  order.basket.forEach((b, i) => {
    f.set(`BASKET[${i}][PRODUCT_XML_ID]`, b.productXmlId);
    f.set(`BASKET[${i}][NAME]`, b.name);
    f.set(`BASKET[${i}][PRICE]`, fmt2(b.price));
    f.set(`BASKET[${i}][QUANTITY]`, fmt2(b.quantity));
    f.set(`BASKET[${i}][SUM]`, fmt2(lineSum(b)));
  });
  return { body: f.toString(), contentType: 'application/x-www-form-urlencoded' };
}

export async function pushPaidOrder(state: SiteState, clock: Clock, order: Order): Promise<PushRecord | undefined> {
  const cfg = state.push.config;
  if (!cfg.url) return undefined; // no handler installed on this site
  const { body, contentType } = paidOrderBody(state, clock, order, cfg.format);
  const rec: PushRecord = {
    id: ++state.seq.push,
    orderId: order.id,
    accountNumber: order.accountNumber,
    at: clock.now(),
    url: cfg.url,
    format: cfg.format,
    status: null,
    ok: false,
    error: null,
    dropped: false,
    ms: 0,
    body,
  };
  state.push.log.push(rec);
  if (state.push.dropNext > 0) {
    // Fault: the handler failed before sending (a PHP error, a blocked outbound connection).
    state.push.dropNext--;
    rec.dropped = true;
    rec.error = 'dropped by fault injection';
    return rec;
  }
  const t0 = performance.now();
  try {
    const res = await fetch(cfg.url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'user-agent': USER_AGENT },
      body,
      signal: AbortSignal.timeout(cfg.timeoutMs),
    });
    await res.arrayBuffer();
    rec.status = res.status;
    rec.ok = res.status >= 200 && res.status < 300;
    if (!rec.ok) rec.error = `HTTP ${res.status}`;
  } catch (e) {
    rec.error = e instanceof Error ? (e.name === 'TimeoutError' ? `timeout after ${cfg.timeoutMs} ms` : `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}`) : String(e);
  }
  rec.ms = Math.round(performance.now() - t0);
  return rec;
}
