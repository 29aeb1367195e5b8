// The remaining modules the flows use: business processes (bizproc.workflow.*, bizproc.task.*), users (user.get,
// user.current, profile) and notifications (im.notify, im.notify.system.add, im.notify.personal.add).
import { renderUser } from '../../portal/users.ts';
import { caps, ok, type CallCtx, type MethodTable } from '../context.ts';
import { errors, RestError } from '../errors.ts';
import { applySelect, compileFilter, paginate, readStart, sortRows, type Columns } from '../list.ts';
import { isMap, param, str, type Php, type PhpMap } from '../php.ts';
import { notificationFrom } from '../../portal/users.ts';

/** Whether the CRM/Disk document a workflow is started on exists. */
function documentExists(ctx: CallCtx, doc: [string, string, string]): boolean {
  const m = /^(DEAL|LEAD|COMPANY|CONTACT|SMART_INVOICE|QUOTE)_(\d+)$/.exec(doc[2]);
  if (!m) return doc[0] !== 'crm';
  const et = { DEAL: 2, LEAD: 1, COMPANY: 4, CONTACT: 3, SMART_INVOICE: 31, QUOTE: 7 }[m[1] as 'DEAL'];
  return ctx.portal.entity(et)?.get(Number(m[2])) !== undefined;
}

function documentName(ctx: CallCtx, doc: [string, string, string]): string {
  const m = /^(DEAL|COMPANY|CONTACT|SMART_INVOICE)_(\d+)$/.exec(doc[2]);
  if (!m) return doc[2];
  const et = { DEAL: 2, COMPANY: 4, CONTACT: 3, SMART_INVOICE: 31 }[m[1] as 'DEAL'];
  const rec = ctx.portal.entity(et)?.get(Number(m[2]));
  return str(rec?.TITLE ?? [rec?.NAME, rec?.LAST_NAME].filter(Boolean).join(' '));
}

const bizprocMethods: MethodTable = {
  'bizproc.workflow.start': {
    scope: 'bizproc',
    handler: (ctx) => {
      if (!caps(ctx)) throw errors.accessDenied('Access denied!', 403);
      const params = param(ctx.params, 'PARAMETERS');
      const wf = ctx.portal.bizproc.start(param(ctx.params, 'TEMPLATE_ID'), param(ctx.params, 'DOCUMENT_ID'), isMap(params) ? params : {}, ctx.caller.userId, ctx.now, (d) => documentExists(ctx, d));
      return ok(wf.ID);
    },
  },
  'bizproc.workflow.instances': {
    scope: 'bizproc',
    handler: (ctx) => {
      const rows = ctx.portal.bizproc.instanceRows();
      const cols: Columns = { kinds: { ID: 'string', MODIFIED: 'date', STARTED: 'date', STARTED_BY: 'int', TEMPLATE_ID: 'int', MODULE_ID: 'string', ENTITY: 'string', DOCUMENT_ID: 'string' }, offsetMin: ctx.portal.offsetMin };
      const pred = compileFilter(param(ctx.params, 'filter') ?? param(ctx.params, 'FILTER'), cols);
      const sorted = sortRows(rows.filter(pred), param(ctx.params, 'order'), cols);
      const { page, next, total } = paginate(sorted, readStart(ctx.params));
      return { result: page.map((r) => applySelect(r, param(ctx.params, 'select'), { plain: Object.keys(r), uf: [], defaults: ['ID', 'MODIFIED', 'OWNED_UNTIL'] })), next, total };
    },
  },
  'bizproc.workflow.terminate': {
    scope: 'bizproc',
    handler: (ctx) => {
      if (!caps(ctx)) throw errors.accessDenied('Access denied!', 403);
      if (!ctx.portal.bizproc.terminate(str(param(ctx.params, 'ID')), ctx.now)) throw new RestError('ERROR_WRONG_WORKFLOW_ID', 'Workflow not found');
      return ok(true);
    },
  },
  'bizproc.task.list': {
    scope: 'bizproc',
    handler: (ctx) => {
      const filter = param(ctx.params, 'filter') ?? param(ctx.params, 'FILTER');
      const f: PhpMap = isMap(filter) ? { ...filter } : {};
      const userKey = Object.keys(f).find((k) => k.replace(/^[=!<>@%]+/, '').toUpperCase() === 'USER_ID');
      // Without USER_ID the list is the caller's; someone else's tasks are for administrators only.
      if (userKey === undefined) f.USER_ID = ctx.caller.userId;
      else if (!caps(ctx) && Number(f[userKey]) !== ctx.caller.userId) throw errors.accessDenied('Access denied!', 400);
      const rows = ctx.portal.bizproc.taskRows((d) => documentName(ctx, d));
      const cols: Columns = { kinds: { ID: 'int', WORKFLOW_ID: 'string', USER_ID: 'int', STATUS: 'int', USER_STATUS: 'int', ACTIVITY: 'string', MODIFIED: 'date', DOCUMENT_ID: 'string', MODULE_ID: 'string', ENTITY: 'string', NAME: 'string' }, offsetMin: ctx.portal.offsetMin };
      const pred = compileFilter(f, cols);
      const sorted = sortRows(rows.filter(pred), param(ctx.params, 'order'), cols);
      const { page, next, total } = paginate(sorted, readStart(ctx.params));
      return { result: page.map((r) => applySelect(r, param(ctx.params, 'select'), { plain: Object.keys(r), uf: [], defaults: ['*'] })), next, total };
    },
  },
  'bizproc.task.complete': {
    scope: 'bizproc',
    handler: (ctx) => {
      const fields = param(ctx.params, 'FIELDS');
      ctx.portal.bizproc.complete(param(ctx.params, 'TASK_ID'), param(ctx.params, 'STATUS'), str(param(ctx.params, 'COMMENT')), isMap(fields) ? fields : {}, ctx.caller.userId, ctx.now);
      return ok(true);
    },
  },
};

