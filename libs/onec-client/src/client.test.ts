// OneCClient against the in-process 1C sandbox: paging, writes with table parts, Post/Unpost, error classification,
// the per-database concurrency cap versus the publication's session pool, and keep-alive connection reuse.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startOneCSandbox, type OneCSandbox } from '@esb/sandbox-1c';
import { classifyError } from '@esb/bus';
import { OneCClient } from './client.ts';
import { OneCError } from './errors.ts';
import { eq } from './filter.ts';

const D = DEMO.ut;
const STOCK_DOC = 'Document_ОприходованиеИзлишковТоваров';

async function admin(sb: OneCSandbox, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${sb.url}/_admin/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  await res.text();
  if (res.status >= 400) throw new Error(`admin ${method} ${path}: ${res.status}`);
}

async function rejection(p: Promise<unknown>): Promise<OneCError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(OneCError);
  return e as OneCError;
}

/** Counts OData requests the server is handling at once, and records their URLs. */
function watch(sb: OneCSandbox) {
  const state = { current: 0, max: 0, urls: [] as string[] };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.includes('/odata/')) return;
    state.urls.push(decodeURIComponent(req.url));
    state.current++;
    state.max = Math.max(state.max, state.current);
    res.on('close', () => state.current--);
  };
  sb.running.server.on('request', onRequest);
  return { state, stop: () => sb.running.server.off('request', onRequest) };
}

let sb: OneCSandbox;
let c: OneCClient;
const client = (o: Partial<ConstructorParameters<typeof OneCClient>[0]> = {}) => new OneCClient({ baseUrl: sb.odataUrl('ut'), user: 'odata', password: 'odata', maxConcurrency: 4, timeoutMs: 10_000, ...o });

beforeAll(async () => {
  sb = await startOneCSandbox({ port: 0, infobases: [{ name: 'ut', profile: 'ut11', demo: true }, { name: 'ut114', profile: 'ut11.4', demo: true }] });
  c = client();
});
afterAll(async () => sb?.close());

describe('reads and paging', () => {
  it('get decodes values: empty ref and empty date become null, Int64 stays a string or becomes bigint', async () => {
    const order = await c.create('Document_ЗаказКлиента', { Date: '2025-03-01T10:00:00', Организация_Key: D.organization, Товары: [{ Номенклатура_Key: D.mouse, Количество: 1, Цена: 1490, Сумма: 1490 }] });
    const got = await c.get('Document_ЗаказКлиента', String(order['Ref_Key']));
    expect(got['Контрагент_Key']).toBeNull();
    expect(got['ЖелаемаяДатаОтгрузки']).toBeNull();
    expect(got['Организация_Key']).toBe(D.organization);
    expect((got['Товары'] as Array<Record<string, unknown>>)[0]!['LineNumber']).toBe('1');
    const big = await client({ int64: 'bigint' }).get('Document_ЗаказКлиента', String(order['Ref_Key']));
    expect((big['Товары'] as Array<Record<string, unknown>>)[0]!['LineNumber']).toBe(1n);
    expect(Object.keys(got).some((k) => k.startsWith('odata.') || k.includes('@'))).toBe(false);
  });

  it('listAll pages with $top/$skip/$orderby over more rows than a page: no duplicates, no misses, no $inlinecount', async () => {
    for (let i = 0; i < 23; i++) await c.create('Catalog_Партнеры', { Description: `Партнёр ${String(i).padStart(2, '0')}`, Клиент: true });
    const all = await c.list('Catalog_Партнеры');
    expect(all.length).toBeGreaterThan(20);
    const w = watch(sb);
    const paged = await c.listAll('Catalog_Партнеры', { select: ['Ref_Key', 'Description'] }, 5);
    w.stop();
    const keys = paged.map((r) => String(r['Ref_Key']));
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(all.map((r) => String(r['Ref_Key'])).sort());
    expect(keys).toEqual([...keys].sort()); // the stable order (Ref_Key) was requested
    expect(w.state.urls.length).toBe(Math.ceil(all.length / 5) + (all.length % 5 === 0 ? 1 : 0));
    for (const u of w.state.urls) {
      expect(u).toContain('$top=5');
      expect(u).toContain('$orderby=Ref_Key');
      expect(u).not.toContain('$inlinecount');
    }
    expect(await c.count('Catalog_Партнеры')).toBe(all.length);
    // top/skip bound the whole walk, across page boundaries.
    expect((await c.listAll('Catalog_Партнеры', { skip: 3, top: 7 }, 5)).map((r) => r['Ref_Key'])).toEqual(keys.slice(3, 10));
  });
});

