// event.bind/get/unbind and event.offline.* — application context only (a webhook gets 403 WRONG_AUTH_TYPE),
// offline bindings and the offline queue for administrators, the queue split by auth_connector.
import { APP_ONLY_EVENTS, KNOWN_EVENTS, type OfflineRecord } from '../../events.ts';
import { caps, ok, type CallCtx, type MethodTable } from '../context.ts';
import { errors, RestError } from '../errors.ts';
import { compileFilter, sortRows, type Columns } from '../list.ts';
import { int, isMap, param, str, truthy, values, type PhpMap } from '../php.ts';

function eventName(ctx: CallCtx): string {
  const name = str(param(ctx.params, 'event')).toUpperCase();
  // Per-type variants of smart-process events exist only for SPA types (>= 128); smart invoices use the generic ones.
  const spa = /^ONCRMDYNAMICITEM(ADD|UPDATE|DELETE)_(\d+)$/.exec(name);
  if (!KNOWN_EVENTS.has(name) && !(spa && Number(spa[2]) >= 128)) throw errors.eventNotFound();
  return name;
}

function authType(ctx: CallCtx, kind: 'binding' | 'unbinding'): number {
  const v = param(ctx.params, 'auth_type');
  const n = v === undefined || v === '' ? 0 : int(v);
  if (n !== 0 && n !== ctx.caller.userId && !caps(ctx)) {
    throw errors.accessDenied(`Access denied! Event ${kind} with AUTH_TYPE requires administrator access rights`, 403);
  }
  return n;
}

function isOffline(ctx: CallCtx): boolean {
  return str(param(ctx.params, 'event_type')).toLowerCase() === 'offline';
}

function connector(ctx: CallCtx): string {
  return str(param(ctx.params, 'auth_connector'));
}

/** Records of this app's queue for the given connector key. */
function queue(ctx: CallCtx): OfflineRecord[] {
  const client = ctx.caller.clientId ?? '';
  const key = connector(ctx);
  return ctx.portal.events.offline.filter((r) => r.clientId === client && r.authConnector === key);
}

function renderRecord(ctx: CallCtx, r: OfflineRecord, extended: boolean): PhpMap {
  const out: PhpMap = {
    ID: String(r.ID),
    TIMESTAMP_X: ctx.portal.iso(r.TIMESTAMP_X),
    EVENT_NAME: r.EVENT_NAME,
    EVENT_DATA: Object.keys(r.EVENT_DATA).length ? r.EVENT_DATA : false,
    EVENT_ADDITIONAL: Object.keys(r.EVENT_ADDITIONAL).length ? r.EVENT_ADDITIONAL : false,
    MESSAGE_ID: r.MESSAGE_ID,
  };
  if (extended) {
    out.PROCESS_ID = r.processId ?? '';
    out.ERROR = r.error ? '1' : '0';
  }
  return out;
}

const OFFLINE_COLS = (offsetMin: number): Columns => ({ kinds: { ID: 'int', TIMESTAMP_X: 'date', EVENT_NAME: 'enum', MESSAGE_ID: 'string' }, offsetMin });

function requireAdmin(ctx: CallCtx): void {
  if (!caps(ctx)) throw errors.accessDenied('Access denied!', 403);
}

/** event.offline.clear / .error: an admin call naming the process that reserved the records. */
function offlineProcessId(ctx: CallCtx): string {
  requireAdmin(ctx);
  const pid = str(param(ctx.params, 'process_id'));
  if (!pid) throw new RestError('ERROR_ARGUMENT', 'Argument process_id is empty', 400, { argument: 'process_id' });
  return pid;
}

