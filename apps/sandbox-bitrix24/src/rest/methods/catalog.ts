// catalog.product.*: the same products as crm.product.*, through the catalog module's typed API — results wrapped
// as `element` / `product` / `products`, `iblockId` required in fields and filter, `id` and `iblockId` required in
// select, numeric error codes (200040300000 …) as the catalog module sends them.
import { ok, type CallCtx, type MethodTable } from '../context.ts';
import { RestError } from '../errors.ts';
import { compileFilter, paginate, readStart, sortRows } from '../list.ts';
import { int, isMap, param, str, values, type PhpMap } from '../php.ts';

function fieldsOf(p: PhpMap): PhpMap {
  const f = param(p, 'fields');
  if (!isMap(f) || Object.keys(f).length === 0) throw new RestError(100, 'Parameter fields not specified or empty');
  return f;
}

function checkIblock(ctx: CallCtx, iblockId: number): void {
  if (iblockId !== ctx.portal.settings.catalogId) throw new RestError(200040300000, 'Information block with the specified identifier does not exist');
}

function mustProduct(ctx: CallCtx): number {
  const v = param(ctx.params, 'id');
  if (v === undefined || v === '') throw new RestError(100, 'Parameter id not specified');
  const id = int(v);
  // UNCONFIRMED wording; the docs give code 0 for a missing product.
  if (!ctx.portal.products.get(id)) throw new RestError(0, 'Product is not exists');
  return id;
}

function emit(ctx: CallCtx, action: 'ADD' | 'UPDATE' | 'DELETE', id: number): void {
  ctx.emit(`CATALOG.PRODUCT.ON.${action}`, { FIELDS: { ID: String(id), TYPE: '1' } });
  ctx.emit(`ONCRMPRODUCT${action}`, { FIELDS: { ID: String(id) } });
}

export const catalogMethods: MethodTable = {
  'catalog.product.add': {
    scope: 'catalog',
    handler: (ctx) => {
      const f = fieldsOf(ctx.params);
      if (f.iblockId === undefined || !str(f.name)) throw new RestError(0, 'Required fields are not provided');
      checkIblock(ctx, int(f.iblockId));
      const p = ctx.portal.products;
      const rec = p.create(p.fromCatalog(f), { userId: ctx.caller.userId, now: ctx.now });
      emit(ctx, 'ADD', rec.ID);
      return ok({ element: p.catalogView(rec) });
    },
  },
  'catalog.product.get': {
    scope: 'catalog',
    handler: (ctx) => ok({ product: ctx.portal.products.catalogView(ctx.portal.products.get(mustProduct(ctx))!) }),
  },
  'catalog.product.update': {
    scope: 'catalog',
    handler: (ctx) => {
      const id = mustProduct(ctx);
      const p = ctx.portal.products;
      p.update(id, p.fromCatalog(fieldsOf(ctx.params)), { userId: ctx.caller.userId, now: ctx.now });
      emit(ctx, 'UPDATE', id);
      return ok({ element: p.catalogView(p.get(id)!) });
    },
  },
  'catalog.product.delete': {
    scope: 'catalog',
    handler: (ctx) => {
      const id = mustProduct(ctx);
      ctx.portal.products.delete(id);
      emit(ctx, 'DELETE', id);
      return ok(true);
    },
  },
  'catalog.product.list': {
    scope: 'catalog',
    handler: (ctx) => {
      const select = values(param(ctx.params, 'select')).map((x) => str(x));
      if (!select.includes('id') || !select.includes('iblockId')) throw new RestError(0, 'Required select fields: id, iblockId');
      const filter = param(ctx.params, 'filter');
      if (!isMap(filter) || filter.iblockId === undefined) throw new RestError(0, 'Required filter fields: iblockId');
      checkIblock(ctx, int(filter.iblockId));
      const p = ctx.portal.products;
      const cols = { kinds: p.catalogKinds(), offsetMin: ctx.portal.offsetMin };
      const rows = p.all().map((r) => p.catalogView(r));
      const pred = compileFilter(filter, cols);
      const sorted = sortRows(rows.filter(pred), param(ctx.params, 'order'), cols);
      const { page, next, total } = paginate(sorted, readStart(ctx.params));
      const pick = (row: PhpMap): PhpMap => (select.includes('*') ? row : Object.fromEntries(select.filter((s) => s in row).map((s) => [s, row[s]!])));
      return { result: { products: page.map(pick) }, next, total };
    },
  },
  'catalog.product.getfieldsbyfilter': {
    scope: 'catalog',
    handler: (ctx) => ok({ product: ctx.portal.products.describeTyped() }),
  },
};
