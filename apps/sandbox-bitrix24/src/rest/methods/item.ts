// The universal crm.item.* API (typed camelCase, `result.item`/`result.items`) for deals (2), contacts (3),
// companies (4) and smart invoices (31), and crm.item.productrow.* for 'D' and 'SI' owners. A deal's funnel is
// changed here (categoryId), which is ONCRMDEALMOVETOCATEGORY; smart invoices fire ONCRMDYNAMICITEM* with
// ENTITY_TYPE_ID=31; deals, contacts and companies keep their own ONCRM* events.
import type { Entity } from '../../portal/entity.ts';
import type { Portal } from '../../portal/portal.ts';
import { renderRowTyped, upperRow } from '../../portal/productrows.ts';
import { ok, type CallCtx, type MethodTable } from '../context.ts';
import { errors, RestError } from '../errors.ts';
import { compileFilter, paginate, readStart, sortRows, type Columns } from '../list.ts';
import { int, isMap, param, str, values, type PhpMap } from '../php.ts';

const STEMS: Record<number, string> = { 2: 'ONCRMDEAL', 3: 'ONCRMCONTACT', 4: 'ONCRMCOMPANY' };

function entityOf(ctx: CallCtx): { et: number; e: Entity } {
  const et = int(param(ctx.params, 'entityTypeId'));
  if (et === 5) throw new RestError('ENTITY_TYPE_NOT_SUPPORTED', 'Working with this type of objects is not supported');
  const e = ctx.portal.entity(et);
  if (!e) throw errors.notFound('Smart process not found');
  return { et, e };
}

function emitItem(ctx: CallCtx, et: number, action: 'ADD' | 'UPDATE' | 'DELETE', id: number): void {
  if (et === 31) ctx.emit(`ONCRMDYNAMICITEM${action}`, { FIELDS: { ID: String(id), ENTITY_TYPE_ID: String(et) } });
  else ctx.emit(`${STEMS[et]}${action}`, { FIELDS: { ID: String(id) } });
}

function itemFields(p: PhpMap): PhpMap {
  const f = param(p, 'fields');
  if (f === undefined || (Array.isArray(f) && f.length === 0)) return {};
  if (!isMap(f)) throw new RestError('100', 'Invalid value {fields} to match with parameter {fields}. Should be value of type array.');
  return f;
}

function mustItem(ctx: CallCtx, e: Entity): number {
  const id = int(param(ctx.params, 'id'));
  if (!id || !e.get(id)) throw errors.notFound('Element not found');
  return id;
}

const useOriginal = (p: PhpMap): boolean => str(param(p, 'useOriginalUfNames')).toUpperCase() === 'Y' || param(p, 'useOriginalUfNames') === true;

