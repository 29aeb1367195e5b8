// Conformance of the standard OData interface against the reference facts (reference §1, checklist §1.15, §2 names):
// publication and $metadata, JSON/Atom shapes, query options and their quirks, writes, posting, errors and auth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { DEMO } from './model/demo.ts';
import { INTERNAL_MESSAGE } from './odata/errors.ts';
import type { OneCSandbox } from './server.ts';
import { admin, AUTH, Client, errorOf, startStandard } from './test-helpers.ts';

let sb: OneCSandbox;
let ut: Client;
let ut114: Client;
let retail: Client;
const D = DEMO.ut;

beforeAll(async () => {
  sb = await startStandard();
  ut = new Client(sb.odataUrl('ut'));
  ut114 = new Client(sb.odataUrl('ut114'));
  retail = new Client(sb.odataUrl('retail'));
});
afterAll(() => sb.close());

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ['EntityType', 'ComplexType', 'Property', 'NavigationProperty', 'Association', 'EntitySet', 'FunctionImport', 'EnumType', 'Member', 'PropertyRef', 'Parameter', 'End', 'AssociationSet'].includes(name) });

interface Csdl {
  types: Array<{ Name: string; OpenType?: string; Key: { PropertyRef: Array<{ Name: string }> }; Property: Array<{ Name: string; Type: string; Nullable: string; MaxLength?: string }>; NavigationProperty?: Array<{ Name: string; Relationship: string; FromRole: string; ToRole: string }> }>;
  complex: Array<{ Name: string; Property: Array<{ Name: string; Type: string }> }>;
  assocs: Array<{ Name: string; End: Array<{ Role: string; Type: string; Multiplicity: string }> }>;
  container: { Name: string; 'm:IsDefaultEntityContainer': string; EntitySet: Array<{ Name: string; EntityType: string }>; FunctionImport: Array<{ Name: string; EntitySetPath: string; ReturnType?: string; 'm:HttpMethod': string; Parameter?: Array<{ Name: string; Type: string }> }> };
  enums: Array<{ Name: string; Member: Array<{ Name: string }> }>;
  namespace: string;
}

async function csdl(c: Client): Promise<Csdl> {
  const r = await c.call('GET', '$metadata', { json: false });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/xml/);
  const doc = xml.parse(r.text) as { 'edmx:Edmx': { 'edmx:DataServices': { 'm:DataServiceVersion': string; Schema: Record<string, unknown> } } };
  const ds = doc['edmx:Edmx']['edmx:DataServices'];
  expect(ds['m:DataServiceVersion']).toBe('3.0');
  const s = ds.Schema as Record<string, unknown>;
  return {
    types: s['EntityType'] as Csdl['types'],
    complex: s['ComplexType'] as Csdl['complex'],
    assocs: s['Association'] as Csdl['assocs'],
    container: s['EntityContainer'] as Csdl['container'],
    enums: s['EnumType'] as Csdl['enums'],
    namespace: s['Namespace'] as string,
  };
}

const typeOf = (m: Csdl, name: string) => m.types.find((t) => t.Name === name);
const propOf = (m: Csdl, type: string, prop: string) => typeOf(m, type)?.Property.find((p) => p.Name === prop);
const rowProp = (m: Csdl, rowType: string, prop: string) => m.complex.find((c) => c.Name === rowType)?.Property.find((p) => p.Name === prop);

