// Order behaviour the flows observe: checkout as a shopper does it (payer type, properties, basket from the
// imported catalog, delivery, pay system), payment (fires OnSaleOrderPaid), statuses, cancellation, shipment,
// and property changes. Every save bumps DATE_UPDATE and VERSION and, unless 1C made the change, resets
// UPDATED_1C to N — which is what puts the order into the next `query`.
import { mul, parseDec4, vatIncluded, type Dec4 } from '../util/money.ts';
import type { PushRecord, SiteState } from '../state.ts';
import type { BasketItem, Order, OrderProperty, PersonType, SiteUser } from './model.ts';
import { SaleError, type SiteContext } from './context.ts';

export interface CreateOrderInput {
  /** `individual`, `legal`, or a payer type id. */
  personType?: 'individual' | 'legal' | number;
  user?: number | { login?: string; email?: string; name?: string; lastName?: string; secondName?: string; xmlId?: string };
  /** Order property values by property code (FIO, EMAIL, COMPANY, INN, KPP, EDO_STATUS, …). */
  properties?: Record<string, string>;
  basket: Array<{
    /** Product or offer Ид from the imported catalog; or any id for an item not in the catalog. */
    xmlId?: string;
    article?: string;
    name?: string;
    price?: string | number;
    quantity?: string | number;
    /** Percent, e.g. 20; taken from the catalog product's СтавкиНалогов when omitted. */
    vatRate?: number;
  }>;
  deliveryId?: number;
  deliveryPrice?: string | number;
  paySystemId?: number;
  userDescription?: string;
  comments?: string;
  statusId?: string;
  xmlId?: string;
  /** Pay right away: through the admin API this fires the paid-order push; in a seed it does not (history). */
  paid?: boolean;
}

export function findOrder(state: SiteState, id: number): Order | undefined {
  return state.orders.find((o) => o.id === id);
}

export function personTypeOf(state: SiteState, order: Order): PersonType | undefined {
  return state.personTypes.find((p) => p.id === order.personTypeId);
}

export function propsOf(state: SiteState, personTypeId: number): OrderProperty[] {
  return state.orderProps.filter((p) => p.personTypeId === personTypeId).sort((a, b) => a.sort - b.sort || a.id - b.id);
}

export function propValue(state: SiteState, order: Order, code: string): string {
  const prop = state.orderProps.find((p) => p.personTypeId === order.personTypeId && p.code === code);
  if (!prop) return '';
  return order.properties.find((v) => v.orderPropsId === prop.id)?.value ?? '';
}

/** A save: DATE_UPDATE, VERSION, and UPDATED_1C (Y only when 1C's import made the change). */
export function touch(ctx: SiteContext, order: Order, by1C = false): void {
  order.dateUpdate = ctx.clock.now();
  order.version++;
  order.updated1c = by1C ? 'Y' : 'N';
}

function resolvePersonType(state: SiteState, v: CreateOrderInput['personType']): PersonType {
  const pt =
    typeof v === 'number'
      ? state.personTypes.find((p) => p.id === v)
      : state.personTypes.find((p) => p.domain === (v === 'legal' ? 'E' : 'I'));
  if (!pt) throw new SaleError(`payer type ${String(v ?? 'individual')} does not exist on this site`);
  return pt;
}

function resolveUser(ctx: SiteContext, input: CreateOrderInput, email: string, payerName: string): SiteUser {
  const { state } = ctx;
  if (typeof input.user === 'number') {
    const u = state.users.find((x) => x.id === input.user);
    if (!u) throw new SaleError(`user ${input.user} does not exist`);
    return u;
  }
  const u = input.user ?? {};
  const login = u.login ?? u.email ?? email;
  const existing = login ? state.users.find((x) => x.login === login) : undefined;
  if (existing) return existing;
  // Checkout registers the buyer on the fly (sale option "register new users").
  const [lastName = '', name = '', secondName = ''] = payerName.split(/\s+/);
  const created: SiteUser = {
    id: ++state.seq.user,
    login: login || `buyer${state.seq.user}`,
    password: '',
    email: u.email ?? email,
    name: u.name ?? name,
    lastName: u.lastName ?? lastName,
    secondName: u.secondName ?? secondName,
    groups: [2],
    xmlId: u.xmlId ?? '',
  };
  state.users.push(created);
  return created;
}

