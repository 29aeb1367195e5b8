// Conformance: the leaky bucket (503 QUERY_LIMIT_EXCEEDED, recovery at the leak rate), the per-method operating
// budget (429 OPERATION_TIME_LIMIT), batch (≤50, halt, $result references, result_* maps) and list pagination
// (pages of 50, next/total, start=-1) — reference §3.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from '../server.ts';
import { Client, pick, sleep } from '../test-support.ts';
import type { PhpMap } from '../rest/php.ts';

let sb: Bitrix24Sandbox;
let c: Client;

beforeAll(async () => {
  sb = await startBitrix24Sandbox();
  c = new Client(sb.url);
});
afterAll(() => sb.close());
beforeEach(async () => {
  await c.admin('reset', {});
});

async function seedDeals(n: number): Promise<void> {
  await c.admin('seed', { deals: Array.from({ length: n }, (_, i) => ({ TITLE: `Deal ${i + 1}`, CATEGORY_ID: 0 })) });
}

describe('leaky bucket', () => {
  it('the 51st request of a burst gets 503 QUERY_LIMIT_EXCEEDED; one more fits after 1/leak-rate seconds', async () => {
    const burst = await Promise.all(Array.from({ length: 50 }, () => c.call('crm.deal.list', { start: -1 })));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    const over = await c.call('crm.deal.list');
    expect(over.status).toBe(503);
    expect(over.body).toEqual({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    // 2 per second drain: after 0.6 s one request fits again, the next one does not.
    await sleep(600);
    expect((await c.call('crm.deal.list')).status).toBe(200);
    expect((await c.call('crm.deal.list')).status).toBe(503);
  });

  it('a batch of 50 commands is one request; the bucket size and rate are configurable', async () => {
    await c.admin('limits', { burst: 3, leakPerSec: 1 });
    const cmd = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`c${i}`, 'crm.deal.list?start=-1']));
    expect((await c.call('batch', { cmd })).status).toBe(200);
    expect((await c.call('crm.deal.list')).status).toBe(200);
    expect((await c.call('crm.deal.list')).status).toBe(200);
    expect((await c.call('crm.deal.list')).status).toBe(503);
    const state = (await c.admin('limits')) as { settings: { burst: number } };
    expect(state.settings.burst).toBe(3);
  });
});

