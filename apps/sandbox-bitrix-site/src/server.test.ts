import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSiteSandbox, type SiteSandbox } from './server.ts';
import { OneCClient } from './testing.ts';
import { FIXTURES, admin, legalBuyer } from './test-helpers.ts';

describe('site sandbox: process, admin API, seed, faults', () => {
  let site: SiteSandbox;
  beforeAll(async () => {
    site = await startSiteSandbox();
  });
  afterAll(() => site.close());

  it('starts standalone well under 5 s and prints its URL', async () => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'main.ts')], {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        const timer = setTimeout(() => fail(new Error(`no URL printed within 5 s: ${out}`)), 5000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            ok(m[1]);
          }
        });
        child.on('exit', (code) => fail(new Error(`exited with ${code}: ${out}`)));
      });
      const res = await fetch(`${url}/bitrix/admin/1c_exchange.php?type=sale&mode=checkauth`, { headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } });
      expect((await res.text()).split('\n')[0]).toBe('success');
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('seeds from the documented format: settings, users, push, catalog files, products and orders; reset goes back to the demo store', async () => {
    const seeded = await admin<{ orders: number[] }>(site.url, 'POST', 'seed', {
      settings: { siteName: 'Магазин ковров' },
      users: [{ login: 'exchange1c', password: 'pw', groups: [1] }],
      push: { url: 'http://127.0.0.1:9/x', format: 'form' },
      catalogFiles: [resolve(FIXTURES, 'import0_1.xml'), resolve(FIXTURES, 'offers0_1.xml')],
      orders: [{ personType: 'legal', properties: legalBuyer, basket: [{ article: 'PM-421-WP', quantity: 3 }], paid: true }],
    });
    expect(seeded.status).toBe(200);
    const [orderId] = seeded.body.orders;
    const order = (await admin<{ price: number; payed: string; basketItems: Array<{ name: string; price: number }> }>(site.url, 'GET', `orders/${orderId}`)).body;
    // The basket line came from the imported catalog: name and the offer's price (100 RUB).
    expect(order).toMatchObject({ price: 300, payed: 'Y', basketItems: [{ name: 'Портативный коврик Portable 140x200x1 см, Деревянные лошадки', price: 100 }] });
    expect((await admin<unknown[]>(site.url, 'GET', 'pushes')).body).toEqual([]); // seeded payments are history: no push
    const c = new OneCClient(site.exchangeUrl, 'exchange1c', 'pw');
    expect((await c.checkauth('sale')).lines[0]).toBe('success');
    const state = (await admin<{ settings: { siteName: string }; users: Array<{ login: string; password: string }> }>(site.url, 'GET', 'state')).body;
    expect(state.settings.siteName).toBe('Магазин ковров');
    expect(state.users.every((u) => u.password === '***')).toBe(true);

    await admin(site.url, 'POST', 'reset');
    const after = (await admin<{ orders: unknown[]; users: Array<{ login: string }>; settings: { siteName: string } }>(site.url, 'GET', 'state')).body;
    expect(after.orders).toEqual([]);
    expect(after.users.map((u) => u.login)).toEqual(['admin']);
    expect(after.settings.siteName).toBe('Сайт по умолчанию');
  });

  it('refuses an order the checkout would refuse: required properties, unknown products', async () => {
    const r = await admin<{ message: string }>(site.url, 'POST', 'orders', { personType: 'legal', properties: { COMPANY: 'X' }, basket: [{ name: 'Товар', price: 1 }] });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('COMPANY_ADR');
    const u = await admin<{ message: string }>(site.url, 'POST', 'orders', { personType: 'legal', properties: legalBuyer, basket: [{ xmlId: 'nope' }] });
    expect(u.status).toBe(400);
  });

  it('adds latency to matching operations and answers 404 like a site for unknown paths', async () => {
    await admin(site.url, 'POST', 'faults', { op: '^exchange:sale:', latencyMs: 300, count: 1 });
    const t0 = Date.now();
    await fetch(`${site.exchangeUrl}?type=sale&mode=checkauth`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect((await fetch(`${site.url}/bitrix/admin/nothing.php`)).status).toBe(404);
  });

  it('moves the clock forward only', async () => {
    const before = (await admin<{ offsetMs: number }>(site.url, 'GET', 'clock')).body.offsetMs;
    const moved = await admin<{ offsetMs: number }>(site.url, 'POST', 'clock', { advanceSeconds: 60 });
    expect(moved.body.offsetMs - before).toBe(60000);
    expect((await admin(site.url, 'POST', 'clock', { advanceSeconds: -1 })).status).toBe(400);
  });
});
