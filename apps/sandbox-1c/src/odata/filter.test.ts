// The $filter language and evaluator on their own (reference §1.7): literals, precedence, functions, the composite
// attribute quirk, unlimited strings, and virtual-table parameter lists with 1C's nested quotes.
import { describe, expect, it } from 'vitest';
import { createInfobase } from '../model/seed.ts';
import { DEMO } from '../model/demo.ts';
import { ODataError } from './errors.ts';
import { Evaluator } from './evaluate.ts';
import { lex, normalizeDate, parseFilter, parseOrderBy, splitFunctionParams, splitKeyList } from './filter.ts';

const ib = createInfobase({ name: 'f', profile: 'ut11', demo: true });
const ev = new Evaluator({ lookup: (s, k) => ib.lookup(s, k), isSet: (n) => ib.model.objects.has(n), shapeOf: (s) => ib.shapeOf(s) });

function select(set: string, filter: string): string[] {
  const node = parseFilter(filter);
  ev.validate(node, ib.shapeOf(set));
  return ib
    .all(set)
    .filter((rec) => ev.test(node, { shape: ib.shapeOf(set), data: rec, set }))
    .map((r) => String(r['Description']));
}

function odataError(fn: () => unknown): ODataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ODataError) return e;
    throw e;
  }
  throw new Error('expected an ODataError');
}

describe('$filter literals', () => {
  it('reads guid, datetime, strings with doubled quotes, numbers and booleans', () => {
    const toks = lex(`guid'D0000001-0000-4000-8000-00000000001A' datetime'2025-01-31' 'O''Brien' 12.5 7 true null`);
    expect(toks.slice(0, 7).map((t) => (t.t === 'lit' ? t.v : null))).toEqual([
      { t: 'guid', v: 'd0000001-0000-4000-8000-00000000001a' },
      { t: 'datetime', v: '2025-01-31T00:00:00' },
      { t: 'string', v: "O'Brien" },
      { t: 'number', v: 12.5, int: false },
      { t: 'number', v: 7, int: true },
      { t: 'bool', v: true },
      { t: 'null' },
    ]);
  });

  it('normalises dates to the naive 1C form and refuses impossible ones', () => {
    expect(normalizeDate('2025-02-03T10:30')).toBe('2025-02-03T10:30:00');
    expect(normalizeDate('2025-02-30T00:00:00')).toBeUndefined();
  });

  it('rejects NaN/Infinity and malformed guids with code 14', () => {
    expect(odataError(() => parseFilter('Цена eq NaN')).code).toBe('14');
    expect(odataError(() => parseFilter("Ref_Key eq guid'123'")).code).toBe('14');
  });
});

describe('$filter grammar', () => {
  it('binds and tighter than or, not tighter than comparisons', () => {
    const n = parseFilter("A eq 1 or B eq 2 and not C eq 3");
    expect(n.k === 'bin' && n.op).toBe('or');
    const r = n.k === 'bin' ? n.r : n;
    expect(r.k === 'bin' && r.op).toBe('and');
  });

  it('parses navigation after a cast and lambdas over table parts', () => {
    const cast = parseFilter("cast(ДокументОснование, 'Document_ЗаказКлиента')/Number eq 'X'");
    expect(cast.k === 'bin' && cast.l.k === 'path' && cast.l.base?.k).toBe('call');
    const any = parseFilter('Товары/any(d: d/Цена gt 10000)');
    expect(any.k).toBe('lambda');
  });

  it('parses $orderby lists with directions', () => {
    const items = parseOrderBy('Контрагент/ИНН desc, Date, Number asc');
    expect(items.map((i) => i.desc)).toEqual([true, false, false]);
  });
});