describe('operating time', () => {
  it('time.operating accumulates per method; the call that crosses the budget completes, the next one gets 429', async () => {
    await c.admin('limits', { operatingLimitSec: 480, methodCostSec: { 'crm.deal.list': 300 } });
    const first = await c.call('crm.deal.list');
    expect(pick(first.body, 'time', 'operating')).toBe(300);
    const resetAt = pick(first.body, 'time', 'operating_reset_at') as number;
    expect(resetAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 590);
    const second = await c.call('crm.deal.list');
    expect(second.status).toBe(200);
    expect(pick(second.body, 'time', 'operating')).toBe(600);
    const third = await c.call('crm.deal.list');
    expect(third.status).toBe(429);
    expect(third.body).toEqual({ error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' });
    // Other methods of the same webhook are not affected; the same method through another credential is not either.
    expect((await c.call('crm.company.list')).status).toBe(200);
    const t = await c.tokens();
    expect((await c.app('crm.deal.list', t.access_token)).status).toBe(200);
  });

  it('the budget frees up when its baskets age out of the window', async () => {
    await c.admin('limits', { operatingLimitSec: 1, operatingWindowSec: 1, methodCostSec: { 'crm.deal.list': 2 } });
    expect((await c.call('crm.deal.list')).status).toBe(200);
    expect((await c.call('crm.deal.list')).status).toBe(429);
    await sleep(1100);
    expect((await c.call('crm.deal.list')).status).toBe(200);
  });
});

describe('batch', () => {
  it('runs 50 commands; the 51st is not executed and gets ERROR_BATCH_LENGTH_EXCEEDED, still HTTP 200', async () => {
    const cmd: PhpMap = {};
    for (let i = 1; i <= 51; i++) cmd[`d${i}`] = `crm.deal.add?fields[TITLE]=Deal%20${i}`;
    const r = await c.call('batch', { halt: 0, cmd });
    expect(r.status).toBe(200);
    expect(Object.keys(pick(r.body, 'result', 'result') as object)).toHaveLength(50);
    expect(pick(r.body, 'result', 'result_error')).toEqual({ d51: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' } });
    const last = await c.call('crm.deal.get', { id: 50 });
    expect(pick(last.body, 'result', 'TITLE')).toBe('Deal 50');
    expect((await c.call('crm.deal.get', { id: 51 })).status).toBe(400);
  });

  it('halt=1 stops at the first error: later commands appear in no map', async () => {
    const cmd = { a: 'crm.deal.add?fields[TITLE]=A', b: 'crm.deal.get?id=999', c: 'crm.deal.add?fields[TITLE]=C' };
    const halted = await c.call('batch', { halt: 1, cmd });
    expect(pick(halted.body, 'result', 'result')).toEqual({ a: 1 });
    expect(pick(halted.body, 'result', 'result_error')).toEqual({ b: { error: '', error_description: 'Not found' } });
    expect(Object.keys(pick(halted.body, 'result', 'result_time') as object)).toEqual(['a']);
    const going = await c.call('batch', { halt: 0, cmd });
    expect(pick(going.body, 'result', 'result')).toEqual({ a: 2, c: 3 });
  });

  it('resolves $result[cmd][FIELD] and $result[cmd][0][ID]; list sub-calls fill result_total/result_next', async () => {
    await c.admin('seed', { companies: [{ ID: 9, TITLE: 'Romashka LLC' }], deals: [{ ID: 394, TITLE: 'Order', COMPANY_ID: 9 }] });
    await seedDeals(60);
    const r = await c.call('batch', {
      halt: 0,
      cmd: {
        d: 'crm.deal.get?id=394',
        c: 'crm.company.get?id=$result[d][COMPANY_ID]',
        l: 'crm.deal.list?order[ID]=ASC&select[]=ID&select[]=TITLE',
        first: 'crm.deal.get?id=$result[l][0][ID]',
        title: 'crm.deal.update?id=394&fields[COMMENTS]=company%20$result[c][TITLE]',
      },
    });
    expect(pick(r.body, 'result', 'result', 'c', 'TITLE')).toBe('Romashka LLC');
    expect(pick(r.body, 'result', 'result', 'first', 'ID')).toBe('394');
    expect(pick(r.body, 'result', 'result_total')).toEqual({ l: 61 });
    expect(pick(r.body, 'result', 'result_next')).toEqual({ l: 50 });
    expect(pick(r.body, 'result', 'result', 'l')).toHaveLength(50);
    expect(Object.keys(pick(r.body, 'result', 'result_time', 'd') as object)).toEqual(['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating']);
    expect(pick(await c.result('crm.deal.get', { id: 394 }), 'COMMENTS')).toBe('company Romashka LLC');
  });

  it('a cmd array gives arrays; nested batch is not allowed', async () => {
    const r = await c.call('batch', { cmd: ['crm.deal.add?fields[TITLE]=x', 'batch?cmd[0]=crm.deal.list'] });
    expect(pick(r.body, 'result', 'result')).toEqual([1]);
    expect(pick(r.body, 'result', 'result_error')).toEqual({ 1: { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' } });
  });
});

describe('list pagination', () => {
  it('pages of 50 with next and total over 120 deals', async () => {
    await seedDeals(120);
    const p1 = await c.call('crm.deal.list', { order: { ID: 'ASC' }, select: ['ID'] });
    expect(Object.keys(p1.body as object)).toEqual(['result', 'next', 'total', 'time']);
    expect(pick(p1.body, 'result')).toHaveLength(50);
    expect(pick(p1.body, 'next')).toBe(50);
    expect(pick(p1.body, 'total')).toBe(120);
    const p3 = await c.call('crm.deal.list', { order: { ID: 'ASC' }, select: ['ID'], start: 100 });
    expect(pick(p3.body, 'result')).toHaveLength(20);
    expect(pick(p3.body, 'next')).toBeUndefined();
    expect(pick(p3.body, 'total')).toBe(120);
    expect(pick(p3.body, 'result', 0)).toEqual({ ID: '101' });
  });

  it('start=-1 skips counting: 50 rows, total 0, no next; the >ID cursor walks everything', async () => {
    await seedDeals(120);
    const seen: string[] = [];
    let last = 0;
    for (;;) {
      const r = await c.call('crm.deal.list', { order: { ID: 'ASC' }, filter: { '>ID': last }, select: ['ID'], start: -1 });
      expect(pick(r.body, 'total')).toBe(0);
      expect(pick(r.body, 'next')).toBeUndefined();
      const rows = pick(r.body, 'result') as Array<{ ID: string }>;
      seen.push(...rows.map((x) => x.ID));
      if (rows.length < 50) break;
      last = Number(rows.at(-1)!.ID);
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
  });

  it('filter prefixes and order: >=, <, @, !@, %, =%, !, DESC, dates', async () => {
    await c.admin('seed', {
      deals: [
        { TITLE: 'Alpha order', OPPORTUNITY: 100, STAGE_ID: 'NEW' },
        { TITLE: 'Beta order', OPPORTUNITY: 200, STAGE_ID: 'WON' },
        { TITLE: 'Gamma', OPPORTUNITY: 300, STAGE_ID: 'LOSE' },
      ],
    });
    const ids = async (filter: PhpMap, order: PhpMap = { ID: 'ASC' }): Promise<string[]> =>
      ((await c.result('crm.deal.list', { filter, order, select: ['ID'] })) as Array<{ ID: string }>).map((r) => r.ID);
    expect(await ids({ '>=OPPORTUNITY': 200 })).toEqual(['2', '3']);
    expect(await ids({ '<OPPORTUNITY': 200 })).toEqual(['1']);
    expect(await ids({ '@STAGE_ID': ['NEW', 'LOSE'] })).toEqual(['1', '3']);
    expect(await ids({ '!@STAGE_ID': ['NEW', 'LOSE'] })).toEqual(['2']);
    expect(await ids({ '%TITLE': 'order' })).toEqual(['1', '2']);
    expect(await ids({ '=%TITLE': 'B%' })).toEqual(['2']);
    expect(await ids({ '!STAGE_ID': 'NEW' })).toEqual(['2', '3']);
    expect(await ids({ STAGE_SEMANTIC_ID: 'F' })).toEqual(['3']);
    expect(await ids({ '>=DATE_MODIFY': '2000-01-01T00:00:00+03:00' }, { OPPORTUNITY: 'DESC' })).toEqual(['3', '2', '1']);
    expect(await ids({ '>DATE_CREATE': '2999-01-01' })).toEqual([]);
  });

  it('select: * has no custom or multiple fields, UF_* adds the custom ones', async () => {
    await c.call('crm.deal.userfield.add', { fields: { FIELD_NAME: '1C_ORDER_ID', USER_TYPE_ID: 'string', LABEL: '1C order' } });
    await c.call('crm.deal.add', { fields: { TITLE: 'x', UF_CRM_1C_ORDER_ID: 'ZK-123' } });
    const star = (await c.result('crm.deal.list', { select: ['*'] })) as Array<Record<string, unknown>>;
    expect('UF_CRM_1C_ORDER_ID' in star[0]!).toBe(false);
    const uf = (await c.result('crm.deal.list', { select: ['ID', 'UF_*'] })) as Array<Record<string, unknown>>;
    expect(uf[0]).toEqual({ ID: '1', UF_CRM_1C_ORDER_ID: 'ZK-123' });
    const all = (await c.result('crm.deal.list', {})) as Array<Record<string, unknown>>;
    expect(all[0]!.UF_CRM_1C_ORDER_ID).toBe('ZK-123');
    expect(await c.result('crm.deal.list', { filter: { UF_CRM_1C_ORDER_ID: 'ZK-123' }, select: ['ID'] })).toEqual([{ ID: '1' }]);
  });
});
