// mode=query of type=sale: the orders CommerceML document, after CSaleExport::ExportOrders2Xml (schema 2.05,
// windows-1251). Two layouts of the same data: `bitrix` reproduces a real export byte for byte where we know
// it (no namespace, ФорматДаты… attributes, hour without a leading zero, Bitrix's element order, `ТелефонРабочий`),
// `schema` moves and renames only what the CommerceML 2.10 XSD forces, so the document validates. Values and
// their quirks (per-unit VAT, the hard-coded «Штука» unit, 4-decimal money) are the same in both.
import { createHash } from 'node:crypto';
import type { SiteContext } from '../sale/context.ts';
import type { AgentField, Order, PersonType } from '../sale/model.ts';
import { allowDelivery, deliveryPrice, lineSum, propValue } from '../sale/orders.ts';
import { fmt2, fmt4, phpFloat, type Dec4 } from '../util/money.ts';
import { esc } from '../util/text.ts';

type Dialect = 'schema' | 'bitrix';

interface Node {
  name: string;
  attrs?: Array<[string, string]>;
  text?: string;
  children?: Node[];
}

const el = (name: string, content?: string | Node[], attrs?: Array<[string, string]>): Node =>
  typeof content === 'string' || content === undefined ? { name, text: content ?? '', ...(attrs ? { attrs } : {}) } : { name, children: content, ...(attrs ? { attrs } : {}) };

function serialize(n: Node, depth: number, out: string[]): void {
  const pad = '\t'.repeat(depth);
  const attrs = (n.attrs ?? []).map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
  if (n.children) {
    out.push(`${pad}<${n.name}${attrs}>`);
    for (const c of n.children) serialize(c, depth + 1, out);
    out.push(`${pad}</${n.name}>`);
  } else out.push(`${pad}<${n.name}${attrs}>${esc(n.text ?? '')}</${n.name}>`);
}

const req = (name: string, value: string): Node => el('ЗначениеРеквизита', [el('Наименование', name), el('Значение', value)]);

/** Orders the query hands to 1C: not changed by 1C, not external, newer than the committed export time; newest first. */
export function ordersToExport(ctx: SiteContext): Order[] {
  const { state } = ctx;
  const s = state.settings;
  const committed = state.exchange.lastExportTimeCommitted;
  let fromStatus: Set<string> | null = null;
  if (s.exportFromStatus) {
    const statuses = state.statuses.filter((x) => x.type === 'O').sort((a, b) => a.sort - b.sort);
    const i = statuses.findIndex((x) => x.id === s.exportFromStatus);
    fromStatus = new Set(i < 0 ? [] : statuses.slice(i).map((x) => x.id));
  }
  return state.orders
    .filter((o) => o.updated1c === 'N' && o.externalOrder !== 'Y' && o.lid === s.siteId)
    .filter((o) => !s.exportPaidOnly || o.payed === 'Y')
    .filter((o) => !s.exportAllowDeliveryOnly || allowDelivery(o))
    .filter((o) => !fromStatus || fromStatus.has(o.statusId))
    // DATE_UPDATE > committed time, compared in whole seconds as MySQL datetime does.
    .filter((o) => committed === null || Math.floor(o.dateUpdate / 1000) > committed)
    .sort((a, b) => b.id - a.id);
}

function money(d: Dec4, dialect: Dialect): string {
  // decimal(18,4) as stored; the schema allows 2 fraction digits, which trailing zeros do not count against.
  return dialect === 'bitrix' || d % 100 === 0 ? fmt4(d) : fmt2(d);
}

function agentValue(ctx: SiteContext, order: Order, pt: PersonType | undefined, f: AgentField): string {
  const code = pt?.agent[f];
  return code ? propValue(ctx.state, order, code) : '';
}

