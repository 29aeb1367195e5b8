// What the sink writes in this configuration, from the client profile: entity sets and fields per record type, and
// what the configuration lacks (Розница has no customer invoice, no partners and no settlements register). A lack is
// reported at start-up and makes the record's delivery a permanent error that names it — never a fake write.
import { getProfile, type FieldRef, type ProfileId } from '@esb/onec-client';
import type { OrderShape } from '../mapping/order.ts';

export interface Lack {
  /** Canonical record whose deliveries this configuration cannot take (fully or in part). */
  record: 'esb.canonical.Order' | 'esb.canonical.Invoice' | 'esb.canonical.OrderReversal';
  /** What is missing, in 1C terms. */
  missing: string;
  /** What it means for the flow. */
  effect: string;
  /** Deliveries of the record fail (true), or only part of the flow is skipped (false). */
  blocking: boolean;
}

export interface SinkShape {
  profile: ProfileId;
  title: string;
  family: 'ut' | 'retail' | 'bp';
  organisation: string;
  counterparty: string;
  /** УТ: every counterparty belongs to a partner. */
  partner?: string;
  nomenclature: string;
  /** The item's own VAT property (same form as the rows': reference or enum string). */
  nomenclatureVat: string;
  unit?: string;
  currency?: string;
  /** УТ 11.5: rows reference Catalog_СтавкиНДС. */
  vatCatalog?: string;
  /** Розница: the store an order is taken in. */
  store?: string;
  order?: { set: string; shape: OrderShape };
  invoice?: { set: string };
  /** УТ: shipments of an order (a shipped order is not reversed silently). */
  sale?: string;
  /** УТ: the register an order's debt lives in. */
  settlements?: string;
  lacks: Lack[];
}

const UT_STANDARD_INVOICE = 'Document_СчетНаОплатуКлиенту';

export function sinkShape(id: ProfileId): SinkShape {
  const p = getProfile(id);
  const e = p.entities;
  const f = (name: string): FieldRef | undefined => p.fields[name];
  const family: SinkShape['family'] = id === 'retail' ? 'retail' : id === 'bp3.0' ? 'bp' : 'ut';
  const lacks: Lack[] = [];
  const shape: SinkShape = {
    profile: p.id,
    title: p.title,
    family,
    organisation: e['organization'] ?? 'Catalog_Организации',
    counterparty: e['counterparty'] ?? 'Catalog_Контрагенты',
    nomenclature: e['nomenclature'] ?? 'Catalog_Номенклатура',
    nomenclatureVat: f('nomenclatureVat')?.property ?? 'СтавкаНДС',
    ...(e['unit'] ? { unit: e['unit'] } : {}),
    ...(e['currency'] ? { currency: e['currency'] } : {}),
    ...(e['vatRate'] ? { vatCatalog: e['vatRate'] } : {}),
    ...(e['partner'] ? { partner: e['partner'] } : {}),
    ...(e['sale'] ? { sale: e['sale'] } : {}),
    ...(e['settlements'] ? { settlements: e['settlements'] } : {}),
    lacks,
  };
  if (family === 'bp') {
    // БП keeps no customer orders; its invoices need a contract per counterparty the canonical Invoice cannot name.
    lacks.push({ record: 'esb.canonical.Order', missing: 'a customer order document (Document_ЗаказКлиента in УТ 11)', effect: 'orders cannot be created in this base', blocking: true });
    lacks.push({ record: 'esb.canonical.OrderReversal', missing: 'a customer order document', effect: 'there is no order to reverse', blocking: true });
    lacks.push({ record: 'esb.canonical.Invoice', missing: `${UT_STANDARD_INVOICE} (БП's Document_СчетНаОплатуПокупателю needs a contract this bus does not carry)`, effect: 'invoices are not written by this connector', blocking: true });
    return shape;
  }
  const orderSet = e['customerOrder'];
  const vat = f('vatRateField');
  if (orderSet && vat) shape.order = { set: orderSet, shape: { family: family === 'retail' ? 'retail' : 'ut', vatField: vat.property } };
  if (family === 'retail') {
    if (e['store']) shape.store = e['store'];
    lacks.push({
      record: 'esb.canonical.Invoice',
      missing: `a customer invoice document (${UT_STANDARD_INVOICE} in УТ 11)`,
      effect: 'invoices cannot be written to this base; route this legal entity\'s invoices to a УТ database or drop the Invoice route for it',
      blocking: true,
    });
    lacks.push({
      record: 'esb.canonical.OrderReversal',
      missing: 'a customer settlements register (AccumulationRegister_РасчетыСКлиентами in УТ 11)',
      effect: 'a reversal unposts and marks the order for deletion; there is no debt in this base to reverse',
      blocking: false,
    });
    lacks.push({ record: 'esb.canonical.Order', missing: 'partners (Catalog_Партнеры) and the order currency', effect: 'orders are written with the counterparty only, in the base currency', blocking: false });
  } else if (e['customerInvoice']) shape.invoice = { set: e['customerInvoice'] };
  return shape;
}

