// Conformance of the data the flows touch: multi-field updates with and without value ID, requisites found by
// RQ_INN+RQ_KPP, product rows and the amounts they drive, products by XML_ID, old invoices, Disk uploads and
// versions, tasks, business-process approvals and notifications (reference §6).
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

describe('multi-fields', () => {
  it('update without value ID appends, with ID replaces, DELETE=Y removes; values keep their IDs', async () => {
    await c.call('crm.contact.add', { fields: { NAME: 'Ivan', PHONE: [{ VALUE: '+7 900 000-00-01', VALUE_TYPE: 'WORK' }], EMAIL: [{ VALUE: 'ivan@example.ru', VALUE_TYPE: 'WORK' }] } });
    const before = (await c.result('crm.contact.get', { id: 1 })) as { PHONE: Array<{ ID: string }>; HAS_PHONE: string };
    expect(before.HAS_PHONE).toBe('Y');
    const phoneId = before.PHONE[0]!.ID;
    // The classic duplicate: sending the same phone again without its ID adds a second copy.
    await c.call('crm.contact.update', { id: 1, fields: { PHONE: [{ VALUE: '+7 900 000-00-01', VALUE_TYPE: 'WORK' }] } });
    let phones = pick(await c.result('crm.contact.get', { id: 1 }), 'PHONE') as Array<Record<string, string>>;
    expect(phones.map((p) => p.VALUE)).toEqual(['+7 900 000-00-01', '+7 900 000-00-01']);
    await c.call('crm.contact.update', { id: 1, fields: { PHONE: [{ ID: phoneId, VALUE: '+7 900 000-00-02', VALUE_TYPE: 'MOBILE' }] } });
    phones = pick(await c.result('crm.contact.get', { id: 1 }), 'PHONE') as Array<Record<string, string>>;
    expect(phones[0]).toEqual({ ID: phoneId, VALUE_TYPE: 'MOBILE', VALUE: '+7 900 000-00-02', TYPE_ID: 'PHONE' });
    await c.call('crm.contact.update', { id: 1, fields: { PHONE: [{ ID: phones[1]!.ID!, DELETE: 'Y' }] } }, 'form');
    phones = pick(await c.result('crm.contact.get', { id: 1 }), 'PHONE') as Array<Record<string, string>>;
    expect(phones.map((p) => p.ID)).toEqual([phoneId]);
    // Values not mentioned are kept.
    expect(pick(await c.result('crm.contact.get', { id: 1 }), 'EMAIL', 0, 'VALUE')).toBe('ivan@example.ru');
    expect(await c.result('crm.contact.list', { filter: { PHONE: '+7 900 000-00-02' }, select: ['ID'] })).toEqual([{ ID: '1' }]);
  });
});

describe('requisites', () => {
  it('are found by RQ_INN + RQ_KPP and by ENTITY_TYPE_ID/ENTITY_ID; validation texts as documented', async () => {
    await c.admin('seed', { companies: [{ ID: 4, TITLE: 'Romashka' }, { ID: 5, TITLE: 'Vasilek' }] });
    await c.call('crm.requisite.add', { fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: 4, PRESET_ID: 1, NAME: 'Organization', RQ_INN: '7701234567', RQ_KPP: '770101001' } });
    await c.call('crm.requisite.add', { fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: 5, PRESET_ID: 1, NAME: 'Organization', RQ_INN: '7701234567', RQ_KPP: '770201001' } });
    const found = await c.result('crm.requisite.list', { filter: { RQ_INN: '7701234567', RQ_KPP: '770201001' }, select: ['ID', 'ENTITY_TYPE_ID', 'ENTITY_ID', 'RQ_INN', 'RQ_KPP'] });
    expect(found).toEqual([{ ID: '2', ENTITY_TYPE_ID: '4', ENTITY_ID: '5', RQ_INN: '7701234567', RQ_KPP: '770201001' }]);
    expect(await c.result('crm.requisite.list', { filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: 4 }, select: ['ID'] })).toEqual([{ ID: '1' }]);
    const r = (await c.result('crm.requisite.get', { id: 1 })) as Record<string, unknown>;
    expect(r).toMatchObject({ PRESET_ID: '1', ACTIVE: 'Y', SORT: '500', DATE_MODIFY: '', MODIFY_BY_ID: null });
    const bad = await c.call('crm.requisite.add', { fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: 99, PRESET_ID: 1, NAME: 'x' } });
    expect(bad.body).toEqual({ error: '', error_description: 'Entity not found.' });
    const badType = await c.call('crm.requisite.add', { fields: { ENTITY_TYPE_ID: 2, ENTITY_ID: 4, PRESET_ID: 1, NAME: 'x' } });
    expect(badType.body).toEqual({ error: '', error_description: 'ENTITY_TYPE_ID is not defined or invalid.' });
  });
});

