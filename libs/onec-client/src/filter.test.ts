// The $filter builder: exact output per literal kind, and the same expressions run against the 1C sandbox returning
// the expected demo rows — including the composite-attribute quirk (bare guid matches nothing, cast matches).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startOneCSandbox, type OneCSandbox } from '@esb/sandbox-1c';
import { OneCClient } from './client.ts';
import { and, anyOf, eq, ge, gt, le, lt, ne, not, or, substringof, Filter } from './filter.ts';
import { bool, cast, datetime, guid, literal, num, resourcePath, str } from './literals.ts';

const D = DEMO.ut;

describe('literals', () => {
  it('renders each kind exactly', () => {
    expect(guid('D0000001-0000-4000-8000-00000000001A').text).toBe("guid'd0000001-0000-4000-8000-00000000001a'");
    expect(datetime('2025-01-31T23:59:59').text).toBe("datetime'2025-01-31T23:59:59'");
    expect(datetime('2025-01-31').text).toBe("datetime'2025-01-31T00:00:00'");
    // An instant is rendered in the infobase's wall clock: 21:00Z is midnight in Moscow (UTC+3).
    expect(datetime(new Date('2025-01-31T21:00:00Z')).text).toBe("datetime'2025-02-01T00:00:00'");
    expect(datetime(new Date('2025-01-31T21:00:00Z'), 'UTC').text).toBe("datetime'2025-01-31T21:00:00'");
    expect(str("ООО 'Ромашка'").text).toBe("'ООО ''Ромашка'''");
    expect(num(42).text).toBe('42');
    expect(num(-1.5).text).toBe('-1.5');
    expect(num(12345678901234567890n).text).toBe('12345678901234567890');
    expect(bool(true).text).toBe('true');
    expect(bool(false).text).toBe('false');
    expect(cast(D.romashka, 'StandardODATA.Catalog_Контрагенты').text).toBe(`cast(guid'${D.romashka}','Catalog_Контрагенты')`);
    expect(literal('x')).toBe("'x'");
    expect(literal(7)).toBe('7');
  });

  it('refuses what 1C would reject or what could inject syntax', () => {
    expect(() => guid("x' or 1 eq 1")).toThrow(/not a GUID/);
    expect(() => num(Number.NaN)).toThrow(/finite/);
    expect(() => num(Infinity)).toThrow(/finite/);
    expect(() => datetime('2025-01-31T10:00:00+03:00')).toThrow(/naive/);
    expect(() => cast(D.romashka, "Catalog_X') or (1")).toThrow(/entity type/);
    expect(() => eq("ИНН eq '1' or ИНН", '2')).toThrow(/field/);
  });

  it('percent-encodes Cyrillic set names and keys', () => {
    expect(resourcePath('Catalog_Контрагенты', D.romashka)).toBe(`Catalog_${encodeURIComponent('Контрагенты')}(guid'${D.romashka}')`);
    expect(resourcePath('Document_ЗаказКлиента_Товары', { Ref_Key: D.romashka, LineNumber: 1 })).toBe(
      `Document_${encodeURIComponent('ЗаказКлиента_Товары')}(Ref_Key%3Dguid'${D.romashka}'%2C%20LineNumber%3D1)`,
    );
    expect(() => resourcePath('Catalog_X?$top=1')).toThrow(/entity set/);
  });
});

describe('filter builder output', () => {
  it('comparisons, logic and functions', () => {
    expect(eq('ИНН', '7736050003').text).toBe("ИНН eq '7736050003'");
    expect(ne('DeletionMark', true).text).toBe('DeletionMark ne true');
    expect(gt('Цена', 1000).text).toBe('Цена gt 1000');
    expect(ge('Date', datetime('2025-01-01T00:00:00')).text).toBe("Date ge datetime'2025-01-01T00:00:00'");
    expect(lt('Цена', 1000.5).text).toBe('Цена lt 1000.5');
    expect(le('Date', new Date('2025-01-01T00:00:00Z')).text).toBe("Date le datetime'2025-01-01T03:00:00'");
    expect(eq('Контрагент/ИНН', '7736050003').text).toBe("Контрагент/ИНН eq '7736050003'");
    expect(substringof("Ро'м", 'Description').text).toBe("substringof('Ро''м', Description) eq true");
    expect(and(eq('a', 1), or(eq('b', 2), eq('c', 3))).text).toBe('a eq 1 and (b eq 2 or c eq 3)');
    expect(or(and(eq('a', 1), eq('b', 2)), eq('c', 3)).text).toBe('a eq 1 and b eq 2 or c eq 3');
    expect(not(or(eq('a', 1), eq('b', 2))).text).toBe('not (a eq 1 or b eq 2)');
    expect(anyOf('Артикул', ['SKU-001', 'SKU-002']).text).toBe("Артикул eq 'SKU-001' or Артикул eq 'SKU-002'");
    expect(eq('Принципал', cast(D.romashka, 'Catalog_Контрагенты')).text).toBe(`Принципал eq cast(guid'${D.romashka}','Catalog_Контрагенты')`);
  });
});