describe('publication and $metadata (§1.2, §1.3)', () => {
  it('answers the service document in JSON and Atom', async () => {
    const j = await ut.get('');
    expect(j.json['odata.metadata']).toBe(`${sb.odataUrl('ut')}$metadata`);
    const names = (j.json['value'] as Array<{ name: string; url: string }>).map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['Catalog_Контрагенты', 'Document_ЗаказКлиента', 'Document_ЗаказКлиента_Товары', 'AccumulationRegister_РасчетыСКлиентами_RecordType']));
    const a = await ut.call('GET', '', { json: false });
    expect(a.text).toContain('<atom:title>Default</atom:title>');
    expect(a.text).toContain('<collection href="Catalog_Контрагенты">');
  });

  it('emits the CSDL shape: StandardODATA namespace, EnterpriseV8 container, keys, Begin/End associations, OpenType', async () => {
    const m = await csdl(ut);
    expect(m.namespace).toBe('StandardODATA');
    expect(m.container.Name).toBe('EnterpriseV8');
    expect(m.container['m:IsDefaultEntityContainer']).toBe('true');
    const k = typeOf(m, 'Catalog_Контрагенты')!;
    expect(k.Key.PropertyRef.map((p) => p.Name)).toEqual(['Ref_Key']);
    expect(propOf(m, 'Catalog_Контрагенты', 'Ref_Key')).toMatchObject({ Type: 'Edm.Guid', Nullable: 'false' });
    expect(propOf(m, 'Catalog_Контрагенты', 'DataVersion')).toMatchObject({ Type: 'Edm.String', Nullable: 'true' });
    expect(propOf(m, 'Catalog_Контрагенты', 'DeletionMark')).toMatchObject({ Type: 'Edm.Boolean' });
    expect(propOf(m, 'Catalog_Контрагенты', 'ИНН')).toMatchObject({ Type: 'Edm.String', MaxLength: '12' });
    expect(propOf(m, 'Catalog_Контрагенты', 'Партнер_Key')).toMatchObject({ Type: 'Edm.Guid', Nullable: 'true' });
    expect(k.NavigationProperty!.find((n) => n.Name === 'Партнер')).toEqual({ Name: 'Партнер', Relationship: 'StandardODATA.Catalog_Контрагенты_Партнер', FromRole: 'Begin', ToRole: 'End' });
    const assoc = m.assocs.find((a) => a.Name === 'Catalog_Контрагенты_Партнер')!;
    expect(assoc.End).toEqual([
      { Role: 'Begin', Type: 'StandardODATA.Catalog_Контрагенты', Multiplicity: '*' },
      { Role: 'End', Type: 'StandardODATA.Catalog_Партнеры', Multiplicity: '0..1' },
    ]);
    expect(typeOf(m, 'Catalog_Номенклатура')!.OpenType).toBe('true');
    expect(typeOf(m, 'Document_СчетНаОплатуКлиенту')!.OpenType).toBe('true');
    expect(m.container.EntitySet.find((s) => s.Name === 'Catalog_Контрагенты')!.EntityType).toBe('StandardODATA.Catalog_Контрагенты');
  });

  it('describes table parts as RowType collections with Int64 LineNumber, and composites as value + _Type', async () => {
    const m = await csdl(ut);
    expect(propOf(m, 'Document_ЗаказКлиента', 'Товары')).toMatchObject({ Type: 'Collection(StandardODATA.Document_ЗаказКлиента_Товары_RowType)' });
    expect(rowProp(m, 'Document_ЗаказКлиента_Товары_RowType', 'LineNumber')!.Type).toBe('Edm.Int64');
    expect(typeOf(m, 'Document_ЗаказКлиента_Товары')!.Key.PropertyRef.map((p) => p.Name)).toEqual(['Ref_Key', 'LineNumber']);
    expect(propOf(m, 'Document_ЗаказКлиента', 'ДокументОснование')!.Type).toBe('Edm.String');
    expect(propOf(m, 'Document_ЗаказКлиента', 'ДокументОснование_Type')!.Type).toBe('Edm.String');
    expect(propOf(m, 'Catalog_Номенклатура', 'СрокГодности')!.Type).toBe('Edm.Int64');
  });

  it('publishes bound Post/Unpost and register virtual tables as FunctionImports, and enum types unlinked', async () => {
    const m = await csdl(ut);
    const post = m.container.FunctionImport.find((f) => f.Name === 'Post' && f.EntitySetPath === 'Document_ЗаказКлиента')!;
    expect(post['m:HttpMethod']).toBe('POST');
    expect(post.Parameter).toEqual([{ Name: 'PostingModeOperational', Type: 'Edm.Boolean', Mode: 'In' }]);
    expect(m.container.FunctionImport.some((f) => f.Name === 'Unpost' && f.EntitySetPath === 'Document_ЗаказКлиента')).toBe(true);
    const bal = m.container.FunctionImport.find((f) => f.Name === 'Balance' && f.EntitySetPath === 'AccumulationRegister_РасчетыСКлиентами')!;
    expect(bal.ReturnType).toBe('Collection(StandardODATA.AccumulationRegister_РасчетыСКлиентами_Balance)');
    expect(m.complex.find((c) => c.Name === 'AccumulationRegister_РасчетыСКлиентами_Balance')!.Property.map((p) => p.Name)).toEqual(expect.arrayContaining(['КОплатеBalance', 'СуммаBalance', 'ОбъектРасчетов_Key']));
    expect(m.container.FunctionImport.some((f) => f.Name === 'SliceLast' && f.EntitySetPath === 'InformationRegister_ЦеныНоменклатуры25_RecordType')).toBe(true);
    expect(typeOf(m, 'AccumulationRegister_ТоварыНаСкладах_RecordType')!.Key.PropertyRef.map((p) => p.Name)).toEqual(['Recorder', 'LineNumber', 'Recorder_Type']);
    expect(typeOf(m, 'AccumulationRegister_ТоварыНаСкладах')!.Key.PropertyRef.map((p) => p.Name)).toEqual(['Recorder', 'Recorder_Type']);
    expect(m.enums.find((e) => e.Name === 'Enum_СтавкиНДС')!.Member.map((x) => x.Name)).toEqual(expect.arrayContaining(['НДС20', 'НДС22', 'НДС5', 'НДС7', 'НДС22_122']));
    expect(propOf(m, 'Document_ЗаказКлиента', 'Статус')!.Type).toBe('Edm.String');
  });

  it('serves $metadata as XML only', async () => {
    const r = await ut.get('$metadata');
    expect(r.status).toBe(406);
    expect(errorOf(r).code).toBe('3');
  });

  it('differs between УТ 11.5 and 11.4 exactly where the reference says', async () => {
    const m5 = await csdl(ut);
    const m4 = await csdl(ut114);
    expect(m5.container.EntitySet.some((s) => s.Name === 'InformationRegister_ЦеныНоменклатуры25')).toBe(true);
    expect(m5.container.EntitySet.some((s) => s.Name === 'InformationRegister_ЦеныНоменклатуры')).toBe(false);
    expect(m4.container.EntitySet.some((s) => s.Name === 'InformationRegister_ЦеныНоменклатуры')).toBe(true);
    expect(m4.container.EntitySet.some((s) => s.Name === 'InformationRegister_ЦеныНоменклатуры25')).toBe(false);
    expect(rowProp(m5, 'Document_ЗаказКлиента_Товары_RowType', 'СтавкаНДС_Key')!.Type).toBe('Edm.Guid');
    expect(rowProp(m5, 'Document_ЗаказКлиента_Товары_RowType', 'СтавкаНДС')).toBeUndefined();
    expect(rowProp(m4, 'Document_ЗаказКлиента_Товары_RowType', 'СтавкаНДС')!.Type).toBe('Edm.String');
    expect(propOf(m5, 'Catalog_Номенклатура', 'УдалитьСтавкаНДС')!.Type).toBe('Edm.String');
    expect(m5.container.EntitySet.some((s) => s.Name === 'Catalog_СтавкиНДС')).toBe(true);
    expect(m4.container.EntitySet.some((s) => s.Name === 'Catalog_СтавкиНДС')).toBe(false);
    expect(rowProp(m5, 'Document_ПоступлениеБезналичныхДенежныхСредств_РасшифровкаПлатежа_RowType', 'ОбъектРасчетов_Key')).toBeDefined();
    expect(rowProp(m4, 'Document_ПоступлениеБезналичныхДенежныхСредств_РасшифровкаПлатежа_RowType', 'Заказ_Type')).toBeDefined();
    expect((await ut.get('InformationRegister_ЦеныНоменклатуры')).status).toBe(404);
    expect((await ut114.get('InformationRegister_ЦеныНоменклатуры25')).status).toBe(404);
    const vat = await ut.value('Catalog_СтавкиНДС', { $filter: "ПеречислениеСтавкаНДС eq 'НДС22'" });
    expect(vat.map((v) => v['Description'])).toEqual(['22%']);
  });

  it('knows Розница has no Document_ЗаказКлиента (404, code 8) but has checks and retail reports', async () => {
    const r = await retail.get('Document_ЗаказКлиента');
    expect(r.status).toBe(404);
    expect(r.json['odata.error']).toMatchObject({ code: '8', message: { lang: 'ru' } });
    expect((await retail.get('Document_ЧекККМ')).status).toBe(200);
    expect((await retail.get('Document_ОтчетОРозничныхПродажах')).status).toBe(200);
    expect((await retail.get('Document_ЗаказПокупателя')).status).toBe(200);
  });
});