describe('product rows and amounts', () => {
  it('computes net/gross prices like the CRM and recalculates the deal amount from rows (replace-all)', async () => {
    await c.admin('seed', { products: [{ ID: 9621, NAME: 'iphone 14', XML_ID: 'nom-1', PRICE: 80000 }] });
    await c.call('crm.deal.add', { fields: { TITLE: 'Phones' } });
    await c.call('crm.deal.productrows.set', { id: 1, rows: [{ PRODUCT_ID: 9621, PRICE: 80000, QUANTITY: 2, DISCOUNT_TYPE_ID: 2, DISCOUNT_RATE: 20, TAX_RATE: 20, TAX_INCLUDED: 'Y' }] });
    const rows = (await c.result('crm.deal.productrows.get', { id: 1 })) as Array<Record<string, unknown>>;
    expect(rows[0]).toMatchObject({ OWNER_ID: '1', OWNER_TYPE: 'D', PRODUCT_ID: 9621, PRODUCT_NAME: 'iphone 14', PRICE: 80000, PRICE_EXCLUSIVE: 66666.67, PRICE_NETTO: 83333.34, PRICE_BRUTTO: 100000.01, DISCOUNT_SUM: 16666.67, PRICE_ACCOUNT: '80000.00', QUANTITY: 2, MEASURE_CODE: 796 });
    expect(typeof rows[0]!.ID).toBe('string');
    expect(pick(await c.result('crm.deal.get', { id: 1 }), 'OPPORTUNITY')).toBe('160000.00');
    await c.call('crm.deal.productrows.set', { id: 1, rows: [{ PRODUCT_NAME: 'Delivery', PRICE: 500 }] });
    expect(await c.result('crm.deal.productrows.get', { id: 1 })).toHaveLength(1);
    expect(pick(await c.result('crm.deal.get', { id: 1 }), 'OPPORTUNITY')).toBe('500.00');
    const err = await c.call('crm.deal.productrows.set', { id: 1, rows: [{ PRICE: 1, DISCOUNT_TYPE_ID: 2, DISCOUNT_RATE: 100 }] });
    expect(err.body).toEqual({ error: 'ERROR_CORE', error_description: 'Discount Sum (DISCOUNT_SUM) is required if Percentage Discount Type (DISCOUNT_TYPE_ID) is defined and Discount Rate (DISCOUNT_RATE) is 100%<br>' });
    expect((await c.call('crm.deal.productrows.get', { id: 77 })).body).toEqual({ error: '', error_description: 'Not found.' });
  });

  it('smart-invoice rows through crm.item.productrow.* with ownerType SI drive the invoice amount', async () => {
    await c.call('crm.item.add', { entityTypeId: 31, fields: { title: 'Inv' } });
    const set = await c.result('crm.item.productrow.set', { ownerType: 'SI', ownerId: 1, productRows: [{ productName: 'Work', price: 1000, quantity: 3 }] });
    expect(pick(set, 'productRows', 0)).toMatchObject({ ownerType: 'SI', ownerId: 1, productName: 'Work', price: 1000, quantity: 3 });
    expect(pick(await c.result('crm.item.get', { entityTypeId: 31, id: 1 }), 'item', 'opportunity')).toBe(3000);
    const list = await c.call('crm.item.productrow.list', { filter: { '=ownerType': 'SI', '=ownerId': 1 } });
    expect(pick(list.body, 'result', 'productRows')).toHaveLength(1);
    const id = pick(set, 'productRows', 0, 'id') as number;
    expect(await c.result('crm.item.productrow.delete', { id })).toBeNull();
  });
});