export const itemMethods: MethodTable = {
  'crm.item.add': {
    scope: 'crm',
    handler: (ctx) => {
      const { et, e } = entityOf(ctx);
      const rec = e.create(e.fromTyped(itemFields(ctx.params)), { userId: ctx.caller.userId, now: ctx.now });
      emitItem(ctx, et, 'ADD', rec.ID);
      return ok({ item: e.typed(rec, useOriginal(ctx.params)) });
    },
  },
  'crm.item.get': {
    scope: 'crm',
    handler: (ctx) => {
      const { e } = entityOf(ctx);
      const id = mustItem(ctx, e);
      return ok({ item: e.typed(e.get(id)!, useOriginal(ctx.params)) });
    },
  },
  'crm.item.update': {
    scope: 'crm',
    handler: (ctx) => {
      const { et, e } = entityOf(ctx);
      const id = mustItem(ctx, e);
      const input = e.fromTyped(itemFields(ctx.params));
      const wc = { userId: ctx.caller.userId, now: ctx.now };
      if (et === 2 && input.CATEGORY_ID !== undefined && int(input.CATEGORY_ID) !== Number(e.get(id)!.CATEGORY_ID)) {
        // A funnel move: the portal reports it only as ONCRMDEALMOVETOCATEGORY, not as ONCRMDEALUPDATE.
        const { CATEGORY_ID, STAGE_ID, ...rest } = input;
        const { rec } = ctx.portal.deals.move(id, int(CATEGORY_ID), STAGE_ID === undefined ? undefined : str(STAGE_ID), wc);
        if (Object.keys(rest).length) e.update(id, rest, wc);
        ctx.emit('ONCRMDEALMOVETOCATEGORY', { FIELDS: { ID: String(id), CATEGORY_ID: String(rec.CATEGORY_ID), STAGE_ID: str(rec.STAGE_ID) } });
      } else {
        e.update(id, input, wc);
        emitItem(ctx, et, 'UPDATE', id);
      }
      return ok({ item: e.typed(e.get(id)!, useOriginal(ctx.params)) });
    },
  },
  'crm.item.delete': {
    scope: 'crm',
    handler: (ctx) => {
      const { et, e } = entityOf(ctx);
      const id = mustItem(ctx, e);
      if (et === 2 || et === 31) ctx.portal.rows.dropOwner(et === 2 ? 'D' : 'SI', id);
      e.delete(id);
      emitItem(ctx, et, 'DELETE', id);
      return ok([]);
    },
  },
  'crm.item.list': {
    scope: 'crm',
    handler: (ctx) => {
      const { e } = entityOf(ctx);
      const orig = useOriginal(ctx.params);
      const cols = e.typedColumns(orig);
      const rows = e.all().map((r) => e.typed(r, orig));
      const pred = compileFilter(param(ctx.params, 'filter'), cols);
      const sorted = sortRows(rows.filter(pred), param(ctx.params, 'order'), cols);
      const { page, next, total } = paginate(sorted, readStart(ctx.params));
      const select = values(param(ctx.params, 'select')).map((x) => str(x));
      const pick = (row: PhpMap): PhpMap => {
        if (select.length === 0 || select.includes('*')) return row;
        // The ORM always returns the id.
        const out: PhpMap = { id: row.id ?? null };
        for (const s of select) {
          const k = Object.keys(row).find((x) => x.toLowerCase() === s.toLowerCase());
          if (k) out[k] = row[k]!;
        }
        return out;
      };
      return { result: { items: page.map(pick) }, next, total };
    },
  },
  'crm.item.fields': {
    scope: 'crm',
    handler: (ctx) => ok({ fields: entityOf(ctx).e.describeTyped() }),
  },
};

/** Owner types of product rows: deals 'D' and smart invoices 'SI'. */
function owner(portal: Portal, ownerType: string, ownerId: number): { recalc: () => void; et: number } | undefined {
  if (ownerType === 'D' && portal.deals.get(ownerId)) return { et: 2, recalc: () => portal.deals.recalc(portal.deals.get(ownerId)!) };
  if (ownerType === 'SI' && portal.smartInvoices.get(ownerId)) return { et: 31, recalc: () => portal.smartInvoices.recalc(portal.smartInvoices.get(ownerId)!) };
  return undefined;
}

function afterRows(ctx: CallCtx, ownerType: string, ownerId: number): void {
  const o = owner(ctx.portal, ownerType, ownerId);
  if (!o) return;
  o.recalc();
  emitItem(ctx, o.et, 'UPDATE', ownerId);
}

function mustOwner(ctx: CallCtx, ownerType: string, ownerId: number): void {
  if (!['D', 'SI'].includes(ownerType)) throw new RestError('ENTITY_TYPE_NOT_SUPPORTED', 'Working with this type of objects is not supported');
  if (!owner(ctx.portal, ownerType, ownerId)) throw errors.notFound('Owner not found');
}

function mustRow(ctx: CallCtx): number {
  const id = int(param(ctx.params, 'id'));
  if (!id) throw new RestError('100', 'Required parameters not provided');
  if (!ctx.portal.rows.byId(id)) throw errors.notFound('Product item not found');
  return id;
}