describe('JSON shapes and value encoding (§1.4, §1.5)', () => {
  it('wraps collections in value with odata.metadata and echoes navigation links', async () => {
    const r = await ut.get('Catalog_Контрагенты', { $filter: "ИНН eq '7736050003'" });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(r.json['odata.metadata']).toBe(`${sb.odataUrl('ut')}$metadata#Catalog_Контрагенты`);
    const [k] = r.json['value'] as Array<Record<string, unknown>>;
    expect(k!['Ref_Key']).toBe(D.romashka);
    expect(k!['DataVersion']).toMatch(/^[A-Za-z0-9+/]{11}=$/);
    expect(Buffer.from(String(k!['DataVersion']), 'base64')).toHaveLength(8);
    expect(k!['DeletionMark']).toBe(false);
    expect(k!['Партнер@navigationLinkUrl']).toBe(`Catalog_Контрагенты(guid'${D.romashka}')/Партнер`);
    expect(k!['КонтактнаяИнформация']).toEqual([]);
  });

  it('returns a single entity without the value wrapper and with /@Element', async () => {
    const r = await ut.get(`Catalog_Контрагенты(guid'${D.romashka}')`);
    expect(r.json['odata.metadata']).toBe(`${sb.odataUrl('ut')}$metadata#Catalog_Контрагенты/@Element`);
    expect(r.json['value']).toBeUndefined();
    expect(r.json['Description']).toBe('Ромашка ООО');
    const byName = await ut.get(`Catalog_Контрагенты(Ref_Key=guid'${D.romashka}')`);
    expect(byName.json['Ref_Key']).toBe(D.romashka);
  });

  it('sends Int64 values and LineNumber as strings, and the empty date and reference sentinels', async () => {
    const doc = await ut.get(`Document_УстановкаЦенНоменклатуры(guid'${D.priceSetting}')`);
    const rows = doc.json['Товары'] as Array<Record<string, unknown>>;
    expect(rows[0]!['LineNumber']).toBe('1');
    expect(rows[0]!['Характеристика_Key']).toBe('00000000-0000-0000-0000-000000000000');
    expect(rows[0]!['Цена']).toBe(89990);
    const item = await ut.get(`Catalog_Номенклатура(guid'${D.laptop}')`);
    expect(item.json['СрокГодности']).toBe('0');
    expect(item.json['Parent_Key']).toBe('00000000-0000-0000-0000-000000000000');
    expect(item.json['Принципал']).toBe('');
    expect(item.json['Принципал_Type']).toBe('StandardODATA.Undefined');
    const partner = await ut.get(`Catalog_Партнеры(guid'${D.partnerRomashka}')`);
    expect(partner.json['ДатаРегистрации']).toBe('0001-01-01T00:00:00');
    const unit = await ut.get(`Catalog_УпаковкиЕдиницыИзмерения(guid'${D.unitPcs}')`);
    expect(unit.json['Code']).toBe('796 ');
  });

  it('honours odata=nometadata / fullmetadata and the Accept header; atom-xml by default', async () => {
    const no = await ut.get('Catalog_Склады', { $format: 'application/json;odata=nometadata' });
    expect(no.json['odata.metadata']).toBeUndefined();
    expect(Object.keys((no.json['value'] as Array<Record<string, unknown>>)[0]!).some((k) => k.endsWith('@navigationLinkUrl'))).toBe(false);
    const full = await ut.get('Catalog_Склады', { $format: 'application/json;odata=fullmetadata' });
    expect((full.json['value'] as Array<Record<string, unknown>>)[0]!['odata.type']).toBe('StandardODATA.Catalog_Склады');
    const accept = await ut.call('GET', 'Catalog_Склады', { json: false, headers: { accept: 'application/json' } });
    expect(accept.json['value']).toHaveLength(1);
    const atom = await ut.call('GET', 'Catalog_Склады', { json: false });
    expect(atom.headers.get('content-type')).toBe('application/atom+xml;type=feed;charset=utf-8');
    expect(atom.text).toContain('<m:properties>');
    expect(atom.text).toContain(`<d:Ref_Key m:type="Edm.Guid">${D.warehouse}</d:Ref_Key>`);
    expect(atom.text).toContain('<d:Description>Основной склад</d:Description>');
  });
});

