// The sale REST subset of the site's `rest` module through an incoming webhook, /rest/<user>/<code>/<method>:
// sale.order.get/list/update, sale.propertyvalue.get/list/modify, and the reference lists the connector needs
// to find property ids and statuses (sale.status.list, sale.persontype.list, sale.property.list). Envelope,
// `time` block, 50-row pages with `next`/`total`, numeric sale error codes and HTTP statuses as Bitrix's.
import type { Handler, SandboxRequest, SandboxResponse } from '@esb/sandbox-kit';
import { json } from '@esb/sandbox-kit';
import { asInt, asList, asString, isObject, requestParams, type Json, type JsonObject } from '../util/params.ts';
import { SaleError, type SiteContext } from './context.ts';
import { applyCanceled, applyStatus, findOrder, setPropertyValues, touch } from './orders.ts';
import { listQuery } from './rest-query.ts';
import { ORDER_FIELD_NAMES, orderFields, orderFull, propertyValueShape } from './shape.ts';

export const REST_ROUTE = /^\/rest\/(?<uid>\d+)\/(?<code>[^/]+)\/(?<method>[^/]+?)\/?$/;

function methodOf(raw: string): string {
  return raw.toLowerCase().replace(/\.(json|xml)$/, '');
}

export function restOp(req: SandboxRequest): string | undefined {
  const m = REST_ROUTE.exec(req.path);
  return m?.groups?.method ? `rest:${methodOf(decodeURIComponent(m.groups.method))}` : undefined;
}

type Method = (ctx: SiteContext, p: JsonObject) => { result: Json; total?: number; next?: number };

const missing = (name: string) => new SaleError(`Could not find value for parameter {${name}}`, 100);

function orderById(ctx: SiteContext, v: Json | undefined, notFoundCode: number) {
  const id = asInt(v);
  if (id === undefined) throw missing('id');
  const order = findOrder(ctx.state, id);
  if (!order) throw new SaleError('order does not exist', notFoundCode);
  return order;
}

const ORDER_NOT_FOUND = 200540400001;

const UPDATABLE = new Set([
  'statusId', 'empStatusId', 'comments', 'userDescription', 'additionalInfo', 'responsibleId', 'xmlId', 'id1c', 'version1c',
  'updated1c', 'externalOrder', 'canceled', 'empCanceledId', 'reasonCanceled', 'marked', 'empMarkedId', 'reasonMarked',
  'price', 'discountValue', 'dateInsert', 'recurringId', 'lockedBy', 'recountFlag', 'affiliateId', 'orderTopic', 'companyId',
]);

