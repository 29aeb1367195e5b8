// 1C nomenclature (Catalog_Номенклатура) → canonical Product (F6): id from the article (else this system + Ref_Key),
// kind from ТипНоменклатуры, the base unit by OKEI code (trimmed: 1C pads `Code` — «796 »), the VAT rate from the
// enum string (УТ 11.4, Розница, БП) or Catalog_СтавкиНДС.ПеречислениеСтавкаНДС (УТ 11.5).
import { productId, type Meta, type Product, type ProductKind, type Unit, type VatRate } from '@esb/canonical';
import { text, textOrNull, type Wire } from './inbound.ts';

const VAT_RATES: readonly VatRate[] = ['VAT_NONE', 'VAT_0', 'VAT_5', 'VAT_7', 'VAT_10', 'VAT_18', 'VAT_20', 'VAT_22', 'VAT_5_105', 'VAT_7_107', 'VAT_10_110', 'VAT_18_118', 'VAT_20_120', 'VAT_22_122'];

/**
 * `Перечисление.СтавкиНДС` value → canonical rate: `БезНДС` → VAT_NONE, `НДС20` → VAT_20, `НДС20_120` → VAT_20_120
 * (reference §4.2, including the 2025 НДС5/НДС7 and 2026 НДС22 values). Null for an empty or unknown value.
 */
export function vatRateFromEnum(v: Wire): VatRate | null {
  const s = text(v).trim();
  if (s === 'БезНДС' || s === 'БезНалога') return 'VAT_NONE';
  const m = /^НДС(\d+)(?:_(\d+))?$/.exec(s);
  if (!m) return null;
  const rate = `VAT_${m[1]}${m[2] ? `_${m[2]}` : ''}` as VatRate;
  return VAT_RATES.includes(rate) ? rate : null;
}

export function productKind(v: Wire): ProductKind {
  const s = text(v);
  if (s === 'Услуга') return 'SERVICE';
  if (s === 'Работа') return 'WORK';
  return 'GOODS';
}

/** A unit from Catalog_УпаковкиЕдиницыИзмерения / КлассификаторЕдиницИзмерения: OKEI in `Code`, short name in Description. */
export function unitOf(u: { Code?: Wire; Description?: Wire } | undefined): Unit {
  const okei = text(u?.Code).trim();
  const name = text(u?.Description).trim();
  // Without a unit 1C means pieces; a product without one cannot be sold in 1C anyway.
  return okei ? { okei, name: name || okei } : { okei: '796', name: name || 'шт' };
}

export interface NomenclatureEntity {
  Ref_Key?: Wire;
  Description?: Wire;
  НаименованиеПолное?: Wire;
  Описание?: Wire;
  Артикул?: Wire;
  ТипНоменклатуры?: Wire;
  DeletionMark?: Wire;
}

export function nomenclatureProductId(systemId: string, e: Pick<NomenclatureEntity, 'Артикул' | 'Ref_Key'>): string {
  return productId({ article: textOrNull(e.Артикул), originSystem: systemId, externalId: text(e.Ref_Key) });
}

export function toProduct(meta: Meta, systemId: string, e: NomenclatureEntity, unit: Unit, vatRate: VatRate | null): Product {
  return {
    meta,
    productId: nomenclatureProductId(systemId, e),
    article: textOrNull(e.Артикул),
    name: text(e.Description).trim(),
    fullName: textOrNull(e.НаименованиеПолное),
    description: textOrNull(e.Описание),
    kind: productKind(e.ТипНоменклатуры),
    unit,
    // 1C fills the rate on every goods item; an unset one means the item is sold without VAT.
    vatRate: vatRate ?? 'VAT_NONE',
    barcodes: [],
    deleted: e.DeletionMark === true,
  };
}
