// Entity and field names per 1C configuration release, as data (reference §2, §6): connectors ask for a logical name
// (`customerOrder`, `prices`, `vatRateField`) and get what this base calls it. Releases drift (УТ 11.4 → 11.5 renamed
// the price register and turned VAT into a catalog reference), so every profile is checked against the base's
// `$metadata` at start-up and a mismatch is reported with what is missing and which profile would fit.
import { parseMetadata, propertiesOf, type ODataSchema } from './metadata.ts';

export type ProfileId = 'ut11.5' | 'ut11.4' | 'retail' | 'bp3.0';

/** A property of an entity set, or of one of its table parts (`table`), as 1C names it on the wire. */
export interface FieldRef {
  set: string;
  table?: string;
  property: string;
}

export interface Profile {
  id: ProfileId;
  title: string;
  /** Logical name → entity set. Absent = the configuration has no such object (Розница has no ЗаказКлиента). */
  entities: Readonly<Record<string, string>>;
  /** Logical name → where the field lives and what it is called. */
  fields: Readonly<Record<string, FieldRef>>;
}

const ORDER = 'Document_ЗаказКлиента';
const BANK = 'Document_ПоступлениеБезналичныхДенежныхСредств';

function ut(id: 'ut11.5' | 'ut11.4'): Profile {
  const is115 = id === 'ut11.5';
  const prices = is115 ? 'InformationRegister_ЦеныНоменклатуры25' : 'InformationRegister_ЦеныНоменклатуры';
  return {
    id,
    title: is115 ? '1C:Управление торговлей 11.5' : '1C:Управление торговлей 11.4',
    entities: {
      organization: 'Catalog_Организации',
      partner: 'Catalog_Партнеры',
      counterparty: 'Catalog_Контрагенты',
      contract: 'Catalog_ДоговорыКонтрагентов',
      nomenclature: 'Catalog_Номенклатура',
      unit: 'Catalog_УпаковкиЕдиницыИзмерения',
      ...(is115 ? { vatRate: 'Catalog_СтавкиНДС', settlementObject: 'Catalog_ОбъектыРасчетов' } : {}),
      priceType: 'Catalog_ВидыЦен',
      warehouse: 'Catalog_Склады',
      currency: 'Catalog_Валюты',
      customerOrder: ORDER,
      sale: 'Document_РеализацияТоваровУслуг',
      customerInvoice: 'Document_СчетНаОплатуКлиенту',
      bankReceipt: BANK,
      cashReceipt: 'Document_ПриходныйКассовыйОрдер',
      priceSetting: 'Document_УстановкаЦенНоменклатуры',
      prices,
      pricesRecords: `${prices}_RecordType`,
      stock: 'AccumulationRegister_ТоварыНаСкладах',
      settlements: 'AccumulationRegister_РасчетыСКлиентами',
      edoOutgoing: 'Document_ЭлектронныйДокументИсходящийЭДО',
      edoState: 'InformationRegister_СостоянияДокументовЭДО',
    },
    fields: {
      counterpartyInn: { set: 'Catalog_Контрагенты', property: 'ИНН' },
      counterpartyKpp: { set: 'Catalog_Контрагенты', property: 'КПП' },
      counterpartyLegalForm: { set: 'Catalog_Контрагенты', property: 'ЮрФизЛицо' },
      counterpartyPartner: { set: 'Catalog_Контрагенты', property: 'Партнер_Key' },
      article: { set: 'Catalog_Номенклатура', property: 'Артикул' },
      nomenclatureVat: { set: 'Catalog_Номенклатура', property: is115 ? 'СтавкаНДС_Key' : 'СтавкаНДС' },
      vatRateField: { set: ORDER, table: 'Товары', property: is115 ? 'СтавкаНДС_Key' : 'СтавкаНДС' },
      orderRows: { set: ORDER, property: 'Товары' },
      orderCounterparty: { set: ORDER, property: 'Контрагент_Key' },
      priceTypeField: { set: `${prices}_RecordType`, property: 'ВидЦены_Key' },
      paymentOrderLink: is115 ? { set: BANK, table: 'РасшифровкаПлатежа', property: 'ОбъектРасчетов_Key' } : { set: BANK, table: 'РасшифровкаПлатежа', property: 'Заказ' },
    },
  };
}