function contragent(ctx: SiteContext, order: Order, dialect: Dialect): { node: Node; deliveryAddress: string } {
  const { state } = ctx;
  const pt = state.personTypes.find((p) => p.id === order.personTypeId);
  const a = (f: AgentField) => agentValue(ctx, order, pt, f);
  const user = state.users.find((u) => u.id === order.userId);
  let id = user?.xmlId || `${order.userId}#${user?.login ?? ''}#${user?.lastName ?? ''} ${user?.name ?? ''} ${user?.secondName ?? ''}`.slice(0, 80);
  if (dialect === 'schema') id = id.slice(0, 40);
  const addressFields: Node[] = [el('Представление', a('ADDRESS_FULL'))];
  if (a('INDEX')) addressFields.push(el('АдресноеПоле', [el('Тип', 'Почтовый индекс'), el('Значение', a('INDEX'))]));
  if (a('CITY')) addressFields.push(el('АдресноеПоле', [el('Тип', 'Город'), el('Значение', a('CITY'))]));
  if (a('STREET')) addressFields.push(el('АдресноеПоле', [el('Тип', 'Улица'), el('Значение', a('STREET'))]));
  const inn = a('INN');
  const kpp = a('KPP');
  // The schema types ИНН as 10–12 characters and КПП as exactly 9; the schema layout drops values that cannot be valid.
  const innOk = dialect === 'bitrix' ? inn !== '' : inn.length >= 10 && inn.length <= 12;
  const kppOk = dialect === 'bitrix' ? kpp !== '' : kpp.length === 9;
  const children: Node[] = [el('Ид', id), el('Наименование', a('AGENT_NAME'))];
  if (pt?.domain === 'E') {
    children.push(el('ОфициальноеНаименование', a('FULL_NAME')), el('ЮридическийАдрес', addressFields));
    if (innOk) children.push(el('ИНН', inn));
    if (kppOk) children.push(el('КПП', kpp));
  } else {
    children.push(el('ПолноеНаименование', a('FULL_NAME')));
    if (a('SURNAME')) children.push(el('Фамилия', a('SURNAME')));
    if (a('NAME')) children.push(el('Имя', a('NAME')));
    if (a('SECOND_NAME')) children.push(el('Отчество', a('SECOND_NAME')));
    if (innOk) children.push(el('ИНН', inn));
    if (kppOk) children.push(el('КПП', kpp));
    children.push(el('АдресРегистрации', addressFields));
  }
  let deliveryAddress = a('ADDRESS_FULL');
  const fAddress = a('F_ADDRESS_FULL');
  if (fAddress) {
    deliveryAddress = fAddress;
    children.push(el('Адрес', [el('Представление', fAddress)]));
  }
  const phone = a('PHONE');
  const email = a('EMAIL');
  if (phone || email) {
    const contacts: Node[] = [];
    // 2.05 writes «ТелефонРабочий», which the schema's КонтактТип does not list; it lists «Телефон рабочий».
    if (phone) contacts.push(el('Контакт', [el('Тип', dialect === 'bitrix' ? 'ТелефонРабочий' : 'Телефон рабочий'), el('Значение', phone)]));
    if (email) contacts.push(el('Контакт', [el('Тип', 'Почта'), el('Значение', email)]));
    children.push(el('Контакты', contacts));
  }
  const person = a('CONTACT_PERSON');
  if (person) {
    const idOfPerson = md5Hex(person);
    children.push(
      el('Представители', [
        dialect === 'bitrix'
          ? el('Представитель', [el('Контрагент', [el('Отношение', 'Контактное лицо'), el('Ид', idOfPerson), el('Наименование', person)])])
          : el('Представитель', [el('Ид', idOfPerson), el('Наименование', person), el('ПолноеНаименование', person), el('Отношение', 'Контактное лицо')]),
      ]),
    );
  }
  children.push(el('Роль', 'Покупатель'));
  return { node: el('Контрагенты', [el('Контрагент', children)]), deliveryAddress };
}