describe('writes', () => {
  it('create answers 201 with Ref_Key; update replaces a table part whole and fills LineNumber', async () => {
    const w = watch(sb);
    const created = await c.create('Document_ЗаказКлиента', {
      Date: new Date('2025-03-01T07:00:00Z'),
      Организация_Key: D.organization,
      Контрагент_Key: D.romashka,
      Товары: [
        { Номенклатура_Key: D.laptop, Количество: 1, Цена: 89990, Сумма: 89990 },
        { Номенклатура_Key: D.mouse, Количество: 2, Цена: 1490, Сумма: 2980 },
      ],
    });
    w.stop();
    expect(created['Ref_Key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(created['Date']).toBe('2025-03-01T10:00:00'); // the instant in the base's wall clock (Moscow)
    expect((created['Товары'] as Array<Record<string, unknown>>).map((r) => r['LineNumber'])).toEqual(['1', '2']);
    const key = String(created['Ref_Key']);
    const updated = await c.update('Document_ЗаказКлиента', key, { Комментарий: 'из шины', Товары: [{ Номенклатура_Key: D.cable, Количество: 3, Цена: 590, Сумма: 1770 }] });
    expect(updated['Комментарий']).toBe('из шины');
    const rows = (await c.get('Document_ЗаказКлиента', key))['Товары'] as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ LineNumber: '1', Номенклатура_Key: D.cable, Количество: 3 });
    expect(updated['Контрагент_Key']).toBe(D.romashka); // PATCH leaves unsent properties alone
    // Clearing a reference with null sends 1C's empty GUID, which reads back as null.
    expect((await c.update('Document_ЗаказКлиента', key, { Контрагент_Key: null }))['Контрагент_Key']).toBeNull();
  });

  it('delete is physical: a later get is a permanent 404 with 1C code 9', async () => {
    const p = await c.create('Catalog_Партнеры', { Description: 'На удаление' });
    await c.delete('Catalog_Партнеры', String(p['Ref_Key']));
    const e = await rejection(c.get('Catalog_Партнеры', String(p['Ref_Key'])));
    expect(e).toMatchObject({ status: 404, onecCode: '9', retriable: false, entitySet: 'Catalog_Партнеры', key: p['Ref_Key'] });
  });

  it('post and unpost', async () => {
    await c.unpost(STOCK_DOC, D.stockReceipt);
    expect((await c.get(STOCK_DOC, D.stockReceipt))['Posted']).toBe(false);
    await c.post(STOCK_DOC, D.stockReceipt);
    expect((await c.get(STOCK_DOC, D.stockReceipt))['Posted']).toBe(true);
  });
});