const retail: Profile = {
  id: 'retail',
  title: '1C:Розница 2.3/3.0',
  entities: {
    organization: 'Catalog_Организации',
    counterparty: 'Catalog_Контрагенты',
    nomenclature: 'Catalog_Номенклатура',
    unit: 'Catalog_УпаковкиЕдиницыИзмерения',
    priceType: 'Catalog_ВидыЦен',
    warehouse: 'Catalog_Склады',
    store: 'Catalog_Магазины',
    customerOrder: 'Document_ЗаказПокупателя',
    receipt: 'Document_ЧекККМ',
    retailReport: 'Document_ОтчетОРозничныхПродажах',
    priceSetting: 'Document_УстановкаЦенНоменклатуры',
    prices: 'InformationRegister_ЦеныНоменклатуры',
    pricesRecords: 'InformationRegister_ЦеныНоменклатуры_RecordType',
    stock: 'AccumulationRegister_ТоварыНаСкладах',
    edoOutgoing: 'Document_ЭлектронныйДокументИсходящийЭДО',
    edoState: 'InformationRegister_СостоянияДокументовЭДО',
  },
  fields: {
    counterpartyInn: { set: 'Catalog_Контрагенты', property: 'ИНН' },
    counterpartyKpp: { set: 'Catalog_Контрагенты', property: 'КПП' },
    counterpartyLegalForm: { set: 'Catalog_Контрагенты', property: 'ЮрФизЛицо' },
    article: { set: 'Catalog_Номенклатура', property: 'Артикул' },
    nomenclatureVat: { set: 'Catalog_Номенклатура', property: 'СтавкаНДС' },
    vatRateField: { set: 'Document_ЗаказПокупателя', table: 'Товары', property: 'СтавкаНДС' },
    orderRows: { set: 'Document_ЗаказПокупателя', property: 'Товары' },
    orderCounterparty: { set: 'Document_ЗаказПокупателя', property: 'Контрагент_Key' },
    priceTypeField: { set: 'InformationRegister_ЦеныНоменклатуры_RecordType', property: 'ВидЦены_Key' },
  },
};

const bp: Profile = {
  id: 'bp3.0',
  title: '1C:Бухгалтерия предприятия 3.0',
  entities: {
    organization: 'Catalog_Организации',
    counterparty: 'Catalog_Контрагенты',
    contract: 'Catalog_ДоговорыКонтрагентов',
    nomenclature: 'Catalog_Номенклатура',
    unit: 'Catalog_КлассификаторЕдиницИзмерения',
    priceType: 'Catalog_ТипыЦенНоменклатуры',
    warehouse: 'Catalog_Склады',
    currency: 'Catalog_Валюты',
    sale: 'Document_РеализацияТоваровУслуг',
    customerInvoice: 'Document_СчетНаОплатуПокупателю',
    bankReceipt: 'Document_ПоступлениеНаРасчетныйСчет',
    cashReceipt: 'Document_ПриходныйКассовыйОрдер',
    priceSetting: 'Document_УстановкаЦенНоменклатуры',
    prices: 'InformationRegister_ЦеныНоменклатуры',
    pricesRecords: 'InformationRegister_ЦеныНоменклатуры_RecordType',
    edoOutgoing: 'Document_ЭлектронныйДокументИсходящийЭДО',
    edoState: 'InformationRegister_СостоянияДокументовЭДО',
  },
  fields: {
    counterpartyInn: { set: 'Catalog_Контрагенты', property: 'ИНН' },
    counterpartyKpp: { set: 'Catalog_Контрагенты', property: 'КПП' },
    counterpartyLegalForm: { set: 'Catalog_Контрагенты', property: 'ЮридическоеФизическоеЛицо' },
    contractOwner: { set: 'Catalog_ДоговорыКонтрагентов', property: 'Owner_Key' },
    article: { set: 'Catalog_Номенклатура', property: 'Артикул' },
    nomenclatureVat: { set: 'Catalog_Номенклатура', property: 'СтавкаНДС' },
    vatRateField: { set: 'Document_РеализацияТоваровУслуг', table: 'Товары', property: 'СтавкаНДС' },
    priceTypeField: { set: 'InformationRegister_ЦеныНоменклатуры_RecordType', property: 'ТипЦен_Key' },
  },
};

export const PROFILES: Readonly<Record<ProfileId, Profile>> = { 'ut11.5': ut('ut11.5'), 'ut11.4': ut('ut11.4'), retail, 'bp3.0': bp };

export function getProfile(id: ProfileId | Profile): Profile {
  if (typeof id !== 'string') return id;
  const p = PROFILES[id];
  if (!p) throw new Error(`unknown 1C profile "${String(id)}"; known: ${Object.keys(PROFILES).join(', ')}`);
  return p;
}

/** The entity set a logical name maps to; throws with the profile named when the configuration has none. */
export function entitySet(profile: ProfileId | Profile, logical: string): string {
  const p = getProfile(profile);
  const set = p.entities[logical];
  if (!set) throw new Error(`profile ${p.id} has no entity "${logical}" (${p.title} lacks it)`);
  return set;
}

export function fieldOf(profile: ProfileId | Profile, logical: string): FieldRef {
  const p = getProfile(profile);
  const f = p.fields[logical];
  if (!f) throw new Error(`profile ${p.id} has no field "${logical}"`);
  return f;
}

