// The online store's sale module as data: payer types with their order properties (EDO_STATUS among them),
// statuses, delivery services, pay systems, users, orders with basket, payment and shipment. Money and
// quantities are Dec4 integers (see util/money.ts); times are epoch milliseconds of the sandbox clock.
import type { Dec4 } from '../util/money.ts';

export interface Status {
  id: string;
  name: string;
  sort: number;
  /** `O` order status, `D` shipment status. */
  type: 'O' | 'D';
  description: string;
}

/** Codes the 1C export profile maps to buyer fields (Bitrix's BusinessValueConsumer1C), per payer type. */
export type AgentField =
  | 'AGENT_NAME'
  | 'FULL_NAME'
  | 'SURNAME'
  | 'NAME'
  | 'SECOND_NAME'
  | 'INN'
  | 'KPP'
  | 'ADDRESS_FULL'
  | 'INDEX'
  | 'CITY'
  | 'STREET'
  | 'PHONE'
  | 'EMAIL'
  | 'CONTACT_PERSON'
  | 'F_ADDRESS_FULL';

export interface PersonType {
  id: number;
  name: string;
  /** `I` individual (Физическое лицо), `E` legal entity (Юридическое лицо): Bitrix's business-value domain. */
  domain: 'I' | 'E';
  sort: number;
  code: string;
  xmlId: string;
  /** Buyer fields of the order XML, each taken from an order property code. */
  agent: Partial<Record<AgentField, string>>;
  /** Extra requisites (`REKV_n`) exported into the order's ЗначенияРеквизитов: name → property code. */
  requisites: Array<{ name: string; property: string }>;
}

export interface OrderProperty {
  id: number;
  personTypeId: number;
  code: string;
  name: string;
  /** STRING, Y/N, NUMBER, ENUM, DATE, LOCATION. */
  type: string;
  required: boolean;
  sort: number;
  xmlId: string | null;
  isPayer: boolean;
  isEmail: boolean;
  isPhone: boolean;
  isProfileName: boolean;
}

export interface Delivery {
  id: number;
  name: string;
  price: Dec4;
  xmlId: string;
}

export interface PaySystem {
  id: number;
  name: string;
  /** `N` cashless, `Y` cash, `A` acquiring — picks the ХозОперация of payment documents. */
  isCash: 'N' | 'Y' | 'A';
  xmlId: string;
}

export interface SiteUser {
  id: number;
  login: string;
  password: string;
  email: string;
  name: string;
  lastName: string;
  secondName: string;
  /** Group 1 = administrators, which the exchange components allow by default. */
  groups: number[];
  xmlId: string;
}

export interface BasketProperty {
  id: number;
  code: string;
  name: string;
  value: string;
  sort: number;
  xmlId: string;
}

export interface BasketItem {
  id: number;
  productXmlId: string;
  catalogXmlId: string;
  productId: number;
  name: string;
  price: Dec4;
  basePrice: Dec4;
  discountPrice: Dec4;
  quantity: Dec4;
  currency: string;
  measureCode: string;
  measureName: string;
  /** VAT as a fraction (0.2), or null when the item has none. */
  vatRate: number | null;
  vatIncluded: 'Y' | 'N';
  notes: string;
  priceTypeId: number | null;
  sort: number;
  xmlId: string;
  properties: BasketProperty[];
  dateInsert: number;
  dateUpdate: number;
}

export interface PropertyValue {
  id: number;
  orderPropsId: number;
  /** null when never filled (REST shows null), as Bitrix keeps a value row for every property of the payer type. */
  value: string | null;
}

export interface Payment {
  id: number;
  accountNumber: string;
  paySystemId: number;
  paySystemName: string;
  sum: Dec4;
  paid: 'Y' | 'N';
  datePaid: number | null;
  payVoucherNum: string;
  payVoucherDate: number | null;
  dateBill: number;
  id1c: string;
  xmlId: string;
}

