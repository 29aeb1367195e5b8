// Built-in demo data per configuration (`"demo": true`): organisation, counterparties, OKEI units, VAT rates, price
// types, goods with posted prices and stock, ДО users and kinds; fixed GUIDs exported as DEMO.
import type { Model } from '../profiles/compile.ts';

const id = (family: number, n: number) => `d${family.toString(16).padStart(7, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** Fixed references of the demo data (same GUIDs in every infobase of a family). */
export const DEMO = {
  ut: {
    currency: id(1, 1),
    organization: id(1, 2),
    bankAccount: id(1, 3),
    cashDesk: id(1, 4),
    user: id(1, 5),
    warehouse: id(1, 6),
    unitPcs: id(1, 7),
    unitKg: id(1, 8),
    vat20: id(1, 9),
    vat22: id(1, 10),
    vat10: id(1, 11),
    vat0: id(1, 12),
    vatNone: id(1, 13),
    vat5: id(1, 14),
    vat7: id(1, 15),
    priceRetail: id(1, 16),
    priceWholesale: id(1, 17),
    kindGoods: id(1, 18),
    kindServices: id(1, 19),
    laptop: id(1, 20),
    mouse: id(1, 21),
    cable: id(1, 22),
    delivery: id(1, 23),
    partnerRomashka: id(1, 24),
    partnerIvanov: id(1, 25),
    romashka: id(1, 26),
    ivanov: id(1, 27),
    contract: id(1, 28),
    propDealId: id(1, 29),
    propTracking: id(1, 30),
    cashFlowItem: id(1, 31),
    priceSetting: id(1, 32),
    stockReceipt: id(1, 33),
  },
  retail: {
    currency: id(2, 1),
    organization: id(2, 2),
    warehouse: id(2, 3),
    store: id(2, 4),
    register: id(2, 5),
    cash: id(2, 6),
    card: id(2, 7),
    unitPcs: id(2, 8),
    priceRetail: id(2, 9),
    kindGoods: id(2, 10),
    laptop: id(2, 11),
    mouse: id(2, 12),
    user: id(2, 13),
    customer: id(2, 14),
    priceSetting: id(2, 15),
    stockReceipt: id(2, 16),
  },
  bp: {
    currency: id(3, 1),
    organization: id(3, 2),
    country: id(3, 3),
    romashka: id(3, 4),
    contract: id(3, 5),
    unitPcs: id(3, 6),
    unitM: id(3, 7),
    unitKg: id(3, 8),
    priceType: id(3, 9),
    laptop: id(3, 10),
    mouse: id(3, 11),
    warehouse: id(3, 12),
    bankAccount: id(3, 13),
    priceSetting: id(3, 14),
  },
  dm: {
    ivanov: id(4, 1),
    petrov: id(4, 2),
    sidorova: id(4, 3),
    department: id(4, 4),
    organization: id(4, 5),
    kindMemo: id(4, 6),
    kindOrder: id(4, 7),
    kindContract: id(4, 8),
    kindIncomingLetter: id(4, 9),
    kindOutgoingLetter: id(4, 10),
    correspondent: id(4, 11),
    linkType: id(4, 12),
    role: id(4, 13),
    matter: id(4, 14),
    folder: id(4, 15),
    memo: id(4, 16),
  },
};

type Data = Record<string, Array<Record<string, unknown>>>;

function ut(model: Model): Data {
  const d = DEMO.ut;
  const vat = (value: string, key: string) => (model.names.vatAsCatalog ? { СтавкаНДС_Key: key } : { СтавкаНДС: value });
  const item = (key: string, code: string, sku: string, name: string, kind: string, type: string) => ({
    Ref_Key: key,
    Code: code,
    Description: name,
    НаименованиеПолное: name,
    Артикул: sku,
    ЕдиницаИзмерения_Key: d.unitPcs,
    ВидНоменклатуры_Key: kind,
    ТипНоменклатуры: type,
    ...vat('НДС20', d.vat20),
    ...(model.names.vatAsCatalog ? { УдалитьСтавкаНДС: 'НДС20' } : {}),
  });
  const data: Data = {
    Catalog_Валюты: [{ Ref_Key: d.currency, Code: '643', Description: 'руб.', НаименованиеПолное: 'Российский рубль', ПараметрыПрописи: 'рубль, рубля, рублей, м, копейка, копейки, копеек, ж, 2' }],
    Catalog_Организации: [
      {
        Ref_Key: d.organization,
        Description: 'Торговый дом',
        НаименованиеПолное: 'Общество с ограниченной ответственностью "Торговый дом"',
        НаименованиеСокращенное: 'ООО "Торговый дом"',
        ИНН: '7707083893',
        КПП: '770701001',
        ОГРН: '1027700132195',
        Префикс: 'ТД',
        ЮрФизЛицо: 'ЮрЛицо',
      },
    ],
    Catalog_БанковскиеСчетаОрганизаций: [{ Ref_Key: d.bankAccount, Owner_Key: d.organization, Description: '40702810900000000001, ПАО Сбербанк', НомерСчета: '40702810900000000001', Валюта_Key: d.currency }],
    Catalog_Кассы: [{ Ref_Key: d.cashDesk, Owner_Key: d.organization, Description: 'Основная касса', ВалютаДенежныхСредств_Key: d.currency }],
    Catalog_Пользователи: [{ Ref_Key: d.user, Description: 'Администратор' }],
    Catalog_Склады: [{ Ref_Key: d.warehouse, Description: 'Основной склад', ТипСклада: 'Склад' }],
    Catalog_УпаковкиЕдиницыИзмерения: [
      { Ref_Key: d.unitPcs, Code: '796', Description: 'шт', НаименованиеПолное: 'Штука', МеждународноеСокращение: 'PCE', ТипУпаковки: 'ЕдиницаИзмерения' },
      { Ref_Key: d.unitKg, Code: '166', Description: 'кг', НаименованиеПолное: 'Килограмм', МеждународноеСокращение: 'KGM', ТипУпаковки: 'ЕдиницаИзмерения' },
    ],
    Catalog_ВидыЦен: [
      { Ref_Key: d.priceRetail, Description: 'Розничная', Статус: 'Действует', ЦенаВключаетНДС: true, ВалютаЦены_Key: d.currency, ИспользоватьПриПродаже: true },
      { Ref_Key: d.priceWholesale, Description: 'Оптовая', Статус: 'Действует', ЦенаВключаетНДС: true, ВалютаЦены_Key: d.currency, ИспользоватьПриПродаже: true },
    ],
    Catalog_ВидыНоменклатуры: [
      { Ref_Key: d.kindGoods, Description: 'Товары', ТипНоменклатуры: 'Товар' },
      { Ref_Key: d.kindServices, Description: 'Услуги', ТипНоменклатуры: 'Услуга' },
    ],
    Catalog_Номенклатура: [
      item(d.laptop, '00000000001', 'SKU-001', 'Ноутбук 15"', d.kindGoods, 'Товар'),
      item(d.mouse, '00000000002', 'SKU-002', 'Мышь беспроводная', d.kindGoods, 'Товар'),
      item(d.cable, '00000000003', 'SKU-003', 'Кабель HDMI 2 м', d.kindGoods, 'Товар'),
      item(d.delivery, '00000000004', 'SRV-001', 'Доставка', d.kindServices, 'Услуга'),
    ],
    Catalog_Партнеры: [
      { Ref_Key: d.partnerRomashka, Description: 'Ромашка', НаименованиеПолное: 'Ромашка', ЮрФизЛицо: 'Компания', Клиент: true },
      { Ref_Key: d.partnerIvanov, Description: 'Иванов Иван Иванович', НаименованиеПолное: 'Иванов Иван Иванович', ЮрФизЛицо: 'ЧастноеЛицо', Клиент: true },
    ],
    Catalog_Контрагенты: [
      { Ref_Key: d.romashka, Description: 'Ромашка ООО', НаименованиеПолное: 'Общество с ограниченной ответственностью "Ромашка"', Партнер_Key: d.partnerRomashka, ЮрФизЛицо: 'ЮрЛицо', ИНН: '7736050003', КПП: '773601001' },
      { Ref_Key: d.ivanov, Description: 'Иванов Иван Иванович ИП', НаименованиеПолное: 'Индивидуальный предприниматель Иванов Иван Иванович', Партнер_Key: d.partnerIvanov, ЮрФизЛицо: 'ИндивидуальныйПредприниматель', ИНН: '500100732259' },
    ],
    Catalog_ДоговорыКонтрагентов: [
      { Ref_Key: d.contract, Description: 'Договор поставки № 1', Номер: '1', Дата: '2025-01-09T00:00:00', Организация_Key: d.organization, Контрагент_Key: d.romashka, Партнер_Key: d.partnerRomashka, ТипДоговора: 'СКлиентом', Статус: 'Действует', ВалютаВзаиморасчетов_Key: d.currency },
    ],
    ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения: [
      { Ref_Key: d.propDealId, Description: 'Сделка Битрикс24 (Заказ клиента)', Заголовок: 'Сделка Битрикс24', Имя: 'ИдентификаторСделкиБитрикс24' },
      { Ref_Key: d.propTracking, Description: 'Трек-номер (Реализация товаров и услуг)', Заголовок: 'Трек-номер', Имя: 'ТрекНомер' },
    ],
    Catalog_СтатьиДвиженияДенежныхСредств: [{ Ref_Key: d.cashFlowItem, Description: 'Поступление оплаты от клиента' }],
    Document_УстановкаЦенНоменклатуры: [
      {
        Ref_Key: d.priceSetting,
        Date: '2025-01-01T00:00:00',
        Статус: 'Согласовано',
        Posted: true,
        Товары: [
          { LineNumber: '1', Номенклатура_Key: d.laptop, ВидЦены_Key: d.priceRetail, Упаковка_Key: d.unitPcs, Цена: 89990 },
          { LineNumber: '2', Номенклатура_Key: d.mouse, ВидЦены_Key: d.priceRetail, Упаковка_Key: d.unitPcs, Цена: 1490 },
          { LineNumber: '3', Номенклатура_Key: d.cable, ВидЦены_Key: d.priceRetail, Упаковка_Key: d.unitPcs, Цена: 590 },
          { LineNumber: '4', Номенклатура_Key: d.laptop, ВидЦены_Key: d.priceWholesale, Упаковка_Key: d.unitPcs, Цена: 84990 },
        ],
      },
    ],
    Document_ОприходованиеИзлишковТоваров: [
      {
        Ref_Key: d.stockReceipt,
        Date: '2025-01-01T00:00:01',
        Организация_Key: d.organization,
        Склад_Key: d.warehouse,
        Posted: true,
        Товары: [
          { LineNumber: '1', Номенклатура_Key: d.laptop, Количество: 10 },
          { LineNumber: '2', Номенклатура_Key: d.mouse, Количество: 50 },
          { LineNumber: '3', Номенклатура_Key: d.cable, Количество: 100 },
        ],
      },
    ],
  };
  if (model.names.vatAsCatalog) {
    data['Catalog_СтавкиНДС'] = [
      { Ref_Key: d.vat20, Description: '20%', ПеречислениеСтавкаНДС: 'НДС20', Ставка: 20 },
      { Ref_Key: d.vat22, Description: '22%', ПеречислениеСтавкаНДС: 'НДС22', Ставка: 22 },
      { Ref_Key: d.vat10, Description: '10%', ПеречислениеСтавкаНДС: 'НДС10', Ставка: 10 },
      { Ref_Key: d.vat0, Description: '0%', ПеречислениеСтавкаНДС: 'НДС0', Ставка: 0 },
      { Ref_Key: d.vatNone, Description: 'Без НДС', ПеречислениеСтавкаНДС: 'БезНДС', Ставка: 0 },
      { Ref_Key: d.vat5, Description: '5%', ПеречислениеСтавкаНДС: 'НДС5', Ставка: 5 },
      { Ref_Key: d.vat7, Description: '7%', ПеречислениеСтавкаНДС: 'НДС7', Ставка: 7 },
    ];
  }
  return data;
}

function retail(): Data {
  const d = DEMO.retail;
  return {
    Catalog_Валюты: [{ Ref_Key: d.currency, Code: '643', Description: 'руб.', НаименованиеПолное: 'Российский рубль' }],
    Catalog_Организации: [{ Ref_Key: d.organization, Description: 'Розница', НаименованиеПолное: 'ООО "Розница"', ИНН: '5024089920', КПП: '502401001', ЮрФизЛицо: 'ЮрЛицо' }],
    Catalog_Пользователи: [{ Ref_Key: d.user, Description: 'Кассир' }],
    Catalog_Склады: [{ Ref_Key: d.warehouse, Description: 'Склад магазина', ТипСклада: 'РозничныйМагазин' }],
    Catalog_ВидыЦен: [{ Ref_Key: d.priceRetail, Description: 'Розничная', Статус: 'Действует', ЦенаВключаетНДС: true, ВалютаЦены_Key: d.currency }],
    Catalog_Магазины: [{ Ref_Key: d.store, Description: 'Магазин на Тверской', СкладПродажи_Key: d.warehouse, ВидЦенПродажи_Key: d.priceRetail, Организация_Key: d.organization }],
    Catalog_КассыККМ: [{ Ref_Key: d.register, Description: 'Касса №1', Магазин_Key: d.store, Организация_Key: d.organization, РегистрационныйНомер: '0000000001012345' }],
    Catalog_ВидыОплатЧекаККМ: [
      { Ref_Key: d.cash, Description: 'Наличные', ТипОплаты: 'Наличные' },
      { Ref_Key: d.card, Description: 'Банковская карта', ТипОплаты: 'ПлатежнаяКарта' },
    ],
    Catalog_УпаковкиЕдиницыИзмерения: [{ Ref_Key: d.unitPcs, Code: '796', Description: 'шт', НаименованиеПолное: 'Штука', МеждународноеСокращение: 'PCE' }],
    Catalog_ВидыНоменклатуры: [{ Ref_Key: d.kindGoods, Description: 'Товары', ТипНоменклатуры: 'Товар' }],
    Catalog_Номенклатура: [
      { Ref_Key: d.laptop, Code: '00000000001', Description: 'Ноутбук 15"', Артикул: 'SKU-001', ЕдиницаИзмерения_Key: d.unitPcs, ВидНоменклатуры_Key: d.kindGoods, ТипНоменклатуры: 'Товар', СтавкаНДС: 'НДС20' },
      { Ref_Key: d.mouse, Code: '00000000002', Description: 'Мышь беспроводная', Артикул: 'SKU-002', ЕдиницаИзмерения_Key: d.unitPcs, ВидНоменклатуры_Key: d.kindGoods, ТипНоменклатуры: 'Товар', СтавкаНДС: 'НДС20' },
    ],
    Catalog_Контрагенты: [{ Ref_Key: d.customer, Description: 'Розничный покупатель', ЮрФизЛицо: 'ФизЛицо' }],
    Document_УстановкаЦенНоменклатуры: [
      {
        Ref_Key: d.priceSetting,
        Date: '2025-01-01T00:00:00',
        Posted: true,
        Товары: [
          { LineNumber: '1', Номенклатура_Key: d.laptop, ВидЦены_Key: d.priceRetail, Упаковка_Key: d.unitPcs, Цена: 92990 },
          { LineNumber: '2', Номенклатура_Key: d.mouse, ВидЦены_Key: d.priceRetail, Упаковка_Key: d.unitPcs, Цена: 1590 },
        ],
      },
    ],
    Document_ОприходованиеИзлишковТоваров: [
      {
        Ref_Key: d.stockReceipt,
        Date: '2025-01-01T00:00:01',
        Организация_Key: d.organization,
        Склад_Key: d.warehouse,
        Posted: true,
        Товары: [
          { LineNumber: '1', Номенклатура_Key: d.laptop, Количество: 5 },
          { LineNumber: '2', Номенклатура_Key: d.mouse, Количество: 30 },
        ],
      },
    ],
  };
}

function bp(): Data {
  const d = DEMO.bp;
  return {
    Catalog_Валюты: [{ Ref_Key: d.currency, Code: '643', Description: 'руб.', НаименованиеПолное: 'Российский рубль' }],
    Catalog_СтраныМира: [{ Ref_Key: d.country, Code: '643', Description: 'РОССИЯ', НаименованиеПолное: 'Российская Федерация' }],
    Catalog_Организации: [{ Ref_Key: d.organization, Description: 'Бухгалтерия', НаименованиеПолное: 'ООО "Бухгалтерия"', ИНН: '7736050003', КПП: '773601001', ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо' }],
    Catalog_БанковскиеСчета: [{ Ref_Key: d.bankAccount, Owner: d.organization, Owner_Type: 'StandardODATA.Catalog_Организации', Description: 'Расчетный счет', НомерСчета: '40702810500000000002', ВалютаДенежныхСредств_Key: d.currency }],
    Catalog_Контрагенты: [
      {
        Ref_Key: d.romashka,
        Description: 'Ромашка ООО',
        НаименованиеПолное: 'Общество с ограниченной ответственностью "Ромашка"',
        Parent_Key: '00000000-0000-0000-0000-000000000000',
        IsFolder: false,
        ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо',
        СтранаРегистрации_Key: d.country,
        ИНН: '7707083893',
        КПП: '770701001',
      },
    ],
    Catalog_ДоговорыКонтрагентов: [{ Ref_Key: d.contract, Owner_Key: d.romashka, Организация_Key: d.organization, Description: 'Основной договор', ВидДоговора: 'СПокупателем', ВалютаВзаиморасчетов_Key: d.currency }],
    Catalog_КлассификаторЕдиницИзмерения: [
      { Ref_Key: d.unitPcs, Code: '796', Description: 'шт', НаименованиеПолное: 'Штука', МеждународноеСокращение: 'PCE' },
      { Ref_Key: d.unitM, Code: '006', Description: 'м', НаименованиеПолное: 'Метр', МеждународноеСокращение: 'MTR' },
      { Ref_Key: d.unitKg, Code: '166', Description: 'кг', НаименованиеПолное: 'Килограмм', МеждународноеСокращение: 'KGM' },
    ],
    Catalog_ТипыЦенНоменклатуры: [{ Ref_Key: d.priceType, Description: 'Основная цена продажи', ЦенаВключаетНДС: true, ВалютаЦены_Key: d.currency }],
    Catalog_Склады: [{ Ref_Key: d.warehouse, Description: 'Основной склад', ТипСклада: 'ОптовыйСклад' }],
    Catalog_Номенклатура: [
      { Ref_Key: d.laptop, Description: 'Ноутбук 15"', НаименованиеПолное: 'Ноутбук 15"', Артикул: 'SKU-001', ЕдиницаИзмерения_Key: d.unitPcs, СтавкаНДС: 'НДС20' },
      { Ref_Key: d.mouse, Description: 'Мышь беспроводная', НаименованиеПолное: 'Мышь беспроводная', Артикул: 'SKU-002', ЕдиницаИзмерения_Key: d.unitPcs, СтавкаНДС: 'НДС20' },
    ],
    Document_УстановкаЦенНоменклатуры: [
      {
        Ref_Key: d.priceSetting,
        Date: '2025-01-01T00:00:00',
        ТипЦен_Key: d.priceType,
        Posted: true,
        Товары: [
          { LineNumber: '1', Номенклатура_Key: d.laptop, Цена: 89990 },
          { LineNumber: '2', Номенклатура_Key: d.mouse, Цена: 1490 },
        ],
      },
    ],
  };
}

function dm(): Data {
  const d = DEMO.dm;
  return {
    Catalog_СтруктураПредприятия: [{ Ref_Key: d.department, Description: 'Администрация' }],
    Catalog_Пользователи: [
      { Ref_Key: d.ivanov, Description: 'Иванов Иван Иванович', Подразделение_Key: d.department, Должность: 'Генеральный директор', АдресЭП: 'ivanov@example.ru' },
      { Ref_Key: d.petrov, Description: 'Петров Петр Петрович', Подразделение_Key: d.department, Должность: 'Юрист', АдресЭП: 'petrov@example.ru' },
      { Ref_Key: d.sidorova, Description: 'Сидорова Анна Сергеевна', Подразделение_Key: d.department, Должность: 'Главный бухгалтер', АдресЭП: 'sidorova@example.ru' },
    ],
    Catalog_РолиИсполнителей: [{ Ref_Key: d.role, Description: 'Руководитель подразделения' }],
    Catalog_Организации: [{ Ref_Key: d.organization, Description: 'Торговый дом', ИНН: '7707083893', КПП: '770701001', НаименованиеПолное: 'ООО "Торговый дом"' }],
    Catalog_ВидыВнутреннихДокументов: [
      { Ref_Key: d.kindMemo, Description: 'Служебная записка' },
      { Ref_Key: d.kindOrder, Description: 'Приказ' },
      { Ref_Key: d.kindContract, Description: 'Договор' },
    ],
    Catalog_ВидыВходящихДокументов: [{ Ref_Key: d.kindIncomingLetter, Description: 'Письмо' }],
    Catalog_ВидыИсходящихДокументов: [{ Ref_Key: d.kindOutgoingLetter, Description: 'Письмо' }],
    Catalog_Корреспонденты: [{ Ref_Key: d.correspondent, Description: 'Ромашка ООО', ИНН: '7736050003', КПП: '773601001', НаименованиеПолное: 'ООО "Ромашка"' }],
    Catalog_ТипыСвязей: [{ Ref_Key: d.linkType, Description: 'Является ответом на' }],
    Catalog_ВопросыДеятельности: [{ Ref_Key: d.matter, Description: 'Общие вопросы' }],
    Catalog_ПапкиВнутреннихДокументов: [{ Ref_Key: d.folder, Description: 'Общая папка' }],
    Catalog_ВнутренниеДокументы: [
      {
        Ref_Key: d.memo,
        Description: 'О закупке ноутбуков',
        Заголовок: 'О закупке ноутбуков',
        Содержание: 'Прошу согласовать закупку 10 ноутбуков для отдела продаж.',
        ВидДокумента_Key: d.kindMemo,
        Папка_Key: d.folder,
        ДатаСоздания: '2025-02-03T10:00:00',
        Организация_Key: d.organization,
        Подготовил_Key: d.petrov,
        Ответственный_Key: d.petrov,
        Состояние: 'Проект',
      },
    ],
  };
}

export function demoData(model: Model): Data {
  switch (model.names.family) {
    case 'ut':
      return ut(model);
    case 'retail':
      return retail();
    case 'bp':
      return bp();
    case 'dm':
      return dm();
  }
}
