// CommerceML catalog files (import*.xml: Классификатор + Каталог; offers*.xml: ПакетПредложений) read into
// plain records, then applied to the catalog in the steps Bitrix's catalog.import.1c goes through: metadata
// (properties, price types, warehouses), groups, elements, deactivation of what a full upload no longer lists.
import { attr, child, decodeXml, field, list, nodes, parseXml, requisites, text, type XmlNode } from '../exchange/xml.ts';
import { normalizeDecimal } from '../util/money.ts';
import type { Catalog, CatalogMeta, Group, Offer, PriceType, Product, Property, Unit, Warehouse } from './model.ts';

export interface ProductInput extends Omit<Product, 'active' | 'deleted' | 'createdFromOffers' | 'updatedAt' | 'properties'> {
  properties: Array<{ propertyXmlId: string; raw: string }>;
  status: string;
}

export type OfferInput = Omit<Offer, 'updatedAt'>;

export interface CatalogPlan {
  kind: 'catalog' | 'offers';
  schemaVersion: string;
  meta: CatalogMeta | null;
  onlyChanges: boolean;
  properties: Property[];
  groups: Group[];
  priceTypes: PriceType[];
  warehouses: Warehouse[];
  products: ProductInput[];
  offers: OfferInput[];
}

/** Reads a parsed `КоммерческаяИнформация`; a string is the reason it is not a catalog or offers file. */
export function readCatalogDocument(root: XmlNode, rootName: string): CatalogPlan | string {
  if (rootName !== 'КоммерческаяИнформация') return `корневой элемент ${rootName} вместо КоммерческаяИнформация`;
  const classifier = child(root, 'Классификатор');
  const catalog = child(root, 'Каталог');
  const offers = child(root, 'ПакетПредложений') ?? child(root, 'ИзмененияПакетаПредложений');
  if (!catalog && !offers && !classifier) return 'в файле нет ни Классификатора, ни Каталога, ни ПакетаПредложений';
  const plan: CatalogPlan = {
    kind: offers ? 'offers' : 'catalog',
    schemaVersion: attr(root, 'ВерсияСхемы') ?? '',
    meta: null,
    onlyChanges: false,
    properties: [],
    groups: [],
    priceTypes: [],
    warehouses: [],
    products: [],
    offers: [],
  };
  if (classifier) {
    plan.properties = nodes(child(classifier, 'Свойства')?.['Свойство']).map(readProperty);
    plan.groups = readGroups(child(classifier, 'Группы'), null);
    plan.priceTypes = nodes(child(classifier, 'ТипыЦен')?.['ТипЦены']).map(readPriceType);
    plan.warehouses = nodes(child(classifier, 'Склады')?.['Склад']).map(readWarehouse);
  }
  const body = catalog ?? offers;
  if (body) {
    plan.onlyChanges = (attr(body, 'СодержитТолькоИзменения') ?? field(body, 'СодержитТолькоИзменения')).trim() === 'true';
    plan.meta = {
      xmlId: field(body, catalog ? 'Ид' : 'ИдКаталога') || field(body, 'Ид'),
      classifierXmlId: field(body, 'ИдКлассификатора') || field(classifier, 'Ид'),
      name: field(body, 'Наименование'),
      owner: readOwner(child(body, 'Владелец') ?? child(classifier, 'Владелец')),
    };
  }
  if (catalog) {
    const catalogXmlId = plan.meta?.xmlId ?? '';
    plan.products = nodes(child(catalog, 'Товары')?.['Товар']).map((t) => readProduct(t, catalogXmlId));
  }
  if (offers) {
    plan.priceTypes.push(...nodes(child(offers, 'ТипыЦен')?.['ТипЦены']).map(readPriceType));
    plan.warehouses.push(...nodes(child(offers, 'Склады')?.['Склад']).map(readWarehouse));
    plan.offers = nodes(child(offers, 'Предложения')?.['Предложение']).map(readOffer);
  }
  return plan;
}

function readOwner(n: XmlNode | undefined): CatalogMeta['owner'] {
  if (!n) return null;
  return { xmlId: field(n, 'Ид'), name: field(n, 'Наименование'), inn: field(n, 'ИНН'), kpp: field(n, 'КПП') };
}

function readProperty(n: XmlNode): Property {
  const values: Record<string, string> = {};
  for (const v of nodes(child(n, 'ВариантыЗначений')?.['Справочник'])) values[field(v, 'ИдЗначения')] = field(v, 'Значение');
  return { xmlId: field(n, 'Ид'), name: field(n, 'Наименование'), valueType: field(n, 'ТипЗначений'), values };
}