export interface Shipment {
  id: number;
  accountNumber: string;
  deliveryId: number;
  deliveryName: string;
  priceDelivery: Dec4;
  allowDelivery: 'Y' | 'N';
  dateAllowDelivery: number | null;
  deducted: 'Y' | 'N';
  dateDeducted: number | null;
  statusId: string;
  trackingNumber: string;
  deliveryDocNum: string;
  deliveryDocDate: number | null;
  dateInsert: number;
  id1c: string;
  xmlId: string;
}

export interface Order {
  id: number;
  accountNumber: string;
  lid: string;
  personTypeId: number;
  userId: number;
  statusId: string;
  dateStatus: number;
  empStatusId: number | null;
  price: Dec4;
  discountValue: Dec4;
  taxValue: Dec4;
  currency: string;
  payed: 'Y' | 'N';
  datePayed: number | null;
  canceled: 'Y' | 'N';
  dateCanceled: number | null;
  reasonCanceled: string;
  empCanceledId: number | null;
  deducted: 'Y' | 'N';
  marked: 'Y' | 'N';
  reasonMarked: string;
  userDescription: string;
  comments: string;
  additionalInfo: string;
  responsibleId: number | null;
  xmlId: string;
  id1c: string;
  version1c: string;
  /** `Y` after 1C changed the order; the exchange only exports orders with `N`. */
  updated1c: 'Y' | 'N';
  externalOrder: 'Y' | 'N';
  version: number;
  dateInsert: number;
  dateUpdate: number;
  basket: BasketItem[];
  properties: PropertyValue[];
  payments: Payment[];
  shipments: Shipment[];
}

export interface Settings {
  siteId: string;
  siteName: string;
  currency: string;
  /** 1C_REPLACE_CURRENCY: what the order XML writes as Валюта (the real sample shows `руб`). */
  replaceCurrency: string;
  /** Order status set when an order becomes paid (sale option). Empty: unchanged. */
  statusOnPaid: string;
  // --- 1c_exchange.php ---
  fileLimit: number;
  useZip: boolean;
  /** 1C_EXPORT_PAYED_ORDERS: query exports only paid orders. */
  exportPaidOnly: boolean;
  /** 1C_EXPORT_ALLOW_DELIVERY_ORDERS. */
  exportAllowDeliveryOnly: boolean;
  /** 1C_EXPORT_FINAL_ORDERS: export orders from this status on (by sort); empty = all. */
  exportFromStatus: string;
  /** 1C_CHANGE_STATUS_FROM_1C: apply `Статуса заказа ИД` from 1C documents. */
  changeStatusFrom1C: boolean;
  /** 1C_FINAL_STATUS_ON_DELIVERY: status set when 1C reports a shipment. */
  finalStatusOnDelivery: string;
  /**
   * Extension, off by default: order properties updated from requisites of 1C documents whose name equals a
   * property code or name. Standard Bitrix does not do this (UNCONFIRMED); sites that want it patch the loader.
   */
  importPropertiesFrom1C: boolean;
  /** `schema`: orders XML valid against the CommerceML 2.10 XSD; `bitrix`: byte shape of a real Bitrix export. */
  orderXmlDialect: 'schema' | 'bitrix';
  /** Catalog elements handled per `import` call; 0 = all in one call. */
  elementsPerStep: number;
  /** 1C_ELEMENT_ACTION for elements a full upload no longer lists: D delete, A deactivate, N nothing. */
  elementAction: 'D' | 'A' | 'N';
  // --- REST ---
  /** HTTP status for a wrong webhook code: the core says 401, the docs say 403. */
  invalidCredentialsStatus: 401 | 403;
}

export function defaultSettings(): Settings {
  return {
    siteId: 's1',
    siteName: 'Сайт по умолчанию',
    currency: 'RUB',
    replaceCurrency: 'руб',
    statusOnPaid: 'P',
    fileLimit: 204800,
    useZip: true,
    exportPaidOnly: false,
    exportAllowDeliveryOnly: false,
    exportFromStatus: '',
    changeStatusFrom1C: true,
    finalStatusOnDelivery: 'F',
    importPropertiesFrom1C: false,
    orderXmlDialect: 'schema',
    elementsPerStep: 0,
    elementAction: 'D',
    invalidCredentialsStatus: 401,
  };
}
