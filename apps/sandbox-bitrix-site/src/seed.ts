// The site a fresh sandbox starts as (a demo store: two payer types with the standard order properties plus
// EDO_STATUS, statuses N/P/F and the EDO ones, deliveries, pay systems, an exchange user and a REST webhook),
// and the seed format that replaces or extends any of it.
import { readFileSync } from 'node:fs';
import { importCatalogBytes } from './catalog/cml.ts';
import type { Delivery, OrderProperty, PaySystem, PersonType, Settings, SiteUser, Status } from './sale/model.ts';
import { applyPaid, createOrder, type CreateOrderInput } from './sale/orders.ts';
import type { SiteContext } from './sale/context.ts';
import type { PushConfig } from './state.ts';
import { parseDec4 } from './util/money.ts';

export interface SeedInput {
  /** Merged into the current settings. */
  settings?: Partial<Settings>;
  /** Added, or replacing the user with the same login. Group 1 (administrators) may use the exchange. */
  users?: Array<Partial<SiteUser> & { login: string }>;
  webhooks?: Array<{ userId: number; code: string; scopes?: string[] }>;
  /** Each of these lists replaces the current one. */
  statuses?: Status[];
  personTypes?: PersonType[];
  orderProperties?: OrderProperty[];
  deliveries?: Array<Omit<Delivery, 'price' | 'xmlId'> & { price?: string | number; xmlId?: string }>;
  paySystems?: PaySystem[];
  push?: Partial<PushConfig>;
  /** CommerceML files (paths on the sandbox's machine) imported into the catalog, in order. */
  catalogFiles?: string[];
  /** Catalog products without XML: one offer each with a BASE price and stock. */
  products?: Array<{ xmlId: string; name: string; article?: string; price?: string | number; quantity?: string | number; vatRate?: number }>;
  /** Orders created as if a shopper placed them; `paid: true` marks them paid without running the push handler. */
  orders?: CreateOrderInput[];
}

const statuses: Status[] = [
  { id: 'N', name: 'Принят, ожидается оплата', sort: 100, type: 'O', description: '' },
  { id: 'P', name: 'Оплачен, формируется к отправке', sort: 200, type: 'O', description: '' },
  // Site-specific statuses the EDO flow moves orders through (F8); codes are two characters as in b_sale_status.
  { id: 'ES', name: 'Документы отправлены по ЭДО', sort: 300, type: 'O', description: '' },
  { id: 'ED', name: 'Документы доставлены по ЭДО', sort: 310, type: 'O', description: '' },
  { id: 'EP', name: 'Документы подписаны покупателем', sort: 320, type: 'O', description: '' },
  { id: 'ER', name: 'Документы отклонены покупателем', sort: 330, type: 'O', description: '' },
  { id: 'EA', name: 'Документы аннулированы', sort: 340, type: 'O', description: '' },
  { id: 'F', name: 'Выполнен', sort: 1000, type: 'O', description: '' },
  { id: 'DN', name: 'Ожидает обработки', sort: 10, type: 'D', description: '' },
  { id: 'DF', name: 'Отгружен', sort: 20, type: 'D', description: '' },
];

const personTypes: PersonType[] = [
  {
    id: 1,
    name: 'Физическое лицо',
    domain: 'I',
    sort: 100,
    code: '',
    xmlId: '',
    agent: { AGENT_NAME: 'FIO', FULL_NAME: 'FIO', ADDRESS_FULL: 'ADDRESS', INDEX: 'ZIP', CITY: 'CITY', PHONE: 'PHONE', EMAIL: 'EMAIL', CONTACT_PERSON: 'FIO' },
    requisites: [{ name: 'EDO_STATUS', property: 'EDO_STATUS' }],
  },
  {
    id: 2,
    name: 'Юридическое лицо',
    domain: 'E',
    sort: 200,
    code: '',
    xmlId: '',
    agent: {
      AGENT_NAME: 'COMPANY',
      FULL_NAME: 'COMPANY',
      INN: 'INN',
      KPP: 'KPP',
      ADDRESS_FULL: 'COMPANY_ADR',
      INDEX: 'ZIP',
      CITY: 'CITY',
      PHONE: 'PHONE',
      EMAIL: 'EMAIL',
      CONTACT_PERSON: 'CONTACT_PERSON',
      F_ADDRESS_FULL: 'ADDRESS',
    },
    requisites: [
      { name: 'ИНН', property: 'INN' },
      { name: 'КПП', property: 'KPP' },
      { name: 'EDO_STATUS', property: 'EDO_STATUS' },
    ],
  },
];

