import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSiteSandbox, type SiteSandbox } from '../server.ts';
import { admin, individualBuyer, legalBuyer, rest } from '../test-helpers.ts';

type Envelope<T> = { result: T; total?: number; next?: number; time: Record<string, unknown> };
interface PV {
  id: number;
  code: string;
  name: string;
  orderId?: number;
  orderPropsId: number;
  orderPropsXmlId: string | null;
  value: string | null;
}

describe('sale REST subset through the site webhook (conformance)', () => {
  let site: SiteSandbox;
  let legalId: number;
  beforeAll(async () => {
    site = await startSiteSandbox({ seed: { products: [{ xmlId: 'sku-1', name: 'Коврик', price: '1480.00', vatRate: 20 }] } });
  });
  afterAll(() => site.close());
  beforeEach(async () => {
    await admin(site.url, 'POST', 'reset');
    legalId = (await admin<{ order: { id: number } }>(site.url, 'POST', 'orders', { personType: 'legal', properties: legalBuyer, basket: [{ xmlId: 'sku-1' }] })).body.order.id;
  });

  it('sale.order.get returns the order with basket, property values, payments and shipments in the envelope with its time block', async () => {
    const r = await rest<Envelope<{ order: Record<string, unknown> & { basketItems: Array<Record<string, unknown>>; propertyValues: PV[]; payments: unknown[]; shipments: unknown[] } }>>(site.restUrl, 'sale.order.get', { id: legalId });
    expect(r.status).toBe(200);
    const o = r.body.result.order;
    expect(o).toMatchObject({ id: legalId, accountNumber: String(legalId), lid: 's1', personTypeId: 2, statusId: 'N', payed: 'N', canceled: 'N', price: 1480, currency: 'RUB', updated1c: 'N', id1c: '' });
    expect(o.dateInsert).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:00$/);
    // Basket item id/orderId are strings in the real answer; price and quantity numbers.
    expect(o.basketItems[0]).toMatchObject({ id: expect.any(String), orderId: String(legalId), productXmlId: 'sku-1', name: 'Коврик', price: 1480, quantity: 1, vatRate: 0.2, measureCode: '796' });
    expect(o.propertyValues.find((p) => p.code === 'INN')).toMatchObject({ name: 'ИНН', orderPropsId: 10, value: '7707083893' });
    expect(o.propertyValues.find((p) => p.code === 'EDO_STATUS')).toMatchObject({ name: 'Статус ЭДО', orderPropsId: 21, value: null });
    expect(o.payments).toHaveLength(1);
    expect(o.shipments).toHaveLength(1);
    expect(Object.keys(r.body.time).sort()).toEqual(['date_finish', 'date_start', 'duration', 'finish', 'processing', 'start']);
    expect(r.body.total).toBeUndefined();
  });

  it('sale.order.get for a missing order answers 400 with the numeric sale error code', async () => {
    const r = await rest(site.restUrl, 'sale.order.get', { id: 99999 });
    expect(r).toEqual({ status: 400, body: { error: 200540400001, error_description: 'order does not exist' } });
    expect((await rest(site.restUrl, 'sale.order.get', {})).body).toEqual({ error: 100, error_description: 'Could not find value for parameter {id}' });
  });

  it('sale.order.list pages by 50 with next and total, filters with prefixes, selects and orders', async () => {
    for (let i = 0; i < 54; i++) await admin(site.url, 'POST', 'orders', { personType: 'individual', properties: individualBuyer, basket: [{ xmlId: 'sku-1' }] });
    const first = await rest<Envelope<{ orders: Array<Record<string, unknown>> }>>(site.restUrl, 'sale.order.list', { select: ['id', 'personTypeId'], order: { id: 'desc' } });
    expect(first.body.result.orders).toHaveLength(50);
    expect(first.body.total).toBe(55);
    expect(first.body.next).toBe(50);
    expect(Object.keys(first.body.result.orders[0] ?? {})).toEqual(['id', 'personTypeId']);
    expect(first.body.result.orders[0]?.id).toBe(55);
    const second = await rest<Envelope<{ orders: unknown[] }>>(site.restUrl, 'sale.order.list', { order: { id: 'desc' }, start: 50 });
    expect(second.body.result.orders).toHaveLength(5);
    expect(second.body.next).toBeUndefined();
    const filtered = await rest<Envelope<{ orders: Array<{ id: number }> }>>(site.restUrl, 'sale.order.list', { filter: { '@personTypeId': [2], payed: 'N', '<id': 10 } });
    expect(filtered.body.result.orders.map((o) => o.id)).toEqual([legalId]);
    expect(filtered.body.total).toBe(1);
    // Form encoding with PHP brackets works the same.
    const form = await fetch(`${site.restUrl}sale.order.list`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'filter[>id]=53&select[]=id' });
    expect(((await form.json()) as Envelope<{ orders: unknown[] }>).result.orders).toEqual([{ id: 54 }, { id: 55 }]);
  });

  it('sale.order.update changes the status and answers the order; the status must exist', async () => {
    const r = await rest<Envelope<{ order: Record<string, unknown> }>>(site.restUrl, 'sale.order.update', { id: legalId, fields: { statusId: 'ES', comments: 'ЭДО отправлено' } });
    expect(r.status).toBe(200);
    expect(r.body.result.order).toMatchObject({ id: legalId, statusId: 'ES', comments: 'ЭДО отправлено', updated1c: 'N', version: 2, clients: [], requisiteLink: [] });
    const bad = await rest<{ error: unknown }>(site.restUrl, 'sale.order.update', { id: legalId, fields: { statusId: 'ZZ' } });
    expect(bad.status).toBe(400);
    expect((await rest(site.restUrl, 'sale.order.update', { id: legalId })).body).toEqual({ error: 100, error_description: 'Could not find value for parameter {fields}' });
  });

  it('sale.propertyvalue.list filters by code; modify replaces ALL values (omitted ones are cleared)', async () => {
    const list = await rest<Envelope<{ propertyValues: PV[] }>>(site.restUrl, 'sale.propertyvalue.list', { filter: { '=code': 'INN', orderId: legalId } });
    expect(list.body.result.propertyValues).toEqual([{ code: 'INN', id: expect.any(Number), name: 'ИНН', orderId: legalId, orderPropsId: 10, orderPropsXmlId: null, value: '7707083893' }]);
    expect(list.body.total).toBe(1);
    const mod = await rest<Envelope<{ propertyValues: PV[] }>>(site.restUrl, 'sale.propertyvalue.modify', {
      fields: { order: { id: legalId, propertyValues: [{ orderPropsId: 21, value: 'Доставлен' }, { orderPropsId: 8, value: 'ООО «Ромашка»' }] } },
    });
    expect(mod.status).toBe(200);
    const byCode = Object.fromEntries(mod.body.result.propertyValues.map((p) => [p.code, p.value]));
    expect(byCode).toMatchObject({ EDO_STATUS: 'Доставлен', COMPANY: 'ООО «Ромашка»', INN: null, KPP: null, EMAIL: null });
    expect(mod.body.result.propertyValues[0]).not.toHaveProperty('orderId');
    const edo = await rest<Envelope<{ propertyValues: PV[] }>>(site.restUrl, 'sale.propertyvalue.list', { filter: { code: 'EDO_STATUS', '!value': null } });
    expect(edo.body.result.propertyValues.map((p) => [p.orderId, p.value])).toEqual([[legalId, 'Доставлен']]);
    // A property of the other payer type is refused.
    const wrong = await rest(site.restUrl, 'sale.propertyvalue.modify', { fields: { order: { id: legalId, propertyValues: [{ orderPropsId: 20, value: 'x' }] } } });
    expect(wrong.status).toBe(400);
  });

  it('lists statuses, payer types and order properties so a client can find EDO_STATUS ids', async () => {
    const st = await rest<Envelope<{ statuses: Array<{ id: string; type: string }> }>>(site.restUrl, 'sale.status.list', { filter: { type: 'O' } });
    expect(st.body.result.statuses.map((s) => s.id)).toEqual(['N', 'P', 'ES', 'ED', 'EP', 'ER', 'EA', 'F']);
    const pt = await rest<Envelope<{ personTypes: Array<{ id: number; name: string }> }>>(site.restUrl, 'sale.persontype.list', {});
    expect(pt.body.result.personTypes.map((p) => [p.id, p.name])).toEqual([
      [1, 'Физическое лицо'],
      [2, 'Юридическое лицо'],
    ]);
    const props = await rest<Envelope<{ properties: Array<{ id: number; personTypeId: number }> }>>(site.restUrl, 'sale.property.list', { filter: { code: 'EDO_STATUS' } });
    expect(props.body.result.properties.map((p) => [p.id, p.personTypeId])).toEqual([
      [20, 1],
      [21, 2],
    ]);
  });

  it('answers auth and routing errors as the rest module does', async () => {
    const bad = await fetch(`${site.url}/rest/1/wrong-code/sale.order.get`, { method: 'POST', body: '{}' });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' });
    const none = await fetch(`${site.restUrl}sale.no.such`, { method: 'POST' });
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
    // Method names are case-insensitive, `.json` and a trailing slash are accepted.
    const ok = await fetch(`${site.restUrl}SALE.ORDER.GET.json/?id=${legalId}`);
    expect(ok.status).toBe(200);
    await admin(site.url, 'PATCH', 'settings', { invalidCredentialsStatus: 403 });
    expect((await fetch(`${site.url}/rest/1/wrong-code/sale.order.get`)).status).toBe(403);
  });

  it('rest faults match by method: a rate-limit storm on sale.order.list only', async () => {
    await admin(site.url, 'POST', 'faults', { op: '^rest:sale\\.order\\.list$', count: 2, response: { status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await rest(site.restUrl, 'sale.order.list', {})).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect((await rest(site.restUrl, 'sale.order.get', { id: legalId })).status).toBe(200);
  });
});