export const productRowMethods: MethodTable = {
  'crm.item.productrow.add': {
    scope: 'crm',
    handler: (ctx) => {
      const f = upperRow(itemFields(ctx.params));
      const ownerType = str(f.OWNER_TYPE);
      const ownerId = int(f.OWNER_ID);
      mustOwner(ctx, ownerType, ownerId);
      const r = ctx.portal.rows.add(ownerType, ownerId, f);
      afterRows(ctx, ownerType, ownerId);
      return ok({ productRow: renderRowTyped(r) });
    },
  },
  'crm.item.productrow.get': {
    scope: 'crm',
    handler: (ctx) => ok({ productRow: renderRowTyped(ctx.portal.rows.byId(mustRow(ctx))!) }),
  },
  'crm.item.productrow.update': {
    scope: 'crm',
    handler: (ctx) => {
      const id = mustRow(ctx);
      const r = ctx.portal.rows.update(id, upperRow(itemFields(ctx.params)));
      afterRows(ctx, r.OWNER_TYPE, r.OWNER_ID);
      return ok({ productRow: renderRowTyped(r) });
    },
  },
  'crm.item.productrow.delete': {
    scope: 'crm',
    handler: (ctx) => {
      const id = mustRow(ctx);
      const r = ctx.portal.rows.byId(id)!;
      ctx.portal.rows.delete(id);
      afterRows(ctx, r.OWNER_TYPE, r.OWNER_ID);
      return ok(null);
    },
  },
  'crm.item.productrow.list': {
    scope: 'crm',
    handler: (ctx) => {
      const filter = param(ctx.params, 'filter');
      const f = isMap(filter) ? filter : {};
      const ownerType = str(f['=ownerType'] ?? f.ownerType);
      const ownerId = int(f['=ownerId'] ?? f.ownerId);
      if (!ownerType || !ownerId) throw new RestError('100', 'Required parameters not provided');
      mustOwner(ctx, ownerType, ownerId);
      const rows = ctx.portal.rows.of(ownerType, ownerId).map(renderRowTyped);
      const cols: Columns = { kinds: { id: 'int', ownerId: 'int', ownerType: 'string', productId: 'int', productName: 'string', price: 'float', quantity: 'float', sort: 'int', xmlId: 'string' }, offsetMin: ctx.portal.offsetMin };
      const pred = compileFilter(filter, cols);
      const sorted = sortRows(rows.filter(pred), param(ctx.params, 'order'), cols);
      const { page, next, total } = paginate(sorted, readStart(ctx.params));
      return { result: { productRows: page }, next, total };
    },
  },
  'crm.item.productrow.set': {
    scope: 'crm',
    handler: (ctx) => {
      const ownerType = str(param(ctx.params, 'ownerType'));
      const ownerId = int(param(ctx.params, 'ownerId'));
      mustOwner(ctx, ownerType, ownerId);
      const rows = ctx.portal.rows.set(ownerType, ownerId, values(param(ctx.params, 'productRows')).filter(isMap).map(upperRow));
      afterRows(ctx, ownerType, ownerId);
      return ok({ productRows: rows.map(renderRowTyped) });
    },
  },
  'crm.item.productrow.fields': {
    scope: 'crm',
    handler: () => {
      const names = ['id', 'ownerId', 'ownerType', 'productId', 'productName', 'price', 'priceAccount', 'priceExclusive', 'priceNetto', 'priceBrutto', 'quantity', 'discountTypeId', 'discountRate', 'discountSum', 'taxRate', 'taxIncluded', 'customized', 'measureCode', 'measureName', 'sort', 'xmlId', 'type', 'storeId'];
      return ok({ fields: Object.fromEntries(names.map((n) => [n, { type: /price|quantity|discount|taxRate/.test(n) ? 'double' : /Id$|^id$|sort|type|measureCode/.test(n) ? 'integer' : 'string', isRequired: n === 'ownerId' || n === 'ownerType', isReadOnly: n === 'id', isImmutable: false, isMultiple: false, isDynamic: false, title: n }])) });
    },
  },
};

