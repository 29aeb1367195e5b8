// Order → 1C customer order (F1): the document body (Document_ЗаказКлиента in УТ 11, Document_ЗаказПокупателя in
// Розница) from a canonical Order and the references already resolved in the base, the origin marker stored in the
// document's comment, the comparison that decides whether a redelivered order changes anything, and the decimal
// arithmetic money needs (integers of minor units, never floats).
import { ESB_NAMESPACE, uuidv5, type Order, type OrderLine, type VatRate } from '@esb/canonical';
import { vatTaxation } from './vat.ts';

// ---- decimals ------------------------------------------------------------------------------------------------------

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** A decimal string as an integer of 10^-scale units: "1200.5" at scale 2 → 120050n. Refuses more digits than scale. */
export function toMinor(value: string, scale: number, what = 'amount'): bigint {
  const m = DECIMAL.exec(value.trim());
  if (!m) throw new RangeError(`${what}: ${JSON.stringify(value)} is not a decimal number`);
  const frac = m[3] ?? '';
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) throw new RangeError(`${what}: ${value} has more than ${scale} decimal places`);
  const units = BigInt(m[2]!) * 10n ** BigInt(scale) + BigInt((frac.slice(0, scale) || '0').padEnd(scale, '0'));
  return m[1] ? -units : units;
}

/** The decimal string of minor units: 120050n at scale 2 → "1200.50". */
export function fromMinor(units: bigint, scale: number): string {
  const neg = units < 0n;
  const abs = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const s = scale ? `${abs.slice(0, -scale)}.${abs.slice(-scale)}` : abs;
  return neg ? `-${s}` : s;
}

/**
 * A decimal string as the JSON number 1C's OData expects. Only values a double holds exactly to the last digit
 * pass (15 significant digits — far above any real order), so a sum never changes on its way into 1C.
 */
export function toOneCNumber(value: string, scale: number, what = 'amount'): number {
  const units = toMinor(value, scale, what);
  const n = Number(fromMinor(units, scale));
  if (!Number.isFinite(n) || toMinor(n.toFixed(scale), scale, what) !== units) throw new RangeError(`${what}: ${value} cannot be sent to 1C without losing digits`);
  return n;
}

/** A number read from 1C (JSON number or numeric string) as minor units, rounded to `scale`. */
export function oneCToMinor(value: unknown, scale: number): bigint {
  if (typeof value === 'bigint') return value * 10n ** BigInt(scale);
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : 0;
  if (!Number.isFinite(n)) return 0n;
  return toMinor(n.toFixed(scale), scale);
}

// ---- origin marker ---------------------------------------------------------------------------------------------

/**
 * The token the bus writes into a document's comment so the document can be found again by its canonical id after
 * a crash between the write in 1C and our commit (architecture §4). A UUID has a fixed length, so one token is never
 * a prefix of another, and `substringof` (1C's ПОДОБНО, the only search unlimited strings allow) finds exactly it.
 */
export function originMarker(kind: 'order' | 'invoice' | 'counterparty' | 'product', canonicalId: string): string {
  return `ESB:${kind}:${canonicalId.toLowerCase()}`;
}

const ORIGIN_NAMES: Record<string, string> = { deal: 'сделка', 'smart-invoice': 'счет', 'site-order': 'заказ сайта', invoice: 'счет' };
const KIND_NAMES: Record<string, string> = { bitrix24: 'Битрикс24', 'bitrix-site': 'сайт' };

/** "Битрикс24, сделка 4512" — how people recognise where the document came from. */
export function originLabel(origin: Order['origin']): string {
  const kind = KIND_NAMES[origin.kind] ?? origin.system;
  return `${kind}, ${ORIGIN_NAMES[origin.entityType] ?? origin.entityType} ${origin.externalId}`;
}

/** The comment of the 1C order: the order's own comment, then the origin and the marker on the last line. */
export function orderComment(order: Pick<Order, 'comment' | 'origin' | 'orderId'>): string {
  const own = (order.comment ?? '').trim();
  const trailer = `Создан шиной ESB: ${originLabel(order.origin)} (${order.origin.system}). ${originMarker('order', order.orderId)}`;
  return own ? `${own}\n${trailer}` : trailer;
}

/**
 * The Ref_Key the bus gives an object it creates in 1C: a UUIDv5 of what the object stands for (and the scope it is
 * created in, e.g. the organisation of an order). 1C takes a Ref_Key in the POST body and refuses a second object with
 * the same key (code 15), so even a create whose answer was lost to a timeout — while 1C still finished it — cannot be
 * repeated into a twin.
 */