const USER_COLS: Columns['kinds'] = {
  ID: 'int', ACTIVE: 'bool', NAME: 'string', LAST_NAME: 'string', SECOND_NAME: 'string', EMAIL: 'string', WORK_POSITION: 'string',
  UF_DEPARTMENT: 'int', USER_TYPE: 'string', XML_ID: 'string', DATE_REGISTER: 'date', PERSONAL_PHONE: 'string', PERSONAL_MOBILE: 'string', WORK_PHONE: 'string',
};

const RESERVED_USER_PARAMS = new Set(['SORT', 'ORDER', 'FILTER', 'ADMIN_MODE', 'START', 'AUTH_CONNECTOR']);

const userMethods: MethodTable = {
  'user.get': {
    scope: 'user|user_brief|user_basic',
    handler: (ctx) => {
      const cols: Columns = { kinds: USER_COLS, offsetMin: ctx.portal.offsetMin };
      // The filter may come as FILTER{} or as fields at the top level.
      const f = param(ctx.params, 'FILTER');
      const filter: PhpMap = isMap(f) ? { ...f } : {};
      for (const [k, v] of Object.entries(ctx.params)) if (!RESERVED_USER_PARAMS.has(k.toUpperCase())) filter[k] = v;
      if ('ACTIVE' in filter) filter.ACTIVE = filter.ACTIVE === true || ['Y', '1', 'TRUE'].includes(str(filter.ACTIVE).toUpperCase()) ? 'Y' : 'N';
      if (isMap(filter) && 'NAME_SEARCH' in filter) {
        const q = str(filter.NAME_SEARCH).toLowerCase();
        delete filter.NAME_SEARCH;
        filter['%NAME'] = q;
      }
      const rows = [...ctx.portal.users.values()].map((u) => renderUser(u, ctx.portal.offsetMin));
      const cmp = rows.map((r) => ({ ...r, ACTIVE: r.ACTIVE === true ? 'Y' : 'N' }) as PhpMap);
      const pred = compileFilter(filter, cols);
      const matched = rows.filter((_, i) => pred(cmp[i]!));
      const sortField = str(param(ctx.params, 'sort'));
      const order: Php = sortField ? { [sortField]: str(param(ctx.params, 'order')) || 'ASC' } : { ID: 'ASC' };
      const sorted = sortRows(matched, order, cols);
      const { page, next, total } = paginate(sorted, readStart(ctx.params));
      return { result: page, next, total };
    },
  },
  'user.current': {
    scope: 'user|user_brief|user_basic',
    handler: (ctx) => ok(renderUser(ctx.portal.users.get(ctx.caller.userId)!, ctx.portal.offsetMin)),
  },
  profile: {
    scope: 'basic',
    handler: (ctx) => {
      const u = ctx.portal.users.get(ctx.caller.userId)!;
      return ok({ ID: String(u.ID), ADMIN: u.ADMIN, NAME: u.NAME, LAST_NAME: u.LAST_NAME, PERSONAL_GENDER: '', PERSONAL_PHOTO: '', TIME_ZONE: u.TIME_ZONE, TIME_ZONE_OFFSET: ctx.portal.offsetMin * 60 });
    },
  },
};

/** im.notify and its two variants share the checks and the answer: the new notification's id. */
function notify(variant: 'im.notify' | 'im.notify.system.add' | 'im.notify.personal.add') {
  return (ctx: CallCtx) => {
    const n = notificationFrom(ctx.params);
    if (variant === 'im.notify.system.add') n.TYPE = 'SYSTEM';
    if (variant === 'im.notify.personal.add') n.TYPE = 'USER';
    if (!(n.TO_USER_ID > 0)) throw new RestError('USER_ID_EMPTY', "User ID can't be empty");
    if (!n.MESSAGE) throw new RestError('MESSAGE_EMPTY', "Message can't be empty");
    if (typeof n.ATTACH === 'string' && n.ATTACH.length > 60_000) throw new RestError('ATTACH_OVERSIZE', 'You have exceeded the maximum allowable size of attach');
    // A notification with an existing tag replaces the earlier ones (per app).
    if (n.TAG) ctx.portal.notifications = ctx.portal.notifications.filter((x) => !(x.TAG === n.TAG && x.CLIENT_ID === (ctx.caller.clientId ?? n.CLIENT_ID)));
    const id = ctx.portal.core.nextId('notify');
    ctx.portal.notifications.push({ ...n, ID: id, FROM_USER_ID: ctx.caller.userId, METHOD: variant, DATE: ctx.now, CLIENT_ID: ctx.caller.clientId ?? n.CLIENT_ID });
    return ok(id);
  };
}

const imMethods: MethodTable = {
  'im.notify': { scope: 'im', handler: notify('im.notify') },
  'im.notify.system.add': { scope: 'im', handler: notify('im.notify.system.add') },
  'im.notify.personal.add': { scope: 'im', handler: notify('im.notify.personal.add') },
};

export const miscMethods: MethodTable = { ...bizprocMethods, ...userMethods, ...imMethods };
