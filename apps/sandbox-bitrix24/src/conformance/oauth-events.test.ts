// Conformance: OAuth (code → tokens, single-use refresh tokens, expiring access tokens, member_id) and outgoing
// events (form payload with application_token, exactly one POST, no retries, dropped deliveries, offline queue with
// auth_connector, ONCRMDEALUPDATE / ONCRMDEALMOVETOCATEGORY / ONCRMDYNAMICITEM* with ENTITY_TYPE_ID=31) — §4, §5.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from '../server.ts';
import { Client, listener, pick, sleep, type Hit } from '../test-support.ts';

let sb: Bitrix24Sandbox;
let c: Client;
let hook: Awaited<ReturnType<typeof listener>>;

beforeAll(async () => {
  sb = await startBitrix24Sandbox();
  c = new Client(sb.url);
  hook = await listener();
});
afterAll(async () => {
  await sb.close();
  await hook.close();
});
beforeEach(async () => {
  await c.admin('reset', {});
  hook.hits.length = 0;
  hook.setStatus(200);
});

const APP = { client_id: 'local.sandbox.app', client_secret: 'sandbox-client-secret' };

async function token(params: Record<string, string>, how: 'get' | 'post' = 'post'): Promise<{ status: number; body: Record<string, unknown> }> {
  const q = new URLSearchParams(params).toString();
  const res = how === 'get' ? await fetch(`${sb.url}/oauth/token/?${q}`) : await fetch(`${sb.url}/oauth/token/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: q });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Waits until every event POST started so far has been answered. */
async function settle(): Promise<void> {
  await c.admin('events?wait=1');
}

async function bind(accessToken: string, event: string, extra: Record<string, unknown> = {}): Promise<void> {
  const r = await c.app('event.bind', accessToken, { event, handler: hook.url, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

const events = (hits: Hit[]): string[] => hits.map((h) => String(h.form.event));

describe('OAuth', () => {
  it('exchanges an authorization code for tokens (POST form and GET query); a code works once', async () => {
    const { code } = (await c.admin('apps/local.sandbox.app/code', { userId: 1 })) as { code: string };
    const r = await token({ grant_type: 'authorization_code', ...APP, code });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['access_token', 'client_endpoint', 'domain', 'expires', 'expires_in', 'member_id', 'refresh_token', 'scope', 'server_endpoint', 'status', 'user_id'].sort());
    expect(r.body).toMatchObject({ expires_in: 3600, client_endpoint: `${sb.url}/rest/`, server_endpoint: `${sb.url}/rest/`, user_id: 1, status: 'L' });
    expect(r.body.member_id).toBe(sb.portal.settings.memberId);
    const again = await token({ grant_type: 'authorization_code', ...APP, code }, 'get');
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    const deal = await c.app('crm.deal.add', String(r.body.access_token), { fields: { TITLE: 'via OAuth' } });
    expect(deal.status).toBe(200);
    expect(deal.headers.get('x-bitrix-rest-application')).toBe('local.sandbox.app');
    const bad = await token({ grant_type: 'authorization_code', client_id: APP.client_id, client_secret: 'wrong', code });
    expect(bad.body.error).toBe('invalid_client');
  });

  it('rotates refresh tokens: a used refresh token stops working', async () => {
    const t = await c.tokens();
    const first = await token({ grant_type: 'refresh_token', ...APP, refresh_token: t.refresh_token }, 'get');
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(t.refresh_token);
    const reuse = await token({ grant_type: 'refresh_token', ...APP, refresh_token: t.refresh_token });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    const next = await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(first.body.refresh_token) });
    expect(next.status).toBe(200);
  });

  it('an expired access token answers 401 expired_token; the refreshed one works', async () => {
    await c.admin('tokens', { accessTokenLifetimeSec: 1 });
    const t = await c.tokens();
    expect((await c.app('crm.deal.list', t.access_token)).status).toBe(200);
    await sleep(1100);
    const r = await c.app('crm.deal.list', t.access_token);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'expired_token', error_description: 'The access token provided has expired' });
    const fresh = await token({ grant_type: 'refresh_token', ...APP, refresh_token: t.refresh_token });
    expect((await c.app('crm.deal.list', String(fresh.body.access_token))).status).toBe(200);
  });

  it('/_admin/tokens/expire expires every access token now', async () => {
    const t = await c.tokens();
    await c.admin('tokens/expire', {});
    expect(pick((await c.app('crm.deal.list', t.access_token)).body, 'error')).toBe('expired_token');
  });
});

describe('outgoing events', () => {
  it('a stage change POSTs ONCRMDEALUPDATE once, form-encoded, with data[FIELDS][ID], ts and auth[application_token]', async () => {
    const t = await c.tokens();
    await bind(t.access_token, 'ONCRMDEALUPDATE');
    await c.call('crm.deal.add', { fields: { TITLE: 'Order' } });
    await c.call('crm.deal.update', { id: 1, fields: { STAGE_ID: 'PREPARATION' } });
    await settle();
    expect(hook.hits).toHaveLength(1);
    const h = hook.hits[0]!;
    expect(h.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(h.raw).toContain('data%5BFIELDS%5D%5BID%5D=1');
    expect(Object.keys(h.form)).toEqual(['event', 'event_handler_id', 'data', 'ts', 'auth']);
    expect(h.form).toMatchObject({ event: 'ONCRMDEALUPDATE', data: { FIELDS: { ID: '1' } } });
    expect(Math.abs(Number(h.form.ts) - Date.now() / 1000)).toBeLessThan(5);
    const auth = h.form.auth as Record<string, string>;
    expect(auth).toMatchObject({ application_token: 'sandbox-application-token', member_id: sb.portal.settings.memberId, domain: new URL(sb.url).host, client_endpoint: `${sb.url}/rest/`, scope: expect.stringContaining('crm'), status: 'L', expires_in: '3600' });
    // The token in auth[] is a working token of the user who made the change.
    expect((await c.app('crm.deal.get', auth.access_token!, { id: 1 })).status).toBe(200);
    const bound = (await c.app('event.get', t.access_token)).body;
    expect(pick(bound, 'result')).toEqual([{ event: 'ONCRMDEALUPDATE', handler: hook.url, auth_type: '0', offline: 0 }]);
    expect(Number(h.form.event_handler_id)).toBeGreaterThan(0);
  });

  it('a handler that answers 500 gets the event exactly once: no retries', async () => {
    hook.setStatus(500);
    await bind((await c.tokens()).access_token, 'ONCRMDEALADD');
    await c.call('crm.deal.add', { fields: { TITLE: 'x' } });
    await settle();
    await sleep(300);
    expect(hook.hits).toHaveLength(1);
    const log = (await c.admin('events')) as { deliveries: Array<{ status: string; httpStatus: number }> };
    expect(log.deliveries.map((d) => [d.status, d.httpStatus])).toEqual([['failed', 500]]);
  });

  it('a handler that does not answer within the timeout loses the event; it is not sent again', async () => {
    let seen = 0;
    const silent = createServer(() => void seen++);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      await c.admin('events/settings', { timeoutMs: 200 });
      const t = await c.tokens();
      await c.app('event.bind', t.access_token, { event: 'ONCRMDEALADD', handler: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/` });
      await c.call('crm.deal.add', { fields: { TITLE: 'x' } });
      await settle();
      await sleep(300);
      const log = (await c.admin('events')) as { deliveries: Array<{ status: string; error: string }> };
      expect(log.deliveries.map((d) => [d.status, d.error])).toEqual([['failed', 'timeout']]);
      expect(seen).toBe(1);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('dropped webhook fault: the next N POSTs are never sent, later ones are', async () => {
    await bind((await c.tokens()).access_token, 'ONCRMDEALADD');
    await c.admin('webhooks/drop', { count: 1 });
    await c.call('crm.deal.add', { fields: { TITLE: 'lost' } });
    await c.call('crm.deal.add', { fields: { TITLE: 'kept' } });
    await settle();
    expect(hook.hits.map((h) => (h.form.data as { FIELDS: { ID: string } }).FIELDS.ID)).toEqual(['2']);
    const log = (await c.admin('events')) as { deliveries: Array<{ status: string }> };
    expect(log.deliveries.map((d) => d.status)).toEqual(['dropped', 'delivered']);
  });

  it('a funnel move (crm.item.update categoryId) is ONCRMDEALMOVETOCATEGORY only; crm.deal.update ignores CATEGORY_ID', async () => {
    const t = await c.tokens();
    await bind(t.access_token, 'ONCRMDEALUPDATE');
    await bind(t.access_token, 'ONCRMDEALMOVETOCATEGORY');
    const cat = pick(await c.result('crm.category.add', { entityTypeId: 2, fields: { name: 'Wholesale' } }), 'category', 'id') as number;
    await c.call('crm.deal.add', { fields: { TITLE: 'Order', STAGE_ID: 'EXECUTING' } });
    await c.call('crm.deal.update', { id: 1, fields: { CATEGORY_ID: cat } });
    await settle();
    expect(pick(await c.result('crm.deal.get', { id: 1 }), 'CATEGORY_ID')).toBe('0');
    hook.hits.length = 0;
    const moved = await c.result('crm.item.update', { entityTypeId: 2, id: 1, fields: { categoryId: cat } });
    expect(pick(moved, 'item', 'stageId')).toBe(`C${cat}:NEW`);
    await settle();
    expect(events(hook.hits)).toEqual(['ONCRMDEALMOVETOCATEGORY']);
    expect(hook.hits[0]!.form.data).toEqual({ FIELDS: { ID: '1', CATEGORY_ID: String(cat), STAGE_ID: `C${cat}:NEW` } });
    const d = (await c.result('crm.deal.get', { id: 1 })) as Record<string, string>;
    expect([d.CATEGORY_ID, d.STAGE_ID]).toEqual([String(cat), `C${cat}:NEW`]);
  });

  it('smart invoices fire ONCRMDYNAMICITEMADD/UPDATE with ENTITY_TYPE_ID=31', async () => {
    const t = await c.tokens();
    await bind(t.access_token, 'ONCRMDYNAMICITEMADD');
    await bind(t.access_token, 'ONCRMDYNAMICITEMUPDATE');
    await c.call('crm.deal.add', { fields: { TITLE: 'Order' } });
    const inv = await c.result('crm.item.add', { entityTypeId: 31, fields: { title: 'Invoice', parentId2: 1, opportunity: 1500.5, currencyId: 'RUB' } });
    expect(pick(inv, 'item')).toMatchObject({ id: 1, entityTypeId: 31, stageId: 'DT31_2:N', parentId2: 1, opportunity: 1500.5, accountNumber: '1', title: 'Invoice' });
    await c.call('crm.item.update', { entityTypeId: 31, id: 1, fields: { stageId: 'DT31_2:P' } });
    await settle();
    expect(events(hook.hits)).toEqual(['ONCRMDYNAMICITEMADD', 'ONCRMDYNAMICITEMUPDATE']);
    expect(hook.hits.map((h) => h.form.data)).toEqual([{ FIELDS: { ID: '1', ENTITY_TYPE_ID: '31' } }, { FIELDS: { ID: '1', ENTITY_TYPE_ID: '31' } }]);
    const list = await c.call('crm.item.list', { entityTypeId: 31, filter: { parentId2: 1 }, select: ['id', 'stageId', 'accountNumber', 'opportunity'] });
    expect(pick(list.body, 'result')).toEqual({ items: [{ id: 1, stageId: 'DT31_2:P', accountNumber: '1', opportunity: 1500.5 }] });
    expect(pick(list.body, 'total')).toBe(1);
  });

  it('offline events keep the latest state per object, skip the app\'s own auth_connector, and reserve by process_id', async () => {
    const t = await c.tokens();
    const bindOffline = await c.app('event.bind', t.access_token, { event: 'ONCRMDEALUPDATE', event_type: 'offline', auth_connector: 'esb' });
    expect(bindOffline.status).toBe(200);
    // ONOFFLINEEVENT: an empty signal, at most once per minTimeout seconds.
    await bind(t.access_token, 'ONOFFLINEEVENT', { options: { minTimeout: 60 } });
    await c.call('crm.deal.add', { fields: { TITLE: 'One' } });
    await c.call('crm.deal.add', { fields: { TITLE: 'Two' } });
    for (const s of ['PREPARATION', 'EXECUTING', 'WON']) await c.call('crm.deal.update', { id: 1, fields: { STAGE_ID: s } });
    await c.call('crm.deal.update', { id: 2, fields: { TITLE: 'Two (ours)' }, auth_connector: 'esb' });
    await c.call('batch', { auth_connector: 'esb', cmd: { u: 'crm.deal.update?id=2&fields[TITLE]=batched' } });
    // Without the connector key the queue looks empty: it is split by source.
    expect(pick((await c.app('event.offline.get', t.access_token, { clear: 0 })).body, 'result', 'events')).toEqual([]);
    const got = await c.app('event.offline.get', t.access_token, { clear: 0, auth_connector: 'esb' });
    const res = pick(got.body, 'result') as { process_id: string; events: Array<Record<string, unknown>> };
    expect(res.process_id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.events).toHaveLength(1);
    expect(res.events[0]).toMatchObject({ ID: '1', EVENT_NAME: 'ONCRMDEALUPDATE', EVENT_DATA: { FIELDS: { ID: '1' } }, EVENT_ADDITIONAL: { user_id: '1' } });
    expect(Object.keys(res.events[0]!)).toEqual(['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'EVENT_DATA', 'EVENT_ADDITIONAL', 'MESSAGE_ID']);
    // A parallel reader does not see the reserved record.
    expect(pick((await c.app('event.offline.get', t.access_token, { clear: 0, auth_connector: 'esb' })).body, 'result', 'events')).toEqual([]);
    expect((await c.app('event.offline.clear', t.access_token, { process_id: res.process_id, auth_connector: 'esb' })).status).toBe(200);
    await c.call('crm.deal.update', { id: 2, fields: { TITLE: 'Two again' } });
    const cleared = pick((await c.app('event.offline.get', t.access_token, { auth_connector: 'esb' })).body, 'result') as { process_id: unknown; events: unknown[] };
    expect(cleared.process_id).toBeNull();
    expect(cleared.events).toHaveLength(1);
    expect(pick((await c.app('event.offline.list', t.access_token, { auth_connector: 'esb' })).body, 'result')).toEqual([]);
    await settle();
    expect(events(hook.hits)).toEqual(['ONOFFLINEEVENT']);
    expect(hook.hits[0]!.form.data).toBeUndefined();
  });

  it('outgoing webhooks (UI) get only the portal fields of auth[] and their own application token; automation is not needed', async () => {
    const made = (await c.admin('outgoing-webhooks', { handler: hook.url, events: ['ONCRMCOMPANYADD'] })) as { applicationToken: string };
    await c.call('crm.company.add', { fields: { TITLE: 'Romashka' } });
    await settle();
    expect(hook.hits).toHaveLength(1);
    expect(hook.hits[0]!.form.auth).toEqual({ domain: new URL(sb.url).host, server_endpoint: `${sb.url}/rest/`, client_endpoint: `${sb.url}/rest/`, member_id: sb.portal.settings.memberId, application_token: made.applicationToken });
  });

  it('changes made in the UI (/_admin/act) fire events as the acting user', async () => {
    await bind((await c.tokens()).access_token, 'ONCRMDEALUPDATE');
    await c.call('crm.deal.add', { fields: { TITLE: 'x' } });
    const r = (await c.admin('act/crm.deal.update?user=2', { id: 1, fields: { STAGE_ID: 'WON' } })) as { result: boolean };
    expect(r.result).toBe(true);
    await settle();
    expect(events(hook.hits)).toEqual(['ONCRMDEALUPDATE']);
    expect(pick(await c.result('crm.deal.get', { id: 1 }), 'MODIFY_BY_ID')).toBe('2');
    expect(pick(await c.result('crm.deal.get', { id: 1 }), 'CLOSED')).toBe('Y');
  });

  it('installation POSTs ONAPPINSTALL with tokens and the application token; removal POSTs ONAPPUNINSTALL without tokens', async () => {
    const made = (await c.admin('apps', { clientId: 'local.erp', clientSecret: 's3', applicationToken: 'app-token-1', installUrl: hook.url })) as { auth: { refresh_token: string; access_token: string } };
    await bind(made.auth.access_token, 'ONAPPUNINSTALL');
    await settle();
    expect(events(hook.hits)).toEqual(['ONAPPINSTALL']);
    expect(hook.hits[0]!.form.data).toEqual({ VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' });
    const auth = hook.hits[0]!.form.auth as Record<string, string>;
    expect(auth.application_token).toBe('app-token-1');
    expect(auth.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    expect(made.auth.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    await fetch(`${sb.url}/_admin/apps/local.erp`, { method: 'DELETE' });
    await settle();
    expect(events(hook.hits)).toEqual(['ONAPPINSTALL', 'ONAPPUNINSTALL']);
    expect(hook.hits[1]!.form.auth).toEqual({ domain: new URL(sb.url).host, member_id: sb.portal.settings.memberId, application_token: 'app-token-1' });
  });

  it('apps that have not finished installation get no events', async () => {
    await c.admin('apps', { clientId: 'local.half', clientSecret: 's', installFinished: false });
    const t = await c.tokens(1, 'local.half');
    await bind(t.access_token, 'ONCRMDEALADD');
    await c.call('crm.deal.add', { fields: { TITLE: 'x' } });
    await settle();
    expect(hook.hits).toHaveLength(0);
  });
});
