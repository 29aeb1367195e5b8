import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { startSiteSandbox, type SiteSandbox } from '../server.ts';
import { OneCClient } from '../testing.ts';
import { admin, fixture } from '../test-helpers.ts';
import type { Catalog, Product } from '../catalog/model.ts';

const AUTH_FAILED = 'failure\nОшибка авторизации. Неверное имя пользователя или пароль.';
const IMPORT_STEPS = [
  'progress\nВременные таблицы удалены.',
  'progress\nВременные таблицы созданы.',
  'progress\nФайл импорта прочитан.',
  'progress\nВременные таблицы проиндексированы.',
  'progress\nМетаданные импортированы успешно.',
  'progress\nГруппы импортированы.',
  'progress\nДеактивация/удаление групп завершено.',
];

describe('1c_exchange.php type=catalog (conformance)', () => {
  let site: SiteSandbox;
  beforeAll(async () => {
    site = await startSiteSandbox();
  });
  afterAll(() => site.close());
  beforeEach(async () => {
    await admin(site.url, 'POST', 'reset');
  });

  async function catalog() {
    return (await admin<Catalog & { counts: Record<string, number> }>(site.url, 'GET', 'catalog')).body;
  }

  it('checkauth with good credentials answers success, the cookie name and value, sessid and timestamp, in windows-1251 text/html', async () => {
    const c = new OneCClient(site.exchangeUrl);
    const a = await c.checkauth('catalog');
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('text/html; charset=windows-1251');
    expect(a.lines).toHaveLength(6);
    expect(a.lines[0]).toBe('success');
    expect(a.lines[1]).toBe('PHPSESSID');
    expect(a.lines[2]).toMatch(/^[0-9a-v]{26}$/);
    expect(a.lines[3]).toMatch(/^sessid=[0-9a-f]{32}$/);
    expect(a.lines[4]).toMatch(/^timestamp=\d{10}$/);
    expect(a.lines[5]).toBe('');
    expect(a.headers.get('set-cookie')).toContain(`PHPSESSID=${a.lines[2]}`);
    // The session from the body lines is what later calls carry.
    expect((await c.init('catalog')).lines[0]).toBe('zip=yes');
  });

  it('checkauth with bad credentials answers the component failure text and gives no session', async () => {
    const c = new OneCClient(site.exchangeUrl, 'admin', 'wrong');
    const a = await c.checkauth('catalog');
    expect(a.text).toBe(AUTH_FAILED);
    expect(c.cookie).toBeNull();
    const nobody = new OneCClient(site.exchangeUrl, 'nobody', 'x');
    expect((await nobody.checkauth('sale')).text).toBe(AUTH_FAILED);
  });

  it('requires the session: a call without the cookie (and without Basic) fails authorisation', async () => {
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('catalog');
    expect((await c.call({ type: 'catalog', mode: 'init' }, { withCookie: false })).text).toBe(AUTH_FAILED);
    expect((await c.call({ type: 'sale', mode: 'query' }, { withCookie: false })).text).toBe(AUTH_FAILED);
  });

  it('init answers zip and file_limit exactly (no newline after file_limit), following the settings', async () => {
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('catalog');
    expect((await c.init('catalog')).text).toBe('zip=yes\nfile_limit=204800');
    await admin(site.url, 'PATCH', 'settings', { useZip: false, fileLimit: 50000 });
    expect((await c.init('catalog')).text).toBe('zip=no\nfile_limit=50000');
  });

  it('switches on the sessid source check once a client sends a valid sessid, then refuses calls without it', async () => {
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('catalog');
    expect((await c.call({ type: 'catalog', mode: 'init' })).lines[0]).toBe('zip=yes'); // not required yet
    expect((await c.init('catalog')).lines[0]).toBe('zip=yes'); // carries sessid: the site now checks it
    expect((await c.call({ type: 'catalog', mode: 'init' })).text).toBe(
      'failure\nОшибка проверки источника запроса. Обновите модуль обмена или отключите проверку в настройках компонента.',
    );
  });

  it('lets only administrators exchange: another user logs in but is refused at init', async () => {
    await admin(site.url, 'PUT', 'exchange/credentials', { login: 'manager', password: 'pw', groups: [2] });
    const c = new OneCClient(site.exchangeUrl, 'manager', 'pw');
    expect((await c.checkauth('catalog')).lines[0]).toBe('success');
    expect((await c.init('catalog')).text).toBe('failure\nУ Вас нет прав для импорта каталога. Проверьте настройки компонента импорта.');
  });

  it('answers an unknown type and an unknown mode as Bitrix does', async () => {
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('catalog');
    expect((await c.call({ type: 'nonsense', mode: 'init' })).text).toBe('failure\nUnknown command type.');
    expect((await c.call({ type: 'catalog', mode: 'frobnicate' }, { withSessid: true })).text).toBe('failure\nНеизвестная команда.');
  });

  it('imports the real UT catalog and offers in chunks: progress … success, then the catalog holds the files’ data', async () => {
    await admin(site.url, 'PATCH', 'settings', { useZip: false, fileLimit: 50000 });
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('catalog');
    expect((await c.init('catalog')).text).toBe('zip=no\nfile_limit=50000');
    const importXml = fixture('import0_1.xml');
    expect(importXml.toString('utf8')).toContain('Код="796 "'); // the trailing-space quirk is in the input
    const chunks = await c.upload('catalog', 'import0_1.xml', importXml, 50000);
    expect(chunks.map((a) => a.text)).toEqual(['success\n', 'success\n', 'success\n', 'success\n']);
    const ex = (await admin<{ sessions: Array<{ id: string; catalog: { files: Array<{ name: string; bytes: number }> } }> }>(site.url, 'GET', 'exchange')).body;
    const mine = ex.sessions.find((s) => c.cookie?.endsWith(s.id));
    expect(mine?.catalog.files).toEqual([{ name: 'import0_1.xml', bytes: importXml.length }]);

    const answers = (await c.importAll('catalog', 'import0_1.xml')).map((a) => a.text);
    expect(answers).toEqual([
      ...IMPORT_STEPS,
      'progress\nОбработано 36 из 36 элементов.',
      'progress\nЗагрузка элементов завершена.',
      'progress\nДеактивация/Удаление элементов завершены.',
      'success\nИмпорт успешно завершен.',
    ]);
    await c.upload('catalog', 'offers0_1.xml', fixture('offers0_1.xml'), 50000);
    const offers = (await c.importAll('catalog', 'offers0_1.xml')).map((a) => a.text);
    expect(offers.at(-1)).toBe('success\nИмпорт успешно завершен.');
    expect(offers).toContain('progress\nОбработано 44 из 44 элементов.');

    const cat = await catalog();
    expect(cat.groups['82cfb8dc-18f9-11e7-80c2-0cc47ab29cd1']).toMatchObject({ name: 'Коврики для дома', parentXmlId: null });
    const p = cat.products['bd8c4e15-18f9-11e7-80c2-0cc47ab29cd1'] as Product;
    expect(p).toMatchObject({
      article: 'PM-421-WP',
      barcode: '8809288404089',
      name: 'Портативный коврик Portable 140x200x1 см, Деревянные лошадки',
      unit: { code: '796', fullName: 'Штука', intlAbbr: 'PCE' },
      groups: ['82cfb8dc-18f9-11e7-80c2-0cc47ab29cd1'],
      manufacturer: { name: 'Crazy Boom' },
      taxRates: [{ name: 'НДС', rate: '20' }],
      active: true,
      deleted: false,
    });
    const byName = (name: string) => p.properties.find((v) => cat.properties[v.propertyXmlId]?.name === name);
    expect(byName('Габарит_Вес')).toMatchObject({ raw: '1,4', value: '1.4' }); // comma decimal
    expect(byName('Страна производства')?.value).toBe('КОРЕЯ, РЕСПУБЛИКА'); // dictionary value resolved
    expect(byName('Линейка')?.value).toBe('Portable');
    expect(byName('Код ОЗОН')?.value).toBe('149831179');
    // Every unit of the file had Код="796 " and is stored trimmed.
    const units = new Set(Object.values(cat.products).map((x) => x.unit?.code));
    expect(units).toEqual(new Set(['796']));
    // Статус="Удален" deletes; the placeholder INN that fails its checksum is kept, not rejected.
    expect(cat.products['b631c9c1-49de-11e9-80c9-0cc47ab29cd1']).toMatchObject({ article: 'KM-245-BC', deleted: true, active: false });
    expect(cat.catalogs['b21db898-7f82-46d8-a5ca-7c4f1d200a13']?.owner?.inn).toBe('2500000000');

    expect(cat.priceTypes['279b6812-740b-11e8-80c8-0cc47ab29cd1']).toMatchObject({ name: 'BASE', currency: 'RUB', taxName: 'НДС', taxInSum: true });
    expect(Object.values(cat.warehouses).map((w) => w.name)).toEqual(['Владивосток', 'Новосибирск', 'Москва']);
    expect(cat.offers['bd8c4e15-18f9-11e7-80c2-0cc47ab29cd1']).toMatchObject({
      article: 'PM-421-WP',
      quantity: '377',
      prices: [{ priceTypeXmlId: '279b6812-740b-11e8-80c8-0cc47ab29cd1', price: '100', currency: 'RUB', unit: 'PCE', coefficient: '1', presentation: '100 RUB за PCE' }],
      stock: [
        { warehouseXmlId: '6abdb0b5-18fd-11e7-80c2-0cc47ab29cd1', quantity: '1' },
        { warehouseXmlId: 'd2a52d49-19c9-11e7-80c2-0cc47ab29cd1', quantity: '0' },
        { warehouseXmlId: 'dd306af1-19c9-11e7-80c2-0cc47ab29cd1', quantity: '376' },
      ],
    });
    expect(cat.offers['5edfbda4-19c0-11e7-80c2-0cc47ab29cd1']?.stock.map((s) => s.quantity)).toEqual(['1', '5', '5']);
    expect(cat.counts).toMatchObject({ groups: 1, properties: 12, offers: 44, priceTypes: 1, warehouses: 3, deletedProducts: 1 });
    // 35 live products from import0_1.xml + 8 offers whose product the catalog did not have.
    expect(Object.values(cat.products).filter((x) => !x.deleted && !x.createdFromOffers)).toHaveLength(35);
    expect(Object.values(cat.products).filter((x) => x.createdFromOffers)).toHaveLength(8);
  });

  it('accepts a zip upload: the first import call unpacks, then the files inside import', async () => {
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('catalog');
    expect((await c.init('catalog')).text).toBe('zip=yes\nfile_limit=204800');
    const archive = zipSync({ 'import0_1.xml': fixture('import0_1.xml'), 'offers0_1.xml': fixture('offers0_1.xml') });
    expect(archive.length).toBeGreaterThan(6000);
    const sent = await c.upload('catalog', 'goods.zip', archive, 3000);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.every((a) => a.text === 'success\n')).toBe(true);
    const first = await c.importAll('catalog', 'import0_1.xml');
    expect(first[0]?.text).toBe('progress\nРаспаковка архива завершена.');
    expect(first.at(-1)?.text).toBe('success\nИмпорт успешно завершен.');
    expect((await c.importAll('catalog', 'offers0_1.xml')).at(-1)?.text).toBe('success\nИмпорт успешно завершен.');
    const cat = await catalog();
    expect(cat.offers['bd8c4e15-18f9-11e7-80c2-0cc47ab29cd1']?.quantity).toBe('377');
    expect(cat.products['bd8c4e15-18f9-11e7-80c2-0cc47ab29cd1']?.unit?.code).toBe('796');
  });

  it('answers failure with a message for malformed XML, and the next exchange works', async () => {
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('catalog');
    await admin(site.url, 'PATCH', 'settings', { useZip: false });
    await c.init('catalog');
    await c.upload('catalog', 'broken.xml', Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация><Каталог><Товары><Товар></Каталог>'));
    const answers = await c.importAll('catalog', 'broken.xml');
    const last = answers.at(-1);
    expect(last?.lines[0]).toBe('failure');
    expect(last?.lines[1]).toMatch(/^Ошибка импорта метаданных\. .*(Товар|Товары|closing tag)/);
    expect(answers.slice(0, -1).every((a) => a.lines[0] === 'progress')).toBe(true);

    await c.init('catalog');
    await c.upload('catalog', 'import.xml', fixture('import0_1.xml'));
    expect((await c.importAll('catalog', 'import.xml')).at(-1)?.text).toBe('success\nИмпорт успешно завершен.');
    expect((await catalog()).products['bd8c4e15-18f9-11e7-80c2-0cc47ab29cd1']?.article).toBe('PM-421-WP');
  });

  it('fails the import of a file that was never uploaded', async () => {
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('catalog');
    await admin(site.url, 'PATCH', 'settings', { useZip: false });
    await c.init('catalog');
    const answers = await c.importAll('catalog', 'missing.xml');
    expect(answers.at(-1)?.text).toBe('failure\nОшибка открытия файла импорта.');
  });

  it('slow-import fault keeps the import in progress for N more calls', async () => {
    await admin(site.url, 'PATCH', 'settings', { useZip: false });
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('catalog');
    await c.init('catalog');
    await c.upload('catalog', 'offers.xml', fixture('offers0_1.xml'));
    expect((await admin(site.url, 'POST', 'faults/slow-import', { calls: 4 })).status).toBe(201);
    const answers = (await c.importAll('catalog', 'offers.xml')).map((a) => a.text);
    const reading = answers.filter((t) => /^progress\nОбработано [\d.]+% файла\.$/.test(t));
    expect(reading).toHaveLength(4);
    expect(answers).toHaveLength(11 + 4);
    expect(answers.at(-1)).toBe('success\nИмпорт успешно завершен.');
  });

  it('injects faults by operation: a 500 on the next catalog import call, then normal answers', async () => {
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('catalog');
    await admin(site.url, 'POST', 'faults', { op: '^exchange:catalog:import$', count: 1, response: { status: 500, body: 'Internal Server Error' } });
    const a = await c.call({ type: 'catalog', mode: 'import', filename: 'x.xml' }, { withSessid: true });
    expect(a.status).toBe(500);
    expect((await c.init('catalog')).status).toBe(200);
    const log = (await admin<Array<{ op: string; status: number }>>(site.url, 'GET', 'requests')).body;
    expect(log.map((l) => [l.op, l.status])).toContainEqual(['exchange:catalog:import', 500]);
  });
});
