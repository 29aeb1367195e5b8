// Site-specific admin routes under /_admin: what a shopper and a store manager do (place an order, pay it,
// change status or properties), exchange credentials and settings, the paid-order push (URL, log, dropped
// deliveries), the imported catalog, the slow-import fault and the clock. Seed/state/reset/faults/requests
// come from the sandbox kit.
import { json, type Router, type SandboxRequest, type SandboxResponse } from '@esb/sandbox-kit';
import { SaleError, type SiteContext } from './sale/context.ts';
import type { Settings } from './sale/model.ts';
import { createOrder, findOrder, propsOf, setCanceled, setPaid, setPropertyValues, setStatus, type CreateOrderInput } from './sale/orders.ts';
import { orderFull } from './sale/shape.ts';
import { sessionView, type PushConfig } from './state.ts';
import type { Json, JsonObject } from './util/params.ts';
import { isObject } from './util/params.ts';

function body(req: SandboxRequest): JsonObject {
  const text = req.body.toString('utf8').trim();
  if (!text) return {};
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    throw new SaleError('the body is not valid JSON');
  }
  if (!isObject(parsed)) throw new SaleError('the body must be a JSON object');
  return parsed;
}

type AdminHandler = (req: SandboxRequest) => Promise<SandboxResponse> | SandboxResponse;

/** Admin errors as `{error, message}` with 400/404 instead of the kit's 500. */
function safe(h: AdminHandler): AdminHandler {
  return async (req) => {
    try {
      return await h(req);
    } catch (e) {
      if (e instanceof SaleError) return json(e.status === 404 ? 404 : 400, { error: 'BAD_REQUEST', message: e.message });
      throw e;
    }
  };
}

function orderOf(ctx: SiteContext, req: SandboxRequest) {
  const order = findOrder(ctx.state, Number(req.params.id));
  if (!order) throw new SaleError(`order ${req.params.id} does not exist`, 0, 404);
  return order;
}

const SETTING_KEYS = new Set<keyof Settings>([
  'siteId', 'siteName', 'currency', 'replaceCurrency', 'statusOnPaid', 'fileLimit', 'useZip', 'exportPaidOnly', 'exportAllowDeliveryOnly',
  'exportFromStatus', 'changeStatusFrom1C', 'finalStatusOnDelivery', 'importPropertiesFrom1C', 'orderXmlDialect', 'elementsPerStep',
  'elementAction', 'invalidCredentialsStatus',
]);

