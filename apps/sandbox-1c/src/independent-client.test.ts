// An independent, unmodified third-party OData client (npm `odata`, o.js 2.x) against the sandbox with Basic auth:
// if it cannot read, filter, page and write here, a connector built on a generic OData client would not either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { o } from 'odata';
import { DEMO } from './model/demo.ts';
import type { OneCSandbox } from './server.ts';
import { startStandard } from './test-helpers.ts';

let sb: OneCSandbox;
const D = DEMO.ut;

beforeAll(async () => {
  sb = await startStandard();
});
afterAll(() => sb.close());

/** o.js configured the way an integrator would: JSON, Basic credentials, the service root as rootUrl. */
function client(user = 'odata', password = 'odata') {
  return o(sb.odataUrl('ut'), {
    headers: new Headers({
      Authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    }),
  });
}

describe('o.js (npm "odata") against the 1C sandbox', () => {
  it('queries with $filter, $orderby, $top and $select', async () => {
    const items = (await client()
      .get('Catalog_Номенклатура')
      .query({ $filter: "ТипНоменклатуры eq 'Товар' and substringof('SKU', Артикул)", $orderby: 'Code desc', $top: 2, $select: 'Ref_Key,Артикул,Description' })) as Array<Record<string, unknown>>;
    expect(items).toEqual([
      { Ref_Key: D.cable, Артикул: 'SKU-003', Description: 'Кабель HDMI 2 м' },
      { Ref_Key: D.mouse, Артикул: 'SKU-002', Description: 'Мышь беспроводная' },
    ]);
  });

  it('reads a single entity by its guid key and a virtual table', async () => {
    const one = (await client().get(`Catalog_Контрагенты(guid'${D.romashka}')`).query()) as Record<string, unknown>;
    expect(one['ИНН']).toBe('7736050003');
    expect(String(one['odata.metadata'])).toMatch(/#Catalog_Контрагенты\/@Element$/);
    const stock = (await client()
      .get('AccumulationRegister_ТоварыНаСкладах/Balance()')
      .query({ $filter: `Номенклатура_Key eq guid'${D.laptop}'` })) as Array<Record<string, unknown>>;
    expect(stock.map((s) => s['ВНаличииBalance'])).toEqual([10]);
  });

  it('creates with POST (201) and updates with PATCH', async () => {
    const created = (await client().post('Catalog_Контрагенты', { Description: 'Лютик ООО', НаименованиеПолное: 'ООО "Лютик"', ЮрФизЛицо: 'ЮрЛицо', ИНН: '5024089920', КПП: '502401001', Партнер_Key: D.partnerRomashka }).query()) as Record<string, unknown>;
    expect(created['Ref_Key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(created['Code']).toMatch(/^\d{11}$/);
    const raw = (await client().get('Catalog_Контрагенты').fetch({ $filter: "ИНН eq '5024089920'" })) as Response;
    expect(raw.status).toBe(200);
    const patched = (await client().patch(`Catalog_Контрагенты(guid'${String(created['Ref_Key'])}')`, { КПП: '502401002' }).query()) as Record<string, unknown>;
    expect(patched['КПП']).toBe('502401002');
    expect(patched['DataVersion']).not.toBe(created['DataVersion']);
    const del = (await client().delete(`Catalog_Контрагенты(guid'${String(created['Ref_Key'])}')`).query()) as Response;
    expect(del.status).toBe(204);
  });

  it('surfaces 1C errors and 401 as rejected Responses', async () => {
    await expect(client('odata', 'wrong').get('Catalog_Склады').query()).rejects.toMatchObject({ status: 401 });
    const err = await client()
      .get('Catalog_Склады')
      .query({ $filter: 'НетПоля eq 1' })
      .catch((e: unknown) => e as Response);
    expect((err as Response).status).toBe(400);
    expect(await (err as Response).json()).toMatchObject({ 'odata.error': { code: '10' } });
  });
});
