import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSiteSandbox, type SiteSandbox } from '../server.ts';
import { OneCClient } from '../testing.ts';
import { admin, legalBuyer } from '../test-helpers.ts';
import type { PushRecord } from '../state.ts';

interface Hit {
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('paid-order push (the site’s OnSaleOrderPaid handler)', () => {
  let site: SiteSandbox;
  let receiver: Server;
  let receiverUrl: string;
  let hits: Hit[] = [];
  let answer = 200;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hits.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(answer).end(answer === 200 ? 'OK' : 'down');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/paid`;
    site = await startSiteSandbox({ seed: { products: [{ xmlId: 'sku-1', name: 'Коврик', price: '990.50' }] } });
  });
  afterAll(async () => {
    await site.close();
    await new Promise((r) => receiver.close(r));
  });
  beforeEach(async () => {
    await admin(site.url, 'POST', 'reset');
    hits = [];
    answer = 200;
  });

  async function newOrder(): Promise<number> {
    return (await admin<{ order: { id: number } }>(site.url, 'POST', 'orders', { personType: 'legal', properties: legalBuyer, basket: [{ xmlId: 'sku-1', quantity: 2 }] })).body.order.id;
  }

  it('POSTs the paid order once as JSON with the expected fields, and records the delivery', async () => {
    await admin(site.url, 'PUT', 'push', { url: receiverUrl, format: 'json', secret: 's3cr3t' });
    const id = await newOrder();
    expect(hits).toHaveLength(0); // creating does not push
    const paid = await admin<{ push: PushRecord; order: { payed: string; statusId: string } }>(site.url, 'POST', `orders/${id}/pay`);
    expect(paid.body.order).toMatchObject({ payed: 'Y', statusId: 'P' });
    expect(paid.body.push).toMatchObject({ orderId: id, status: 200, ok: true, dropped: false, error: null });
    expect(hits).toHaveLength(1);
    const hit = hits[0]!;
    expect(hit.method).toBe('POST');
    expect(hit.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(hit.body) as { event: string; secret: string; site: string; order: Record<string, unknown> & { properties: Record<string, string>; basketItems: Array<Record<string, unknown>> } };
    expect(body).toMatchObject({ event: 'OnSaleOrderPaid', secret: 's3cr3t', site: 's1' });
    expect(body.order).toMatchObject({ id, accountNumber: String(id), payed: 'Y', price: 1981, currency: 'RUB', personTypeId: 2 });
    expect(body.order.datePayed).toMatch(/\+03:00$/);
    expect(body.order.properties).toMatchObject({ INN: '7707083893', KPP: '773601001', COMPANY: 'ООО «Ромашка»', EDO_STATUS: '' });
    expect(body.order.basketItems[0]).toMatchObject({ productXmlId: 'sku-1', quantity: 2, price: 990.5 });
    // Paying a paid order again is no transition: no second push.
    await admin(site.url, 'POST', `orders/${id}/pay`);
    expect(hits).toHaveLength(1);
    expect((await admin<PushRecord[]>(site.url, 'GET', 'pushes')).body).toHaveLength(1);
  });

  it('sends the form variant with PHP-style fields', async () => {
    await admin(site.url, 'PUT', 'push', { url: receiverUrl, format: 'form' });
    const id = await newOrder();
    await admin(site.url, 'POST', `orders/${id}/pay`);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const f = new URLSearchParams(hits[0]?.body);
    expect(f.get('event')).toBe('OnSaleOrderPaid');
    expect(f.get('ORDER_ID')).toBe(String(id));
    expect(f.get('PRICE')).toBe('1981.00');
    expect(f.get('PROPERTIES[INN]')).toBe('7707083893');
    expect(f.get('BASKET[0][QUANTITY]')).toBe('2.00');
    expect(f.get('secret')).toBeNull();
  });

  it('does not retry: a receiver answering 500 gets one request, and the failure is recorded', async () => {
    await admin(site.url, 'PUT', 'push', { url: receiverUrl });
    answer = 500;
    const id = await newOrder();
    const paid = await admin<{ push: PushRecord }>(site.url, 'POST', `orders/${id}/pay`);
    expect(paid.body.push).toMatchObject({ ok: false, status: 500, error: 'HTTP 500' });
    await new Promise((r) => setTimeout(r, 200));
    expect(hits).toHaveLength(1);
  });

  it('records a network failure when nothing listens, and does not block the payment', async () => {
    await admin(site.url, 'PUT', 'push', { url: 'http://127.0.0.1:9/nowhere', timeoutMs: 2000 });
    const id = await newOrder();
    const paid = await admin<{ push: PushRecord; order: { payed: string } }>(site.url, 'POST', `orders/${id}/pay`);
    expect(paid.body.order.payed).toBe('Y');
    expect(paid.body.push.ok).toBe(false);
    expect(paid.body.push.status).toBeNull();
    expect(paid.body.push.error).toBeTruthy();
  });

  it('dropped-webhook fault: the next N paid orders are not sent at all', async () => {
    await admin(site.url, 'PUT', 'push', { url: receiverUrl });
    await admin(site.url, 'POST', 'push/drop', { count: 1 });
    const a = await newOrder();
    const b = await newOrder();
    expect((await admin<{ push: PushRecord }>(site.url, 'POST', `orders/${a}/pay`)).body.push).toMatchObject({ dropped: true, ok: false });
    expect((await admin<{ push: PushRecord }>(site.url, 'POST', `orders/${b}/pay`)).body.push).toMatchObject({ dropped: false, ok: true });
    expect(hits.map((h) => (JSON.parse(h.body) as { order: { id: number } }).order.id)).toEqual([b]);
  });

  it('fires when 1C’s order document marks the order paid, too', async () => {
    await admin(site.url, 'PUT', 'push', { url: receiverUrl });
    const id = await newOrder();
    const c = new OneCClient(site.exchangeUrl);
    await c.checkauth('sale');
    await c.init('sale');
    const xml = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.05" ДатаФормирования="2024-03-01T10:00:00"><Документ><Ид>g-1</Ид><Номер>${id}</Номер><ХозОперация>Заказ товара</ХозОперация><ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>Дата оплаты по 1С</Наименование><Значение>2024-03-01T10:00:00</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Документ></КоммерческаяИнформация>`;
    expect((await c.upload('sale', 'pay.xml', Buffer.from(xml))).map((a) => a.text)).toEqual(['success\n']);
    expect(hits).toHaveLength(1);
  });

  it('does nothing when no handler URL is configured', async () => {
    const id = await newOrder();
    const paid = await admin<{ push: PushRecord | null }>(site.url, 'POST', `orders/${id}/pay`);
    expect(paid.body.push).toBeNull();
    expect(hits).toHaveLength(0);
  });
});
