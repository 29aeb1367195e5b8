// The configuration's business logic the flows observe: totals, posting checks with 1C's messages, register movements,
// and the customer-order state — a posted receipt changes the order's payment state, a posted sale ships it.
import type { Model, ObjectDef } from '../profiles/compile.ts';
import { EMPTY_REF, isEmptyRef, UNDEFINED_TYPE, type Rec } from './record.ts';
import type { Infobase } from './infobase.ts';

export interface Rules {
  /** ДО: tasks are produced by business processes, never written directly. */
  tasksFromProcessesOnly: boolean;
  beforeWrite(ib: Infobase, def: ObjectDef, rec: Rec, old: Rec | undefined): void;
  afterWrite(ib: Infobase, def: ObjectDef, rec: Rec): void;
  afterDelete(ib: Infobase, def: ObjectDef, rec: Rec): void;
  /** Posting checks (ОбработкаПроверкиЗаполнения); each string is one message shown to the user. */
  check(ib: Infobase, def: ObjectDef, rec: Rec, operational: boolean): string[];
  /** Register movements by register set (Receipt/Expense for balance registers). */
  movements(ib: Infobase, def: ObjectDef, rec: Rec): Record<string, Rec[]>;
  /** Balance control after movements (stock must not go negative). */
  checkMovements(ib: Infobase, def: ObjectDef, rec: Rec, movements: Record<string, Rec[]>): string[];
  /** After posting, unposting or re-posting: derived states (order states). */
  afterPosting(ib: Infobase, def: ObjectDef, rec: Rec): void;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v) || 0);
const round2 = (n: number) => Math.round(n * 100) / 100;
const rows = (rec: Rec, table: string) => (rec[table] as Rec[] | undefined) ?? [];

/** «СуммаДокумента» → «Сумма документа», as 1C's synonyms read in messages. */
export function humanize(name: string): string {
  const words = name.replace(/_Key$/, '').split(/(?<=[\p{Ll}\d])(?=\p{Lu})/u);
  return words.map((w, i) => (i === 0 ? w : w.toLowerCase())).join(' ');
}

function required(rec: Rec, def: ObjectDef, fields: string[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const key = def.byWire.has(`${f}_Key`) ? `${f}_Key` : f;
    if (!def.byWire.has(key)) continue;
    const v = rec[key];
    const empty = key.endsWith('_Key') ? isEmptyRef(v) : v === '' || v === null || v === undefined || v === 0;
    if (empty) out.push(`Поле "${humanize(f)}" не заполнено`);
  }
  return out;
}

function requiredRows(rec: Rec, table: string, cols: Array<[string, 'ref' | 'positive']>, skip?: (r: Rec) => boolean): string[] {
  const list = rows(rec, table);
  if (!list.length) return [`Не заполнен список "${table}"`];
  const out: string[] = [];
  for (const r of list) {
    if (skip?.(r)) continue;
    for (const [c, kind] of cols) {
      const bad = kind === 'ref' ? isEmptyRef(r[`${c}_Key`]) : !(num(r[c]) > 0);
      if (bad) out.push(`Не заполнена колонка "${humanize(c)}" в строке ${String(r['LineNumber'])} списка "${table}"`);
    }
  }
  return out;
}

const ref = (set: string, key: unknown) => ({ set, key: String(key ?? EMPTY_REF).toLowerCase() });

/** Goods move stock; services and works do not. */
function isGoods(ib: Infobase, item: unknown): boolean {
  const n = ib.get('Catalog_Номенклатура', String(item ?? ''));
  if (!n) return true;
  const t = n['ТипНоменклатуры'];
  if (t === 'Услуга' || t === 'Работа') return false;
  return n['Услуга'] !== true;
}

const NOOP: Rules = {
  tasksFromProcessesOnly: false,
  beforeWrite: () => {},
  afterWrite: () => {},
  afterDelete: () => {},
  check: () => [],
  movements: () => ({}),
  checkMovements: () => [],
  afterPosting: () => {},
};

