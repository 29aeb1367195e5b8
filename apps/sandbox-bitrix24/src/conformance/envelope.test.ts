// Conformance: the envelope and its `time` block, the error envelope and HTTP statuses of reference §2.3–2.4,
// `[]` for empty maps, and the three parameter encodings with PHP bracket nesting (§1.2).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from '../server.ts';
import { Client, pick } from '../test-support.ts';

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

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

describe('success envelope', () => {
  it('has result and a time block with the reference keys, in order, with ISO dates carrying the portal offset', async () => {
    const r = await c.call('crm.deal.add', { fields: { TITLE: 'Order 42' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Object.keys(r.body as object)).toEqual(['result', 'time']);
    expect(pick(r.body, 'result')).toBe(1);
    const time = pick(r.body, 'time') as Record<string, unknown>;
    expect(Object.keys(time)).toEqual(['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating']);
    expect(typeof time.start).toBe('number');
    expect(time.finish as number).toBeGreaterThanOrEqual(time.start as number);
    expect(time.date_start).toMatch(ISO);
    expect(String(time.date_start).endsWith('+03:00')).toBe(true);
    expect(Number.isInteger(time.operating_reset_at)).toBe(true);
  });

  it('prints legacy CRM values as strings: ids, money with two decimals, Y/N, dates with offset, null when empty', async () => {
    await c.call('crm.deal.add', { fields: { TITLE: 'A', OPPORTUNITY: 1500.5, CLOSEDATE: '2025-01-31' } });
    const d = (await c.result('crm.deal.get', { id: 1 })) as Record<string, unknown>;
    expect(d).toMatchObject({ ID: '1', OPPORTUNITY: '1500.50', CATEGORY_ID: '0', STAGE_ID: 'NEW', STAGE_SEMANTIC_ID: 'P', OPENED: 'Y', CLOSED: 'N', COMPANY_ID: null });
    expect(d.CLOSEDATE).toBe('2025-01-31T00:00:00+03:00');
    expect(d.DATE_CREATE).toMatch(ISO);
    expect('CONTACT_IDS' in d).toBe(false);
  });
});

describe('error envelope and statuses', () => {
  const cases: Array<[string, () => Promise<{ status: number; body: unknown }>, number, string, string]> = [
    ['crm.deal.get of a missing deal: empty code, "Not found"', () => c.call('crm.deal.get', { id: 999 }), 400, '', 'Not found'],
    ['crm.deal.get without an id', () => c.call('crm.deal.get', { id: 0 }), 400, '', 'ID is not defined or invalid.'],
    ['crm.deal.add with fields that are not an array', () => c.call('crm.deal.add', { fields: 'x' }), 400, '', "Parameter 'fields' must be array."],
    ['unknown method', () => c.call('no.such.method'), 404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'],
    ['OAuth call without auth', () => c.send('/rest/crm.deal.get', { id: 1 }), 401, 'NO_AUTH_FOUND', 'Wrong authorization data'],
    ['OAuth call with an unknown token', () => c.app('crm.deal.get', 'nope', { id: 1 }), 401, 'invalid_token', 'The access token provided is invalid.'],
    ['webhook with a wrong code', () => c.send('/rest/1/wrongcode/crm.deal.get', { id: 1 }), 401, 'INVALID_CREDENTIALS', 'Invalid request credentials'],
    ['webhook of an unknown user', () => c.send('/rest/77/sandbox/crm.deal.get', { id: 1 }), 401, 'INVALID_CREDENTIALS', 'Invalid request credentials'],
    ['event.bind through a webhook', () => c.call('event.bind', { event: 'ONCRMDEALUPDATE', handler: 'http://127.0.0.1:1/h' }), 403, 'WRONG_AUTH_TYPE', 'Application context required'],
    ['crm.item.get with an unknown entity type', () => c.call('crm.item.get', { entityTypeId: 999, id: 1 }), 400, 'NOT_FOUND', 'Smart process not found'],
    ['crm.item.* on old invoices', () => c.call('crm.item.list', { entityTypeId: 5 }), 400, 'ENTITY_TYPE_NOT_SUPPORTED', 'Working with this type of objects is not supported'],
    ['tasks.task.complete of a missing task', () => c.call('tasks.task.complete', { taskId: 42 }), 400, '0', 'Action on the task is not allowed'],
    ['disk.folder.get of a missing folder', () => c.call('disk.folder.get', { id: 4242 }), 400, 'ERROR_NOT_FOUND', "Could not find entity with id '4242'"],
    ['bizproc.workflow.start without a template', () => c.call('bizproc.workflow.start', { DOCUMENT_ID: ['crm', 'CCrmDocumentDeal', 'DEAL_1'] }), 400, 'ERROR_WRONG_WORKFLOW_ID', 'Empty TEMPLATE_ID'],
    ['im.notify without a user', () => c.call('im.notify', { MESSAGE: 'x' }), 400, 'USER_ID_EMPTY', "User ID can't be empty"],
  ];
  for (const [name, run, status, code, text] of cases) {
    it(name, async () => {
      const r = await run();
      expect(r.status).toBe(status);
      expect(r.body).toEqual({ error: code, error_description: text });
    });
  }

  it('insufficient_scope when the webhook lacks the method scope', async () => {
    await c.admin('incoming-webhooks', { userId: 1, code: 'crmonly', scopes: ['crm'] });
    const r = await c.send('/rest/1/crmonly/user.get');
    expect(r.status).toBe(401);
    expect(pick(r.body, 'error')).toBe('insufficient_scope');
    expect((await c.send('/rest/1/crmonly/crm.deal.list')).status).toBe(200);
  });

  it('INVALID_CREDENTIALS status is adjustable (docs say 403, the core 401)', async () => {
    await c.admin('settings', { invalidCredentialsStatus: 403 });
    expect((await c.send('/rest/1/wrong/crm.deal.list')).status).toBe(403);
  });

  it('webhooks over plain HTTP answer INVALID_REQUEST "Https required." when HTTPS is enforced', async () => {
    await c.admin('settings', { httpsRequired: true });
    const r = await c.call('crm.deal.list');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'INVALID_REQUEST', error_description: 'Https required.' });
  });

  it('offline event.bind by a non-admin user of the app is ACCESS_DENIED 403', async () => {
    const t = await c.tokens(2);
    const r = await c.app('event.bind', t.access_token, { event: 'ONCRMDEALUPDATE', event_type: 'offline' });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied! Offline events binding requires administrator access rights' });
    const bad = await c.app('event.bind', (await c.tokens(1)).access_token, { event: 'ONCRMDEALSTAGECHANGE', handler: 'http://127.0.0.1:1/' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'ERROR_EVENT_NOT_FOUND', error_description: 'Event not found' });
  });
});

describe('empty maps are []', () => {
  it('batch without errors prints result_error: [] and result_total: []', async () => {
    const r = await c.call('batch', { halt: 0, cmd: { a: 'crm.deal.add?fields[TITLE]=x' } });
    expect(pick(r.body, 'result', 'result_error')).toEqual([]);
    expect(pick(r.body, 'result', 'result_total')).toEqual([]);
    expect(pick(r.body, 'result', 'result', 'a')).toBe(1);
  });

  it('crm.item.delete answers result: [], tasks.task.get of a missing task result: []', async () => {
    const add = await c.result('crm.item.add', { entityTypeId: 31, fields: { title: 'Inv' } });
    const id = pick(add, 'item', 'id') as number;
    expect(await c.result('crm.item.delete', { entityTypeId: 31, id })).toEqual([]);
    expect(await c.result('tasks.task.get', { taskId: 5 })).toEqual([]);
  });
});

describe('parameter encodings', () => {
  it('form bodies use PHP brackets: fields[TITLE], fields[PHONE][0][VALUE], select[]', async () => {
    const add = await c.call('crm.contact.add', { fields: { NAME: 'Ivan', PHONE: [{ VALUE: '+79001112233', VALUE_TYPE: 'WORK' }] } }, 'form');
    expect(add.status).toBe(200);
    const list = await c.send('/rest/1/sandbox/crm.contact.list', {}, 'json');
    expect(pick(list.body, 'total')).toBe(1);
    const raw = await fetch(`${sb.url}/rest/1/sandbox/crm.contact.list`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'select[]=ID&select[]=PHONE&filter%5BNAME%5D=Ivan' });
    const rows = pick(await raw.json(), 'result') as Array<Record<string, unknown>>;
    expect(rows).toEqual([{ ID: '1', PHONE: [{ ID: '1', VALUE_TYPE: 'WORK', VALUE: '+79001112233', TYPE_ID: 'PHONE' }] }]);
  });

  it('JSON, form and query string give the same result; query and body merge, the body wins', async () => {
    await c.call('crm.deal.add', { fields: { TITLE: 'json' } }, 'json');
    await c.call('crm.deal.add', { fields: { TITLE: 'form' } }, 'form');
    await c.call('crm.deal.add', { fields: { TITLE: 'query' } }, 'query');
    const titles = (await c.result('crm.deal.list', { select: ['TITLE'] })) as Array<{ TITLE: string }>;
    expect(titles.map((t) => t.TITLE)).toEqual(['json', 'form', 'query']);
    const merged = await fetch(`${sb.url}/rest/1/sandbox/crm.deal.get?id=2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":3}' });
    expect(pick(await merged.json(), 'result', 'TITLE')).toBe('query');
  });

  it('upper-case parameter names, case-insensitive method names, .json suffix, trailing and doubled slashes', async () => {
    await c.call('crm.deal.add', { FIELDS: { TITLE: 'Upper' } });
    const r = await c.send('/rest//1/sandbox/CRM.Deal.Get.json/', { ID: 1 });
    expect(r.status).toBe(200);
    expect(pick(r.body, 'result', 'TITLE')).toBe('Upper');
  });

  it('invalid JSON is silently empty params', async () => {
    const r = await fetch(`${sb.url}/rest/1/sandbox/crm.deal.get`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(await r.json()).toEqual({ error: '', error_description: 'ID is not defined or invalid.' });
  });

  it('fault rules match the REST method name', async () => {
    await c.admin('faults', { op: '^crm\\.deal\\.update$', count: 2, response: { status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } } });
    await c.call('crm.deal.add', { fields: { TITLE: 'x' } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await c.call('crm.deal.update', { id: 1, fields: { TITLE: `t${i}` } })).status);
    expect(statuses).toEqual([503, 503, 200]);
  });
});
