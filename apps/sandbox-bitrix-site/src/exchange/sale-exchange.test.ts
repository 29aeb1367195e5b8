import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { startSiteSandbox, type SiteSandbox } from '../server.ts';
import { OneCClient } from '../testing.ts';
import { admin, individualBuyer, legalBuyer, rest, validateAgainstXsd } from '../test-helpers.ts';
import { isNode, nodes, child, field, parseXml, requisites, decodeXml, type XmlNode } from './xml.ts';

interface RestOrder {
  id: number;
  statusId: string;
  payed: string;
  updated1c: string;
  id1c: string;
  propertyValues: Array<{ id: number; orderPropsId: number; code: string; value: string | null }>;
}

function documents(bytes: Buffer): XmlNode[] {
  const p = parseXml(decodeXml(bytes));
  if (!p.ok) throw new Error(p.error);
  return nodes(p.root['Документ']);
}

function oneCOrderDocument(number: string, traits: Record<string, string>, id = '6f1e2b1c-1111-2222-3333-444455556666'): Buffer {
  const reqs = Object.entries(traits)
    .map(([k, v]) => `<ЗначениеРеквизита><Наименование>${k}</Наименование><Значение>${v}</Значение></ЗначениеРеквизита>`)
    .join('\n      ');
  const xml = `<?xml version="1.0" encoding="windows-1251"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" xmlns:xs="http://www.w3.org/2001/XMLSchema" ВерсияСхемы="2.05" ДатаФормирования="2024-03-01T10:00:00">
  <Документ>
    <Ид>${id}</Ид>
    <Номер>${number}</Номер>
    <Дата>2024-03-01</Дата>
    <ХозОперация>Заказ товара</ХозОперация>
    <Роль>Продавец</Роль>
    <Валюта>руб</Валюта>
    <Курс>1</Курс>
    <Сумма>1300.00</Сумма>
    <ЗначенияРеквизитов>
      ${reqs}
    </ЗначенияРеквизитов>
  </Документ>
</КоммерческаяИнформация>`;
  return iconv.encode(xml, 'win1251');
}

