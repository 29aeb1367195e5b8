// Pieces shared by the trade profiles (УТ, Розница, БП): enumerations with their value names (reference §2, §4.2),
// БСП table parts (contact information, additional attributes) and the 1C-ЭДО objects of the БЭД library (§2.5).
import type { Attrs, ObjectSpec, RegisterSpec } from './types.ts';

/** §4.2: every value current releases use, including the 2025 (НДС5/НДС7) and 2026 (НДС22) rates. */
export const VAT_RATES = ['БезНДС', 'НДС0', 'НДС10', 'НДС18', 'НДС20', 'НДС10_110', 'НДС18_118', 'НДС20_120', 'НДС5', 'НДС7', 'НДС5_105', 'НДС7_107', 'НДС22', 'НДС22_122'];

/** Identifiers of 1C-ЭДО document states (§2.5); the three "sent" ones are confirmed, the rest are the probable names. */
export const EDO_STATES = [
  'НеСформирован',
  'ТребуетсяУтверждение',
  'ТребуетсяПодписание',
  'ТребуетсяОтправка',
  'ОжидаетсяПодтверждениеОператора',
  'ОжидаетсяИзвещениеОПолучении',
  'ОжидаетсяОтветнаяПодпись',
  'ОжидаетсяПодтверждение',
  'ТребуетсяУточнение',
  'ОжидаетсяУточнение',
  'ТребуетсяАннулирование',
  'ОжидаетсяАннулирование',
  'Аннулирован',
  'ОбменЗавершен',
  'ОбменЗавершенСИсправлением',
  'ЗакрытПринудительно',
];

export const COMMON_ENUMS: Record<string, string[]> = {
  СтавкиНДС: VAT_RATES,
  ТипыКонтактнойИнформации: ['Адрес', 'Телефон', 'АдресЭлектроннойПочты', 'ВебСтраница', 'Skype', 'Факс', 'Другое'],
  СостоянияДокументовЭДО: EDO_STATES,
  ТипыРегламентовЭДО: ['УПД', 'УКД', 'СчетФактура', 'Неформализованный', 'ТОРГ12', 'Акт'],
  СпособыУстановкиКурсаВалюты: ['РучнойВвод', 'ЗагрузкаИзИнтернета', 'НаценкаНаКурсДругойВалюты', 'РасчетПоФормуле'],
};

export const CONTACT_INFO: Attrs = {
  Тип: 'E:ТипыКонтактнойИнформации',
  Вид: 'Catalog_ВидыКонтактнойИнформации',
  Представление: 'S',
  Значение: 'S',
  НомерТелефона: 'S:20',
  АдресЭП: 'S:100',
};

export const ADDITIONAL_ATTRS: Attrs = {
  Свойство: 'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
  Значение: 'C:String|Number|Boolean|Date|Catalog_ЗначенияСвойствОбъектов',
  ТекстоваяСтрока: 'S',
};

/** БСП catalogs every trade profile carries (contact-information kinds, additional attributes and their values). */
export const BSP_OBJECTS: ObjectSpec[] = [
  {
    kind: 'Catalog',
    name: 'ВидыКонтактнойИнформации',
    synonym: 'Виды контактной информации',
    codeLength: 0,
    hierarchical: true,
    attrs: { Тип: 'E:ТипыКонтактнойИнформации', ИмяПредопределенногоВида: 'S:150' },
  },
  {
    kind: 'ChartOfCharacteristicTypes',
    name: 'ДополнительныеРеквизитыИСведения',
    synonym: 'Дополнительные реквизиты и сведения',
    codeLength: 0,
    descriptionLength: 150,
    attrs: { Заголовок: 'S:150', Имя: 'S:75', ЭтоДополнительноеСведение: 'B', Подсказка: 'S' },
  },
  {
    kind: 'Catalog',
    name: 'ЗначенияСвойствОбъектов',
    synonym: 'Дополнительные значения',
    codeLength: 0,
    owners: ['ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения'],
    attrs: {},
  },
];

export function currencies(): ObjectSpec {
  return {
    kind: 'Catalog',
    name: 'Валюты',
    synonym: 'Валюты',
    codeLength: 3,
    descriptionLength: 10,
    attrs: {
      НаименованиеПолное: 'S:50',
      ЗагружаетсяИзИнтернета: 'B',
      Наценка: 'N',
      ОсновнаяВалюта: 'Catalog_Валюты',
      ПараметрыПрописи: 'S:200',
      СпособУстановкиКурса: 'E:СпособыУстановкиКурсаВалюты',
    },
  };
}

/** 1C-ЭДО (БЭД 1.9+/2.x) objects; `accountingDocs` are what an electronic document can be issued for. */
export function edoObjects(accountingDocs: string[], opts: { stringLiteralQuirk?: boolean } = {}): { objects: ObjectSpec[]; registers: RegisterSpec[] } {
  const docAttrs: Attrs = {
    Организация: 'Catalog_Организации',
    Контрагент: 'Catalog_Контрагенты',
    НомерДокумента: 'S:50',
    ДатаДокумента: 'D',
    ТипРегламента: 'E:ТипыРегламентовЭДО',
    ЭтоУниверсальныйДокумент: 'B',
    СуммаДокумента: 'N',
    Комментарий: 'S',
  };
  return {
    objects: [
      {
        kind: 'Document',
        name: 'ЭлектронныйДокументИсходящийЭДО',
        synonym: 'Электронный документ исходящий',
        posting: false,
        attrs: { ...docAttrs, ДатаОтправки: 'D' },
      },
      {
        kind: 'Document',
        name: 'ЭлектронныйДокументВходящийЭДО',
        synonym: 'Электронный документ входящий',
        posting: false,
        attrs: { ...docAttrs, ДатаПолучения: 'D' },
      },
    ],
    registers: [
      {
        kind: 'InformationRegister',
        name: 'ОбъектыУчетаДокументовЭДО',
        synonym: 'Объекты учета документов ЭДО',
        dimensions: {
          ОбъектУчета: `C:${accountingDocs.join('|')}`,
          ЭлектронныйДокумент: 'C:Document_ЭлектронныйДокументИсходящийЭДО|Document_ЭлектронныйДокументВходящийЭДО',
        },
        resources: { Актуален: 'B' },
        ...(opts.stringLiteralQuirk ? { quirks: { stringLiteralMatchesRef: ['ОбъектУчета'] } } : {}),
      },
      {
        kind: 'InformationRegister',
        name: 'СостоянияДокументовЭДО',
        synonym: 'Состояния документов ЭДО',
        dimensions: { ЭлектронныйДокумент: 'C:Document_ЭлектронныйДокументИсходящийЭДО|Document_ЭлектронныйДокументВходящийЭДО' },
        resources: { Состояние: 'E:СостоянияДокументовЭДО' },
        attributes: { ДатаИзменения: 'D', Комментарий: 'S' },
      },
    ],
  };
}