function basketItem(ctx: SiteContext, line: CreateOrderInput['basket'][number], currency: string, now: number): BasketItem {
  const { catalog } = ctx.state;
  const offer =
    (line.xmlId ? catalog.offers[line.xmlId] : undefined) ??
    (line.article ? Object.values(catalog.offers).find((o) => o.article === line.article) : undefined);
  const product =
    (line.xmlId ? catalog.products[line.xmlId] : undefined) ??
    (offer ? catalog.products[offer.productXmlId] : undefined) ??
    (line.article ? Object.values(catalog.products).find((p) => p.article === line.article && !p.deleted) : undefined);
  const xmlId = line.xmlId ?? offer?.xmlId ?? product?.xmlId;
  if (!xmlId) throw new SaleError('a basket line needs xmlId or the article of a catalog product');
  const catalogPrice = offer?.prices[0]?.price;
  const priceRaw = line.price ?? catalogPrice;
  if (priceRaw === undefined) throw new SaleError(`no price for basket line ${xmlId}: give one or import offers with prices first`);
  const name = line.name ?? offer?.name ?? product?.name;
  if (!name) throw new SaleError(`no name for basket line ${xmlId}: give one or import the catalog first`);
  const vatFromCatalog = product?.taxRates.find((t) => t.name === 'НДС')?.rate;
  const vatPercent = line.vatRate ?? (vatFromCatalog !== undefined && /^\d+(\.\d+)?$/.test(vatFromCatalog) ? Number(vatFromCatalog) : undefined);
  const price = parseDec4(priceRaw);
  const priceType = offer?.prices[0] ? catalog.priceTypes[offer.prices[0].priceTypeXmlId] : undefined;
  const id = ++ctx.state.seq.basket;
  const unit = product?.unit ?? offer?.unit;
  const catalogXmlId = product?.catalogXmlId ?? '';
  return {
    id,
    productXmlId: xmlId,
    catalogXmlId,
    productId: id,
    name,
    price,
    basePrice: price,
    discountPrice: 0,
    quantity: parseDec4(line.quantity ?? 1),
    currency,
    measureCode: unit?.code || '796',
    measureName: unit?.shortName || 'шт',
    vatRate: vatPercent === undefined ? null : vatPercent / 100,
    vatIncluded: 'Y',
    notes: priceType?.name ?? '',
    priceTypeId: priceType ? 1 : null,
    sort: 100,
    xmlId: `bx_${id.toString(16).padStart(13, '0')}`,
    properties: [
      { id: ++ctx.state.seq.basketProperty, code: 'CATALOG.XML_ID', name: 'Catalog XML_ID', value: catalogXmlId, sort: 100, xmlId: '' },
      { id: ++ctx.state.seq.basketProperty, code: 'PRODUCT.XML_ID', name: 'Product XML_ID', value: xmlId, sort: 100, xmlId: '' },
    ],
    dateInsert: now,
    dateUpdate: now,
  };
}

export function lineSum(b: BasketItem): Dec4 {
  return mul(b.price, b.quantity);
}