export function onecRefFor(kind: 'order' | 'invoice' | 'counterparty' | 'partner' | 'product', canonicalId: string, scope = ''): string {
  return uuidv5(`esb-1c-ref:${kind}:${canonicalId.toLowerCase()}:${scope.toLowerCase()}`, ESB_NAMESPACE);
}

// ---- body ------------------------------------------------------------------------------------------------------

/** How this configuration spells an order (from the profile: УТ 11.4/11.5 or Розница). */
export interface OrderShape {
  family: 'ut' | 'retail';
  /** Row VAT property: `СтавкаНДС_Key` (catalog reference, УТ 11.5) or `СтавкаНДС` (enum string). */
  vatField: string;
}

/** References already found or created in the base, by Ref_Key. */
export interface OrderRefs {
  organisation: string;
  counterparty: string;
  /** УТ: the counterparty's partner (Catalog_Партнеры). */
  partner?: string;
  /** УТ: Catalog_Валюты item of the order's currency. */
  currency?: string;
  /** Розница: the organisation's store, when it has exactly one. */
  store?: string;
  /** Nomenclature per order line, in `order.lines` order. */
  nomenclature: string[];
  /** The row VAT value per rate: a Catalog_СтавкиНДС Ref_Key, or the enum string. */
  vat: Partial<Record<VatRate, string>>;
}

export type OneCBody = Record<string, string | number | boolean | Date | null | Array<Record<string, string | number | boolean | null>>>;

/** Rows must add up to the order's total: 1C recomputes СуммаДокумента from them, so a gap would silently change the sum. */
export function checkOrderTotals(order: Pick<Order, 'lines' | 'total' | 'vatIncluded' | 'number'>): void {
  let sum = 0n;
  for (const l of order.lines) sum += toMinor(l.amount, 2, `row ${l.lineNo} amount`) + (order.vatIncluded ? 0n : toMinor(l.vatAmount, 2, `row ${l.lineNo} VAT`));
  const total = toMinor(order.total, 2, 'total');
  if (sum !== total) {
    throw new RangeError(`its rows add up to ${fromMinor(sum, 2)} (${order.vatIncluded ? 'VAT included' : 'plus VAT'}) but its total is ${order.total}; 1C would book ${fromMinor(sum, 2)} — fix the rows or the total in the origin`);
  }
}

function vatOf(refs: OrderRefs, rate: VatRate, line: OrderLine): string {
  const v = refs.vat[rate];
  if (v === undefined) throw new RangeError(`row ${line.lineNo} (${line.name}): no 1C value for VAT rate ${rate}`);
  return v;
}

export function orderRows(order: Pick<Order, 'lines' | 'vatIncluded'>, refs: OrderRefs, shape: OrderShape): Array<Record<string, string | number | boolean | null>> {
  return order.lines.map((l, i) => {
    const nomenclature = refs.nomenclature[i];
    if (!nomenclature) throw new RangeError(`row ${l.lineNo} (${l.name}): nomenclature not resolved`);
    const amount = toOneCNumber(l.amount, 2, `row ${l.lineNo} amount`);
    const vat = toOneCNumber(l.vatAmount, 2, `row ${l.lineNo} VAT`);
    const row: Record<string, string | number | boolean | null> = {
      LineNumber: String(i + 1),
      Номенклатура_Key: nomenclature,
      Количество: toOneCNumber(l.quantity, 3, `row ${l.lineNo} quantity`),
      Цена: toOneCNumber(l.price, 2, `row ${l.lineNo} price`),
      СуммаРучнойСкидки: toOneCNumber(l.discount, 2, `row ${l.lineNo} discount`),
      Сумма: amount,
      [shape.vatField]: vatOf(refs, l.vatRate, l),
      СуммаНДС: vat,
    };
    if (shape.family === 'ut') {
      // КодСтроки ties shipments and invoices to the row; СуммаСНДС is what УТ totals the document from.
      row['КодСтроки'] = i + 1;
      row['СуммаСНДС'] = order.vatIncluded ? amount : toOneCNumber(fromMinor(toMinor(l.amount, 2) + toMinor(l.vatAmount, 2), 2), 2);
    }
    return row;
  });
}

/**
 * The fields an Order owns in the 1C document. Status, approval and the business operation are set only when the
 * document is created (`orderCreateBody`): a manager moving the order on in 1C must not be undone by a redelivery.
 */