describe('errors', () => {
  afterEach(async () => {
    await admin(sb, 'DELETE', 'faults');
    await admin(sb, 'DELETE', 'infobases/ut/posting-errors');
    await admin(sb, 'DELETE', 'infobases/ut/slow-posting');
  });

  it('a posting error is a permanent OneCError naming set, key and 1C message', async () => {
    await admin(sb, 'POST', 'infobases/ut/posting-errors', { document: 'ОприходованиеИзлишковТоваров', message: 'Не заполнен склад получателя', count: 1 });
    const e = await rejection(c.post(STOCK_DOC, D.stockReceipt));
    expect(e).toMatchObject({ status: 500, onecCode: '-1', retriable: false, code: 'ESB_TARGET_REJECTED', entitySet: STOCK_DOC, key: D.stockReceipt, system: '1c' });
    expect(e.onecMessage).toContain('Не заполнен склад получателя');
    expect(e.message).toContain(STOCK_DOC);
    expect(e.message).toContain(D.stockReceipt);
    expect(classifyError(e).retriable).toBe(false);
  });

  it('a lock conflict inside posting is retriable', async () => {
    await admin(sb, 'POST', 'infobases/ut/posting-errors', { document: 'ОприходованиеИзлишковТоваров', message: 'Конфликт блокировок при выполнении транзакции', count: 1 });
    const e = await rejection(c.post(STOCK_DOC, D.stockReceipt));
    expect(e).toMatchObject({ status: 500, onecCode: '-1', retriable: true, code: 'ESB_CONFLICT' });
  });

  it('503 is retriable, and the next call succeeds', async () => {
    await admin(sb, 'POST', 'faults', { op: '^ut:Catalog_Контрагенты', count: 1, response: { status: 503, body: { 'odata.error': { code: '-1', message: { lang: 'ru', value: 'Сервис недоступен' } } } } });
    const e = await rejection(c.list('Catalog_Контрагенты'));
    expect(e).toMatchObject({ status: 503, retriable: true, code: 'ESB_TARGET_UNAVAILABLE', onecMessage: 'Сервис недоступен' });
    expect(classifyError(e).retriable).toBe(true);
    expect((await c.list('Catalog_Контрагенты', { filter: eq('ИНН', '7736050003') })).length).toBe(1);
  });

  it('a 5xx without a 1C code is retriable; a 400 validation error is permanent', async () => {
    await admin(sb, 'POST', 'faults', { op: '^ut:Catalog_Контрагенты', count: 1, response: { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' } });
    expect(await rejection(c.list('Catalog_Контрагенты'))).toMatchObject({ status: 502, retriable: true });
    await admin(sb, 'POST', 'faults', { op: '^ut:Catalog_Контрагенты', count: 1, response: { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' } });
    expect(await rejection(c.list('Catalog_Контрагенты'))).toMatchObject({ status: 500, onecCode: undefined, retriable: true });
    const bad = await rejection(c.list('Catalog_Контрагенты', { filter: eq('НетТакогоПоля', 1) }));
    expect(bad).toMatchObject({ retriable: false });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
  });

  it('an HTML page with 200 (1C auth page) is a permanent error, not data', async () => {
    await admin(sb, 'POST', 'faults', { op: '^ut:', count: 1, response: { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><body>Ошибка авторизации</body></html>' } });
    expect(await rejection(c.list('Catalog_Контрагенты'))).toMatchObject({ retriable: false, status: 200 });
  });

  it('wrong credentials are a permanent 401', async () => {
    expect(await rejection(client({ password: 'wrong' }).list('Catalog_Контрагенты'))).toMatchObject({ status: 401, retriable: false });
  });

  it('network failures and timeouts are retriable', async () => {
    const dead = new OneCClient({ baseUrl: 'http://127.0.0.1:1/ut/odata/standard.odata/', user: 'odata', password: 'odata', timeoutMs: 2000 });
    expect(await rejection(dead.list('Catalog_Контрагенты'))).toMatchObject({ status: 0, retriable: true, code: 'ESB_TARGET_UNAVAILABLE' });
    await admin(sb, 'POST', 'infobases/ut/slow-posting', { ms: 1000, document: 'ОприходованиеИзлишковТоваров' });
    const e = await rejection(client({ timeoutMs: 100 }).post(STOCK_DOC, D.stockReceipt));
    expect(e).toMatchObject({ status: 0, retriable: true });
    expect(e.onecMessage).toMatch(/timed out/);
  });
});

describe('concurrency cap versus the publication session pool', () => {
  beforeAll(async () => {
    // A request the client gave up on (the timeout test) still holds its 1C session until 1C finishes: wait for it.
    while (sb.infobase('ut').summary()['activeSessions'] !== 0) await new Promise((r) => setTimeout(r, 20));
    await admin(sb, 'PUT', 'infobases/ut/sessions', { poolSize: 2, poolTimeoutMs: 100 });
    await admin(sb, 'POST', 'infobases/ut/slow-posting', { ms: 300, document: 'ОприходованиеИзлишковТоваров' });
  });
  afterAll(async () => {
    await admin(sb, 'DELETE', 'infobases/ut/slow-posting');
    await admin(sb, 'PUT', 'infobases/ut/sessions', { poolSize: 10, poolTimeoutMs: 5000 });
  });

  it('maxConcurrency 2: six parallel posts never exceed 2 in flight and none is refused', async () => {
    const capped = client({ maxConcurrency: 2 });
    const w = watch(sb);
    let clientMax = 0;
    const probe = setInterval(() => (clientMax = Math.max(clientMax, capped.inFlight)), 5);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => capped.post(STOCK_DOC, D.stockReceipt)));
    clearInterval(probe);
    w.stop();
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(w.state.urls.filter((u) => u.includes('/Post'))).toHaveLength(6);
    expect(w.state.max).toBe(2); // the cap was used, and never exceeded
    expect(clientMax).toBeLessThanOrEqual(2);
  });

  it('virtual tables and print-form downloads share the cap with OData calls (one session pool per database)', async () => {
    const capped = client({ maxConcurrency: 1 });
    let clientMax = 0;
    const probe = setInterval(() => (clientMax = Math.max(clientMax, capped.inFlight)), 2);
    const hsRoot = sb.odataUrl('ut').replace(/odata\/standard\.odata\/$/, 'hs/');
    const invoice = await c.create('Document_СчетНаОплатуКлиенту', { Date: new Date(), Организация_Key: D.organization, Партнер_Key: D.partnerRomashka, Контрагент_Key: D.romashka, Валюта_Key: D.currency, СуммаДокумента: 100 });
    const [stock, pdf, missing, orgs] = await Promise.all([
      capped.virtualTable('AccumulationRegister_ТоварыНаСкладах', 'Balance', { Dimensions: "'Номенклатура,Склад'" }),
      capped.download(`${hsRoot}printforms/invoice/${String(invoice['Ref_Key'])}`),
      capped.download(`${hsRoot}printforms/invoice/00000000-0000-0000-0000-000000000001`),
      capped.list('Catalog_Организации', { select: ['Ref_Key'] }),
    ]);
    clearInterval(probe);
    expect(clientMax).toBe(1);
    expect(stock.length).toBeGreaterThan(0);
    expect(stock[0]).toHaveProperty('Номенклатура_Key');
    expect(pdf?.mime).toBe('application/pdf');
    expect(pdf?.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(missing).toBeNull();
    expect(orgs.length).toBeGreaterThan(0);
    await expect(capped.virtualTable('AccumulationRegister_НетТакого', 'Balance')).rejects.toMatchObject({ retriable: false });
  });

  it('without the cap (maxConcurrency 6) the sandbox rejects some with 503 pool exhaustion — the cap matters', async () => {
    const uncapped = client({ maxConcurrency: 6 });
    const w = watch(sb);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => uncapped.post(STOCK_DOC, D.stockReceipt)));
    w.stop();
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as OneCError] : []));
    expect(w.state.max).toBeGreaterThan(2);
    expect(failed.length).toBeGreaterThan(0);
    for (const e of failed) expect(e).toMatchObject({ status: 503, retriable: true });
  });
});

describe('keep-alive', () => {
  it('sequential calls reuse one TCP connection', async () => {
    // A fresh sandbox (a new origin), so no pooled connection from earlier tests can hide a new one.
    const own = await startOneCSandbox({ port: 0, infobases: [{ name: 'ut', profile: 'ut11', demo: true }] });
    try {
      let connections = 0;
      own.running.server.on('connection', () => connections++);
      const k = new OneCClient({ baseUrl: own.odataUrl('ut'), user: 'odata', password: 'odata', maxConcurrency: 2 });
      for (let i = 0; i < 5; i++) await k.get('Catalog_Контрагенты', D.romashka);
      await k.create('Catalog_Партнеры', { Description: 'keep-alive' });
      await k.post(STOCK_DOC, D.stockReceipt);
      expect(connections).toBe(1);
    } finally {
      await own.close();
    }
  });
});
