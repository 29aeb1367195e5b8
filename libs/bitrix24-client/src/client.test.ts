// The client against the Bitrix24 sandbox in-process: webhook calls, error mapping, both portal limits honoured by
// the limiter (the sandbox's own log must show no 503/429), backoff on a 503 storm, batch splitting, coalescing and
// the ID-cursor list. Each test gets its own sandbox, so its bucket and budgets start empty, like our limiter.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from '@esb/sandbox-bitrix24';
import { Bitrix24Client, Bitrix24Error, PortalLimiter, WebhookAuth, buildQuery, type Bitrix24ClientOptions } from './index.ts';
import { admin, recordingFetch, requests } from './test-helpers.ts';

let sb: Bitrix24Sandbox;
const hook = () => `${sb.url}/rest/1/sandbox/`;
const client = (o: Partial<Bitrix24ClientOptions> = {}) =>
  new Bitrix24Client({ auth: new WebhookAuth(hook()), limiter: new PortalLimiter(), retry: { initialDelayMs: 50, jitter: 0 }, ...o });

beforeEach(async () => {
  sb = await startBitrix24Sandbox({ port: 0 });
});
afterEach(async () => {
  await sb.close();
});

describe('calls through an incoming webhook', () => {
  it('unwraps the envelope', async () => {
    const c = client();
    const id = await c.call<number>('crm.deal.add', { fields: { TITLE: 'Order 42 & co', OPPORTUNITY: 100 } });
    const deal = await c.call<Record<string, unknown>>('crm.deal.get', { id });
    expect(deal.TITLE).toBe('Order 42 & co');
    const env = await c.request('crm.deal.list', { select: ['ID'] });
    expect(env.total).toBe(1);
    expect(env.time?.operating).toBeTypeOf('number');
  });

  it('maps error envelopes to EsbError codes naming the method and params', async () => {
    const c = client();
    const notFound = await c.call('crm.deal.get', { id: 999999 }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(Bitrix24Error);
    const e = notFound as Bitrix24Error;
    expect(e).toMatchObject({ code: 'ESB_VALIDATION', retriable: false, status: 400, error: '', method: 'crm.deal.get', system: 'bitrix24' });
    expect(e.message).toContain('crm.deal.get');
    expect(e.message).toContain('999999');
    expect(e.message).toMatch(/Not found/);

    const unknown = (await c.call('crm.nothing.here', { x: 1 }).catch((x: unknown) => x)) as Bitrix24Error;
    expect(unknown).toMatchObject({ code: 'ESB_TARGET_REJECTED', retriable: false, status: 404, error: 'ERROR_METHOD_NOT_FOUND' });

    const badHook = new Bitrix24Client({ auth: new WebhookAuth(`${sb.url}/rest/1/wrong/`), limiter: new PortalLimiter() });
    const auth = (await badHook.call('crm.deal.list').catch((x: unknown) => x)) as Bitrix24Error;
    expect(auth).toMatchObject({ retriable: false, status: 401, error: 'INVALID_CREDENTIALS' });
    // Exactly one request: a permanent error is never resent.
    expect((await requests(sb.url)).filter((r) => r.status === 401)).toHaveLength(1);
  });

  it('does not resend a write after a 5xx, but says it is retriable', async () => {
    await admin(sb.url, '/_admin/faults', { op: '^crm\\.deal\\.add$', count: 1, response: { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'boom' } } });
    const e = (await client().call('crm.deal.add', { fields: { TITLE: 'x' } }).catch((x: unknown) => x)) as Bitrix24Error;
    expect(e).toMatchObject({ code: 'ESB_TARGET_UNAVAILABLE', retriable: true, status: 500 });
    expect((await requests(sb.url)).filter((r) => r.op === 'crm.deal.add')).toHaveLength(1);
  });
});

describe('the limiter', () => {
  it('paces 51 rapid calls so the portal rejects none (bucket 50, 2 per s)', async () => {
    const c = client({ limiter: new PortalLimiter({ burst: 50, leakPerSec: 2 }) });
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 51 }, () => c.call('user.current')));
    const elapsed = Date.now() - t0;
    expect(results).toHaveLength(51);
    const log = (await requests(sb.url)).filter((r) => r.op === 'user.current');
    expect(log).toHaveLength(51);
    expect(log.filter((r) => r.status === 503)).toHaveLength(0);
    // The 51st request cannot go before one slot drained: (51 - 50) / 2 per s.
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(c.limiter.stats.bucketWaits).toBeGreaterThan(0);
  });

  it('keeps a small bucket full but never overflowing', async () => {
    await admin(sb.url, '/_admin/limits', { burst: 5, leakPerSec: 10 });
    const c = client({ limiter: new PortalLimiter({ burst: 5, leakPerSec: 10 }) });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 25 }, (_, i) => c.call('crm.deal.list', { filter: { ID: i } })));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(((25 - 5) / 10) * 1000 - 20);
    expect((await requests(sb.url)).filter((r) => r.status !== 200)).toEqual([]);
  });

  it('waits for a method whose operating-time budget is about to run out instead of getting 429', async () => {
    // 4 simulated seconds per list against a 10 s budget: the 4th list within the window would be refused.
    await admin(sb.url, '/_admin/limits', { operatingLimitSec: 10, operatingWindowSec: 2, methodCostSec: { 'crm.deal.list': 4 } });
    const c = client({ limiter: new PortalLimiter({ operatingLimitSec: 10 }) });
    for (let i = 0; i < 4; i++) await c.call('crm.deal.list', { select: ['ID'] });
    // Another method is not held back by the list's budget.
    await c.call('user.current');
    const log = (await requests(sb.url)).filter((r) => r.op === 'crm.deal.list');
    expect(log).toHaveLength(4);
    expect(log.filter((r) => r.status === 429)).toHaveLength(0);
    expect(c.limiter.stats.operatingWaits).toBeGreaterThan(0);
  }, 20_000);

  it('retries a 503 storm with growing delays and then succeeds', async () => {
    const c = client();
    const id = await c.call<number>('crm.deal.add', { fields: { TITLE: 'storm' } });
    await admin(sb.url, '/_admin/faults', { op: '^crm\\.deal\\.get$', count: 3, response: { status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } } });
    const deal = await c.call<Record<string, unknown>>('crm.deal.get', { id });
    expect(deal.TITLE).toBe('storm');
    const log = (await requests(sb.url)).filter((r) => r.op === 'crm.deal.get');
    expect(log.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    const gaps = log.slice(1).map((r, i) => Date.parse(r.at) - Date.parse(log[i]!.at));
    // Backoff 50, 100, 200 ms (jitter off) at least; the limiter may add more after a 503.
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);
  });

  it('gives up on an endless storm with a retriable error after maxAttempts', async () => {
    await admin(sb.url, '/_admin/faults', { op: '^user\\.current$', response: { status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } } });
    const e = (await client({ retry: { maxAttempts: 3, initialDelayMs: 10, jitter: 0 } }).call('user.current').catch((x: unknown) => x)) as Bitrix24Error;
    expect(e).toMatchObject({ code: 'ESB_RATE_LIMITED', retriable: true, status: 503 });
    expect((await requests(sb.url)).filter((r) => r.op === 'user.current')).toHaveLength(3);
  });
});

