// Orders as the sale REST controllers return them: camelCase fields, Y/N flags, ISO dates with the site's
// offset, numbers for money — and the small inconsistencies of the real answers (basket item `id` and `orderId`
// are strings, `companyId` is null in lists and 0 in `get`).
import type { Clock } from '../util/clock.ts';
import { toNumber } from '../util/money.ts';
import type { Json, JsonObject } from '../util/params.ts';
import type { SiteState } from '../state.ts';
import type { Order, OrderProperty, PaySystem } from './model.ts';

const d = (clock: Clock, ms: number | null): string | null => (ms === null ? null : clock.iso(ms));

/** Names of the order fields, for list filters when there is no order to read them from. */
export const ORDER_FIELD_NAMES = [
  'accountNumber', 'additionalInfo', 'affiliateId', 'canceled', 'comments', 'companyId', 'currency', 'dateCanceled', 'dateInsert', 'dateLock',
  'dateMarked', 'dateStatus', 'dateUpdate', 'deducted', 'discountValue', 'empCanceledId', 'empMarkedId', 'empStatusId', 'externalOrder', 'id',
  'id1c', 'lid', 'lockedBy', 'marked', 'orderTopic', 'payed', 'personTypeId', 'personTypeXmlId', 'price', 'reasonCanceled', 'reasonMarked',
  'recountFlag', 'recurringId', 'responsibleId', 'statusId', 'statusXmlId', 'taxValue', 'updated1c', 'userDescription', 'userId', 'version',
  'version1c', 'xmlId',
];

/** The fields sale.order.list returns (and sale.order.update, plus clients/requisiteLink). */
export function orderFields(state: SiteState, clock: Clock, o: Order): JsonObject {
  const pt = state.personTypes.find((p) => p.id === o.personTypeId);
  return {
    accountNumber: o.accountNumber,
    additionalInfo: o.additionalInfo,
    affiliateId: null,
    canceled: o.canceled,
    comments: o.comments,
    companyId: null,
    currency: o.currency,
    dateCanceled: d(clock, o.dateCanceled),
    dateInsert: clock.iso(o.dateInsert),
    dateLock: null,
    dateMarked: null,
    dateStatus: clock.iso(o.dateStatus),
    dateUpdate: clock.iso(o.dateUpdate),
    deducted: o.deducted,
    discountValue: toNumber(o.discountValue),
    empCanceledId: o.empCanceledId,
    empMarkedId: null,
    empStatusId: o.empStatusId,
    externalOrder: o.externalOrder,
    id: o.id,
    id1c: o.id1c,
    lid: o.lid,
    lockedBy: '',
    marked: o.marked,
    orderTopic: '',
    payed: o.payed,
    personTypeId: o.personTypeId,
    personTypeXmlId: pt?.xmlId ?? '',
    price: toNumber(o.price),
    reasonCanceled: o.reasonCanceled,
    reasonMarked: o.reasonMarked,
    recountFlag: 'Y',
    recurringId: '',
    responsibleId: o.responsibleId,
    statusId: o.statusId,
    statusXmlId: '',
    taxValue: toNumber(o.taxValue),
    updated1c: o.updated1c,
    userDescription: o.userDescription,
    userId: o.userId,
    version: o.version,
    version1c: o.version1c,
    xmlId: o.xmlId,
  };
}

export function propertyValueShape(prop: OrderProperty | undefined, v: { id: number; orderPropsId: number; value: string | null }, orderId?: number): JsonObject {
  return {
    code: prop?.code ?? '',
    id: v.id,
    name: prop?.name ?? '',
    ...(orderId !== undefined ? { orderId } : {}),
    orderPropsId: v.orderPropsId,
    orderPropsXmlId: prop?.xmlId ?? null,
    value: v.value,
  };
}

function paySystemOf(state: SiteState, id: number): PaySystem | undefined {
  return state.paySystems.find((p) => p.id === id);
}