describe('products, custom fields, old invoices', () => {
  it('catalog.product and crm.product are one catalog; XML_ID is xmlId; iblockId is required', async () => {
    const el = await c.result('catalog.product.add', { fields: { iblockId: 25, name: 'Chair', xmlId: '1c-guid-1' } });
    expect(pick(el, 'element')).toMatchObject({ id: 1, iblockId: 25, name: 'Chair', xmlId: '1c-guid-1', active: 'Y' });
    expect(await c.result('crm.product.list', { filter: { XML_ID: '1c-guid-1' }, select: ['ID', 'NAME', 'XML_ID'] })).toEqual([{ ID: '1', NAME: 'Chair', XML_ID: '1c-guid-1' }]);
    const l = await c.call('catalog.product.list', { select: ['id', 'iblockId', 'xmlId'], filter: { iblockId: 25, xmlId: '1c-guid-1' } });
    expect(pick(l.body, 'result')).toEqual({ products: [{ id: 1, iblockId: 25, xmlId: '1c-guid-1' }] });
    expect(pick((await c.call('catalog.product.add', { fields: { iblockId: 99, name: 'x' } })).body, 'error')).toBe(200040300000);
  });

  it('crm.deal.userfield.add enforces the UF_CRM_ prefix and validates names', async () => {
    expect(await c.result('crm.deal.userfield.add', { fields: { FIELD_NAME: 'one_c_id', USER_TYPE_ID: 'string' } })).toBe(1);
    const list = (await c.result('crm.deal.userfield.list', {})) as Array<Record<string, unknown>>;
    expect(list[0]).toMatchObject({ ID: '1', ENTITY_ID: 'CRM_DEAL', FIELD_NAME: 'UF_CRM_ONE_C_ID', USER_TYPE_ID: 'string', MULTIPLE: 'N', SETTINGS: [] });
    expect((await c.call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'bad-name', USER_TYPE_ID: 'string' } })).body).toEqual({ error: 'ERROR_CORE', error_description: 'Field name contains invalid characters. Allowed characters are: A-Z, 0-9 and _.' });
    const item = await c.result('crm.item.add', { entityTypeId: 2, fields: { title: 'x', ufCrm_ONE_C_ID: 'A-1' } });
    expect(pick(item, 'item', 'ufCrm_ONE_C_ID')).toBe('A-1');
    expect(pick(await c.result('crm.deal.get', { id: 1 }), 'UF_CRM_ONE_C_ID')).toBe('A-1');
  });

  it('old invoices: required fields, computed PRICE, status P marks PAYED', async () => {
    const missing = await c.call('crm.invoice.add', { fields: { ORDER_TOPIC: 'x' } });
    expect(pick(missing.body, 'error')).toBe('');
    const id = (await c.result('crm.invoice.add', {
      fields: { ACCOUNT_NUMBER: 'INV-1', ORDER_TOPIC: 'Order 42', PERSON_TYPE_ID: 1, PAY_SYSTEM_ID: 1, UF_COMPANY_ID: 0, PRODUCT_ROWS: [{ ID: 0, PRODUCT_NAME: 'Work', PRICE: 120, QUANTITY: 2, VAT_RATE: 0.2, VAT_INCLUDED: 'Y' }] },
    })) as number;
    const inv = (await c.result('crm.invoice.get', { id })) as Record<string, unknown>;
    expect(inv).toMatchObject({ ACCOUNT_NUMBER: 'INV-1', STATUS_ID: 'N', PAYED: 'N', PRICE: '240.00', TAX_VALUE: '40.00' });
    await c.call('crm.invoice.update', { id, fields: { STATUS_ID: 'P', PAY_VOUCHER_NUM: '123' } });
    expect(pick(await c.result('crm.invoice.get', { id }), 'PAYED')).toBe('Y');
    expect((await c.result('crm.status.list', { filter: { ENTITY_ID: 'INVOICE_STATUS' } }) as Array<{ STATUS_ID: string }>).map((s) => s.STATUS_ID)).toEqual(['N', 'S', 'P', 'D']);
  });

  it('funnels and stages: crm.category.list (typed) and crm.status.list (strings)', async () => {
    const cats = await c.call('crm.category.list', { entityTypeId: 2 });
    expect(pick(cats.body, 'result', 'categories', 0)).toEqual({ id: 0, name: 'General', sort: 300, entityTypeId: 2, isDefault: 'Y' });
    const stages = (await c.result('crm.status.list', { filter: { ENTITY_ID: 'DEAL_STAGE' } })) as Array<Record<string, unknown>>;
    expect(stages.map((s) => s.STATUS_ID)).toEqual(['NEW', 'PREPARATION', 'PREPAYMENT_INVOICE', 'EXECUTING', 'FINAL_INVOICE', 'WON', 'LOSE', 'APOLOGY']);
    expect(stages[5]).toMatchObject({ SORT: '60', SEMANTICS: 'S', EXTRA: { SEMANTICS: 'success' } });
    const si = (await c.result('crm.status.list', { filter: { ENTITY_ID: 'SMART_INVOICE_STAGE_2' } })) as Array<{ STATUS_ID: string }>;
    expect(si.map((s) => s.STATUS_ID)).toEqual(['DT31_2:N', 'DT31_2:S', 'DT31_2:P', 'DT31_2:D']);
  });
});