describe('the sandbox accepts every literal kind', () => {
  let sb: OneCSandbox;
  let c: OneCClient;
  const refs = (rows: Array<Record<string, unknown>>) => rows.map((r) => r['Ref_Key']).sort();

  beforeAll(async () => {
    sb = await startOneCSandbox({ port: 0, infobases: [{ name: 'ut', profile: 'ut11', demo: true }] });
    c = new OneCClient({ baseUrl: sb.odataUrl('ut'), user: 'odata', password: 'odata', maxConcurrency: 4, timeoutMs: 10_000 });
  });
  afterAll(async () => sb?.close());

  it('guid', async () => {
    expect(refs(await c.list('Catalog_Контрагенты', { filter: eq('Партнер_Key', guid(D.partnerRomashka)) }))).toEqual([D.romashka]);
  });

  it('string with a quote and Cyrillic, and substringof', async () => {
    expect(refs(await c.list('Catalog_Контрагенты', { filter: eq('ИНН', '7736050003') }))).toEqual([D.romashka]);
    expect(refs(await c.list('Catalog_Номенклатура', { filter: eq('Description', 'Ноутбук 15"') }))).toEqual([D.laptop]);
    expect(await c.list('Catalog_Контрагенты', { filter: eq('Description', "Ромашка' or 1 eq 1 or ''='") })).toEqual([]);
    expect(refs(await c.list('Catalog_Номенклатура', { filter: substringof('мышь', 'Description') }))).toEqual([D.mouse]);
  });

  it('numbers, booleans and not/and/or', async () => {
    const prices = await c.list('InformationRegister_ЦеныНоменклатуры25_RecordType', { filter: and(eq('ВидЦены_Key', guid(D.priceRetail)), gt('Цена', 1000), lt('Цена', 90000)) });
    expect(prices.map((p) => p['Цена']).sort()).toEqual([1490, 89990]);
    expect(refs(await c.list('Catalog_Номенклатура', { filter: and(eq('DeletionMark', false), or(eq('Артикул', 'SKU-001'), eq('Артикул', 'SRV-001'))) }))).toEqual([D.laptop, D.delivery].sort());
    expect(refs(await c.list('Catalog_Номенклатура', { filter: not(eq('ТипНоменклатуры', 'Товар')) }))).toEqual([D.delivery]);
    expect(refs(await c.list('Catalog_Номенклатура', { filter: and(ge('Code', '00000000002'), le('Code', '00000000003'), ne('Артикул', 'SKU-003')) }))).toEqual([D.mouse]);
  });

  it('datetime', async () => {
    const after = await c.list('Document_УстановкаЦенНоменклатуры', { filter: ge('Date', datetime('2025-01-01T00:00:00')) });
    expect(refs(after)).toEqual([D.priceSetting]);
    expect(await c.list('Document_УстановкаЦенНоменклатуры', { filter: gt('Date', datetime('2025-01-01T00:00:00')) })).toEqual([]);
  });

  it('composite attribute: cast matches, a bare guid matches nothing (the 1C quirk)', async () => {
    const item = await c.create('Catalog_Номенклатура', { Description: 'Товар комиссионера', Артикул: 'COM-1', Принципал: D.romashka, Принципал_Type: 'StandardODATA.Catalog_Контрагенты' });
    expect(refs(await c.list('Catalog_Номенклатура', { filter: eq('Принципал', cast(D.romashka, 'Catalog_Контрагенты')) }))).toEqual([item['Ref_Key']]);
    expect(await c.list('Catalog_Номенклатура', { filter: eq('Принципал', guid(D.romashka)) })).toEqual([]);
  });

  it('raw filters pass through parenthesised', async () => {
    expect(refs(await c.list('Catalog_Номенклатура', { filter: and(Filter.raw("Артикул eq 'SKU-002'"), eq('DeletionMark', false)) }))).toEqual([D.mouse]);
  });
});