const METHODS: Record<string, Method> = {
  'sale.order.get': (ctx, p) => ({ result: { order: orderFull(ctx.state, ctx.clock, orderById(ctx, p.id, ORDER_NOT_FOUND)) } }),

  'sale.order.list': (ctx, p) => {
    const rows = ctx.state.orders.map((o) => orderFields(ctx.state, ctx.clock, o));
    const r = listQuery(rows, p, ORDER_FIELD_NAMES);
    return { result: { orders: r.rows }, total: r.total, ...(r.next !== undefined ? { next: r.next } : {}) };
  },

  'sale.order.update': (ctx, p) => {
    const order = orderById(ctx, p.id, ORDER_NOT_FOUND);
    const fields = p.fields;
    if (!isObject(fields) || Object.keys(fields).length === 0) throw missing('fields');
    for (const k of Object.keys(fields)) if (!UPDATABLE.has(k)) throw new SaleError(`Unknown field definition \`${k}\``, 0);
    const str = (k: string) => asString(fields[k]);
    const status = str('statusId');
    // One save: the parts change the fields, touch() below counts it once.
    if (status !== undefined) applyStatus(ctx, order, status, asInt(fields.empStatusId) ?? null);
    const canceled = str('canceled');
    if (canceled === 'Y' || canceled === 'N') applyCanceled(ctx, order, canceled === 'Y', str('reasonCanceled') ?? '');
    for (const k of ['comments', 'userDescription', 'additionalInfo', 'xmlId', 'id1c', 'version1c', 'reasonMarked'] as const) {
      const v = str(k);
      if (v !== undefined) order[k] = v;
    }
    const marked = str('marked');
    if (marked === 'Y' || marked === 'N') order.marked = marked;
    const ext = str('externalOrder');
    if (ext === 'Y' || ext === 'N') order.externalOrder = ext;
    const responsible = asInt(fields.responsibleId);
    if (responsible !== undefined) order.responsibleId = responsible;
    touch(ctx, order);
    // An explicit updated1c wins over the save's reset to N (1C-side integrations set Y this way).
    const u1c = str('updated1c');
    if (u1c === 'Y' || u1c === 'N') order.updated1c = u1c;
    return { result: { order: { ...orderFields(ctx.state, ctx.clock, order), clients: [], requisiteLink: [] } } };
  },

  'sale.propertyvalue.list': (ctx, p) => {
    const props = new Map(ctx.state.orderProps.map((x) => [x.id, x]));
    const rows = ctx.state.orders.flatMap((o) => o.properties.map((v) => propertyValueShape(props.get(v.orderPropsId), v, o.id)));
    const r = listQuery(rows, p, ['code', 'id', 'name', 'orderId', 'orderPropsId', 'orderPropsXmlId', 'value']);
    return { result: { propertyValues: r.rows }, total: r.total, ...(r.next !== undefined ? { next: r.next } : {}) };
  },

  'sale.propertyvalue.get': (ctx, p) => {
    const id = asInt(p.id);
    if (id === undefined) throw missing('id');
    for (const o of ctx.state.orders) {
      const v = o.properties.find((x) => x.id === id);
      if (v) return { result: { propertyValue: propertyValueShape(ctx.state.orderProps.find((x) => x.id === v.orderPropsId), v, o.id) } };
    }
    throw new SaleError('property value does not exist', 0);
  },

  'sale.propertyvalue.modify': (ctx, p) => {
    const fields = p.fields;
    if (!isObject(fields)) throw missing('fields');
    const o = fields.order;
    if (!isObject(o)) throw new SaleError('Required fields: order', 0);
    const order = orderById(ctx, o.id, 0);
    const values = asList(o.propertyValues).map((v) => {
      if (!isObject(v)) throw new SaleError('Required fields: orderPropsId, value', 0);
      const orderPropsId = asInt(v.orderPropsId);
      if (orderPropsId === undefined) throw new SaleError('Required fields: orderPropsId', 0);
      const value = Array.isArray(v.value) ? v.value.map((x) => asString(x) ?? '').join(',') : (asString(v.value) ?? null);
      return { orderPropsId, value };
    });
    // Replaces ALL values of the order: properties not listed are cleared.
    setPropertyValues(ctx, order, values, true);
    const props = new Map(ctx.state.orderProps.map((x) => [x.id, x]));
    return { result: { propertyValues: order.properties.map((v) => propertyValueShape(props.get(v.orderPropsId), v)) } };
  },

  'sale.status.list': (ctx, p) => {
    const rows: JsonObject[] = ctx.state.statuses.map((s) => ({ color: null, id: s.id, notify: 'Y', sort: s.sort, type: s.type, xmlId: '' }));
    const r = listQuery(rows, p, ['color', 'id', 'notify', 'sort', 'type', 'xmlId'], { sort: 'asc' });
    return { result: { statuses: r.rows }, total: r.total, ...(r.next !== undefined ? { next: r.next } : {}) };
  },

  'sale.persontype.list': (ctx, p) => {
    const rows: JsonObject[] = ctx.state.personTypes.map((t) => ({ active: 'Y', code: t.code, id: t.id, lid: ctx.state.settings.siteId, name: t.name, sort: t.sort, xmlId: t.xmlId }));
    const r = listQuery(rows, p, ['active', 'code', 'id', 'lid', 'name', 'sort', 'xmlId']);
    return { result: { personTypes: r.rows }, total: r.total, ...(r.next !== undefined ? { next: r.next } : {}) };
  },

  'sale.property.list': (ctx, p) => {
    const yn = (b: boolean) => (b ? 'Y' : 'N');
    const rows: JsonObject[] = ctx.state.orderProps.map((x) => ({
      active: 'Y',
      code: x.code,
      id: x.id,
      isEmail: yn(x.isEmail),
      isPayer: yn(x.isPayer),
      isPhone: yn(x.isPhone),
      isProfileName: yn(x.isProfileName),
      name: x.name,
      personTypeId: x.personTypeId,
      required: yn(x.required),
      sort: x.sort,
      type: x.type,
      xmlId: x.xmlId,
    }));
    const r = listQuery(rows, p, Object.keys(rows[0] ?? {}));
    return { result: { properties: r.rows }, total: r.total, ...(r.next !== undefined ? { next: r.next } : {}) };
  },
};

function timeBlock(ctx: SiteContext, start: number, t0: number): JsonObject {
  const finish = start + (performance.now() - t0);
  const iso = (ms: number) => ctx.clock.iso(ms);
  return {
    start: start / 1000,
    finish: finish / 1000,
    duration: (finish - start) / 1000,
    processing: (finish - start) / 1000,
    date_start: iso(start),
    date_finish: iso(finish),
  };
}

export function restHandler(ctx: SiteContext): Handler {
  return (req): SandboxResponse => {
    const t0 = performance.now();
    const start = ctx.clock.now();
    const m = REST_ROUTE.exec(req.path);
    const uid = Number(m?.groups?.uid);
    const code = decodeURIComponent(m?.groups?.code ?? '');
    const method = methodOf(decodeURIComponent(m?.groups?.method ?? ''));
    const hook = ctx.state.webhooks.find((w) => w.userId === uid && w.code === code);
    if (!hook || !ctx.state.users.some((u) => u.id === uid)) {
      return json(ctx.state.settings.invalidCredentialsStatus, { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' });
    }
    const impl = METHODS[method];
    if (!impl) return json(404, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
    if (!hook.scopes.includes('sale')) {
      return json(401, { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the webhook token' });
    }
    const params = requestParams(req.url, req.headers['content-type'], req.body);
    try {
      const out = impl(ctx, params);
      return json(200, { result: out.result, ...(out.next !== undefined ? { next: out.next } : {}), ...(out.total !== undefined ? { total: out.total } : {}), time: timeBlock(ctx, start, t0) });
    } catch (e) {
      if (e instanceof SaleError) return json(e.status, { error: e.code, error_description: e.message });
      throw e;
    }
  };
}