function stockShortage(ib: Infobase, register: string | undefined, rec: Rec, movements: Record<string, Rec[]>, recorderSet: string): string[] {
  if (!register || !movements[register]?.length) return [];
  const recorder = String(rec['Ref_Key']);
  const bal = new Map<string, number>();
  const keyOf = (r: Rec) => `${String(r['Номенклатура_Key'])}|${String(r['Характеристика_Key'])}|${String(r['Склад_Key'])}`;
  for (const r of ib.recordsOf(register)) {
    if (r['Recorder'] === recorder && r['Recorder_Type'] === `StandardODATA.${recorderSet}`) continue;
    bal.set(keyOf(r), (bal.get(keyOf(r)) ?? 0) + (r['RecordType'] === 'Expense' ? -1 : 1) * num(r['ВНаличии']));
  }
  const out: string[] = [];
  const need = new Map<string, { r: Rec; qty: number }>();
  for (const r of movements[register]!) {
    if (r['RecordType'] !== 'Expense') continue;
    const k = keyOf(r);
    need.set(k, { r, qty: (need.get(k)?.qty ?? 0) + num(r['ВНаличии']) });
  }
  for (const [k, { r, qty }] of need) {
    const have = bal.get(k) ?? 0;
    if (have < qty) {
      const item = ib.presentation('Catalog_Номенклатура', ib.get('Catalog_Номенклатура', String(r['Номенклатура_Key'])));
      const wh = ib.presentation('Catalog_Склады', ib.get('Catalog_Склады', String(r['Склад_Key'])));
      out.push(`Превышен остаток товара "${item}" на складе "${wh}". Требуется: ${qty}, остаток: ${round2(have)}`);
    }
  }
  return out;
}