function prop(id: number, personTypeId: number, code: string, name: string, sort: number, o: Partial<OrderProperty> = {}): OrderProperty {
  return { id, personTypeId, code, name, type: 'STRING', required: false, sort, xmlId: null, isPayer: false, isEmail: false, isPhone: false, isProfileName: false, ...o };
}

const orderProperties: OrderProperty[] = [
  prop(1, 1, 'FIO', 'Ф.И.О.', 100, { required: true, isPayer: true, isProfileName: true }),
  prop(2, 1, 'EMAIL', 'E-Mail', 110, { required: true, isEmail: true }),
  prop(3, 1, 'PHONE', 'Телефон', 120, { required: true, isPhone: true }),
  prop(4, 1, 'ZIP', 'Индекс', 130),
  prop(5, 1, 'CITY', 'Город', 140),
  prop(6, 1, 'LOCATION', 'Местоположение', 145, { type: 'LOCATION' }),
  prop(7, 1, 'ADDRESS', 'Адрес доставки', 150),
  prop(20, 1, 'EDO_STATUS', 'Статус ЭДО', 500),
  prop(8, 2, 'COMPANY', 'Название компании', 200, { required: true, isPayer: true, isProfileName: true }),
  prop(9, 2, 'COMPANY_ADR', 'Юридический адрес', 210, { required: true }),
  prop(10, 2, 'INN', 'ИНН', 220, { required: true }),
  prop(11, 2, 'KPP', 'КПП', 230),
  prop(12, 2, 'CONTACT_PERSON', 'Контактное лицо', 240, { required: true }),
  prop(13, 2, 'EMAIL', 'E-Mail', 250, { required: true, isEmail: true }),
  prop(14, 2, 'PHONE', 'Телефон', 260, { isPhone: true }),
  prop(15, 2, 'FAX', 'Факс', 270),
  prop(16, 2, 'ZIP', 'Индекс', 280),
  prop(17, 2, 'CITY', 'Город', 290),
  prop(18, 2, 'LOCATION', 'Местоположение', 295, { type: 'LOCATION' }),
  prop(19, 2, 'ADDRESS', 'Адрес доставки', 300),
  prop(21, 2, 'EDO_STATUS', 'Статус ЭДО', 500),
];

/** What a fresh sandbox contains (before any seed). */
export function defaultSeed(): SeedInput {
  return {
    users: [{ id: 1, login: 'admin', password: 'admin', email: 'admin@example.com', name: 'Администратор', groups: [1] }],
    webhooks: [{ userId: 1, code: 'sandbox', scopes: ['sale'] }],
    statuses,
    personTypes,
    orderProperties,
    deliveries: [
      { id: 1, name: 'Без доставки', price: 0 },
      { id: 2, name: 'Самовывоз', price: 0 },
      { id: 3, name: 'Доставка курьером', price: '300.00' },
    ],
    paySystems: [
      { id: 1, name: 'Наличные курьеру', isCash: 'Y', xmlId: '' },
      { id: 2, name: 'Банковская карта', isCash: 'A', xmlId: '' },
      { id: 3, name: 'Безналичный расчет (счет)', isCash: 'N', xmlId: '' },
    ],
  };
}