/** Properties the sink writes or filters on, beyond the profile's own names: checked against `$metadata` at start-up. */
export function sinkProperties(s: SinkShape): FieldRef[] {
  const out: FieldRef[] = [
    { set: s.organisation, property: 'ИНН' },
    { set: s.organisation, property: 'КПП' },
    { set: s.counterparty, property: 'ИНН' },
    { set: s.counterparty, property: 'КПП' },
    { set: s.counterparty, property: 'ЮрФизЛицо' },
    { set: s.nomenclature, property: 'Артикул' },
    { set: s.nomenclature, property: 'Описание' },
  ];
  if (s.partner) out.push({ set: s.partner, property: 'Комментарий' }, { set: s.partner, property: 'ЮрФизЛицо' }, { set: s.counterparty, property: 'Партнер_Key' });
  if (s.vatCatalog) out.push({ set: s.vatCatalog, property: 'ПеречислениеСтавкаНДС' });
  if (s.order) {
    const o = s.order.set;
    out.push({ set: o, property: 'Организация_Key' }, { set: o, property: 'Контрагент_Key' }, { set: o, property: 'Комментарий' }, { set: o, property: 'ЦенаВключаетНДС' });
    for (const col of ['Номенклатура_Key', 'Количество', 'Цена', 'Сумма', 'СуммаНДС', 'СуммаРучнойСкидки', s.order.shape.vatField]) out.push({ set: o, table: 'Товары', property: col });
    if (s.order.shape.family === 'ut') {
      for (const p of ['Партнер_Key', 'Валюта_Key', 'Статус', 'Согласован', 'ХозяйственнаяОперация', 'НалогообложениеНДС']) out.push({ set: o, property: p });
      out.push({ set: o, table: 'Товары', property: 'СуммаСНДС' }, { set: o, table: 'Товары', property: 'КодСтроки' });
    }
  }
  if (s.invoice) {
    const i = s.invoice.set;
    for (const p of ['Организация_Key', 'Контрагент_Key', 'Партнер_Key', 'Валюта_Key', 'СуммаДокумента', 'ДокументОснование', 'Аннулирован', 'Комментарий', 'ЭтапыГрафикаОплаты']) out.push({ set: i, property: p });
  }
  if (s.sale) out.push({ set: s.sale, property: 'ЗаказКлиента' });
  return out;
}

/** One paragraph per lack, for the start-up report. */
export function lacksText(s: SinkShape): string {
  if (!s.lacks.length) return '';
  return `${s.title} (profile ${s.profile}) lacks what some deliveries need:\n${s.lacks.map((l) => `  - ${l.record.replace('esb.canonical.', '')}: missing ${l.missing} — ${l.effect}${l.blocking ? ' (such deliveries go to the DLQ)' : ''}`).join('\n')}`;
}