export function orderContentBody(order: Order, refs: OrderRefs, shape: OrderShape): OneCBody {
  const body: OneCBody = {
    Организация_Key: refs.organisation,
    Контрагент_Key: refs.counterparty,
    ЦенаВключаетНДС: order.vatIncluded,
    Комментарий: orderComment(order),
    Товары: orderRows(order, refs, shape),
  };
  if (shape.family === 'ut') {
    if (!refs.partner) throw new RangeError('УТ orders need the counterparty\'s partner');
    if (!refs.currency) throw new RangeError(`currency ${order.currency} not resolved`);
    body['Партнер_Key'] = refs.partner;
    body['Валюта_Key'] = refs.currency;
    body['НалогообложениеНДС'] = vatTaxation(order.lines.map((l) => l.vatRate));
  }
  if (shape.family === 'retail' && refs.store) body['Магазин_Key'] = refs.store;
  return body;
}

export function orderCreateBody(order: Order, refs: OrderRefs, shape: OrderShape, opts: { post: boolean }): OneCBody {
  const body: OneCBody = { Date: new Date(order.date), ...orderContentBody(order, refs, shape) };
  if (shape.family === 'ut') {
    body['ХозяйственнаяОперация'] = 'РеализацияКлиенту';
    // «К обеспечению» is the accepted state that books the amount to pay and the goods to ship; a draft stays «Не согласован».
    body['Статус'] = opts.post ? 'КОбеспечению' : 'НеСогласован';
    body['Согласован'] = opts.post;
  }
  return body;
}

const ROW_NUMBERS: Array<[string, number]> = [
  ['Количество', 3],
  ['Цена', 2],
  ['Сумма', 2],
  ['СуммаНДС', 2],
  ['СуммаРучнойСкидки', 2],
];

const refEq = (a: unknown, b: unknown) => String(a ?? '').toLowerCase() === String(b ?? '').toLowerCase() || (isEmpty(a) && isEmpty(b));
const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || v === '00000000-0000-0000-0000-000000000000';

/**
 * What differs between the document in 1C and the content an Order would write (names of header fields and
 * "Товары"), empty when a redelivery changes nothing — then nothing is written.
 */
export function orderDifferences(existing: Record<string, unknown>, content: OneCBody, shape: OrderShape): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(content)) {
    if (k === 'Товары' || k === 'Комментарий') continue;
    const old = existing[k];
    const same = k.endsWith('_Key') ? refEq(old, v) : old === v;
    if (!same) out.push(k);
  }
  const want = (content['Товары'] ?? []) as Array<Record<string, unknown>>;
  const have = Array.isArray(existing['Товары']) ? (existing['Товары'] as Array<Record<string, unknown>>) : [];
  const rowsSame =
    want.length === have.length &&
    want.every((w, i) => {
      const h = have[i]!;
      if (!refEq(h['Номенклатура_Key'], w['Номенклатура_Key'])) return false;
      if (shape.vatField.endsWith('_Key') ? !refEq(h[shape.vatField], w[shape.vatField]) : h[shape.vatField] !== w[shape.vatField]) return false;
      return ROW_NUMBERS.every(([f, scale]) => oneCToMinor(h[f], scale) === oneCToMinor(w[f], scale));
    });
  if (!rowsSame) out.push('Товары');
  return out;
}

// ---- links for people ------------------------------------------------------------------------------------------

const OBJECT_KIND: Record<string, string> = { Document: 'Документ', Catalog: 'Справочник' };

/**
 * A link that opens the object in the 1C web client of the same publication: `<publication>/#e1cib/data/Документ.
 * ЗаказКлиента?ref=<hex>`. 1C's navigation ref is the GUID's bytes in its internal order — the last two groups first,
 * then the third, second and first.
 */
export function navigationUrl(odataBaseUrl: string, set: string, ref: string): string | null {
  const m = /^(Document|Catalog)_(.+)$/.exec(set);
  const g = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(ref);
  if (!m || !g) return null;
  const root = odataBaseUrl.replace(/odata\/standard\.odata\/?$/, '');
  const hex = `${g[4]}${g[5]}${g[3]}${g[2]}${g[1]}`.toLowerCase();
  return `${root.endsWith('/') ? root : `${root}/`}#e1cib/data/${OBJECT_KIND[m[1]!]}.${m[2]}?ref=${hex}`;
}