/** Rules of УТ 11.4/11.5. */
function utRules(model: Model): Rules {
  const n = model.names;
  const order = n.order!;
  const sale = n.sale!;
  const invoice = n.invoice!;
  const receipts = [n.bankReceipt!, n.cashReceipt!];
  const is115 = !!n.settlementObjects;
  const accepted = new Set(['КОбеспечению', 'КОтгрузке']);

  function documentTotal(rec: Rec, table: string): number {
    const inclVat = rec['ЦенаВключаетНДС'] === true;
    let total = 0;
    for (const r of rows(rec, table)) {
      if (r['Отменено'] === true) continue;
      const withVat = num(r['СуммаСНДС']);
      total += withVat !== 0 ? withVat : num(r['Сумма']) + (inclVat ? 0 : num(r['СуммаНДС']));
    }
    return round2(total);
  }

  /** 11.5: the Catalog_ОбъектыРасчетов item standing for an order or a sale, created on demand as UT does on write. */
  function settlementObject(ib: Infobase, set: string, key: string): string {
    const doc = ib.get(set, key);
    if (!doc) return EMPTY_REF;
    if (set === order && !isEmptyRef(doc['ОбъектРасчетов_Key'])) return String(doc['ОбъектРасчетов_Key']);
    const existing = ib.all(n.settlementObjects!).find((o) => o['Объект'] === key && o['Объект_Type'] === `StandardODATA.${set}`);
    if (existing) return String(existing['Ref_Key']);
    const created = ib.create(
      n.settlementObjects!,
      {
        Description: ib.presentation(set, doc),
        Объект: key,
        Объект_Type: `StandardODATA.${set}`,
        Организация_Key: doc['Организация_Key'],
        Партнер_Key: doc['Партнер_Key'],
        Контрагент_Key: doc['Контрагент_Key'],
        Валюта_Key: doc['Валюта_Key'],
        ТипРасчетов: 'РасчетыСКлиентом',
      },
      { internal: true },
    );
    return String(created['Ref_Key']);
  }

  /** The customer order a document or settlement object stands for (through invoices and sales). */
  function orderOf(ib: Infobase, set: string, key: string, depth = 0): string | undefined {
    if (depth > 3 || isEmptyRef(key)) return undefined;
    if (set === order) return key;
    const doc = ib.get(set, key);
    if (!doc) return undefined;
    if (n.settlementObjects && set === n.settlementObjects) return composite(ib, doc['Объект'], doc['Объект_Type'], depth);
    if (set === invoice) return composite(ib, doc['ДокументОснование'], doc['ДокументОснование_Type'], depth);
    if (set === sale) return composite(ib, doc['ЗаказКлиента'], doc['ЗаказКлиента_Type'], depth);
    return undefined;
  }

  function composite(ib: Infobase, value: unknown, type: unknown, depth: number): string | undefined {
    if (typeof type !== 'string' || type === UNDEFINED_TYPE || !type.startsWith('StandardODATA.')) return undefined;
    return orderOf(ib, type.slice('StandardODATA.'.length), String(value).toLowerCase(), depth + 1);
  }

  /** Settlement dimensions: by ОбъектРасчетов (11.5) or the composite ЗаказКлиента (11.4). */
  function settleDims(ib: Infobase, doc: Rec, partner: unknown, link: { set: string; key: string } | undefined): Rec {
    let partnerKey = String(partner ?? EMPTY_REF);
    if (isEmptyRef(partnerKey)) partnerKey = String(ib.get('Catalog_Контрагенты', String(doc['Контрагент_Key']))?.['Партнер_Key'] ?? EMPTY_REF);
    const dims: Rec = { Организация_Key: doc['Организация_Key'] ?? EMPTY_REF, Партнер_Key: partnerKey, Контрагент_Key: doc['Контрагент_Key'] ?? EMPTY_REF, Валюта_Key: doc['Валюта_Key'] ?? EMPTY_REF };
    if (is115) dims['ОбъектРасчетов_Key'] = link ? settlementObject(ib, link.set, link.key) : EMPTY_REF;
    else if (link) {
      dims['ЗаказКлиента'] = link.key;
      dims['ЗаказКлиента_Type'] = `StandardODATA.${link.set}`;
    }
    return dims;
  }

  /** What a payment row pays for: its ОбъектРасчетов/Заказ, else the header's object or basis document. */
  function paymentLink(ib: Infobase, doc: Rec, row: Rec | undefined): { set: string; key: string } | undefined {
    const fromComposite = (v: unknown, t: unknown) => {
      if (typeof t !== 'string' || !t.startsWith('StandardODATA.') || isEmptyRef(v)) return undefined;
      const set = t.slice('StandardODATA.'.length);
      const o = orderOf(ib, set, String(v).toLowerCase());
      return o ? ref(order, o) : set === sale ? ref(sale, v) : undefined;
    };
    if (is115) {
      for (const src of [row, doc]) {
        const obj = src?.['ОбъектРасчетов_Key'];
        if (obj && !isEmptyRef(obj)) {
          const o = ib.get(n.settlementObjects!, String(obj));
          if (o) return fromComposite(o['Объект'], o['Объект_Type']);
        }
      }
    } else if (row) {
      const l = fromComposite(row['Заказ'], row['Заказ_Type']);
      if (l) return l;
    }
    return fromComposite(doc['ДокументОснование'], doc['ДокументОснование_Type']);
  }

  function linkedOrders(ib: Infobase, def: ObjectDef, rec: Rec): Set<string> {
    const out = new Set<string>();
    if (def.set === order) out.add(String(rec['Ref_Key']));
    if (def.set === sale) {
      const o = composite(ib, rec['ЗаказКлиента'], rec['ЗаказКлиента_Type'], 0);
      if (o) out.add(o);
      for (const r of rows(rec, 'Товары')) {
        const t = r['ЗаказКлиента_Type'];
        if (typeof t === 'string' && t === `StandardODATA.${order}` && !isEmptyRef(r['ЗаказКлиента'])) out.add(String(r['ЗаказКлиента']));
      }
    }
    if (receipts.includes(def.set)) {
      const list = rows(rec, 'РасшифровкаПлатежа');
      for (const r of list.length ? list : [undefined]) {
        const l = paymentLink(ib, rec, r);
        if (l?.set === order) out.add(l.key);
      }
    }
    return out;
  }

  function sum(ib: Infobase, register: string, pred: (r: Rec) => boolean, resource: string): number {
    let s = 0;
    for (const r of ib.recordsOf(register)) if (r['Active'] !== false && pred(r)) s += (r['RecordType'] === 'Expense' ? -1 : 1) * num(r[resource]);
    return round2(s);
  }

  /** InformationRegister_СостоянияЗаказовКлиентов: what the order waits for, from the goods-to-ship and settlement balances. */
  function refreshOrderState(ib: Infobase, key: string): void {
    const states = n.orderStates!;
    const doc = ib.get(order, key);
    ib.deleteRecords(states, (r) => r['Заказ_Key'] === key);
    if (!doc || doc['Posted'] !== true) return;
    let state: string;
    const status = String(doc['Статус'] ?? '');
    if (status === 'НеСогласован') state = 'ОжидаетсяСогласование';
    else if (status === 'Закрыт') state = 'Закрыт';
    else {
      const ordered = rows(doc, 'Товары')
        .filter((r) => r['Отменено'] !== true && isGoods(ib, r['Номенклатура_Key']))
        .reduce((s, r) => s + num(r['Количество']), 0);
      const toShip = sum(ib, n.shipmentRegister!, (r) => r['ДокументОтгрузки'] === key && r['ДокументОтгрузки_Type'] === `StandardODATA.${order}`, 'КОтгрузке');
      const obj = is115 ? String(doc['ОбъектРасчетов_Key']) : key;
      const toPay = sum(ib, n.settlementsRegister!, (r) => (is115 ? r['ОбъектРасчетов_Key'] === obj : r['ЗаказКлиента'] === key), 'КОплате');
      const paid = toPay <= 0.005;
      const shippedAll = toShip <= 0.0005;
      const shippedNone = toShip >= ordered - 0.0005;
      const stages = rows(doc, 'ЭтапыГрафикаОплаты');
      const prepay = !stages.length || stages.some((s) => s['ВариантОплаты'] === 'ПредоплатаДоОтгрузки' || s['ВариантОплаты'] === 'АвансДоОбеспечения');
      if (shippedAll) state = paid ? 'ГотовКЗакрытию' : 'ОжидаетсяОплатаПослеОтгрузки';
      else if (!shippedNone) state = 'ВПроцессеОтгрузки';
      else state = paid || !prepay ? 'ГотовКОтгрузке' : 'ОжидаетсяПредоплатаДоОтгрузки';
    }
    ib.upsertRecord(states, { Заказ_Key: key, Состояние: state, ДатаСобытия: ib.now() });
  }

  return {
    ...NOOP,
    beforeWrite(ib, def, rec) {
      if (def.set === order || def.set === sale) rec['СуммаДокумента'] = documentTotal(rec, 'Товары');
      if (def.set === order && is115 && isEmptyRef(rec['ОбъектРасчетов_Key']) && !ib.get(order, String(rec['Ref_Key']))) {
        // UT 11.5 creates the order's settlement object when the order is first written.
        const created = ib.create(
          n.settlementObjects!,
          {
            Description: ib.presentation(order, rec),
            Объект: rec['Ref_Key'],
            Объект_Type: `StandardODATA.${order}`,
            Организация_Key: rec['Организация_Key'],
            Партнер_Key: rec['Партнер_Key'],
            Контрагент_Key: rec['Контрагент_Key'],
            Валюта_Key: rec['Валюта_Key'],
            ТипРасчетов: 'РасчетыСКлиентом',
          },
          { internal: true },
        );
        rec['ОбъектРасчетов_Key'] = created['Ref_Key']!;
      }
    },
    check(ib, def, rec) {
      switch (def.set) {
        case order:
          return [
            ...required(rec, def, ['Организация', 'Партнер', 'Контрагент', 'Валюта', 'Статус']),
            ...requiredRows(rec, 'Товары', [['Номенклатура', 'ref'], ['Количество', 'positive'], ['Цена', 'positive']], (r) => r['Отменено'] === true),
          ];
        case sale:
          return [...required(rec, def, ['Организация', 'Контрагент', 'Валюта', 'Склад']), ...requiredRows(rec, 'Товары', [['Номенклатура', 'ref'], ['Количество', 'positive']])];
        case invoice:
          return required(rec, def, ['Организация', 'Контрагент']);
        case n.bankReceipt:
        case n.cashReceipt:
          return required(rec, def, ['Организация', 'Контрагент', 'Валюта', 'СуммаДокумента']);
        case n.priceSetting:
          return requiredRows(rec, 'Товары', [['Номенклатура', 'ref'], ['ВидЦены', 'ref']]);
        case n.stockReceipt:
          return [...required(rec, def, ['Организация', 'Склад']), ...requiredRows(rec, 'Товары', [['Номенклатура', 'ref'], ['Количество', 'positive']])];
        default:
          return [];
      }
    },
    movements(ib, def, rec) {
      const key = String(rec['Ref_Key']);
      const m: Record<string, Rec[]> = {};
      if (def.set === order && accepted.has(String(rec['Статус']))) {
        m[n.settlementsRegister!] = [{ RecordType: 'Receipt', ...settleDims(ib, rec, rec['Партнер_Key'], ref(order, key)), Сумма: 0, КОплате: num(rec['СуммаДокумента']) }];
        m[n.shipmentRegister!] = rows(rec, 'Товары')
          .filter((r) => r['Отменено'] !== true && isGoods(ib, r['Номенклатура_Key']))
          .map((r) => ({
            RecordType: 'Receipt',
            ДокументОтгрузки: key,
            ДокументОтгрузки_Type: `StandardODATA.${order}`,
            Номенклатура_Key: r['Номенклатура_Key']!,
            Характеристика_Key: r['Характеристика_Key']!,
            Склад_Key: isEmptyRef(r['Склад_Key']) ? rec['Склад_Key']! : r['Склад_Key']!,
            КОтгрузке: num(r['Количество']),
          }));
      }
      if (def.set === sale) {
        const headerOrder = composite(ib, rec['ЗаказКлиента'], rec['ЗаказКлиента_Type'], 0);
        const goods = rows(rec, 'Товары').filter((r) => isGoods(ib, r['Номенклатура_Key']));
        m[n.stockRegister!] = goods.map((r) => ({
          RecordType: 'Expense',
          Номенклатура_Key: r['Номенклатура_Key']!,
          Характеристика_Key: r['Характеристика_Key']!,
          Склад_Key: isEmptyRef(r['Склад_Key']) ? rec['Склад_Key']! : r['Склад_Key']!,
          ВНаличии: num(r['Количество']),
        }));
        m[n.shipmentRegister!] = goods.flatMap((r) => {
          const rowOrder = r['ЗаказКлиента_Type'] === `StandardODATA.${order}` && !isEmptyRef(r['ЗаказКлиента']) ? String(r['ЗаказКлиента']) : headerOrder;
          if (!rowOrder) return [];
          const o = ib.get(order, rowOrder);
          const orderRow = rows(o ?? {}, 'Товары').find((x) => x['Номенклатура_Key'] === r['Номенклатура_Key'] && x['Характеристика_Key'] === r['Характеристика_Key']);
          const wh = !isEmptyRef(orderRow?.['Склад_Key']) ? orderRow!['Склад_Key']! : !isEmptyRef(o?.['Склад_Key']) ? o!['Склад_Key']! : rec['Склад_Key']!;
          return [
            {
              RecordType: 'Expense',
              ДокументОтгрузки: rowOrder,
              ДокументОтгрузки_Type: `StandardODATA.${order}`,
              Номенклатура_Key: r['Номенклатура_Key']!,
              Характеристика_Key: r['Характеристика_Key']!,
              Склад_Key: wh,
              КОтгрузке: num(r['Количество']),
            },
          ];
        });
        const link = headerOrder ? ref(order, headerOrder) : ref(sale, key);
        m[n.settlementsRegister!] = [{ RecordType: 'Receipt', ...settleDims(ib, rec, rec['Партнер_Key'], link), Сумма: num(rec['СуммаДокумента']), КОплате: 0 }];
      }
      if (receipts.includes(def.set)) {
        const list = rows(rec, 'РасшифровкаПлатежа');
        const lines: Array<{ row: Rec | undefined; amount: number }> = list.length ? list.map((r) => ({ row: r, amount: num(r['Сумма']) })) : [{ row: undefined, amount: num(rec['СуммаДокумента']) }];
        m[n.settlementsRegister!] = lines.map(({ row, amount }) => {
          const link = paymentLink(ib, rec, row);
          return { RecordType: 'Expense', ...settleDims(ib, rec, row?.['Партнер_Key'] ?? rec['Партнер_Key'], link), Сумма: amount, КОплате: link?.set === order ? amount : 0 };
        });
      }
      if (def.set === n.priceSetting) {
        m[n.priceRegister!] = rows(rec, 'Товары').map((r) => ({
          Номенклатура_Key: r['Номенклатура_Key']!,
          Характеристика_Key: r['Характеристика_Key']!,
          ВидЦены_Key: r['ВидЦены_Key']!,
          Упаковка_Key: r['Упаковка_Key']!,
          Цена: num(r['Цена']),
          Валюта_Key: ib.get('Catalog_ВидыЦен', String(r['ВидЦены_Key']))?.['ВалютаЦены_Key'] ?? EMPTY_REF,
        }));
      }
      if (def.set === n.stockReceipt) {
        m[n.stockRegister!] = rows(rec, 'Товары').map((r) => ({
          RecordType: 'Receipt',
          Номенклатура_Key: r['Номенклатура_Key']!,
          Характеристика_Key: r['Характеристика_Key']!,
          Склад_Key: rec['Склад_Key']!,
          ВНаличии: num(r['Количество']),
        }));
      }
      return m;
    },
    checkMovements(ib, def, rec, movements) {
      return def.set === sale ? stockShortage(ib, n.stockRegister, rec, movements, sale) : [];
    },
    afterPosting(ib, def, rec) {
      for (const o of linkedOrders(ib, def, rec)) refreshOrderState(ib, o);
    },
    afterWrite(ib, def, rec) {
      // A re-written order (status change) changes what it waits for even without re-posting.
      if (def.set === order && rec['Posted'] === true) refreshOrderState(ib, String(rec['Ref_Key']));
    },
    afterDelete(ib, def, rec) {
      for (const o of linkedOrders(ib, def, rec)) refreshOrderState(ib, o);
    },
  };
}

