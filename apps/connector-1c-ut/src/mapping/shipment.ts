// Posted sales (Document_РеализацияТоваровУслуг) → canonical Shipment (F4): the order shipped, the sale's date as the
// shipment date, the tracking number from the sale's additional attribute «ТрекНомер», and the shipped rows.
import type { Meta, Shipment, ShipmentLine, Unit } from '@esb/canonical';
import { naiveDay, quantity, textOrNull, type Wire } from './inbound.ts';

/** Names an integrator gives the tracking-number attribute (БСП ДополнительныеРеквизитыИСведения.Имя). */
export const TRACKING_ATTRIBUTE_NAMES = ['ТрекНомер', 'НомерОтслеживания', 'ТрекНомерОтправления'];
export const CARRIER_ATTRIBUTE_NAMES = ['ТранспортнаяКомпания', 'Перевозчик', 'СлужбаДоставки'];

export interface AdditionalAttributeRow {
  Свойство_Key?: Wire;
  Значение?: Wire;
  ТекстоваяСтрока?: Wire;
}

/** The value of the additional attribute whose property is one of `propertyRefs`, as text; null when unset. */
export function additionalAttribute(rows: readonly AdditionalAttributeRow[] | undefined, propertyRefs: ReadonlySet<string>): string | null {
  for (const r of rows ?? []) {
    const p = typeof r.Свойство_Key === 'string' ? r.Свойство_Key.toLowerCase() : '';
    if (!propertyRefs.has(p)) continue;
    // Long strings live in ТекстоваяСтрока, short ones in the composite Значение.
    const v = textOrNull(r.ТекстоваяСтрока) ?? (typeof r.Значение === 'string' ? textOrNull(r.Значение) : null);
    if (v) return v;
  }
  return null;
}

export interface ShipmentRowInput {
  productId: string | null;
  article: string | null;
  name: string;
  quantity: Wire;
  unit: Unit;
}

export interface ShipmentInput {
  meta: Meta;
  shipmentId: string;
  orderId: string;
  number: string;
  /** ISO instant of the sale document. */
  documentDate: string;
  /** The sale's naive 1C date: its day is the shipment date. */
  naiveDate: string;
  trackingNumber: string | null;
  carrier: string | null;
  rows: readonly ShipmentRowInput[];
}

export function toShipment(i: ShipmentInput): Shipment {
  const lines: ShipmentLine[] = i.rows.map((r) => ({ productId: r.productId, article: r.article, name: r.name, quantity: quantity(r.quantity), unit: r.unit }));
  return {
    meta: i.meta,
    shipmentId: i.shipmentId,
    orderId: i.orderId,
    documentNumber: i.number,
    documentDate: i.documentDate,
    shippedOn: naiveDay(i.naiveDate),
    trackingNumber: i.trackingNumber,
    carrier: i.carrier,
    lines: lines.length ? lines : null,
  };
}
