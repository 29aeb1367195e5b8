// Shipment (F4): the deal gets the actual shipment date and the carrier's tracking number. Pure.
import type { Shipment } from '@esb/canonical';
import type { UfValue } from '../sink/fields.ts';

export interface ShipmentFields {
  shipmentDate: string;
  trackingNumber: string;
}

export function shipmentToDeal(s: Shipment, f: ShipmentFields): Record<string, UfValue> {
  const fields: Record<string, UfValue> = { [f.shipmentDate]: { t: 'date', date: s.shippedOn } };
  // A sale without a tracking number says nothing about one: a number typed by the manager stays.
  const tracking = s.trackingNumber?.trim();
  if (tracking) fields[f.trackingNumber] = { t: 'text', v: tracking };
  return fields;
}