describe('$filter evaluation (1C semantics)', () => {
  it('compares strings case-insensitively and ignores trailing spaces of fixed-length codes', () => {
    expect(select('Catalog_Контрагенты', "Description eq 'ромашка ооо'")).toEqual(['Ромашка ООО']);
    // OKEI codes are stored as «796 » (fixed length 4): a comparison with '796' still matches.
    expect(select('Catalog_УпаковкиЕдиницыИзмерения', "Code eq '796'")).toEqual(['шт']);
  });

  it('supports substringof, startswith, endswith, like, concat and 1-based substring', () => {
    expect(select('Catalog_Номенклатура', "substringof('мышь', Description) eq true")).toEqual(['Мышь беспроводная']);
    expect(select('Catalog_Номенклатура', "startswith(Артикул, 'SRV')")).toEqual(['Доставка']);
    expect(select('Catalog_Номенклатура', "endswith(Description, '2 м')")).toEqual(['Кабель HDMI 2 м']);
    expect(select('Catalog_Номенклатура', "like(Артикул, 'SKU-00[12]')")).toEqual(['Ноутбук 15"', 'Мышь беспроводная']);
    expect(select('Catalog_Контрагенты', "substring(ИНН, 1, 2) eq '77'")).toEqual(['Ромашка ООО']);
    expect(select('Catalog_Контрагенты', "concat(ИНН, КПП) eq '7736050003773601001'")).toEqual(['Ромашка ООО']);
  });

  it('follows references through navigation properties', () => {
    expect(select('Catalog_Контрагенты', "Партнер/Description eq 'Ромашка'")).toEqual(['Ромашка ООО']);
    expect(select('Catalog_Контрагенты', `Партнер_Key eq guid'${DEMO.ut.partnerIvanov}'`)).toEqual(['Иванов Иван Иванович ИП']);
  });

  it('matches a composite attribute only through cast(): a bare guid never matches', () => {
    const item = ib.create('Catalog_Номенклатура', { Description: 'Комиссионный товар', Принципал: DEMO.ut.romashka, Принципал_Type: 'StandardODATA.Catalog_Контрагенты' });
    try {
      expect(select('Catalog_Номенклатура', `Принципал eq guid'${DEMO.ut.romashka}'`)).toEqual([]);
      expect(select('Catalog_Номенклатура', `Принципал eq cast(guid'${DEMO.ut.romashka}', 'Catalog_Контрагенты')`)).toEqual(['Комиссионный товар']);
      expect(select('Catalog_Номенклатура', `Принципал eq cast(guid'${DEMO.ut.romashka}', 'Catalog_Организации')`)).toEqual([]);
      expect(select('Catalog_Номенклатура', "isof(Принципал, 'Catalog_Контрагенты')")).toEqual(['Комиссионный товар']);
      expect(select('Catalog_Номенклатура', "cast(Принципал, 'Catalog_Контрагенты')/ИНН eq '7736050003'")).toEqual(['Комиссионный товар']);
    } finally {
      ib.remove('Catalog_Номенклатура', String(item['Ref_Key']));
    }
  });

  it('evaluates not, parentheses, arithmetic and lambdas over table parts', () => {
    const prices = ib.get('Document_УстановкаЦенНоменклатуры', DEMO.ut.priceSetting)!;
    const shape = ib.shapeOf('Document_УстановкаЦенНоменклатуры');
    const t = (f: string) => ev.test(parseFilter(f), { shape, data: prices, set: 'Document_УстановкаЦенНоменклатуры' });
    expect(t('Товары/any(d: d/Цена gt 80000)')).toBe(true);
    expect(t('Товары/all(d: d/Цена gt 1000)')).toBe(false);
    expect(t('not (Posted eq false)')).toBe(true);
    expect(t('(2 add 3) mul 2 eq 10')).toBe(true);
    expect(t("year(Date) eq 2025 and month(Date) eq 1 and Date lt datetime'2025-01-02T00:00:00'")).toBe(true);
  });

  it('refuses comparisons on unlimited strings with 1C query-language error -1 (500), even on an empty set', () => {
    expect(ib.all('Document_ЗаказКлиента')).toEqual([]);
    expect(odataError(() => select('Document_ЗаказКлиента', "Комментарий eq 'deal:1'")).code).toBe('-1');
    const e = odataError(() => select('Catalog_Номенклатура', "Описание eq 'x'"));
    expect([e.status, e.code]).toEqual([500, '-1']);
    expect(e.message).toContain('Операция не разрешена в предложении "ГДЕ"');
    // Pattern matching on the same field is allowed (it compiles to ПОДОБНО).
    expect(select('Catalog_Номенклатура', "substringof('x', Описание)")).toEqual([]);
  });

  it('answers code 21 for functions 1C does not implement and code 10 for unknown properties', () => {
    expect(odataError(() => select('Catalog_Номенклатура', "tolower(Description) eq 'x'")).code).toBe('21');
    expect(odataError(() => select('Catalog_Номенклатура', "length(Description) gt 1")).code).toBe('21');
    expect(odataError(() => select('Catalog_Номенклатура', "НетТакогоПоля eq 1")).code).toBe('10');
  });
});

describe('key and parameter lists', () => {
  it('splits entity keys, accepting the documented double-quoted string form', () => {
    const k = splitKeyList(`Ref_Key=guid'${DEMO.ut.laptop}', LineNumber=1`);
    expect(k.named.get('LineNumber')).toEqual({ t: 'number', v: 1, int: true });
    expect(splitKeyList('ТипЦены="Приходная"').named.get('ТипЦены')).toEqual({ t: 'string', v: 'Приходная' });
  });

  it('reads Condition with doubled quotes and with the unescaped nesting of the official examples', () => {
    const doubled = splitFunctionParams(`Period=datetime'2025-01-31T23:59:59', Condition='ВидЦены_Key eq guid''${DEMO.ut.priceRetail}'' and Цена gt 0'`);
    expect(doubled.get('Period')).toEqual({ t: 'datetime', v: '2025-01-31T23:59:59' });
    expect(doubled.get('Condition')).toEqual({ t: 'string', v: `ВидЦены_Key eq guid'${DEMO.ut.priceRetail}' and Цена gt 0` });
    const nested = splitFunctionParams(`AccountCondition='Account_Key eq guid'a'',Condition='ExtDimension1 eq cast(guid'b', 'Catalog_Контрагенты')',ExtraDimensions='c'`);
    expect(nested.get('AccountCondition')).toEqual({ t: 'string', v: "Account_Key eq guid'a'" });
    expect(nested.get('Condition')).toEqual({ t: 'string', v: "ExtDimension1 eq cast(guid'b', 'Catalog_Контрагенты')" });
    expect(nested.get('ExtraDimensions')).toEqual({ t: 'string', v: 'c' });
  });
});