describe('query options (§1.7, §1.12)', () => {
  const skus = async (filter: string, c: Client = ut) => (await c.value('Catalog_Номенклатура', { $filter: filter, $orderby: 'Code' })).map((x) => x['Артикул']);

  it('evaluates comparisons, logic, parentheses and literals', async () => {
    expect(await skus("Артикул eq 'SKU-001'")).toEqual(['SKU-001']);
    expect(await skus("Артикул ne 'SKU-001' and ТипНоменклатуры eq 'Товар'")).toEqual(['SKU-002', 'SKU-003']);
    expect(await skus("Code gt '00000000002'")).toEqual(['SKU-003', 'SRV-001']);
    expect(await skus("Code ge '00000000002' and Code le '00000000003'")).toEqual(['SKU-002', 'SKU-003']);
    expect(await skus("Code lt '00000000002'")).toEqual(['SKU-001']);
    expect(await skus("not (ТипНоменклатуры eq 'Товар')")).toEqual(['SRV-001']);
    expect(await skus("(Артикул eq 'SKU-001' or Артикул eq 'SKU-003') and IsFolder eq false")).toEqual(['SKU-001', 'SKU-003']);
    expect(await skus("substringof('HDMI', Description) eq true")).toEqual(['SKU-003']);
    expect(await skus(`ВидНоменклатуры_Key eq guid'${D.kindServices}'`)).toEqual(['SRV-001']);
    expect(await skus('СрокГодности eq 0 and DeletionMark eq false and ВесЧислитель le 0.5')).toEqual(['SKU-001', 'SKU-002', 'SKU-003', 'SRV-001']);
    const docs = await ut.value('Document_УстановкаЦенНоменклатуры', { $filter: "Date ge datetime'2025-01-01T00:00:00' and Date lt datetime'2025-01-02'" });
    expect(docs.map((d) => d['Ref_Key'])).toEqual([D.priceSetting]);
  });

  it('returns nothing for a bare guid against a composite attribute; cast() matches (§1.7, gotcha 6)', async () => {
    const created = await ut.post('Catalog_Номенклатура', { Description: 'Товар комитента', Артикул: 'COM-1', Принципал: D.romashka, Принципал_Type: 'StandardODATA.Catalog_Контрагенты' });
    expect(created.status).toBe(201);
    expect(await skus(`Принципал eq guid'${D.romashka}'`)).toEqual([]);
    expect(await skus(`Принципал eq cast(guid'${D.romashka}', 'Catalog_Контрагенты')`)).toEqual(['COM-1']);
    await ut.call('DELETE', `Catalog_Номенклатура(guid'${String(created.json['Ref_Key'])}')`);
  });

  it('applies $select (list, **, Table/Column, ____Presentation) and $expand on collections only', async () => {
    const sel = await ut.value('Catalog_Контрагенты', { $select: 'Ref_Key,Description', $filter: `Ref_Key eq guid'${D.romashka}'` });
    expect(Object.keys(sel[0]!)).toEqual(['Ref_Key', 'Description']);
    const noTables = await ut.value('Document_УстановкаЦенНоменклатуры', { $select: '**' });
    expect(noTables[0]!['Товары']).toBeUndefined();
    expect(noTables[0]!['Number']).toBeDefined();
    const cols = await ut.value('Document_УстановкаЦенНоменклатуры', { $select: 'Number,Товары/Цена' });
    expect((cols[0]!['Товары'] as unknown[])[0]).toEqual({ Цена: 89990 });
    const pres = await ut.value('Catalog_Контрагенты', { $select: 'Ref_Key,Партнер____Presentation', $filter: `Ref_Key eq guid'${D.romashka}'` });
    expect(pres[0]!['Партнер____Presentation']).toBe('Ромашка');
    const exp = await ut.value('Catalog_Контрагенты', { $expand: 'Партнер', $select: 'Description,Партнер/Description', $filter: `Ref_Key eq guid'${D.romashka}'` });
    expect(exp[0]!['Партнер']).toEqual({ Description: 'Ромашка' });
    const single = await ut.get(`Catalog_Контрагенты(guid'${D.romashka}')`, { $expand: 'Партнер' });
    expect(single.json['Партнер']).toBeUndefined();
    expect(single.json['Партнер_Key']).toBe(D.partnerRomashka);
  });

  it('orders by several keys, applies $skip before $top', async () => {
    const page = await ut.value('Catalog_Номенклатура', { $orderby: 'ТипНоменклатуры desc, Code desc', $top: '2', $skip: '1' });
    expect(page.map((x) => x['Артикул'])).toEqual(['SKU-003', 'SKU-002']);
    const nav = await ut.value('Catalog_Контрагенты', { $orderby: 'Партнер/Description asc' });
    expect(nav.map((x) => x['ИНН'])).toEqual(['500100732259', '7736050003']);
  });

  it('ignores $top/$skip when $inlinecount=allpages and sends odata.count as a string (gotcha 2)', async () => {
    const r = await ut.get('Catalog_Номенклатура', { $inlinecount: 'allpages', $top: '1', $skip: '1' });
    expect(r.json['odata.count']).toBe('4');
    expect(Object.keys(r.json)).toEqual(['odata.metadata', 'odata.count', 'value']);
    expect(r.json['value']).toHaveLength(4);
    const c = await ut.call('GET', 'Catalog_Номенклатура/$count', { json: false, query: { $filter: "ТипНоменклатуры eq 'Товар'" } });
    expect(c.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(c.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(Number(c.text.replace(/^\ufeff/, ''))).toBe(3);
  });

  it('reads virtual tables: Balance with Condition, Turnovers, BalanceAndTurnovers, SliceLast', async () => {
    const bal = await ut.value(`AccumulationRegister_ТоварыНаСкладах/Balance(Condition='Номенклатура_Key eq guid''${D.laptop}''')`);
    expect(bal).toEqual([{ Номенклатура_Key: D.laptop, Характеристика_Key: '00000000-0000-0000-0000-000000000000', Склад_Key: D.warehouse, ВНаличииBalance: 10 }]);
    const qs = await ut.value('AccumulationRegister_ТоварыНаСкладах/Balance', { Condition: `Номенклатура_Key eq guid'${D.mouse}'`, Period: "datetime'2030-01-01T00:00:00'" });
    expect(qs.map((x) => x['ВНаличииBalance'])).toEqual([50]);
    const before = await ut.value("AccumulationRegister_ТоварыНаСкладах/Balance(Period=datetime'2024-12-31T00:00:00')");
    expect(before).toEqual([]);
    const turn = await ut.value("AccumulationRegister_ТоварыНаСкладах/Turnovers(StartPeriod=datetime'2025-01-01T00:00:00',EndPeriod=datetime'2025-12-31T23:59:59',Dimensions='Номенклатура')", { $filter: `Номенклатура_Key eq guid'${D.cable}'` });
    expect(turn[0]).toMatchObject({ ВНаличииReceipt: 100, ВНаличииExpense: 0, ВНаличииTurnover: 100 });
    const bt = await ut.value("AccumulationRegister_ТоварыНаСкладах/BalanceAndTurnovers(StartPeriod=datetime'2025-06-01T00:00:00',EndPeriod=datetime'2025-12-31T00:00:00')", { $filter: `Номенклатура_Key eq guid'${D.cable}'` });
    expect(bt[0]).toMatchObject({ ВНаличииOpeningBalance: 100, ВНаличииClosingBalance: 100 });
    const prices = await ut.value(`InformationRegister_ЦеныНоменклатуры25_RecordType/SliceLast(Period=datetime'2025-06-01T00:00:00',Condition='ВидЦены_Key eq guid''${D.priceRetail}'' and Цена gt 1000')`, { $select: 'Номенклатура_Key,Цена', $orderby: 'Цена desc' });
    expect(prices).toEqual([
      { Номенклатура_Key: D.laptop, Цена: 89990 },
      { Номенклатура_Key: D.mouse, Цена: 1490 },
    ]);
    const nested = await ut.value(`InformationRegister_ЦеныНоменклатуры25_RecordType/SliceLast(Condition='ВидЦены_Key eq guid'${D.priceWholesale}'')`);
    expect(nested.map((x) => x['Цена'])).toEqual([84990]);
    const expanded = await ut.value('AccumulationRegister_ТоварыНаСкладах/Balance()', { $expand: 'Номенклатура', $filter: `Номенклатура_Key eq guid'${D.laptop}'` });
    expect((expanded[0]!['Номенклатура'] as Record<string, unknown>)['Артикул']).toBe('SKU-001');
  });

  it('reads table-part rows and register records as their own entity sets', async () => {
    const rows = await ut.value('Document_УстановкаЦенНоменклатуры_Товары', { $filter: `Номенклатура_Key eq guid'${D.laptop}'` });
    expect(rows.map((r) => [r['Ref_Key'], r['LineNumber'], r['Цена']])).toEqual([
      [D.priceSetting, '1', 89990],
      [D.priceSetting, '4', 84990],
    ]);
    const row = await ut.get(`Document_УстановкаЦенНоменклатуры_Товары(Ref_Key=guid'${D.priceSetting}', LineNumber=2)`);
    expect(row.json['Цена']).toBe(1490);
    const recs = await ut.value('AccumulationRegister_ТоварыНаСкладах_RecordType', { $filter: `Recorder eq cast(guid'${D.stockReceipt}', 'Document_ОприходованиеИзлишковТоваров')` });
    expect(recs.map((r) => [r['RecordType'], r['LineNumber'], r['Recorder_Type']])).toEqual([
      ['Receipt', '1', 'StandardODATA.Document_ОприходованиеИзлишковТоваров'],
      ['Receipt', '2', 'StandardODATA.Document_ОприходованиеИзлишковТоваров'],
      ['Receipt', '3', 'StandardODATA.Document_ОприходованиеИзлишковТоваров'],
    ]);
    const set = await ut.get(`AccumulationRegister_ТоварыНаСкладах(Recorder=guid'${D.stockReceipt}', Recorder_Type='StandardODATA.Document_ОприходованиеИзлишковТоваров')`);
    expect(set.json['RecordSet']).toHaveLength(3);
  });
});

describe('errors in 1C format (§1.10)', () => {
  it('names the failure with a string code and Russian message', async () => {
    const unknownSet = await ut.get('Catalog_НетТакого');
    expect(unknownSet.status).toBe(404);
    expect(errorOf(unknownSet).code).toBe('8');
    const notFound = await ut.get("Catalog_Контрагенты(guid'11111111-1111-1111-1111-111111111111')");
    expect(notFound.status).toBe(404);
    expect(errorOf(notFound)).toEqual({ code: '9', message: 'Экземпляр сущности "Контрагенты" не найден по переданному ключу.' });
    expect(notFound.json['odata.error']).toMatchObject({ message: { lang: 'ru' } });
    const field = await ut.get('Catalog_Контрагенты', { $filter: "НетПоля eq 'x'" });
    expect([field.status, errorOf(field).code]).toEqual([400, '10']);
    const syntax = await ut.get('Catalog_Контрагенты', { $filter: "ИНН eq 'x' and" });
    expect([syntax.status, errorOf(syntax).code]).toEqual([400, '14']);
    const unsupported = await ut.get('Catalog_Контрагенты', { $filter: "toupper(ИНН) eq 'X'" });
    expect([unsupported.status, errorOf(unsupported).code]).toEqual([400, '21']);
    const option = await ut.get('Catalog_Контрагенты', { $search: 'x' });
    expect([option.status, errorOf(option).code]).toEqual([400, '14']);
    const unlimited = await ut.get('Document_ЗаказКлиента', { $filter: "Комментарий eq 'deal 1'" });
    expect([unlimited.status, errorOf(unlimited).code]).toEqual([500, '-1']);
  });

  it('answers <m:error> when the client did not ask for JSON', async () => {
    const r = await ut.call('GET', 'Catalog_НетТакого', { json: false });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(r.text).toContain('<m:error xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><m:code>8</m:code>');
  });

  it('refuses verbs a resource does not support with 405 / code 19, and $batch as unsupported', async () => {
    const merge = await ut.call('MERGE', `Catalog_Контрагенты(guid'${D.romashka}')`, { body: {} });
    expect([merge.status, errorOf(merge).code]).toEqual([405, '19']);
    const patchSet = await ut.call('PATCH', 'Catalog_Контрагенты', { body: {} });
    expect([patchSet.status, errorOf(patchSet).code]).toEqual([405, '19']);
    const postEntity = await ut.post(`Catalog_Контрагенты(guid'${D.romashka}')`, {});
    expect([postEntity.status, errorOf(postEntity).code]).toEqual([405, '19']);
    const batch = await ut.post('$batch', 'x');
    expect(batch.status).toBe(501);
    expect(errorOf(batch).code).toBe('0');
  });

  it('requires Basic auth per infobase: 401 with WWW-Authenticate, UTF-8 logins accepted', async () => {
    const none = await fetch(`${sb.odataUrl('ut')}Catalog_Склады?$format=json`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrong = await new Client(sb.odataUrl('ut'), `Basic ${Buffer.from('odata:nope').toString('base64')}`).get('Catalog_Склады');
    expect(wrong.status).toBe(401);
    const cyrillic = new Client(sb.odataUrl('dm'), `Basic ${Buffer.from('Петров Петр Петрович:dm', 'utf8').toString('base64')}`);
    expect((await cyrillic.get('Catalog_Пользователи')).status).toBe(200);
    const otherBase = await new Client(sb.odataUrl('dm'), AUTH).get('Catalog_Пользователи');
    expect(otherBase.status).toBe(200);
    const reader = new Client(sb.odataUrl('dm'), `Basic ${Buffer.from('reader:r').toString('base64')}`);
    const denied = await reader.post('Catalog_Корреспонденты', { Description: 'x' });
    expect([denied.status, errorOf(denied).code]).toEqual([401, '20']);
  });
});

describe('writes (§1.9)', () => {
  const order = (extra: Record<string, unknown> = {}) => ({
    Date: '2025-03-01T10:00:00',
    Организация_Key: D.organization,
    Партнер_Key: D.partnerRomashka,
    Контрагент_Key: D.romashka,
    Валюта_Key: D.currency,
    Склад_Key: D.warehouse,
    Статус: 'КОтгрузке',
    ХозяйственнаяОперация: 'РеализацияКлиенту',
    ЦенаВключаетНДС: true,
    Комментарий: 'deal:1001',
    Товары: [
      { LineNumber: '1', Номенклатура_Key: D.laptop, Количество: 1, Цена: 89990, Сумма: 89990, СуммаСНДС: 89990, СтавкаНДС_Key: D.vat20, СуммаНДС: 14998.33 },
      { LineNumber: '2', Номенклатура_Key: D.mouse, Количество: 2, Цена: 1490, Сумма: 2980, СуммаСНДС: 2980, СтавкаНДС_Key: D.vat20, СуммаНДС: 496.67 },
    ],
    ...extra,
  });

  it('creates with 201, Location and the full entity; documents are numbered and not posted', async () => {
    const r = await ut.post('Document_ЗаказКлиента', { ...order(), НеизвестноеПоле: 'ignored' });
    expect(r.status).toBe(201);
    const key = String(r.json['Ref_Key']);
    expect(decodeURI(String(r.headers.get('location')))).toBe(`${sb.odataUrl('ut')}Document_ЗаказКлиента(guid'${key}')`);
    expect(r.json['odata.metadata']).toBe(`${sb.odataUrl('ut')}$metadata#Document_ЗаказКлиента/@Element`);
    expect(r.json['Number']).toMatch(/^УТ00-\d{6}$/);
    expect(r.json['Posted']).toBe(false);
    expect(r.json['СуммаДокумента']).toBe(92970);
    expect(r.json['DataVersion']).toMatch(/=$/);
    expect(r.json['НеизвестноеПоле']).toBeUndefined();
    // UT 11.5 creates the order's settlement object when the order is written.
    expect(r.json['ОбъектРасчетов_Key']).not.toBe('00000000-0000-0000-0000-000000000000');
    const again = await fetch(String(r.headers.get('location')) + '?$format=json', { headers: { authorization: AUTH } });
    expect(again.status).toBe(200);
  });

  it('patches with 200 and a new DataVersion, replacing table parts wholesale', async () => {
    const created = await ut.post('Document_ЗаказКлиента', order());
    const url = `Document_ЗаказКлиента(guid'${String(created.json['Ref_Key'])}')`;
    const p = await ut.patch(url, { Комментарий: 'deal:1002', Товары: [{ LineNumber: '1', Номенклатура_Key: D.cable, Количество: 3, Цена: 590, Сумма: 1770, СуммаСНДС: 1770 }] });
    expect(p.status).toBe(200);
    expect(p.json['DataVersion']).not.toBe(created.json['DataVersion']);
    expect(p.json['Комментарий']).toBe('deal:1002');
    expect(p.json['Контрагент_Key']).toBe(D.romashka);
    expect(p.json['Товары']).toEqual([expect.objectContaining({ LineNumber: '1', Номенклатура_Key: D.cable, Количество: 3 })]);
    expect(p.json['СуммаДокумента']).toBe(1770);
    const put = await ut.call('PUT', url, { body: { Date: '2025-03-02T00:00:00', Организация_Key: D.organization } });
    expect(put.status).toBe(200);
    expect(put.json['Контрагент_Key']).toBe('00000000-0000-0000-0000-000000000000');
    expect(put.json['Товары']).toEqual([]);
    const bind = await ut.patch(url, { 'Контрагент@odata.bind': `Catalog_Контрагенты(guid'${D.ivanov}')` });
    expect(bind.json['Контрагент_Key']).toBe(D.ivanov);
  });

  it('fails rows without LineNumber with 500 / -1 and refuses direct row creation with code 13', async () => {
    const created = await ut.post('Document_ЗаказКлиента', order());
    const url = `Document_ЗаказКлиента(guid'${String(created.json['Ref_Key'])}')`;
    const bad = await ut.patch(url, { Товары: [{ Номенклатура_Key: D.cable, Количество: 1 }] });
    expect(bad.status).toBe(500);
    expect(errorOf(bad)).toEqual({ code: '-1', message: INTERNAL_MESSAGE });
    expect(((await ut.get(url)).json['Товары'] as unknown[]).length).toBe(2);
    const direct = await ut.post('Document_ЗаказКлиента_Товары', { Ref_Key: created.json['Ref_Key'], LineNumber: '3', Количество: 1 });
    expect([direct.status, errorOf(direct).code]).toEqual([400, '13']);
  });

  it('validates values: GUIDs, enum names, naive dates (code 4)', async () => {
    expect(errorOf(await ut.post('Document_ЗаказКлиента', order({ Контрагент_Key: 'not-a-guid' }))).code).toBe('4');
    expect(errorOf(await ut.post('Document_ЗаказКлиента', order({ Статус: 'Оплачен' }))).code).toBe('4');
    expect(errorOf(await ut.post('Document_ЗаказКлиента', order({ Date: '2025-03-01T10:00:00Z' }))).code).toBe('4');
    expect(errorOf(await ut.post('Document_ЗаказКлиента', order({ ДокументОснование: D.romashka }))).code).toBe('4');
    const dup = await ut.post('Catalog_Склады', { Ref_Key: D.warehouse, Description: 'Дубль' });
    expect([dup.status, errorOf(dup).code]).toEqual([400, '15']);
  });

  it('ignores If-Match like real servers, or answers 412 in strict mode', async () => {
    const created = await ut.post('Catalog_Склады', { Description: 'Склад для If-Match' });
    const url = `Catalog_Склады(guid'${String(created.json['Ref_Key'])}')`;
    expect((await ut.patch(url, { Description: 'x' }, { 'if-match': 'AAAAAAAAAAA=' })).status).toBe(200);
    await admin(sb.url, 'PUT', '/infobases/ut/settings', { strictIfMatch: true });
    try {
      expect((await ut.patch(url, { Description: 'y' }, { 'if-match': 'AAAAAAAAAAA=' })).status).toBe(412);
      const cur = await ut.get(url);
      expect((await ut.patch(url, { Description: 'z' }, { 'if-match': String(cur.json['DataVersion']) })).status).toBe(200);
    } finally {
      await admin(sb.url, 'PUT', '/infobases/ut/settings', { strictIfMatch: false });
    }
  });

  it('deletes physically (204, then 404) and marks for deletion with PATCH DeletionMark', async () => {
    const created = await ut.post('Catalog_Склады', { Description: 'Временный склад' });
    const url = `Catalog_Склады(guid'${String(created.json['Ref_Key'])}')`;
    expect((await ut.patch(url, { DeletionMark: true })).json['DeletionMark']).toBe(true);
    const del = await ut.call('DELETE', url);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await ut.get(url)).status).toBe(404);
  });

  it('posts and unposts with 200; posting failures are 500 / -1 with 1C messages', async () => {
    const created = await ut.post('Document_ЗаказКлиента', order());
    const url = `Document_ЗаказКлиента(guid'${String(created.json['Ref_Key'])}')`;
    const post = await ut.post(`${url}/Post`, undefined, { PostingModeOperational: 'false' });
    expect(post.status).toBe(200);
    expect(post.text).toBe('');
    expect((await ut.get(url)).json['Posted']).toBe(true);
    expect((await ut.post(`${url}/Unpost`)).status).toBe(200);
    expect((await ut.get(url)).json['Posted']).toBe(false);
    expect((await ut.post(`${url}/Post()`)).status).toBe(200);
    const operational = await ut.post(`${url}/Post`, undefined, { PostingModeOperational: 'true' });
    expect([operational.status, errorOf(operational).code]).toEqual([500, '-1']);
    expect(errorOf(operational).message).toContain('Оперативное проведение документа задним числом невозможно');

    const incomplete = await ut.post('Document_ЗаказКлиента', order({ Контрагент_Key: undefined, Статус: undefined, Товары: [{ LineNumber: '1', Номенклатура_Key: D.laptop, Количество: 0, Цена: 1 }] }));
    const failed = await ut.post(`Document_ЗаказКлиента(guid'${String(incomplete.json['Ref_Key'])}')/Post`);
    expect(failed.status).toBe(500);
    const e = errorOf(failed);
    expect(e.code).toBe('-1');
    expect(e.message).toMatch(/^Не удалось провести "Заказ клиента УТ00-\d{6} от 01\.03\.2025 10:00:00"!/);
    expect(e.message).toContain('Поле "Контрагент" не заполнено');
    expect(e.message).toContain('Поле "Статус" не заполнено');
    expect(e.message).toContain('Не заполнена колонка "Количество" в строке 1 списка "Товары"');
    expect((await ut.get(`Document_ЗаказКлиента(guid'${String(incomplete.json['Ref_Key'])}')`)).json['Posted']).toBe(false);
    const unknownAction = await ut.post(`${url}/Провести`);
    expect([unknownAction.status, errorOf(unknownAction).code]).toEqual([404, '11']);
  });

  it('loads data without the configuration handlers in data-load mode', async () => {
    const r = await ut.call('POST', 'Document_ЗаказКлиента', { body: order(), headers: { '1C_OData-DataLoadMode': 'true' } });
    expect(r.status).toBe(201);
    expect(r.json['ОбъектРасчетов_Key']).toBe('00000000-0000-0000-0000-000000000000');
    expect(r.json['СуммаДокумента']).toBe(0);
  });

  it('reads through the dot: navigation, property and $value', async () => {
    const nav = await ut.get(`Catalog_Контрагенты(guid'${D.romashka}')/Партнер`);
    expect(nav.json['odata.metadata']).toBe(`${sb.odataUrl('ut')}$metadata#Catalog_Партнеры/@Element`);
    expect(nav.json['Description']).toBe('Ромашка');
    const prop = await ut.get(`Catalog_Контрагенты(guid'${D.romashka}')/Партнер/Description`);
    expect(prop.json).toEqual({ 'odata.metadata': `${sb.odataUrl('ut')}$metadata#Edm.String`, value: 'Ромашка' });
    const raw = await ut.call('GET', `Catalog_Контрагенты(guid'${D.romashka}')/ИНН/$value`, { json: false });
    expect(raw.text).toBe('7736050003');
  });
});