function md5Hex(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

function items(order: Order, dialect: Dialect): Node {
  const unitAttrs: Array<[string, string]> = [
    ['Код', '796'],
    ['НаименованиеПолное', 'Штука'],
    ['МеждународноеСокращение', 'PCE'],
  ];
  const lines: Node[] = order.basket
    .slice()
    .sort((x, y) => x.name.localeCompare(y.name, 'ru'))
    .map((b) => {
      const traits: Node[] = [req('ВидНоменклатуры', 'Товар'), req('ТипНоменклатуры', 'Товар'), req('НомерПозицииКорзины', String(b.id))];
      for (const p of b.properties) traits.push(req(`СвойствоКорзины#${p.code || p.name}`, p.value));
      const vat: Node[] = [];
      const taxRates: Node[] = [];
      if (b.vatRate) {
        // Bitrix writes the VAT of one unit here, not of the line.
        const perUnit = Math.round((b.price / (b.vatRate + 1)) * b.vatRate);
        taxRates.push(el('СтавкиНалогов', [el('СтавкаНалога', [el('Наименование', 'НДС'), el('Ставка', phpFloat(Math.round(b.vatRate * 100) * 10000))])]));
        vat.push(el('Налоги', [el('Налог', [el('Наименование', 'НДС'), el('УчтеноВСумме', 'true'), el('Сумма', dialect === 'bitrix' ? phpFloat(Math.round(perUnit / 100) * 100) : fmt2(perUnit))])]));
      }
      const unit = el('БазоваяЕдиница', 'шт', unitAttrs);
      const sum = dialect === 'bitrix' ? phpFloat(lineSum(b)) : money(lineSum(b), dialect);
      if (dialect === 'bitrix') {
        return el('Товар', [
          el('Ид', b.productXmlId),
          el('ИдКаталога', b.catalogXmlId),
          el('Наименование', b.name),
          unit,
          el('ЦенаЗаЕдиницу', fmt4(b.price)),
          el('Количество', fmt4(b.quantity)),
          el('Сумма', sum),
          el('ЗначенияРеквизитов', traits),
          ...taxRates,
          ...vat,
        ]);
      }
      return el('Товар', [
        el('Ид', b.productXmlId),
        el('Наименование', b.name),
        unit,
        ...taxRates,
        el('ЗначенияРеквизитов', traits),
        ...(b.catalogXmlId ? [el('ИдКаталога', b.catalogXmlId)] : []),
        el('ЦенаЗаЕдиницу', money(b.price, dialect)),
        el('Количество', fmt4(b.quantity)),
        el('Сумма', sum),
        ...vat,
      ]);
    });
  const dp = deliveryPrice(order);
  if (dp > 0) {
    const traits = [req('ВидНоменклатуры', 'Услуга'), req('ТипНоменклатуры', 'Услуга')];
    const unit = el('БазоваяЕдиница', 'шт', unitAttrs);
    lines.push(
      dialect === 'bitrix'
        ? el('Товар', [el('Ид', 'ORDER_DELIVERY'), el('Наименование', 'Доставка заказа'), unit, el('ЦенаЗаЕдиницу', fmt4(dp)), el('Количество', '1'), el('Сумма', fmt4(dp)), el('ЗначенияРеквизитов', traits)])
        : el('Товар', [el('Ид', 'ORDER_DELIVERY'), el('Наименование', 'Доставка заказа'), unit, el('ЗначенияРеквизитов', traits), el('ЦенаЗаЕдиницу', money(dp, dialect)), el('Количество', '1'), el('Сумма', money(dp, dialect))]),
    );
  }
  return el('Товары', lines);
}

function orderRequisites(ctx: SiteContext, order: Order, deliveryAddress: string): Node {
  const { state, clock } = ctx;
  const r: Node[] = [];
  const payment = order.payments[0];
  const shipment = order.shipments[0];
  if (order.datePayed !== null) r.push(req('Дата оплаты', clock.ru(order.datePayed)));
  if (payment?.payVoucherNum) r.push(req('Номер платежного документа', payment.payVoucherNum));
  if (shipment) {
    r.push(req('Способ доставки', shipment.deliveryName), req('Метод доставки ИД', String(shipment.deliveryId)));
  }
  if (payment) r.push(req('Метод оплаты', payment.paySystemName), req('Метод оплаты ИД', String(payment.paySystemId)));
  if (shipment?.dateAllowDelivery) r.push(req('Дата разрешения доставки', clock.ru(shipment.dateAllowDelivery)));
  const status = state.statuses.find((s) => s.id === order.statusId);
  r.push(
    req('Заказ оплачен', order.payed === 'Y' ? 'true' : 'false'),
    req('Доставка разрешена', allowDelivery(order) ? 'true' : 'false'),
    req('Отменен', order.canceled === 'Y' ? 'true' : 'false'),
    req('Финальный статус', order.statusId === 'F' ? 'true' : 'false'),
    req('Статус заказа', `[${order.statusId}] ${status?.name ?? ''}`),
    req('Статуса заказа ИД', order.statusId),
  );
  if (order.dateCanceled !== null) r.push(req('Дата отмены заказа', clock.ru(order.dateCanceled)), req('Причина отмены', order.reasonCanceled));
  r.push(req('Дата изменения статуса', clock.ru(order.dateStatus)));
  if (order.userDescription) r.push(req('Комментарии покупателя', order.userDescription));
  r.push(req('Сайт', `[${order.lid}] ${state.settings.siteName}`));
  // REKV_n of the 1C export profile: only the ones with a value.
  const pt = state.personTypes.find((p) => p.id === order.personTypeId);
  for (const rk of pt?.requisites ?? []) {
    const v = propValue(state, order, rk.property);
    if (rk.name && v) r.push(req(rk.name, v));
  }
  if (deliveryAddress) r.push(req('Адрес доставки', deliveryAddress));
  return el('ЗначенияРеквизитов', r);
}

function documentNode(ctx: SiteContext, order: Order, dialect: Dialect): Node {
  const { state, clock } = ctx;
  const { node: agents, deliveryAddress } = contragent(ctx, order, dialect);
  const currency = (state.settings.replaceCurrency || order.currency).slice(0, 3);
  return el('Документ', [
    el('Ид', String(order.id)),
    el('Номер', order.accountNumber),
    el('Дата', clock.ymd(order.dateInsert)),
    el('ХозОперация', 'Заказ товара'),
    el('Роль', 'Продавец'),
    el('Валюта', currency),
    el('Курс', '1'),
    el('Сумма', money(order.price, dialect)),
    agents,
    el('Время', clock.hms(order.dateInsert)),
    el('Комментарий', order.comments),
    items(order, dialect),
    orderRequisites(ctx, order, deliveryAddress),
  ]);
}

export function buildOrdersXml(ctx: SiteContext, orders: Order[], dialect: Dialect): string {
  const { clock } = ctx;
  const now = clock.now();
  const w = clock.wall(now);
  const out: string[] = ['<?xml version="1.0" encoding="windows-1251"?>'];
  let root: string;
  if (dialect === 'bitrix') {
    // date("Y-m-d")."T".date("G:i:s"): the hour has no leading zero before 10 a.m.
    const created = `${w.year}-${w.month}-${w.day}T${Number(w.hour)}:${w.minute}:${w.second}`;
    out.push('');
    root =
      `<КоммерческаяИнформация ВерсияСхемы="2.05" ДатаФормирования="${created}" ФорматДаты="ДФ=yyyy-MM-dd; ДЛФ=DT" ` +
      `ФорматВремени="ДФ=ЧЧ:мм:сс; ДЛФ=T" РазделительДатаВремя="T" ФорматСуммы="ЧЦ=18; ЧДЦ=2; ЧРД=." ФорматКоличества="ЧЦ=18; ЧДЦ=2; ЧРД=.">`;
  } else {
    root =
      `<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" xmlns:xs="http://www.w3.org/2001/XMLSchema" ` +
      `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ВерсияСхемы="2.05" ДатаФормирования="${clock.ymd(now)}T${clock.hms(now)}">`;
  }
  out.push(root);
  for (const o of orders) serialize(documentNode(ctx, o, dialect), 1, out);
  out.push('</КоммерческаяИнформация>');
  return out.join('\n') + '\n';
}

/** mode=info: statuses, pay systems and delivery services (note the Latin «C» in «Cтатусы», as in Bitrix). */
export function buildInfoXml(ctx: SiteContext): string {
  const { state } = ctx;
  const elem = (id: string | number, name: string) => el('Элемент', [el('Ид', String(id)), el('Название', name)]);
  const root = el('Справочник', [
    el('Cтатусы', state.statuses.filter((s) => s.type === 'O').sort((a, b) => a.sort - b.sort).map((s) => elem(s.id, s.name))),
    el('ПлатежныеСистемы', state.paySystems.map((p) => elem(p.id, p.name))),
    el('СлужбыДоставки', state.deliveries.map((d) => elem(d.id, d.name))),
  ]);
  const out = ['<?xml version="1.0" encoding="windows-1251"?>'];
  serialize(root, 0, out);
  return out.join('\n') + '\n';
}