/** Rules of Розница: checks and retail reports move stock; price settings write ЦеныНоменклатуры. */
function retailRules(model: Model): Rules {
  const n = model.names;
  return {
    ...NOOP,
    beforeWrite(_ib, def, rec) {
      if (def.set === n.retailCheck || def.set === n.retailReport || def.set === n.order) {
        const incl = rec['ЦенаВключаетНДС'] !== false;
        rec['СуммаДокумента'] = round2(rows(rec, 'Товары').reduce((s, r) => s + num(r['Сумма']) + (incl ? 0 : num(r['СуммаНДС'])), 0));
      }
    },
    check(_ib, def, rec) {
      if (def.set === n.retailCheck) return [...required(rec, def, ['Организация', 'ВидОперации']), ...requiredRows(rec, 'Товары', [['Номенклатура', 'ref'], ['Количество', 'positive']])];
      if (def.set === n.retailReport) return [...required(rec, def, ['Организация', 'Склад']), ...requiredRows(rec, 'Товары', [['Номенклатура', 'ref'], ['Количество', 'positive']])];
      if (def.set === n.order) return required(rec, def, ['Организация']);
      if (def.set === n.priceSetting) return requiredRows(rec, 'Товары', [['Номенклатура', 'ref'], ['ВидЦены', 'ref']]);
      if (def.set === n.stockReceipt) return [...required(rec, def, ['Организация', 'Склад']), ...requiredRows(rec, 'Товары', [['Номенклатура', 'ref'], ['Количество', 'positive']])];
      return [];
    },
    movements(ib, def, rec) {
      const m: Record<string, Rec[]> = {};
      const stockRows = (type: 'Receipt' | 'Expense', wh: unknown) =>
        rows(rec, 'Товары')
          .filter((r) => isGoods(ib, r['Номенклатура_Key']))
          .map((r) => ({ RecordType: type, Номенклатура_Key: r['Номенклатура_Key']!, Характеристика_Key: r['Характеристика_Key']!, Склад_Key: String(wh ?? EMPTY_REF), ВНаличии: num(r['Количество']) }));
      if (def.set === n.retailCheck) {
        const wh = !isEmptyRef(rec['Склад_Key']) ? rec['Склад_Key'] : ib.get('Catalog_Магазины', String(rec['Магазин_Key']))?.['СкладПродажи_Key'];
        m[n.stockRegister!] = stockRows(rec['ВидОперации'] === 'Возврат' ? 'Receipt' : 'Expense', wh);
      }
      if (def.set === n.retailReport) m[n.stockRegister!] = stockRows('Expense', rec['Склад_Key']);
      if (def.set === n.stockReceipt) m[n.stockRegister!] = stockRows('Receipt', rec['Склад_Key']);
      if (def.set === n.priceSetting)
        m[n.priceRegister!] = rows(rec, 'Товары').map((r) => ({
          Номенклатура_Key: r['Номенклатура_Key']!,
          Характеристика_Key: r['Характеристика_Key']!,
          ВидЦены_Key: r['ВидЦены_Key']!,
          Упаковка_Key: r['Упаковка_Key']!,
          Цена: num(r['Цена']),
        }));
      return m;
    },
  };
}