export function adminRoutes(ctx: SiteContext): (r: Router) => void {
  return (r) => {
    const view = (id: number) => {
      const o = findOrder(ctx.state, id);
      return o ? orderFull(ctx.state, ctx.clock, o) : null;
    };
    r.on('GET', '/_admin/orders', () => json(200, ctx.state.orders.map((o) => orderFull(ctx.state, ctx.clock, o))))
      .on(
        'POST',
        '/_admin/orders',
        safe(async (req) => {
          const input = body(req) as unknown as CreateOrderInput;
          const order = createOrder(ctx, input);
          const push = input.paid ? await setPaid(ctx, order, { paid: true }) : undefined;
          return json(201, { order: view(order.id), push: push ?? null });
        }),
      )
      .on('GET', '/_admin/orders/:id', safe((req) => json(200, view(orderOf(ctx, req).id))))
      .on(
        'POST',
        '/_admin/orders/:id/pay',
        safe(async (req) => {
          const order = orderOf(ctx, req);
          const b = body(req);
          const push = await setPaid(ctx, order, { paid: b.paid !== false, ...(typeof b.voucherNum === 'string' ? { voucherNum: b.voucherNum } : {}) });
          return json(200, { order: view(order.id), push: push ?? null });
        }),
      )
      .on(
        'POST',
        '/_admin/orders/:id/status',
        safe((req) => {
          const order = orderOf(ctx, req);
          const statusId = body(req).statusId;
          if (typeof statusId !== 'string') throw new SaleError('give {"statusId": "P"}');
          setStatus(ctx, order, statusId);
          return json(200, { order: view(order.id) });
        }),
      )
      .on(
        'POST',
        '/_admin/orders/:id/cancel',
        safe((req) => {
          const order = orderOf(ctx, req);
          const b = body(req);
          setCanceled(ctx, order, b.canceled !== false, typeof b.reason === 'string' ? b.reason : '');
          return json(200, { order: view(order.id) });
        }),
      )
      .on(
        'PATCH',
        '/_admin/orders/:id/properties',
        safe((req) => {
          const order = orderOf(ctx, req);
          const props = propsOf(ctx.state, order.personTypeId);
          const values = Object.entries(body(req)).map(([code, value]) => {
            const p = props.find((x) => x.code === code);
            if (!p) throw new SaleError(`the payer type of order ${order.id} has no property ${code}`);
            return { orderPropsId: p.id, value: value === null ? null : String(value) };
          });
          setPropertyValues(ctx, order, values, false);
          return json(200, { order: view(order.id) });
        }),
      )
      .on(
        'PUT',
        '/_admin/exchange/credentials',
        safe((req) => {
          const b = body(req);
          if (typeof b.login !== 'string' || typeof b.password !== 'string' || !b.login || !b.password) throw new SaleError('give {"login": "...", "password": "..."}');
          const groups = Array.isArray(b.groups) ? b.groups.map(Number) : [1];
          const existing = ctx.state.users.find((u) => u.login === b.login);
          if (existing) Object.assign(existing, { password: b.password, groups });
          else ctx.state.users.push({ id: ++ctx.state.seq.user, login: b.login, password: b.password, email: '', name: '', lastName: '', secondName: '', groups, xmlId: '' });
          return json(200, { login: b.login, groups });
        }),
      )
      .on('GET', '/_admin/exchange', () => {
        const ex = ctx.state.exchange;
        return json(200, { ...ex, sessions: [...ex.sessions.values()].map(sessionView) });
      })
      .on('GET', '/_admin/settings', () => json(200, ctx.state.settings))
      .on(
        'PATCH',
        '/_admin/settings',
        safe((req) => {
          const b = body(req);
          for (const k of Object.keys(b)) if (!SETTING_KEYS.has(k as keyof Settings)) throw new SaleError(`unknown setting ${k}`);
          ctx.state.settings = { ...ctx.state.settings, ...(b as Partial<Settings>) };
          return json(200, ctx.state.settings);
        }),
      )
      .on('GET', '/_admin/push', () => json(200, { ...ctx.state.push.config, dropNext: ctx.state.push.dropNext }))
      .on(
        'PUT',
        '/_admin/push',
        safe((req) => {
          const b = body(req) as Partial<PushConfig>;
          if (b.url !== undefined && b.url !== null && !/^https?:\/\//.test(b.url)) throw new SaleError('url must be http(s)://… or null');
          if (b.format !== undefined && b.format !== 'json' && b.format !== 'form') throw new SaleError('format is json or form');
          ctx.state.push.config = { ...ctx.state.push.config, ...b };
          return json(200, ctx.state.push.config);
        }),
      )
      .on('GET', '/_admin/pushes', () => json(200, ctx.state.push.log))
      .on(
        'POST',
        '/_admin/push/drop',
        safe((req) => {
          const count = Number(body(req).count ?? 1);
          if (!Number.isInteger(count) || count < 0) throw new SaleError('count is a whole number');
          ctx.state.push.dropNext = count;
          return json(200, { dropNext: count });
        }),
      )
      .on('GET', '/_admin/catalog', () => {
        const c = ctx.state.catalog;
        const products = Object.values(c.products);
        return json(200, {
          counts: {
            groups: Object.keys(c.groups).length,
            properties: Object.keys(c.properties).length,
            products: products.filter((p) => !p.deleted).length,
            deletedProducts: products.filter((p) => p.deleted).length,
            offers: Object.keys(c.offers).length,
            priceTypes: Object.keys(c.priceTypes).length,
            warehouses: Object.keys(c.warehouses).length,
          },
          ...c,
        });
      })
      .on(
        'GET',
        '/_admin/catalog/products/:xmlId',
        safe((req) => {
          const c = ctx.state.catalog;
          const p = c.products[req.params.xmlId ?? ''];
          if (!p) throw new SaleError(`no product ${req.params.xmlId}`, 0, 404);
          const offers = Object.values(c.offers).filter((o) => o.productXmlId === p.xmlId);
          return json(200, { ...p, offers });
        }),
      )
      .on(
        'POST',
        '/_admin/faults/slow-import',
        safe((req) => {
          const b = body(req);
          const calls = Number(b.calls ?? 3);
          if (!Number.isInteger(calls) || calls < 0) throw new SaleError('calls is a whole number');
          const type = b.type ?? 'catalog';
          if (type !== 'catalog' && type !== 'sale') throw new SaleError('type is catalog or sale');
          ctx.state.exchange.slowImport[type] = calls;
          return json(201, { type, calls });
        }),
      )
      .on('GET', '/_admin/clock', () => json(200, { now: ctx.clock.iso(ctx.clock.now()), offsetMs: ctx.clock.offset, timeZone: ctx.clock.timeZone }))
      .on(
        'POST',
        '/_admin/clock',
        safe((req) => {
          const b = body(req);
          const ms = Number(b.advanceMs ?? 0) + Number(b.advanceSeconds ?? 0) * 1000;
          if (!Number.isFinite(ms) || ms < 0) throw new SaleError('advanceSeconds / advanceMs move the clock forward only');
          ctx.clock.advance(ms);
          return json(200, { now: ctx.clock.iso(ctx.clock.now()), offsetMs: ctx.clock.offset });
        }),
      );
  };
}