describe('1c_exchange.php type=sale (conformance)', () => {
  let site: SiteSandbox;
  let legalId: number;
  let personId: number;

  beforeAll(async () => {
    site = await startSiteSandbox({
      seed: { products: [{ xmlId: 'sku-kover', name: 'Ковер «Лесные тропинки»', article: 'PM-421-CS', price: '500.00', quantity: 10, vatRate: 20 }] },
    });
  });
  afterAll(() => site.close());
  beforeEach(async () => {
    await admin(site.url, 'POST', 'reset');
    const legal = await admin<{ order: RestOrder }>(site.url, 'POST', 'orders', {
      personType: 'legal',
      properties: legalBuyer,
      basket: [{ xmlId: 'sku-kover', quantity: 2 }],
      deliveryId: 3,
      paySystemId: 3,
    });
    expect(legal.status).toBe(201);
    legalId = legal.body.order.id;
    const person = await admin<{ order: RestOrder }>(site.url, 'POST', 'orders', {
      personType: 'individual',
      properties: individualBuyer,
      basket: [{ xmlId: 'sku-kover', quantity: 1 }],
      userDescription: 'Позвоните заранее',
    });
    personId = person.body.order.id;
  });

  async function saleClient(version?: string) {
    const c = new OneCClient(site.exchangeUrl);
    expect((await c.checkauth('sale')).lines[0]).toBe('success');
    await c.init('sale', version ? { version } : {});
    return c;
  }

  const query = (c: OneCClient) => c.call({ type: 'sale', mode: 'query' }, { withSessid: true });
  const success = (c: OneCClient) => c.call({ type: 'sale', mode: 'success' }, { withSessid: true });

  it('checkauth answers four lines with sessid and no timestamp; init answers zip and file_limit, plus sessid and version=2.09 when 1C sends a version', async () => {
    const c = new OneCClient(site.exchangeUrl);
    const a = await c.checkauth('sale');
    expect(a.lines).toEqual(['success', 'PHPSESSID', expect.stringMatching(/^[0-9a-v]{26}$/), expect.stringMatching(/^sessid=[0-9a-f]{32}$/), '']);
    expect((await c.call({ type: 'sale', mode: 'init' })).text).toBe('zip=yes\nfile_limit=204800\n');
    expect((await c.call({ type: 'sale', mode: 'init', version: '2.08' })).text).toBe(`zip=yes\nfile_limit=204800\nsessid=${c.sessid}\nversion=2.09`);
  });

  it('query returns windows-1251 XML that validates against the CommerceML 2.10 XSD, with the legal buyer’s INN and KPP', async () => {
    const c = await saleClient();
    const q = await query(c);
    expect(q.status).toBe(200);
    expect(q.headers.get('content-type')).toBe('application/xml; charset=windows-1251');
    expect(Number(q.headers.get('content-length'))).toBe(q.bytes.length);
    expect(q.bytes.subarray(0, 45).toString('latin1')).toBe('<?xml version="1.0" encoding="windows-1251"?>');
    // «Заказ товара» as windows-1251 bytes, not UTF-8.
    const zakaz = Buffer.from([0xc7, 0xe0, 0xea, 0xe0, 0xe7, 0x20, 0xf2, 0xee, 0xe2, 0xe0, 0xf0, 0xe0]);
    expect(q.bytes.includes(zakaz)).toBe(true);
    expect(q.bytes.includes(Buffer.from('Заказ товара', 'utf8'))).toBe(false);

    const v = await validateAgainstXsd(q.bytes);
    expect(v.errors).toEqual([]);
    expect(v.valid).toBe(true);

    const docs = documents(q.bytes);
    expect(docs.map((d) => field(d, 'Ид'))).toEqual([String(personId), String(legalId)]); // newest first
    const legal = docs.find((d) => field(d, 'Ид') === String(legalId));
    const buyer = child(child(legal, 'Контрагенты'), 'Контрагент');
    expect(field(buyer, 'ОфициальноеНаименование')).toBe('ООО «Ромашка»');
    expect(field(buyer, 'ИНН')).toBe('7707083893');
    expect(field(buyer, 'КПП')).toBe('773601001');
    expect(field(buyer, 'Роль')).toBe('Покупатель');
    expect(field(legal, 'Сумма')).toBe('1300.0000'); // 2 × 500 + 300 delivery
    const traits = Object.fromEntries(requisites(legal).map((r) => [r.name, r.value]));
    expect(traits).toMatchObject({ ИНН: '7707083893', КПП: '773601001', 'Статус заказа': '[N] Принят, ожидается оплата', 'Статуса заказа ИД': 'N', 'Заказ оплачен': 'false', 'Метод оплаты': 'Безналичный расчет (счет)' });
    expect(traits.EDO_STATUS).toBeUndefined(); // empty requisites are not exported
    const person = docs.find((d) => field(d, 'Ид') === String(personId));
    expect(field(child(child(person, 'Контрагенты'), 'Контрагент'), 'ПолноеНаименование')).toBe('Петрова Анна Сергеевна');
    expect(Object.fromEntries(requisites(person).map((r) => [r.name, r.value]))['Комментарии покупателя']).toBe('Позвоните заранее');
  });

  it('after success the next query returns only orders changed since; an EDO_STATUS set over REST shows in it', async () => {
    const c = await saleClient();
    expect(documents((await query(c)).bytes)).toHaveLength(2);
    expect((await success(c)).text).toBe('success\n');
    const empty = await query(c);
    expect(documents(empty.bytes)).toHaveLength(0);
    expect((await validateAgainstXsd(empty.bytes)).valid).toBe(true);

    await admin(site.url, 'POST', 'clock', { advanceSeconds: 2 });
    const got = await rest<{ result: { order: RestOrder } }>(site.restUrl, 'sale.order.get', { id: legalId });
    const values = got.body.result.order.propertyValues.map((p) => ({ orderPropsId: p.orderPropsId, value: p.code === 'EDO_STATUS' ? 'Подписан' : p.value }));
    const mod = await rest(site.restUrl, 'sale.propertyvalue.modify', { fields: { order: { id: legalId, propertyValues: values } } });
    expect(mod.status).toBe(200);

    const next = await query(c);
    const docs = documents(next.bytes);
    expect(docs.map((d) => field(d, 'Ид'))).toEqual([String(legalId)]);
    expect(Object.fromEntries(requisites(docs[0]).map((r) => [r.name, r.value])).EDO_STATUS).toBe('Подписан');
    expect((await validateAgainstXsd(next.bytes)).valid).toBe(true);
  });

  it('without success the export time is not committed: the same orders come again', async () => {
    const c = await saleClient();
    expect(documents((await query(c)).bytes)).toHaveLength(2);
    expect(documents((await query(c)).bytes)).toHaveLength(2);
  });

  it('loses an order changed in the same second as the query it was committed with (Bitrix compares whole seconds)', async () => {
    const c = await saleClient();
    await query(c);
    await admin(site.url, 'PATCH', `orders/${personId}/properties`, { EDO_STATUS: 'Отправлен' });
    await success(c);
    await admin(site.url, 'POST', 'clock', { advanceSeconds: 5 });
    expect(documents((await query(c)).bytes)).toHaveLength(0);
  });

  it('success from a session other than the last checkauth answers error and commits nothing', async () => {
    const a = await saleClient();
    await query(a);
    await saleClient(); // another checkauth takes over the recorded session
    expect((await success(a)).text).toBe('error\n');
    expect(documents((await query(a)).bytes)).toHaveLength(2);
  });

  it('refuses sale calls without sessid once a client has sent it (secure_1c_exchange)', async () => {
    const c = await saleClient();
    expect((await c.call({ type: 'sale', mode: 'query' })).text).toBe('failure\nОшибка проверки источника запроса. Обновите модуль обмена.');
  });

  it('imports 1C’s order document (new protocol): paid, status, 1C id; not again in the next query; unknown orders reported', async () => {
    const c = await saleClient('2.08');
    await query(c);
    await success(c);
    await admin(site.url, 'POST', 'clock', { advanceSeconds: 2 });
    const doc = oneCOrderDocument(String(legalId), { 'Дата оплаты по 1С': '2024-03-01T10:00:00', 'Номер оплаты по 1С': 'ПП-000123', 'Статуса заказа ИД': 'ES' });
    expect((await c.upload('sale', 'orders_from_1c.xml', doc)).map((a) => a.text)).toEqual(['success\n']);
    expect((await c.importAll('sale', 'orders_from_1c.xml')).map((a) => a.text)).toEqual(['progress\nРаспаковка архива завершена.', 'success\n']);
    const o = (await rest<{ result: { order: RestOrder } }>(site.restUrl, 'sale.order.get', { id: legalId })).body.result.order;
    expect(o).toMatchObject({ payed: 'Y', statusId: 'ES', id1c: '6f1e2b1c-1111-2222-3333-444455556666', updated1c: 'Y' });
    await admin(site.url, 'POST', 'clock', { advanceSeconds: 2 });
    expect(documents((await query(c)).bytes)).toHaveLength(0); // 1C's own change does not come back

    await c.upload('sale', 'unknown.xml', oneCOrderDocument('999', { 'Статуса заказа ИД': 'F' }, 'x-1'));
    expect((await c.importAll('sale', 'unknown.xml')).at(-1)?.text).toBe('success\nЗаказ №999 на сайте не найден.\n');
  });

  it('old protocol (init without version): file imports at once and answers success', async () => {
    const c = await saleClient();
    const doc = oneCOrderDocument(String(personId), { 'Статуса заказа ИД': 'F', 'Отменен': 'false' });
    expect((await c.upload('sale', 'doc.xml', doc)).map((a) => a.text)).toEqual(['success\n']);
    const o = (await rest<{ result: { order: RestOrder } }>(site.restUrl, 'sale.order.get', { id: personId })).body.result.order;
    expect(o.statusId).toBe('F');
  });

  it('sale import of malformed XML answers failure and keeps working', async () => {
    const c = await saleClient('2.08');
    await admin(site.url, 'PATCH', 'settings', { useZip: false });
    await c.init('sale', { version: '2.08' });
    await c.upload('sale', 'bad.xml', Buffer.from('<КоммерческаяИнформация><Документ></КоммерческаяИнформация>'));
    const a = (await c.importAll('sale', 'bad.xml')).at(-1);
    expect(a?.lines[0]).toBe('failure');
    expect(a?.lines[1]).toMatch(/^Ошибка разбора XML: /);
    expect((await query(c)).status).toBe(200);
  });

  it('the bitrix dialect reproduces a real export: no namespace, format attributes, ТелефонРабочий, ИдКаталога after Ид — same data', async () => {
    const c = await saleClient();
    const schema = await query(c);
    await admin(site.url, 'PATCH', 'settings', { orderXmlDialect: 'bitrix' });
    const bitrix = await query(c);
    const text = iconv.decode(bitrix.bytes, 'win1251');
    expect(text).toMatch(/^<\?xml version="1\.0" encoding="windows-1251"\?>\n\n<КоммерческаяИнформация ВерсияСхемы="2\.05" ДатаФормирования="\d{4}-\d{2}-\d{2}T\d{1,2}:\d{2}:\d{2}" ФорматДаты="ДФ=yyyy-MM-dd; ДЛФ=DT" ФорматВремени="ДФ=ЧЧ:мм:сс; ДЛФ=T" РазделительДатаВремя="T" ФорматСуммы="ЧЦ=18; ЧДЦ=2; ЧРД=\." ФорматКоличества="ЧЦ=18; ЧДЦ=2; ЧРД=\.">/);
    expect(text).not.toContain('xmlns');
    expect(text).toContain('<Тип>ТелефонРабочий</Тип>');
    expect(text).toMatch(/<Ид>sku-kover<\/Ид>\s*<ИдКаталога>/);
    // Namespace-agnostic reading gives the same buyers and sums from both shapes.
    const pick = (b: Buffer) => documents(b).map((d) => [field(d, 'Ид'), field(d, 'Сумма'), field(child(child(d, 'Контрагенты'), 'Контрагент'), 'ИНН')]);
    expect(pick(bitrix.bytes)).toEqual(pick(schema.bytes));
    // And it is not valid against the XSD (that is the point of the quirk).
    expect((await validateAgainstXsd(bitrix.bytes)).valid).toBe(false);
  });

  it('mode=info lists statuses (with the Latin C in «Cтатусы»), pay systems and deliveries', async () => {
    const c = await saleClient();
    const a = await c.call({ type: 'sale', mode: 'info' }, { withSessid: true });
    expect(a.headers.get('content-type')).toBe('application/xml; charset=windows-1251');
    expect(a.text).toContain('<Cтатусы>');
    expect(a.bytes.includes(Buffer.from([0x3c, 0x43, 0xf2, 0xe0]))).toBe(true); // "<C" Latin + "та" in 1251
    const p = parseXml(decodeXml(a.bytes));
    expect(p.ok && isNode(p.root) ? nodes(child(p.root, 'Cтатусы')?.['Элемент']).map((e) => field(e, 'Ид')) : []).toEqual(['N', 'P', 'ES', 'ED', 'EP', 'ER', 'EA', 'F']);
  });
});