describe('disk', () => {
  it('uploads base64 fileContent, adds a version, keeps the history, serves DOWNLOAD_URL', async () => {
    const storages = (await c.result('disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } })) as Array<{ ROOT_OBJECT_ID: string }>;
    const root = Number(storages[0]!.ROOT_OBJECT_ID);
    const folder = await c.result('disk.folder.addsubfolder', { id: root, data: { NAME: 'Contracts' } });
    expect(pick(folder, 'TYPE')).toBe('folder');
    expect(typeof pick(folder, 'ID')).toBe('number');
    const fid = pick(folder, 'ID') as number;
    const up = await c.result('disk.folder.uploadfile', { id: fid, data: { NAME: 'contract.pdf' }, fileContent: ['contract.pdf', Buffer.from('v1').toString('base64')] });
    expect(pick(up, 'GLOBAL_CONTENT_VERSION')).toBe(1);
    expect(pick(up, 'SIZE')).toBe('2');
    const fileId = pick(up, 'ID') as number;
    const dup = await c.call('disk.folder.uploadfile', { id: fid, data: { NAME: 'contract.pdf' }, fileContent: ['contract.pdf', 'eA=='] });
    expect(dup.body).toEqual({ error: 'DISK_OBJ_22000', error_description: 'A file with this name already exists' });
    const unique = await c.result('disk.folder.uploadfile', { id: fid, data: { NAME: 'contract.pdf' }, fileContent: ['contract.pdf', 'eA=='], generateUniqueName: true });
    expect(pick(unique, 'NAME')).toBe('contract (1).pdf');
    const v2 = await c.result('disk.file.uploadversion', { id: fileId, fileContent: ['contract.pdf', Buffer.from('version 2').toString('base64')] });
    expect(pick(v2, 'GLOBAL_CONTENT_VERSION')).toBe(2);
    const got = (await c.result('disk.file.get', { id: fileId })) as Record<string, string>;
    expect(got).toMatchObject({ ID: String(fileId), GLOBAL_CONTENT_VERSION: '2', SIZE: '9', DELETED_TYPE: '0' });
    expect(await (await fetch(got.DOWNLOAD_URL!)).text()).toBe('version 2');
    const versions = (await c.result('disk.file.getversions', { id: fileId })) as Array<Record<string, string>>;
    expect(versions.map((v) => v.GLOBAL_CONTENT_VERSION)).toEqual(['2', '1']);
    expect(await (await fetch(versions[1]!.DOWNLOAD_URL!)).text()).toBe('v1');
    const children = (await c.result('disk.folder.getchildren', { id: fid })) as Array<{ NAME: string }>;
    expect(children.map((x) => x.NAME)).toEqual(['contract (1).pdf', 'contract.pdf']);
    expect((await c.call('disk.folder.uploadfile', { id: fid, fileContent: ['a.txt', 'eA=='] })).body).toEqual({ error: 'DISK_BASE_SERVICE_22001', error_description: 'Error: required parameter NAME (DISK_BASE_SERVICE_22001)' });
  });

  it('renames, marks deleted and deletes files and folders, each method only for its own kind', async () => {
    const storages = (await c.result('disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } })) as Array<{ ROOT_OBJECT_ID: string }>;
    const root = Number(storages[0]!.ROOT_OBJECT_ID);
    const fid = pick(await c.result('disk.folder.addsubfolder', { id: root, data: { NAME: 'Drafts' } }), 'ID') as number;
    const fileId = pick(await c.result('disk.folder.uploadfile', { id: fid, data: { NAME: 'a.txt' }, fileContent: ['a.txt', 'eA=='] }), 'ID') as number;
    expect(pick(await c.result('disk.file.rename', { id: fileId, newName: 'b.txt' }), 'NAME')).toBe('b.txt');
    expect(pick(await c.result('disk.folder.rename', { id: fid, newName: 'Old drafts' }), 'NAME')).toBe('Old drafts');
    // A file id given to a folder method is refused, and the other way round.
    expect((await c.call('disk.folder.rename', { id: fileId, newName: 'x' })).status).not.toBe(200);
    expect((await c.call('disk.file.markdeleted', { id: fid })).status).not.toBe(200);
    expect(pick(await c.result('disk.file.markdeleted', { id: fileId }), 'DELETED_TYPE')).not.toBe('0');
    const other = pick(await c.result('disk.folder.uploadfile', { id: fid, data: { NAME: 'c.txt' }, fileContent: ['c.txt', 'eA=='] }), 'ID') as number;
    expect(await c.result('disk.file.delete', { id: other })).toBe(true);
    expect((await c.call('disk.file.get', { id: other })).status).not.toBe(200);
    expect(await c.result('disk.folder.deletetree', { id: fid })).toBe(true);
    expect((await c.call('disk.folder.getchildren', { id: fid })).status).not.toBe(200);
  });

  it('two-step upload: without fileContent the answer is an uploadUrl for a multipart POST', async () => {
    const storages = (await c.result('disk.storage.getlist', {})) as Array<{ ROOT_OBJECT_ID: string; ENTITY_TYPE: string }>;
    const root = Number(storages.find((s) => s.ENTITY_TYPE === 'common')!.ROOT_OBJECT_ID);
    const step1 = await c.result('disk.folder.uploadfile', { id: root });
    expect(pick(step1, 'field')).toBe('file');
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'hello.txt');
    const res = await fetch(String(pick(step1, 'uploadUrl')), { method: 'POST', body: form });
    const body = await res.json();
    expect(pick(body, 'result', 'NAME')).toBe('hello.txt');
    expect(pick(body, 'result', 'SIZE')).toBe('5');
  });
});

describe('tasks, business processes, notifications, users', () => {
  it('tasks: UPPER_CASE in, camelCase strings out, complete → status 5', async () => {
    const t = await c.result('tasks.task.add', { fields: { TITLE: 'Sign the contract', RESPONSIBLE_ID: 2, DEADLINE: '2030-12-31T23:59:59', UF_CRM_TASK: ['D_1'] } });
    expect(pick(t, 'task')).toMatchObject({ id: '1', title: 'Sign the contract', responsibleId: '2', createdBy: '1', status: '2', ufCrmTask: ['D_1'], deadline: '2030-12-31T23:59:59+03:00' });
    const done = await c.result('tasks.task.complete', { taskId: 1 });
    expect(pick(done, 'task', 'status')).toBe('5');
    const list = await c.call('tasks.task.list', { filter: { RESPONSIBLE_ID: 2 }, select: ['ID', 'TITLE', 'STATUS'] });
    expect(pick(list.body, 'result')).toEqual({ tasks: [{ id: '1', title: 'Sign the contract', status: '5' }] });
    expect((await c.call('tasks.task.add', { fields: { RESPONSIBLE_ID: 2 } })).body).toEqual({ error: 'ERROR_CORE', error_description: 'Task title is not specified<br>' });
  });

  it('bizproc: an approval route with a parallel step and a sequential one; performers complete their own tasks', async () => {
    await c.admin('seed', {
      deals: [{ ID: 7, TITLE: 'Contract' }],
      bizprocTemplates: [{ ID: 10, NAME: 'Contract approval', DOCUMENT_TYPE: ['crm', 'CCrmDocumentDeal', 'DEAL'], steps: [{ name: 'Lawyers', users: [1, 2], mode: 'all' }, { name: 'Director', users: [1] }] }],
    });
    const wf = await c.result('bizproc.workflow.start', { TEMPLATE_ID: 10, DOCUMENT_ID: ['crm', 'CCrmDocumentDeal', 'DEAL_7'] });
    expect(wf).toMatch(/^[0-9a-f]+\.\d{8}$/);
    const mine = (await c.result('bizproc.task.list', {})) as Array<Record<string, string>>;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ WORKFLOW_ID: wf, NAME: 'Lawyers', USER_ID: '1', STATUS: '0', DOCUMENT_NAME: 'Contract', ACTIVITY: 'ApproveActivity' });
    await c.call('bizproc.task.complete', { TASK_ID: mine[0]!.ID!, STATUS: 'yes', COMMENT: 'ok' });
    expect((await c.call('bizproc.task.complete', { TASK_ID: mine[0]!.ID!, STATUS: 1 })).body).toEqual({ error: 'ERROR_TASK_COMPLETED', error_description: 'Task already completed' });
    // The second lawyer answers through the UI as herself; then the director's step opens.
    await c.admin('act/bizproc.task.complete?user=2', { TASK_ID: mine[0]!.ID!, STATUS: 1 });
    const next = (await c.result('bizproc.task.list', { filter: { STATUS: 0 } })) as Array<Record<string, string>>;
    expect(next.map((t) => t.NAME)).toEqual(['Director']);
    await c.call('bizproc.task.complete', { TASK_ID: next[0]!.ID!, STATUS: 2 });
    expect(await c.result('bizproc.workflow.instances', {})).toEqual([]);
    const state = (await c.admin('state')) as { bizproc: { workflows: Array<{ RESULT: string }> } };
    expect(state.bizproc.workflows[0]!.RESULT).toBe('rejected');
    const denied = await c.send('/rest/2/maria/bizproc.workflow.start', { TEMPLATE_ID: 10, DOCUMENT_ID: ['crm', 'CCrmDocumentDeal', 'DEAL_7'] });
    expect(denied.status).toBe(401);
    await c.admin('incoming-webhooks', { userId: 2, code: 'maria' });
    const notAdmin = await c.send('/rest/2/maria/bizproc.workflow.start', { TEMPLATE_ID: 10, DOCUMENT_ID: ['crm', 'CCrmDocumentDeal', 'DEAL_7'] });
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied!' });
  });

  it('im.notify returns the notification id and lands in the log; user.get filters', async () => {
    expect(await c.result('im.notify.system.add', { USER_ID: 2, MESSAGE: ' Order ZK-1 rejected by EDO ' })).toBe(1);
    const log = (await c.admin('notifications')) as Array<Record<string, unknown>>;
    expect(log[0]).toMatchObject({ TO_USER_ID: 2, TYPE: 'SYSTEM', MESSAGE: 'Order ZK-1 rejected by EDO', METHOD: 'im.notify.system.add' });
    const users = await c.call('user.get', { FILTER: { EMAIL: 'manager@sandbox.local' } });
    expect(pick(users.body, 'result', 0)).toMatchObject({ ID: '2', ACTIVE: true, NAME: 'Maria', UF_DEPARTMENT: [1] });
    expect(pick(users.body, 'total')).toBe(1);
    expect(pick(await c.call('user.get', { ID: 1 }), 'body', 'result', 0, 'ID')).toBe('1');
  });

  it('timeline comments accept only lowercase fields and need an existing owner', async () => {
    await c.call('crm.deal.add', { fields: { TITLE: 'x' } });
    expect(await c.result('crm.timeline.comment.add', { fields: { ENTITY_ID: 1, ENTITY_TYPE: 'deal', COMMENT: 'PDF sent' } })).toBe(1);
    expect((await c.call('crm.timeline.comment.add', { FIELDS: { ENTITY_ID: 1, ENTITY_TYPE: 'deal', COMMENT: 'x' } })).status).toBe(400);
    expect(pick((await c.call('crm.timeline.comment.add', { fields: { ENTITY_ID: 5, ENTITY_TYPE: 'deal', COMMENT: 'x' } })).body, 'error')).toBe('OWNER_NOT_FOUND');
  });
});