describe('batch and coalescing', () => {
  it('splits 120 commands into 3 HTTP calls and reports per-command errors', async () => {
    const c = client();
    const cmds = Array.from({ length: 120 }, (_, i) => ({ method: 'crm.deal.add', params: { fields: { TITLE: `B${i} & [x]` } } }));
    cmds[70] = { method: 'crm.deal.get', params: { fields: { TITLE: 'bad' } } };
    const r = await c.batch(cmds);
    expect((await requests(sb.url)).filter((x) => x.op === 'batch')).toHaveLength(3);
    expect(Object.keys(r.result)).toHaveLength(119);
    expect(r.errors['70']).toBeInstanceOf(Bitrix24Error);
    expect(r.errors['70']!.method).toBe('crm.deal.get');
    const deal = await c.call<Record<string, unknown>>('crm.deal.get', { id: r.result['119'] });
    expect(deal.TITLE).toBe('B119 & [x]');
  });

  it('halt stops at the first failing command, later groups included', async () => {
    const c = client();
    const cmds = Array.from({ length: 60 }, (_, i) => (i === 3 ? { method: 'crm.deal.get', params: { id: 999999 } } : { method: 'user.current' }));
    const r = await c.batch(cmds, { halt: true });
    expect(Object.keys(r.result)).toEqual(['0', '1', '2']);
    expect(Object.keys(r.errors)).toEqual(['3']);
    expect((await requests(sb.url)).filter((x) => x.op === 'batch')).toHaveLength(1);
  });

  it('merges 30 concurrent calls into one batch request, each caller getting its own answer', async () => {
    const c = client();
    const ids = (await c.batch(Array.from({ length: 29 }, (_, i) => ({ method: 'crm.deal.add', params: { fields: { TITLE: `C${i}` } } })))).result;
    const before = (await requests(sb.url)).length;
    const calls = Object.values(ids).map((id) => c.callBatched<Record<string, unknown>>('crm.deal.get', { id }));
    const missing = c.callBatched('crm.deal.get', { id: 999999 }).catch((e: unknown) => e);
    const deals = await Promise.all(calls);
    expect(deals.map((d) => d.TITLE)).toEqual(Array.from({ length: 29 }, (_, i) => `C${i}`));
    const err = (await missing) as Bitrix24Error;
    expect(err).toBeInstanceOf(Bitrix24Error);
    expect(err.message).toContain('999999');
    const after = (await requests(sb.url)).slice(before);
    expect(after.map((x) => x.op)).toEqual(['batch']);
  });
});

describe('listAll', () => {
  it('yields all 230 deals by ID cursor with start=-1, never counting', async () => {
    await admin(sb.url, '/_admin/seed', { deals: Array.from({ length: 230 }, (_, i) => ({ TITLE: `L${i}` })) });
    const rec = recordingFetch();
    const c = client({ fetch: rec.fetch });
    const progress: number[] = [];
    const seen: string[] = [];
    for await (const d of c.listAll('crm.deal.list', { select: ['TITLE'], onProgress: (n) => progress.push(n) })) seen.push(String(d.ID));
    expect(seen).toHaveLength(230);
    expect(new Set(seen).size).toBe(230);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => a - b));
    expect(progress).toEqual([50, 100, 150, 200, 230]);
    expect(rec.log).toHaveLength(5);
    for (const x of rec.log) {
      expect(x.body.start).toBe(-1);
      expect(x.body.order).toEqual({ ID: 'ASC' });
      expect(x.response.next).toBeUndefined();
      expect(x.response.total ?? 0).toBe(0);
    }
    expect(rec.log.map((x) => (x.body.filter as Record<string, unknown>)['>ID'])).toEqual([0, ...[49, 99, 149, 199].map((i) => Number(seen[i]))]);
  });
});

describe('buildQuery', () => {
  it('encodes like PHP http_build_query', () => {
    expect(buildQuery({ fields: { TITLE: "a&b (c)'" }, select: ['ID', 'UF_*'], flag: true })).toBe(
      'fields%5BTITLE%5D=a%26b%20%28c%29%27&select%5B0%5D=ID&select%5B1%5D=UF_%2A&flag=1',
    );
  });
});