/** Checkout: validates required properties of the payer type like the order form does, then saves. */
export function createOrder(ctx: SiteContext, input: CreateOrderInput): Order {
  const { state, clock } = ctx;
  const pt = resolvePersonType(state, input.personType);
  const props = propsOf(state, pt.id);
  const given = input.properties ?? {};
  for (const code of Object.keys(given)) {
    if (!props.some((p) => p.code === code)) throw new SaleError(`payer type «${pt.name}» has no order property ${code}`);
  }
  const missing = props.filter((p) => p.required && !(given[p.code] ?? '').trim());
  if (missing.length) throw new SaleError(`required order properties are empty: ${missing.map((p) => `${p.code} («${p.name}»)`).join(', ')}`);
  if (!input.basket?.length) throw new SaleError('the basket is empty');
  const delivery = state.deliveries.find((d) => d.id === (input.deliveryId ?? state.deliveries[0]?.id));
  if (!delivery) throw new SaleError(`delivery service ${input.deliveryId} does not exist`);
  const paySystem = state.paySystems.find((p) => p.id === (input.paySystemId ?? state.paySystems[0]?.id));
  if (!paySystem) throw new SaleError(`pay system ${input.paySystemId} does not exist`);
  if (input.statusId && !state.statuses.some((s) => s.id === input.statusId && s.type === 'O')) throw new SaleError(`order status ${input.statusId} does not exist`);

  const now = clock.now();
  const currency = state.settings.currency;
  const basket = input.basket.map((l) => basketItem(ctx, l, currency, now));
  const payerProp = props.find((p) => p.isPayer);
  const emailProp = props.find((p) => p.isEmail);
  const user = resolveUser(ctx, input, emailProp ? (given[emailProp.code] ?? '') : '', payerProp ? (given[payerProp.code] ?? '') : '');
  const priceDelivery = input.deliveryPrice !== undefined ? parseDec4(input.deliveryPrice) : delivery.price;
  const goods = basket.reduce((s, b) => s + lineSum(b), 0);
  const price = goods + priceDelivery;
  const tax = basket.reduce((s, b) => s + (b.vatRate ? Math.round(vatIncluded(lineSum(b), b.vatRate * 100) / 100) * 100 : 0), 0);
  const id = ++state.seq.order;
  const accountNumber = String(id);
  const order: Order = {
    id,
    accountNumber,
    lid: state.settings.siteId,
    personTypeId: pt.id,
    userId: user.id,
    statusId: input.statusId ?? 'N',
    dateStatus: now,
    empStatusId: null,
    price,
    discountValue: 0,
    taxValue: tax,
    currency,
    payed: 'N',
    datePayed: null,
    canceled: 'N',
    dateCanceled: null,
    reasonCanceled: '',
    empCanceledId: null,
    deducted: 'N',
    marked: 'N',
    reasonMarked: '',
    userDescription: input.userDescription ?? '',
    comments: input.comments ?? '',
    additionalInfo: '',
    responsibleId: null,
    xmlId: input.xmlId ?? `bx_${id.toString(16).padStart(13, '0')}`,
    id1c: '',
    version1c: '',
    updated1c: 'N',
    externalOrder: 'N',
    version: 1,
    dateInsert: now,
    dateUpdate: now,
    basket,
    properties: props.map((p) => ({ id: ++state.seq.propertyValue, orderPropsId: p.id, value: given[p.code]?.trim() ? (given[p.code] ?? null) : null })),
    payments: [
      {
        id: ++state.seq.payment,
        accountNumber: `${accountNumber}/1`,
        paySystemId: paySystem.id,
        paySystemName: paySystem.name,
        sum: price,
        paid: 'N',
        datePaid: null,
        payVoucherNum: '',
        payVoucherDate: null,
        dateBill: now,
        id1c: '',
        xmlId: '',
      },
    ],
    shipments: [
      {
        id: ++state.seq.shipment,
        accountNumber: `${accountNumber}/2`,
        deliveryId: delivery.id,
        deliveryName: delivery.name,
        priceDelivery,
        allowDelivery: 'N',
        dateAllowDelivery: null,
        deducted: 'N',
        dateDeducted: null,
        statusId: 'DN',
        trackingNumber: '',
        deliveryDocNum: '',
        deliveryDocDate: null,
        dateInsert: now,
        id1c: '',
        xmlId: '',
      },
    ],
  };
  state.orders.push(order);
  return order;
}

/** The payment part of a save; false when the order already was in that state (the event does not fire). */
export function applyPaid(ctx: SiteContext, order: Order, o: { paid: boolean; voucherNum?: string; date?: number; by1C?: boolean }): boolean {
  const target = o.paid ? 'Y' : 'N';
  if (order.payed === target) return false;
  const now = o.date ?? ctx.clock.now();
  order.payed = target;
  order.datePayed = o.paid ? now : null;
  for (const p of order.payments) {
    p.paid = target;
    p.datePaid = o.paid ? now : null;
    if (o.voucherNum !== undefined) {
      p.payVoucherNum = o.voucherNum;
      p.payVoucherDate = now;
    }
  }
  const s = ctx.state.settings.statusOnPaid;
  if (o.paid && s && order.statusId !== s && order.statusId !== 'F') {
    order.statusId = s;
    order.dateStatus = ctx.clock.now();
  }
  touch(ctx, order, o.by1C);
  return true;
}

/**
 * Marks the order paid (its payment paid, PAYED=Y, DATE_PAYED) and runs the OnSaleOrderPaid handler — only on the
 * transition, as the event fires when PAYED changes; paying a paid order again does nothing.
 */