/** sale.order.get: the order with basket, property values, payments, shipments. */
export function orderFull(state: SiteState, clock: Clock, o: Order): JsonObject {
  const props = new Map(state.orderProps.map((p) => [p.id, p]));
  const basketItems: Json[] = o.basket.map((b) => ({
    barcodeMulti: 'N',
    basePrice: toNumber(b.basePrice),
    canBuy: 'Y',
    catalogXmlId: b.catalogXmlId,
    currency: b.currency,
    customPrice: 'N',
    dateInsert: clock.iso(b.dateInsert),
    dateRefresh: null,
    dateUpdate: clock.iso(b.dateUpdate),
    detailPageUrl: '',
    discountCoupon: '',
    discountName: '',
    discountPrice: toNumber(b.discountPrice),
    discountValue: '',
    fuserId: o.userId,
    id: String(b.id),
    lid: o.lid,
    measureCode: b.measureCode,
    measureName: b.measureName,
    module: 'catalog',
    name: b.name,
    notes: b.notes,
    orderId: String(o.id),
    price: toNumber(b.price),
    priceTypeId: b.priceTypeId,
    productId: b.productId,
    productProviderClass: '\\Bitrix\\Catalog\\Product\\CatalogProvider',
    productXmlId: b.productXmlId,
    properties: b.properties.map((p) => ({ basketId: b.id, code: p.code, id: p.id, name: p.name, sort: p.sort, value: p.value, xmlId: p.xmlId })),
    quantity: toNumber(b.quantity),
    recommendation: '',
    reservations: [],
    setParentId: '',
    sort: b.sort,
    subscribe: 'N',
    type: '',
    vatIncluded: b.vatIncluded,
    vatRate: b.vatRate,
    weight: 0,
    xmlId: b.xmlId,
  }));
  const payments: Json[] = o.payments.map((p) => ({
    accountNumber: p.accountNumber,
    comments: '',
    companyId: 0,
    currency: o.currency,
    dateBill: clock.iso(p.dateBill),
    dateMarked: null,
    datePaid: d(clock, p.datePaid),
    datePayBefore: null,
    externalPayment: 'N',
    id: p.id,
    id1c: p.id1c,
    isReturn: 'N',
    marked: 'N',
    orderId: o.id,
    paid: p.paid,
    paySystemId: p.paySystemId,
    paySystemIsCash: paySystemOf(state, p.paySystemId)?.isCash ?? 'N',
    paySystemName: p.paySystemName,
    paySystemXmlId: paySystemOf(state, p.paySystemId)?.xmlId ?? '',
    payVoucherDate: d(clock, p.payVoucherDate),
    payVoucherNum: p.payVoucherNum,
    sum: toNumber(p.sum),
    updated1c: 'N',
    version1c: '',
    xmlId: p.xmlId,
  }));
  const shipments: Json[] = o.shipments.map((s) => ({
    accountNumber: s.accountNumber,
    allowDelivery: s.allowDelivery,
    basePriceDelivery: toNumber(s.priceDelivery),
    canceled: 'N',
    comments: '',
    companyId: 0,
    currency: o.currency,
    customPriceDelivery: 'N',
    dateAllowDelivery: d(clock, s.dateAllowDelivery),
    dateCanceled: null,
    dateDeducted: d(clock, s.dateDeducted),
    dateInsert: clock.iso(s.dateInsert),
    deducted: s.deducted,
    deliveryDocDate: d(clock, s.deliveryDocDate),
    deliveryDocNum: s.deliveryDocNum,
    deliveryId: s.deliveryId,
    deliveryName: s.deliveryName,
    deliveryXmlId: '',
    discountPrice: 0,
    externalDelivery: 'N',
    id: s.id,
    id1c: s.id1c,
    marked: 'N',
    orderId: o.id,
    priceDelivery: toNumber(s.priceDelivery),
    shipmentItems: o.basket.map((b, i) => ({
      basketId: b.id,
      dateInsert: clock.iso(s.dateInsert),
      id: s.id * 1000 + i + 1,
      orderDeliveryId: s.id,
      quantity: toNumber(b.quantity),
      reservedQuantity: 0,
      xmlId: '',
    })),
    statusId: s.statusId,
    statusXmlId: '',
    system: 'N',
    trackingNumber: s.trackingNumber,
    updated1c: 'N',
    version1c: '',
    xmlId: s.xmlId,
  }));
  return {
    ...orderFields(state, clock, o),
    companyId: 0,
    basketItems,
    clients: [],
    payments,
    propertyValues: o.properties.map((v) => propertyValueShape(props.get(v.orderPropsId), v)),
    requisiteLink: [],
    shipments,
    tradeBindings: [],
  };
}