/** Rules of БП 3.0: a contract is required on sales and payments; prices by ТипЦен. */
function bpRules(model: Model): Rules {
  const n = model.names;
  return {
    ...NOOP,
    beforeWrite(_ib, def, rec) {
      if (def.set === n.sale || def.set === n.invoice) {
        const incl = rec['СуммаВключаетНДС'] === true;
        const all = [...rows(rec, 'Товары'), ...rows(rec, 'Услуги')];
        rec['СуммаДокумента'] = round2(all.reduce((s, r) => s + num(r['Сумма']) + (incl ? 0 : num(r['СуммаНДС'])), 0));
      }
    },
    check(_ib, def, rec) {
      if (def.set === n.sale) {
        const out = required(rec, def, ['Организация', 'Контрагент', 'ДоговорКонтрагента']);
        if (!rows(rec, 'Товары').length && !rows(rec, 'Услуги').length) out.push('Не заполнены табличные части "Товары" и "Услуги"');
        return out;
      }
      if (def.set === n.invoice) return required(rec, def, ['Организация', 'Контрагент']);
      if (def.set === n.bankReceipt || def.set === n.cashReceipt) {
        const out = required(rec, def, ['Организация', 'Контрагент', 'СуммаДокумента']);
        for (const r of rows(rec, 'РасшифровкаПлатежа')) if (isEmptyRef(r['ДоговорКонтрагента_Key'])) out.push(`Не заполнена колонка "Договор" в строке ${String(r['LineNumber'])} списка "Расшифровка платежа"`);
        return out;
      }
      if (def.set === n.priceSetting) return [...required(rec, def, ['ТипЦен']), ...requiredRows(rec, 'Товары', [['Номенклатура', 'ref']])];
      return [];
    },
    movements(ib, def, rec) {
      if (def.set !== n.priceSetting) return {};
      return {
        [n.priceRegister!]: rows(rec, 'Товары').map((r) => ({
          Номенклатура_Key: r['Номенклатура_Key']!,
          ТипЦен_Key: rec['ТипЦен_Key']!,
          Цена: num(r['Цена']),
          Валюта_Key: ib.get('Catalog_ТипыЦенНоменклатуры', String(rec['ТипЦен_Key']))?.['ВалютаЦены_Key'] ?? EMPTY_REF,
        })),
      };
    },
  };
}

export function rulesFor(model: Model): Rules {
  switch (model.names.family) {
    case 'ut':
      return utRules(model);
    case 'retail':
      return retailRules(model);
    case 'bp':
      return bpRules(model);
    case 'dm':
      return { ...NOOP, tasksFromProcessesOnly: true };
  }
}
