// F4: posted sales (Document_РеализацияТоваровУслуг) → Shipment for the order they ship (header ЗаказКлиента, or
// per row when one sale ships several orders), with the tracking number from the sale's additional attribute.
// Sales not linked to an order are not published (the schema's rule); an unposted sale is logged, since Shipment
// has no cancellation.
import { documentId } from '@esb/canonical';
import type { OneCEntity } from '@esb/onec-client';
import type { StoreTx } from '@esb/store';
import { isOwnWrite } from '../echo.ts';
import { changeEventId, refOf, text, textOrNull, typeOf } from '../mapping/inbound.ts';
import { unitOf } from '../mapping/product.ts';
import { additionalAttribute, CARRIER_ATTRIBUTE_NAMES, toShipment, TRACKING_ATTRIBUTE_NAMES, type AdditionalAttributeRow, type ShipmentRowInput } from '../mapping/shipment.ts';
import type { SourceContext } from './context.ts';
import type { Lookups } from './lookups.ts';
import { scanDocuments } from './scan.ts';

export const SALES_JOB = 'sales';

/** The sale's rows grouped by the order each ships (a row's own ЗаказКлиента, else the header's). */
export function rowsByOrder(doc: OneCEntity, orderSet: string): Map<string, OneCEntity[]> {
  const header = typeOf(doc['ЗаказКлиента_Type']) === orderSet ? refOf(doc['ЗаказКлиента']) : null;
  const out = new Map<string, OneCEntity[]>();
  const rows = Array.isArray(doc['Товары']) ? (doc['Товары'] as OneCEntity[]) : [];
  for (const r of rows) {
    const own = typeOf(r['ЗаказКлиента_Type']) === orderSet ? refOf(r['ЗаказКлиента']) : null;
    const o = own ?? header;
    if (!o) continue;
    out.set(o, [...(out.get(o) ?? []), r]);
  }
  if (!out.size && header) out.set(header, []);
  return out;
}

async function handleSale(sc: SourceContext, L: Lookups, tx: StoreTx, set: string, doc: OneCEntity, ref: string, version: string, seen: string | undefined, remember: (ref: string, value: string) => Promise<void>): Promise<void> {
  const orderSet = sc.need('customerOrder');
  const number = text(doc['Number']);
  const keys = { sale: number, saleRef: ref };
  // What is remembered per sale: its DataVersion and whether a Shipment went out for it.
  const published = seen !== undefined && (JSON.parse(seen) as { p?: boolean }).p === true;
  const keep = (p: boolean) => remember(ref, JSON.stringify({ v: version, p }));
  if (await isOwnWrite(tx, set, ref, version)) {
    await sc.note(tx, SALES_JOB, 'skipped', 'esb.canonical.Shipment', keys, 'written by the bus itself');
    return keep(published);
  }
  if (doc['Posted'] !== true || doc['DeletionMark'] === true) {
    // Only news when it was published as shipped: the deal keeps its shipment date, a person sees this line.
    if (published) await sc.note(tx, SALES_JOB, 'skipped', 'esb.canonical.Shipment', keys, 'the sale was unposted after its shipment was published; Shipment has no cancellation, the deal keeps the date');
    if (published) await keep(true);
    return;
  }
  const byOrder = rowsByOrder(doc, orderSet);
  if (!byOrder.size) {
    await sc.note(tx, SALES_JOB, 'skipped', 'esb.canonical.Shipment', keys, 'the sale is not linked to a customer order (ЗаказКлиента), so it ships no deal or site order');
    return keep(false);
  }
  const [tracking, carrier] = await Promise.all([L.propertyRefs(TRACKING_ATTRIBUTE_NAMES), L.propertyRefs(CARRIER_ATTRIBUTE_NAMES)]);
  const attrs = (Array.isArray(doc['ДополнительныеРеквизиты']) ? doc['ДополнительныеРеквизиты'] : []) as AdditionalAttributeRow[];
  const nomenclature = sc.need('nomenclature');
  const unitSet = sc.entity('unit') ?? 'Catalog_УпаковкиЕдиницыИзмерения';
  const allRows = [...byOrder.values()].flat();
  const items = await L.many(nomenclature, allRows.map((r) => text(r['Номенклатура_Key'])));
  const units = await L.many(unitSet, [...items.values()].map((i) => text(i['ЕдиницаИзмерения_Key'])));
  const org = await L.one(sc.entity('organization') ?? 'Catalog_Организации', doc['Организация_Key']);
  const date = sc.instant(doc['Date']);
  for (const [orderRef, rows] of byOrder) {
    const orderDoc = await L.one(orderSet, orderRef);
    const orderId = await sc.documentIdOf(tx, 'order', orderRef, orderDoc);
    const lines: ShipmentRowInput[] = [];
    for (const r of rows) {
      const item = items.get(String(refOf(r['Номенклатура_Key'])));
      lines.push({
        productId: item ? await sc.productId(tx, item) : null,
        article: textOrNull(item?.['Артикул']),
        name: text(item?.['Description']) || 'Номенклатура',
        quantity: r['Количество'],
        unit: unitOf(units.get(String(refOf(item?.['ЕдиницаИзмерения_Key'])))),
      });
    }
    const shipment = toShipment({
      meta: sc.meta({ eventId: changeEventId(sc.systemId, set, ref, version, orderRef), externalId: ref, occurredAt: date, legalEntityId: sc.legalEntityId(org) }),
      shipmentId: documentId('shipment', sc.systemId, byOrder.size > 1 ? `${ref}/${orderRef}` : ref),
      orderId,
      number,
      documentDate: date,
      naiveDate: text(doc['Date']),
      trackingNumber: additionalAttribute(attrs, tracking),
      carrier: additionalAttribute(attrs, carrier),
      rows: lines,
    });
    await sc.emit(tx, SALES_JOB, 'esb.canonical.Shipment', shipment, shipment.orderId, { ...keys, order: text(orderDoc?.['Number']), ...(shipment.trackingNumber ? { tracking: shipment.trackingNumber } : {}) });
  }
  await keep(true);
}

export async function pollSales(sc: SourceContext): Promise<void> {
  const set = sc.need('sale');
  const L = sc.lookups();
  await scanDocuments(sc, { job: `${SALES_JOB}/${set}`, set }, async (tx, changed, remember) => {
    for (const { doc, ref, version, seen } of changed) await handleSale(sc, L, tx, set, doc, ref, version, seen, remember);
  });
}

export const hasSales = (sc: SourceContext): boolean => !!sc.entity('sale') && !!sc.entity('customerOrder');