function readGroups(container: XmlNode | undefined, parent: string | null): Group[] {
  const out: Group[] = [];
  for (const g of nodes(container?.['Группа'])) {
    const xmlId = field(g, 'Ид');
    out.push({ xmlId, name: field(g, 'Наименование'), parentXmlId: parent, active: true });
    out.push(...readGroups(child(g, 'Группы'), xmlId));
  }
  return out;
}

function readPriceType(n: XmlNode): PriceType {
  const tax = child(n, 'Налог');
  return {
    xmlId: field(n, 'Ид'),
    name: field(n, 'Наименование'),
    currency: field(n, 'Валюта'),
    taxName: tax ? field(tax, 'Наименование') : null,
    taxInSum: tax ? field(tax, 'УчтеноВСумме') === 'true' : null,
  };
}

function readWarehouse(n: XmlNode): Warehouse {
  return { xmlId: field(n, 'Ид'), name: field(n, 'Наименование') };
}

/** `<БазоваяЕдиница Код="796 " НаименованиеПолное="Штука" МеждународноеСокращение="PCE">шт</БазоваяЕдиница>`. */
function readUnit(n: XmlNode): Unit | null {
  const v = n['БазоваяЕдиница'];
  if (v === undefined) return null;
  const u = Array.isArray(v) ? v[0] : v;
  if (typeof u === 'string') return { code: '', fullName: '', intlAbbr: '', shortName: u.trim() };
  if (u === undefined || Array.isArray(u)) return null;
  return {
    code: (attr(u, 'Код') ?? '').trim(),
    fullName: (attr(u, 'НаименованиеПолное') ?? '').trim(),
    intlAbbr: (attr(u, 'МеждународноеСокращение') ?? '').trim(),
    shortName: text(u),
  };
}

function readProduct(n: XmlNode, catalogXmlId: string): ProductInput {
  const maker = child(n, 'Изготовитель');
  return {
    xmlId: field(n, 'Ид'),
    catalogXmlId,
    article: field(n, 'Артикул'),
    barcode: field(n, 'Штрихкод'),
    name: field(n, 'Наименование'),
    unit: readUnit(n),
    groups: list(child(n, 'Группы')?.['Ид']).map((x) => text(x)),
    description: field(n, 'Описание'),
    manufacturer: maker ? { xmlId: field(maker, 'Ид'), name: field(maker, 'Наименование') } : null,
    properties: nodes(child(n, 'ЗначенияСвойств')?.['ЗначенияСвойства']).map((p) => ({ propertyXmlId: field(p, 'Ид'), raw: field(p, 'Значение') })),
    taxRates: nodes(child(n, 'СтавкиНалогов')?.['СтавкаНалога']).map((t) => ({ name: field(t, 'Наименование'), rate: field(t, 'Ставка') })),
    requisites: requisites(n),
    status: attr(n, 'Статус') ?? field(n, 'Статус'),
  };
}

function decimalOrRaw(v: string): string {
  return normalizeDecimal(v) ?? v;
}

function readOffer(n: XmlNode): OfferInput {
  const xmlId = field(n, 'Ид');
  const [productXmlId = xmlId, characteristicXmlId] = xmlId.split('#');
  const stock: Offer['stock'] = [];
  // Classic form: <Склад ИдСклада="…" КоличествоНаСкладе="…"/> repeated, attributes only.
  for (const s of nodes(n['Склад'])) {
    const id = attr(s, 'ИдСклада');
    if (id !== undefined) stock.push({ warehouseXmlId: id, quantity: decimalOrRaw(attr(s, 'КоличествоНаСкладе') ?? '0') });
  }
  // Newer UT (rests___*.xml): <Остатки><Остаток><Склад><Ид/><Количество/></Склад></Остаток></Остатки>.
  let restTotal: string | null = null;
  for (const r of nodes(child(n, 'Остатки')?.['Остаток'])) {
    const s = child(r, 'Склад');
    if (s) stock.push({ warehouseXmlId: field(s, 'Ид'), quantity: decimalOrRaw(field(s, 'Количество') || '0') });
    else if (r['Количество'] !== undefined) restTotal = decimalOrRaw(field(r, 'Количество'));
  }
  const qty = n['Количество'] !== undefined ? decimalOrRaw(field(n, 'Количество')) : restTotal;
  return {
    xmlId,
    productXmlId,
    characteristicXmlId: characteristicXmlId ?? null,
    article: field(n, 'Артикул'),
    name: field(n, 'Наименование'),
    unit: readUnit(n),
    characteristics: nodes(child(n, 'ХарактеристикиТовара')?.['ХарактеристикаТовара']).map((c) => ({ name: field(c, 'Наименование'), value: field(c, 'Значение') })),
    prices: nodes(child(n, 'Цены')?.['Цена']).map((p) => ({
      priceTypeXmlId: field(p, 'ИдТипаЦены'),
      price: decimalOrRaw(field(p, 'ЦенаЗаЕдиницу')),
      currency: field(p, 'Валюта'),
      unit: field(p, 'Единица'),
      coefficient: decimalOrRaw(field(p, 'Коэффициент')),
      presentation: field(p, 'Представление'),
    })),
    quantity: qty,
    stock,
  };
}

