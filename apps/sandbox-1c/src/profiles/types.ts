// The shape of a configuration profile: published objects with Russian names, attribute types, table parts, registers
// and enumerations. Profiles are data; `compile.ts` turns them into the wire model.

/**
 * Attribute type notation used in profiles (kept terse so a profile reads like the configurator's tree):
 * - `S` unlimited string (1C «Строка неограниченной длины»: cannot be compared in a query's WHERE), `S:150` string(150)
 * - `N` fractional number (Edm.Double); `I16`, `I32`, `I64` integers (Int64 goes over the wire as a JSON string)
 * - `B` boolean, `D` date (Edm.DateTime, naive), `G` УникальныйИдентификатор (Edm.Guid)
 * - `E:<Enum>` enumeration value name (Edm.String)
 * - `Catalog_X`, `Document_X`, … a reference (wire: `<Name>_Key` + navigation property `<Name>`)
 * - `C:<T1>|<T2>|…` composite type; members are entity set names or `String`, `Number`, `Boolean`, `Date`
 *   (wire: `<Name>` value + `<Name>_Type` discriminator)
 * - `V` ХранилищеЗначения (wire: `<Name>_Base64Data` + `<Name>_Type`)
 */
export type TypeSpec = string;

export type Attrs = Record<string, TypeSpec>;

export type ObjectKind = 'Catalog' | 'Document' | 'ChartOfCharacteristicTypes' | 'BusinessProcess' | 'Task';

export interface ObjectSpec {
  kind: ObjectKind;
  /** The configurator name (without prefix), e.g. `ЗаказКлиента`. */
  name: string;
  /** The user-facing synonym used in presentations, e.g. «Заказ клиента». */
  synonym: string;
  attrs: Attrs;
  tables?: Record<string, Attrs>;
  /** Catalogs: code length (0 = no Code), description length (0 = no Description). */
  codeLength?: number;
  /** Code shape for autonumbering: `digits` ("000000021") or `prefixed` ("00-000036", БП style). */
  codeStyle?: 'digits' | 'prefixed';
  /** The code is a fixed-length string padded with spaces (УпаковкиЕдиницыИзмерения: «796 »). */
  fixedCode?: boolean;
  descriptionLength?: number;
  hierarchical?: boolean;
  /** Subordinate catalog owners (one → `Owner_Key`, several → composite `Owner` + `Owner_Type`). */
  owners?: string[];
  /** Documents: number length, and whether the number is prefixed with the infobase prefix. */
  numberLength?: number;
  /** БСП additional attributes make the type open (`OpenType="true"` in `$metadata`). */
  openType?: boolean;
  /** Documents: whether Post/Unpost exist (a document without posting has no movements). */
  posting?: boolean;
  /** Attribute quirks observed on real bases. */
  quirks?: AttributeQuirks;
}

export interface AttributeQuirks {
  /** Composite attributes where a string literal holding the GUID matches a reference (БП's ОбъектУчета). */
  stringLiteralMatchesRef?: string[];
}

export type RegisterKind = 'InformationRegister' | 'AccumulationRegister';

export interface RegisterSpec {
  kind: RegisterKind;
  name: string;
  synonym: string;
  /** Information registers: periodic (has `Period`); accumulation registers always have `Period`. */
  periodic?: boolean;
  /** Subordinate to a recorder (documents write its records when posted). */
  recorders?: string[];
  /** Accumulation registers: balance registers have Balance/BalanceAndTurnovers; turnover registers only Turnovers. */
  accumulation?: 'balance' | 'turnovers';
  dimensions: Attrs;
  resources: Attrs;
  attributes?: Attrs;
  quirks?: AttributeQuirks;
}

export interface ProfileSpec {
  /** Profile id as used in the admin API (`ut11`, `ut11.4`, `retail`, `bp30`, `dm`). */
  id: string;
  /** What the profile stands for, shown in the admin API and the README. */
  title: string;
  /** Default document number prefix («УТ00», «0000»). */
  numberPrefix: string;
  objects: ObjectSpec[];
  registers: RegisterSpec[];
  enums: Record<string, string[]>;
  /** Names the business rules look up (they differ between releases: ЦеныНоменклатуры vs ЦеныНоменклатуры25 …). */
  names: ProfileNames;
}

/** Release-dependent names that posting rules, the PDF service and EDO use; absent = the configuration lacks it. */
export interface ProfileNames {
  family: 'ut' | 'retail' | 'bp' | 'dm';
  order?: string;
  sale?: string;
  invoice?: string;
  bankReceipt?: string;
  cashReceipt?: string;
  priceRegister?: string;
  priceSetting?: string;
  stockRegister?: string;
  stockReceipt?: string;
  settlementsRegister?: string;
  shipmentRegister?: string;
  orderStates?: string;
  settlementObjects?: string;
  /** 11.4 keeps VAT as an enum string (`СтавкаНДС`), 11.5 as a reference (`СтавкаНДС_Key`). */
  vatAsCatalog?: boolean;
  edoOutgoing?: string;
  edoIncoming?: string;
  edoObjects?: string;
  edoStates?: string;
  retailCheck?: string;
  retailReport?: string;
  accountingRegister?: string;
  chartOfAccounts?: string;
}