export interface MissingItem {
  logical: string;
  kind: 'entitySet' | 'property';
  /** What the profile expects: `InformationRegister_ЦеныНоменклатуры25` or `Document_ЗаказКлиента.Товары.СтавкаНДС_Key`. */
  expected: string;
  /** Other profiles' names for the same logical item that this base does have: the hint for a wrong profile. */
  found: Array<{ profile: ProfileId; name: string }>;
  text: string;
}

export interface ValidationReport {
  ok: boolean;
  profile: ProfileId;
  /** How many entity sets / properties were checked. */
  checked: number;
  missing: MissingItem[];
  /** Profiles under which this base has everything, in PROFILES order (empty when none fits). */
  fittingProfiles: ProfileId[];
  /** One human-readable paragraph; empty when ok. */
  message: string;
}

const fieldText = (f: FieldRef) => [f.set, f.table, f.property].filter(Boolean).join('.');

function hasField(schema: ODataSchema, f: FieldRef): boolean {
  return propertiesOf(schema, f.set, f.table)?.has(f.property) ?? false;
}

function check(p: Profile, schema: ODataSchema): { checked: number; missing: Array<Omit<MissingItem, 'found' | 'text'>> } {
  const missing: Array<Omit<MissingItem, 'found' | 'text'>> = [];
  let checked = 0;
  for (const [logical, set] of Object.entries(p.entities)) {
    checked++;
    if (!schema.entitySets.has(set)) missing.push({ logical, kind: 'entitySet', expected: set });
  }
  for (const [logical, f] of Object.entries(p.fields)) {
    // A field on an absent set is already reported through the set; listing it again would bury the real cause.
    if (!schema.entitySets.has(f.set)) continue;
    checked++;
    if (!hasField(schema, f)) missing.push({ logical, kind: 'property', expected: fieldText(f) });
  }
  return { checked, missing };
}

/**
 * Checks that the base publishes everything the profile names. Accepts the `$metadata` XML or an already parsed
 * schema. The report names each missing set / property, what the base has instead (another profile's name for the
 * same thing) and which profiles would fit — "ut11.5 expects InformationRegister_ЦеныНоменклатуры25 (prices), the
 * base has InformationRegister_ЦеныНоменклатуры — wrong profile? try ut11.4".
 */
export function validateAgainstMetadata(profile: ProfileId | Profile, metadata: string | ODataSchema): ValidationReport {
  const p = getProfile(profile);
  const schema = typeof metadata === 'string' ? parseMetadata(metadata) : metadata;
  const { checked, missing } = check(p, schema);
  const others = Object.values(PROFILES).filter((o) => o.id !== p.id);
  const fittingProfiles = Object.values(PROFILES)
    .filter((o) => check(o, schema).missing.length === 0)
    .map((o) => o.id);
  const items: MissingItem[] = missing.map((m) => {
    const found: MissingItem['found'] = [];
    for (const o of others) {
      if (m.kind === 'entitySet') {
        const alt = o.entities[m.logical];
        if (alt && alt !== m.expected && schema.entitySets.has(alt)) found.push({ profile: o.id, name: alt });
      } else {
        const alt = o.fields[m.logical];
        if (alt && fieldText(alt) !== m.expected && hasField(schema, alt)) found.push({ profile: o.id, name: fieldText(alt) });
      }
    }
    // When some profile fits the base, its names are the useful hint; other profiles' matches are noise.
    const fitting = found.filter((f) => fittingProfiles.includes(f.profile));
    const names = [...new Set((fitting.length ? fitting : found).map((f) => f.name))];
    const tries = [...new Set(found.map((f) => f.profile).filter((id) => fittingProfiles.length === 0 || fittingProfiles.includes(id)))];
    const what = m.kind === 'entitySet' ? 'entity set' : 'property';
    let text = `${p.id} expects ${what} ${m.expected} (${m.logical})`;
    text += names.length ? `, the base has ${names.join(' / ')}` : ', the base does not publish it';
    if (tries.length) text += ` — wrong profile? try ${tries.join(' or ')}`;
    else if (m.kind === 'entitySet') text += ' — is it in the OData composition (Настройки стандартного интерфейса OData)?';
    return { ...m, found, text };
  });
  const ok = items.length === 0;
  let message = '';
  if (!ok) {
    message = `1C base does not match profile ${p.id} (${p.title}): ${items.length} of ${checked} names missing.\n${items.map((i) => `  - ${i.text}`).join('\n')}`;
    if (fittingProfiles.length) message += `\nThe base matches profile ${fittingProfiles.join(', ')}.`;
  }
  return { ok, profile: p.id, checked, missing: items, fittingProfiles, message };
}