/** Step «metadata»: catalog record, properties, price types, warehouses. */
export function applyMetadata(c: Catalog, plan: CatalogPlan): void {
  if (plan.meta) c.catalogs[plan.meta.xmlId] = plan.meta;
  for (const p of plan.properties) c.properties[p.xmlId] = p;
  for (const t of plan.priceTypes) c.priceTypes[t.xmlId] = t;
  for (const w of plan.warehouses) c.warehouses[w.xmlId] = w;
}

/** Step «groups». */
export function applyGroups(c: Catalog, plan: CatalogPlan): void {
  for (const g of plan.groups) c.groups[g.xmlId] = g;
}

function propertyValue(c: Catalog, propertyXmlId: string, raw: string): string {
  const p = c.properties[propertyXmlId];
  if (p?.valueType === 'Справочник') return p.values[raw] ?? raw;
  if (p?.valueType === 'Число') return normalizeDecimal(raw) ?? raw;
  return raw;
}

/** Step «elements» for a catalog file: adds or updates products; `Статус="Удален"` deletes. */
export function applyProduct(c: Catalog, p: ProductInput, now: number): void {
  const { status, properties, ...rest } = p;
  const deleted = status === 'Удален';
  c.products[p.xmlId] = {
    ...rest,
    properties: properties.map((v) => ({ propertyXmlId: v.propertyXmlId, raw: v.raw, value: propertyValue(c, v.propertyXmlId, v.raw) })),
    active: !deleted,
    deleted,
    createdFromOffers: false,
    updatedAt: now,
  };
}

/**
 * Step «elements» for an offers file: prices and stock. An offer whose product the catalog does not know
 * creates a bare element, as the iblock importer adds elements it cannot find (UNCONFIRMED for every version).
 */
export function applyOffer(c: Catalog, o: OfferInput, now: number, catalogXmlId: string): void {
  c.offers[o.xmlId] = { ...o, updatedAt: now };
  if (!c.products[o.productXmlId]) {
    c.products[o.productXmlId] = {
      xmlId: o.productXmlId,
      catalogXmlId,
      article: o.article,
      barcode: '',
      name: o.name,
      unit: o.unit,
      groups: [],
      description: '',
      manufacturer: null,
      properties: [],
      taxRates: [],
      requisites: [],
      active: true,
      deleted: false,
      createdFromOffers: true,
      updatedAt: now,
    };
  }
}

/**
 * Step «deactivation» after a full catalog upload (`СодержитТолькоИзменения="false"`): elements of that catalog
 * the file no longer lists are deleted ("D", Bitrix's default 1C_ELEMENT_ACTION) or deactivated ("A").
 */
export function deactivateMissing(c: Catalog, plan: CatalogPlan, action: 'D' | 'A' | 'N'): number {
  if (plan.kind !== 'catalog' || plan.onlyChanges || action === 'N' || !plan.meta) return 0;
  const listed = new Set(plan.products.map((p) => p.xmlId));
  let n = 0;
  for (const p of Object.values(c.products)) {
    if (p.catalogXmlId !== plan.meta.xmlId || listed.has(p.xmlId) || p.deleted) continue;
    if (action === 'D') {
      p.deleted = true;
      p.active = false;
    } else p.active = false;
    n++;
  }
  return n;
}

/** All steps at once, for seeding the catalog from files without going through the exchange. */
export function importCatalogBytes(c: Catalog, bytes: Uint8Array, now: number, elementAction: 'D' | 'A' | 'N'): CatalogPlan {
  const parsed = parseXml(decodeXml(bytes));
  if (!parsed.ok) throw new Error(`not well-formed XML: ${parsed.error}`);
  const plan = readCatalogDocument(parsed.root, parsed.rootName);
  if (typeof plan === 'string') throw new Error(plan);
  applyMetadata(c, plan);
  applyGroups(c, plan);
  for (const p of plan.products) applyProduct(c, p, now);
  for (const o of plan.offers) applyOffer(c, o, now, plan.meta?.xmlId ?? '');
  deactivateMissing(c, plan, elementAction);
  return plan;
}