export const eventMethods: MethodTable = {
  'event.bind': {
    scope: 'basic',
    appOnly: true,
    handler: (ctx) => {
      const name = eventName(ctx);
      const offline = isOffline(ctx);
      if (offline && !caps(ctx)) throw errors.accessDenied('Access denied! Offline events binding requires administrator access rights', 403);
      const at = authType(ctx, 'binding');
      const handler = str(param(ctx.params, 'handler'));
      if (!offline && handler === '') throw new RestError('', 'Handler is not defined');
      const client = ctx.caller.clientId!;
      const key = connector(ctx);
      const dup = ctx.portal.events.bindings.some((b) => b.clientId === client && b.event === name && b.type === (offline ? 'offline' : 'online') && (offline ? b.authConnector === key : b.handler === handler && b.authType === at));
      if (dup) throw new RestError('', 'Unable to set event handler');
      const options = param(ctx.params, 'options');
      ctx.portal.events.bind({ event: name, handler: offline ? '' : handler, clientId: client, authType: at, type: offline ? 'offline' : 'online', authConnector: key, options: isMap(options) ? options : {} });
      return ok(true);
    },
  },
  'event.get': {
    scope: 'basic',
    appOnly: true,
    handler: (ctx) =>
      ok(
        ctx.portal.events.bindings
          .filter((b) => b.clientId === ctx.caller.clientId)
          .map((b) => ({ event: b.event, handler: b.handler, auth_type: String(b.authType), offline: b.type === 'offline' ? 1 : 0, ...(b.authConnector ? { connector_id: b.authConnector } : {}) })),
      ),
  },
  'event.unbind': {
    scope: 'basic',
    appOnly: true,
    handler: (ctx) => {
      const name = eventName(ctx);
      const offline = isOffline(ctx);
      if (offline && !caps(ctx)) throw errors.accessDenied('Access denied! Offline events unbinding requires administrator access rights', 403);
      const handler = str(param(ctx.params, 'handler'));
      const hasAuthType = param(ctx.params, 'auth_type') !== undefined;
      const at = authType(ctx, 'unbinding');
      const before = ctx.portal.events.bindings.length;
      ctx.portal.events.bindings = ctx.portal.events.bindings.filter(
        (b) => !(b.clientId === ctx.caller.clientId && b.event === name && b.type === (offline ? 'offline' : 'online') && (offline || handler === '' || b.handler === handler) && (!hasAuthType || b.authType === at)),
      );
      return ok({ count: before - ctx.portal.events.bindings.length });
    },
  },
  events: {
    scope: 'basic',
    handler: (ctx) => ok([...KNOWN_EVENTS].filter((e) => ctx.caller.kind === 'oauth' || !APP_ONLY_EVENTS.has(e))),
  },
  'event.test': {
    scope: 'basic',
    appOnly: true,
    handler: (ctx) => {
      const query: PhpMap = { ...ctx.params };
      ctx.portal.events.emit('ONAPPTEST', { QUERY: query, LANGUAGE_ID: 'en' }, ctx.origin(), ctx.now, ctx.caller.clientId);
      return ok(true);
    },
  },
  'event.offline.get': {
    scope: 'basic',
    appOnly: true,
    handler: (ctx) => {
      requireAdmin(ctx);
      const clear = param(ctx.params, 'clear') === undefined ? true : truthy(param(ctx.params, 'clear'));
      const limit = Math.min(Math.max(int(param(ctx.params, 'limit') ?? 50) || 50, 1), 1000);
      const wantErrors = truthy(param(ctx.params, 'error'));
      const given = str(param(ctx.params, 'process_id'));
      const cols = OFFLINE_COLS(ctx.portal.offsetMin);
      // Parallel callers get disjoint sets: records reserved by another process are invisible.
      const candidates = queue(ctx).filter((r) => r.error === wantErrors && (r.processId === null || (given !== '' && r.processId === given)));
      const views = candidates.map((r) => ({ r, v: renderRecord(ctx, r, false) }));
      const pred = compileFilter(param(ctx.params, 'filter'), cols);
      const order = param(ctx.params, 'order');
      const sorted = sortRows(views.filter((x) => pred(x.v)).map((x) => x.v), isMap(order) ? order : { TIMESTAMP_X: 'ASC' }, cols).slice(0, limit);
      const picked = new Set(sorted.map((v) => Number(v.ID)));
      let processId: string | null = null;
      if (clear) {
        ctx.portal.events.offline = ctx.portal.events.offline.filter((r) => !picked.has(r.ID));
      } else {
        processId = given || ctx.portal.events.newProcessId();
        for (const r of ctx.portal.events.offline) if (picked.has(r.ID)) r.processId = processId;
      }
      return ok({ process_id: processId, events: sorted });
    },
  },
  'event.offline.clear': {
    scope: 'basic',
    appOnly: true,
    handler: (ctx) => {
      const pid = offlineProcessId(ctx);
      const ids = values(param(ctx.params, 'id')).map((x) => int(x));
      const msgs = values(param(ctx.params, 'message_id')).map((x) => str(x));
      const client = ctx.caller.clientId ?? '';
      ctx.portal.events.offline = ctx.portal.events.offline.filter((r) => {
        if (r.clientId !== client || r.processId !== pid) return true;
        if (ids.length) return !ids.includes(r.ID);
        if (msgs.length) return !msgs.includes(r.MESSAGE_ID);
        return false;
      });
      return ok(true);
    },
  },
  'event.offline.error': {
    scope: 'basic',
    appOnly: true,
    handler: (ctx) => {
      const pid = offlineProcessId(ctx);
      const msgs = values(param(ctx.params, 'message_id')).map((x) => str(x));
      for (const r of ctx.portal.events.offline) {
        if (r.clientId === (ctx.caller.clientId ?? '') && r.processId === pid && (msgs.length === 0 || msgs.includes(r.MESSAGE_ID))) {
          r.error = true;
          r.processId = null;
        }
      }
      return ok(true);
    },
  },
  'event.offline.list': {
    scope: 'basic',
    appOnly: true,
    handler: (ctx) => {
      requireAdmin(ctx);
      const cols = OFFLINE_COLS(ctx.portal.offsetMin);
      const rows = queue(ctx).map((r) => renderRecord(ctx, r, true));
      const pred = compileFilter(param(ctx.params, 'filter'), cols);
      const order = param(ctx.params, 'order');
      const sorted = sortRows(rows.filter(pred), isMap(order) ? order : { ID: 'ASC' }, cols);
      return { result: sorted, total: sorted.length };
    },
  },
};
