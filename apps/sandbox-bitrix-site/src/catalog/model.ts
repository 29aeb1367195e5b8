// The site catalog that CommerceML imports fill: groups (iblock sections), properties, products (iblock
// elements) with their units, offers with prices per price type and stock per warehouse. Quantities and
// prices stay decimal strings exactly as normalised from the file (comma → dot), never floats.

export interface Unit {
  /** OKEI code, trimmed (`Код="796 "` in real 1C files). */
  code: string;
  fullName: string;
  intlAbbr: string;
  /** The element text, e.g. `шт`; often empty in 1C files. */
  shortName: string;
}

export interface Group {
  xmlId: string;
  name: string;
  parentXmlId: string | null;
  active: boolean;
}

export interface Property {
  xmlId: string;
  name: string;
  /** `Строка`, `Число`, `Справочник`, `Время`. */
  valueType: string;
  /** Dictionary values (`ВариантыЗначений/Справочник`): value id → text. */
  values: Record<string, string>;
}

export interface ProductPropertyValue {
  propertyXmlId: string;
  /** As it stands in the file. */
  raw: string;
  /** Dictionary values resolved to their text, numbers normalised (`1,4` → `1.4`). */
  value: string;
}

export interface Product {
  xmlId: string;
  catalogXmlId: string;
  article: string;
  barcode: string;
  name: string;
  unit: Unit | null;
  groups: string[];
  description: string;
  manufacturer: { xmlId: string; name: string } | null;
  properties: ProductPropertyValue[];
  taxRates: Array<{ name: string; rate: string }>;
  requisites: Array<{ name: string; value: string }>;
  active: boolean;
  /** `Статус="Удален"` in the file, or removed by a full upload that no longer lists it. */
  deleted: boolean;
  /** Created from an offers file because no catalog element had that id. */
  createdFromOffers: boolean;
  updatedAt: number;
}

export interface PriceType {
  xmlId: string;
  name: string;
  currency: string;
  taxName: string | null;
  taxInSum: boolean | null;
}

export interface Warehouse {
  xmlId: string;
  name: string;
}

export interface OfferPrice {
  priceTypeXmlId: string;
  price: string;
  currency: string;
  unit: string;
  coefficient: string;
  presentation: string;
}

export interface Offer {
  /** `<product>` or `<product>#<characteristic>`. */
  xmlId: string;
  productXmlId: string;
  characteristicXmlId: string | null;
  article: string;
  name: string;
  unit: Unit | null;
  characteristics: Array<{ name: string; value: string }>;
  prices: OfferPrice[];
  /** Total quantity (`Количество`), null when the file did not say. */
  quantity: string | null;
  stock: Array<{ warehouseXmlId: string; quantity: string }>;
  updatedAt: number;
}

export interface CatalogMeta {
  xmlId: string;
  classifierXmlId: string;
  name: string;
  owner: { xmlId: string; name: string; inn: string; kpp: string } | null;
}

export interface ImportRecord {
  at: number;
  type: 'catalog' | 'sale';
  file: string;
  kind: 'catalog' | 'offers' | 'orders';
  ok: boolean;
  message: string;
  counts: Record<string, number>;
}

export interface Catalog {
  catalogs: Record<string, CatalogMeta>;
  groups: Record<string, Group>;
  properties: Record<string, Property>;
  products: Record<string, Product>;
  priceTypes: Record<string, PriceType>;
  warehouses: Record<string, Warehouse>;
  offers: Record<string, Offer>;
  imports: ImportRecord[];
}

export function emptyCatalog(): Catalog {
  return { catalogs: {}, groups: {}, properties: {}, products: {}, priceTypes: {}, warehouses: {}, offers: {}, imports: [] };
}
