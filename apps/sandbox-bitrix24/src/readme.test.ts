// The README's seed example loads as written and produces what it promises (docs that run).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from './server.ts';
import { Client, pick } from './test-support.ts';

let sb: Bitrix24Sandbox;
let c: Client;

beforeAll(async () => {
  sb = await startBitrix24Sandbox();
  c = new Client(sb.url);
});
afterAll(() => sb.close());

describe('README seed example', () => {
  it('seeds funnels, custom fields, CRM data with product rows, invoices, tasks and templates', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /## Seed format[\s\S]*?```json\n([\s\S]*?)\n```/.exec(readme);
    expect(block).not.toBeNull();
    await c.admin('seed', JSON.parse(block![1]!));
    const deal = (await c.result('crm.deal.get', { id: 394 })) as Record<string, string>;
    expect(deal).toMatchObject({ CATEGORY_ID: '5', STAGE_ID: 'C5:NEW', COMPANY_ID: '9', OPPORTUNITY: '9800.00', UF_CRM_1C_ORDER_ID: '' });
    expect(await c.result('crm.requisite.list', { filter: { RQ_INN: '7701234567', RQ_KPP: '770101001' }, select: ['ENTITY_ID'] })).toEqual([{ ENTITY_ID: '9' }]);
    const inv = await c.result('crm.item.list', { entityTypeId: 31, filter: { parentId2: 394 }, select: ['id', 'opportunity'] });
    expect(inv).toEqual({ items: [{ id: 1, opportunity: 9800 }] });
    expect((await c.send('/rest/1/k7f2x9/crm.deal.list')).status).toBe(200);
    expect(pick((await c.send('/rest/1/k7f2x9/user.get')).body, 'error')).toBe('insufficient_scope');
    const state = (await c.admin('state')) as { settings: { domain: string; memberId: string }; events: { bindings: unknown[] } };
    expect(state.settings).toMatchObject({ domain: 'acme.bitrix24.ru', memberId: 'a223c6b3710f85df22e9377d6c4f7553' });
    expect(state.events.bindings).toHaveLength(2);
  });
});