export async function setPaid(
  ctx: SiteContext,
  order: Order,
  o: { paid: boolean; voucherNum?: string; date?: number; by1C?: boolean },
): Promise<PushRecord | undefined> {
  if (!applyPaid(ctx, order, o)) return undefined;
  return o.paid ? ctx.onOrderPaid(order) : undefined;
}

/** The status part of a save (no save by itself); false when nothing changed. */
export function applyStatus(ctx: SiteContext, order: Order, statusId: string, userId: number | null = null): boolean {
  if (!ctx.state.statuses.some((s) => s.id === statusId && s.type === 'O')) throw new SaleError(`order status ${statusId} does not exist`);
  if (order.statusId === statusId) return false;
  order.statusId = statusId;
  order.dateStatus = ctx.clock.now();
  order.empStatusId = userId;
  return true;
}

export function setStatus(ctx: SiteContext, order: Order, statusId: string, o: { by1C?: boolean; userId?: number | null } = {}): void {
  if (applyStatus(ctx, order, statusId, o.userId ?? null)) touch(ctx, order, o.by1C);
}

/** The cancellation part of a save (no save by itself); false when nothing changed. */
export function applyCanceled(ctx: SiteContext, order: Order, canceled: boolean, reason = ''): boolean {
  const target = canceled ? 'Y' : 'N';
  if (order.canceled === target) return false;
  order.canceled = target;
  order.dateCanceled = canceled ? ctx.clock.now() : null;
  order.reasonCanceled = canceled ? reason : '';
  return true;
}

export function setCanceled(ctx: SiteContext, order: Order, canceled: boolean, reason = '', by1C = false): void {
  if (applyCanceled(ctx, order, canceled, reason)) touch(ctx, order, by1C);
}

/**
 * Property values by property id. `replaceAll` is sale.propertyvalue.modify: properties not given are cleared.
 * Unknown ids, or ids of another payer type, are refused.
 */
export function setPropertyValues(ctx: SiteContext, order: Order, values: Array<{ orderPropsId: number; value: string | null }>, replaceAll: boolean, by1C = false): void {
  const props = propsOf(ctx.state, order.personTypeId);
  for (const v of values) {
    if (!props.some((p) => p.id === v.orderPropsId)) throw new SaleError(`order property ${v.orderPropsId} does not belong to the payer type of order ${order.id}`, 0);
  }
  for (const p of props) {
    const given = values.find((v) => v.orderPropsId === p.id);
    let row = order.properties.find((r) => r.orderPropsId === p.id);
    if (!row) {
      row = { id: ++ctx.state.seq.propertyValue, orderPropsId: p.id, value: null };
      order.properties.push(row);
    }
    if (given) row.value = given.value === null || given.value === '' ? null : given.value;
    else if (replaceAll) row.value = null;
  }
  touch(ctx, order, by1C);
}

export function setPropertyByCode(ctx: SiteContext, order: Order, code: string, value: string, by1C = false): void {
  const prop = propsOf(ctx.state, order.personTypeId).find((p) => p.code === code);
  if (!prop) throw new SaleError(`payer type of order ${order.id} has no property ${code}`);
  setPropertyValues(ctx, order, [{ orderPropsId: prop.id, value }], false, by1C);
}

/** 1C reported the shipment: delivery allowed, shipment document, and the final status. */
export function setShipped(ctx: SiteContext, order: Order, o: { docNum: string; date: number; tracking?: string }): void {
  const now = ctx.clock.now();
  for (const s of order.shipments) {
    s.allowDelivery = 'Y';
    s.dateAllowDelivery = now;
    s.deliveryDocNum = o.docNum;
    s.deliveryDocDate = o.date;
    if (o.tracking !== undefined) s.trackingNumber = o.tracking;
  }
  const final = ctx.state.settings.finalStatusOnDelivery;
  if (final && order.statusId !== 'F' && order.statusId !== final && ctx.state.statuses.some((s) => s.id === final)) {
    order.statusId = final;
    order.dateStatus = now;
  }
  touch(ctx, order, true);
}

export function allowDelivery(order: Order): boolean {
  return order.shipments.some((s) => s.allowDelivery === 'Y');
}

export function deliveryPrice(order: Order): Dec4 {
  return order.shipments.reduce((s, x) => s + x.priceDelivery, 0);
}