/** Applies a seed to the context's state; returns what was created. Throws on data the site could not hold. */
export function applySeed(ctx: SiteContext, seed: SeedInput): { orders: number[]; users: number; products: number } {
  const { state, clock } = ctx;
  if (seed.settings) state.settings = { ...state.settings, ...seed.settings };
  for (const u of seed.users ?? []) {
    if (!u.login) throw new Error('every seeded user needs a login');
    const existing = state.users.find((x) => x.login === u.login);
    const id = u.id ?? existing?.id ?? ++state.seq.user;
    state.seq.user = Math.max(state.seq.user, id);
    const user: SiteUser = {
      id,
      login: u.login,
      password: u.password ?? existing?.password ?? '',
      email: u.email ?? existing?.email ?? '',
      name: u.name ?? existing?.name ?? '',
      lastName: u.lastName ?? existing?.lastName ?? '',
      secondName: u.secondName ?? existing?.secondName ?? '',
      groups: u.groups ?? existing?.groups ?? [1],
      xmlId: u.xmlId ?? existing?.xmlId ?? '',
    };
    state.users = [...state.users.filter((x) => x.login !== u.login && x.id !== id), user];
  }
  for (const w of seed.webhooks ?? []) {
    state.webhooks = [...state.webhooks.filter((x) => !(x.userId === w.userId && x.code === w.code)), { userId: w.userId, code: w.code, scopes: w.scopes ?? ['sale'] }];
  }
  if (seed.statuses) state.statuses = seed.statuses.map((s) => ({ ...s }));
  if (seed.personTypes) state.personTypes = seed.personTypes.map((p) => ({ ...p, agent: { ...p.agent }, requisites: [...p.requisites] }));
  if (seed.orderProperties) state.orderProps = seed.orderProperties.map((p) => ({ ...p }));
  if (seed.deliveries) state.deliveries = seed.deliveries.map((d) => ({ id: d.id, name: d.name, price: parseDec4(d.price ?? 0), xmlId: d.xmlId ?? '' }));
  if (seed.paySystems) state.paySystems = seed.paySystems.map((p) => ({ ...p }));
  if (seed.push) state.push.config = { ...state.push.config, ...seed.push };
  for (const f of seed.catalogFiles ?? []) importCatalogBytes(state.catalog, readFileSync(f), clock.now(), state.settings.elementAction);
  for (const p of seed.products ?? []) {
    const now = clock.now();
    state.catalog.priceTypes['BASE'] ??= { xmlId: 'BASE', name: 'BASE', currency: 'RUB', taxName: 'НДС', taxInSum: true };
    state.catalog.products[p.xmlId] = {
      xmlId: p.xmlId,
      catalogXmlId: '',
      article: p.article ?? '',
      barcode: '',
      name: p.name,
      unit: { code: '796', fullName: 'Штука', intlAbbr: 'PCE', shortName: 'шт' },
      groups: [],
      description: '',
      manufacturer: null,
      properties: [],
      taxRates: p.vatRate !== undefined ? [{ name: 'НДС', rate: String(p.vatRate) }] : [],
      requisites: [],
      active: true,
      deleted: false,
      createdFromOffers: false,
      updatedAt: now,
    };
    state.catalog.offers[p.xmlId] = {
      xmlId: p.xmlId,
      productXmlId: p.xmlId,
      characteristicXmlId: null,
      article: p.article ?? '',
      name: p.name,
      unit: { code: '796', fullName: 'Штука', intlAbbr: 'PCE', shortName: 'шт' },
      characteristics: [],
      prices: p.price === undefined ? [] : [{ priceTypeXmlId: 'BASE', price: String(p.price), currency: 'RUB', unit: 'PCE', coefficient: '1', presentation: '' }],
      quantity: p.quantity === undefined ? null : String(p.quantity),
      stock: [],
      updatedAt: now,
    };
  }
  const orders: number[] = [];
  for (const o of seed.orders ?? []) {
    const order = createOrder(ctx, o);
    if (o.paid) applyPaid(ctx, order, { paid: true });
    orders.push(order.id);
  }
  return { orders, users: state.users.length, products: Object.keys(state.catalog.products).length };
}
