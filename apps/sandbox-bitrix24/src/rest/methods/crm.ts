// Legacy CRM methods (crm.deal.*, crm.company.*, crm.contact.*, crm.requisite.*, crm.product.*, crm.invoice.*): one
// CRUD template with the legacy quirks — empty error codes, "Not found", `fields` must be an array, UPPER_CASE
// strings, list pages of 50 — plus product rows, deal contacts, userfields, funnels, directories and timeline.
import type { Entity } from '../../portal/entity.ts';
import { readId } from '../../portal/entity.ts';
import type { Portal } from '../../portal/portal.ts';
import { renderRowLegacy } from '../../portal/productrows.ts';
import { renderCategory, renderStatus } from '../../portal/statuses.ts';
import { renderUserField } from '../../portal/userfields.ts';
import { ok, type CallCtx, type MethodTable } from '../context.ts';
import type { MethodOutput } from '../envelope.ts';
import { errors, RestError } from '../errors.ts';
import { applySelect, compileFilter, paginate, readStart, sortRows, type Columns } from '../list.ts';
import { int, isMap, param, str, values, type Php, type PhpMap } from '../php.ts';
import { MULTI_TYPES } from '../../portal/core.ts';
import { PAY_SYSTEMS, PERSON_TYPES } from '../../portal/invoices.ts';

export function fieldsParam(p: PhpMap): PhpMap {
  const f = param(p, 'fields');
  if (!isMap(f)) {
    if (Array.isArray(f) && f.length === 0) return {};
    throw errors.fieldsNotArray();
  }
  return f;
}

function checkParams(p: PhpMap): void {
  const v = param(p, 'params');
  if (v !== undefined && !isMap(v) && !(Array.isArray(v) && v.length === 0)) throw errors.legacy("Parameter 'params' must be array.");
}

function filterParam(p: PhpMap): Php | undefined {
  const f = param(p, 'filter');
  if (f !== undefined && f !== '' && !isMap(f) && !Array.isArray(f)) throw errors.legacy("Parameter 'filter' must be array.");
  return f;
}

/** A page of a list: filter → order → page of 50 → select, with `next`/`total` as the server moves them up. */
export function listOf(rows: Array<{ view: PhpMap; cmp: PhpMap }>, p: PhpMap, cols: Columns, select: (row: PhpMap) => PhpMap): MethodOutput {
  const pred = compileFilter(filterParam(p), cols);
  const matched = rows.filter((r) => pred(r.cmp));
  const byCmp = new Map(matched.map((r) => [r.cmp, r.view]));
  const sorted = sortRows(matched.map((r) => r.cmp), param(p, 'order'), cols);
  const { page, next, total } = paginate(sorted, readStart(p));
  return { result: page.map((c) => select(byCmp.get(c)!)), next, total };
}

/** Legacy view plus a flat copy for filtering: multi-fields become their values. */
function legacyRows(e: Entity): Array<{ view: PhpMap; cmp: PhpMap }> {
  return e.all().map((rec) => {
    const view = e.legacy(rec);
    const cmp: PhpMap = { ...view };
    for (const t of MULTI_TYPES) if (Array.isArray(view[t])) cmp[t] = (view[t] as Php[]).map((v) => (isMap(v) ? str(v.VALUE) : str(v)));
    return { view, cmp };
  });
}

function mustGet(e: Entity, p: PhpMap, notFound = 'Not found'): number {
  const id = readId(p);
  if (!id) throw errors.idInvalid();
  if (!e.get(id)) throw errors.legacy(notFound);
  return id;
}

interface CrudOpts {
  prefix: string;
  entity: (p: Portal) => Entity;
  /** Event name stem, e.g. ONCRMDEAL → ONCRMDEALADD/UPDATE/DELETE. */
  events: string[];
  notFound?: string;
  beforeDelete?: (ctx: CallCtx, id: number) => void;
  /** Extra data in the events' FIELDS. */
  eventFields?: (ctx: CallCtx, id: number) => PhpMap;
}

function emitAll(ctx: CallCtx, stems: string[], suffix: string, fields: PhpMap): void {
  // The catalog API's events carry the product TYPE next to the ID (1 = simple product).
  for (const s of stems) ctx.emit(`${s}${suffix}`, { FIELDS: s.startsWith('CATALOG.') ? { ...fields, TYPE: '1' } : fields });
}

export function crud(o: CrudOpts): MethodTable {
  const nf = o.notFound ?? 'Not found';
  const fieldsOf = (ctx: CallCtx, id: number): PhpMap => ({ ID: String(id), ...(o.eventFields?.(ctx, id) ?? {}) });
  return {
    [`${o.prefix}.add`]: {
      scope: 'crm',
      handler: (ctx) => {
        const f = fieldsParam(ctx.params);
        checkParams(ctx.params);
        const rec = o.entity(ctx.portal).create(f, { userId: ctx.caller.userId, now: ctx.now });
        emitAll(ctx, o.events, 'ADD', fieldsOf(ctx, rec.ID));
        return ok(rec.ID);
      },
    },
    [`${o.prefix}.get`]: {
      scope: 'crm',
      handler: (ctx) => {
        const e = o.entity(ctx.portal);
        const id = mustGet(e, ctx.params, nf);
        return ok(e.legacy(e.get(id)!));
      },
    },
    [`${o.prefix}.update`]: {
      scope: 'crm',
      handler: (ctx) => {
        const e = o.entity(ctx.portal);
        const id = mustGet(e, ctx.params, nf);
        const f = fieldsParam(ctx.params);
        checkParams(ctx.params);
        e.update(id, f, { userId: ctx.caller.userId, now: ctx.now });
        emitAll(ctx, o.events, 'UPDATE', fieldsOf(ctx, id));
        return ok(true);
      },
    },
    [`${o.prefix}.delete`]: {
      scope: 'crm',
      handler: (ctx) => {
        const e = o.entity(ctx.portal);
        const id = mustGet(e, ctx.params, nf);
        const fields = fieldsOf(ctx, id);
        o.beforeDelete?.(ctx, id);
        e.delete(id);
        emitAll(ctx, o.events, 'DELETE', fields);
        return ok(true);
      },
    },
    [`${o.prefix}.list`]: {
      scope: 'crm',
      handler: (ctx) => {
        const e = o.entity(ctx.portal);
        const sel = e.selectable();
        return listOf(legacyRows(e), ctx.params, e.columns(), (row) => applySelect(row, param(ctx.params, 'select'), { ...sel, defaults: ['*', 'UF_*'] }));
      },
    },
    [`${o.prefix}.fields`]: { scope: 'crm', handler: (ctx) => ok(o.entity(ctx.portal).describeFields()) },
  };
}

/** crm.<entity>.userfield.add/get/list/update/delete. */
function userfields(prefix: string, entityId: string, event: string): MethodTable {
  const get = (ctx: CallCtx): number => {
    const id = readId(ctx.params);
    if (!id) throw errors.idInvalid();
    const u = ctx.portal.core.userfields.byId(id);
    if (!u || u.ENTITY_ID !== entityId) throw errors.legacy('The UserField is not found.');
    return id;
  };
  return {
    [`${prefix}.userfield.add`]: {
      scope: 'crm',
      handler: (ctx) => {
        const id = ctx.portal.core.userfields.add(entityId, fieldsParam(ctx.params));
        const u = ctx.portal.core.userfields.byId(id)!;
        ctx.emit(`${event}USERFIELDADD`, { FIELDS: { ID: String(id), ENTITY_ID: entityId, FIELD_NAME: u.FIELD_NAME } });
        return ok(id);
      },
    },
    [`${prefix}.userfield.get`]: { scope: 'crm', handler: (ctx) => ok(renderUserField(ctx.portal.core.userfields.byId(get(ctx))!)) },
    [`${prefix}.userfield.list`]: {
      scope: 'crm',
      handler: (ctx) => {
        const rows = ctx.portal.core.userfields.of(entityId).map(renderUserField);
        const cols: Columns = { kinds: { ID: 'int', ENTITY_ID: 'string', FIELD_NAME: 'string', USER_TYPE_ID: 'string', XML_ID: 'string', SORT: 'int', MULTIPLE: 'bool', MANDATORY: 'bool' }, offsetMin: ctx.portal.offsetMin };
        const pred = compileFilter(filterParam(ctx.params), cols);
        return ok(sortRows(rows.filter(pred), param(ctx.params, 'order'), cols));
      },
    },
    [`${prefix}.userfield.update`]: {
      scope: 'crm',
      handler: (ctx) => {
        const u = ctx.portal.core.userfields.byId(get(ctx))!;
        const f = fieldsParam(ctx.params);
        for (const k of ['EDIT_FORM_LABEL', 'LIST_COLUMN_LABEL', 'LIST_FILTER_LABEL', 'ERROR_MESSAGE', 'HELP_MESSAGE'] as const) if (param(f, k) !== undefined) u[k] = param(f, k) ?? null;
        if (param(f, 'XML_ID') !== undefined) u.XML_ID = str(param(f, 'XML_ID'));
        if (param(f, 'SORT') !== undefined) u.SORT = int(param(f, 'SORT'));
        if (param(f, 'MANDATORY') !== undefined) u.MANDATORY = str(param(f, 'MANDATORY')) === 'Y' ? 'Y' : 'N';
        if (isMap(param(f, 'SETTINGS'))) u.SETTINGS = param(f, 'SETTINGS') as PhpMap;
        ctx.emit(`${event}USERFIELDUPDATE`, { FIELDS: { ID: String(u.ID), ENTITY_ID: entityId, FIELD_NAME: u.FIELD_NAME } });
        return ok(true);
      },
    },
    [`${prefix}.userfield.delete`]: {
      scope: 'crm',
      handler: (ctx) => {
        const id = get(ctx);
        const u = ctx.portal.core.userfields.byId(id)!;
        ctx.portal.core.userfields.remove(id);
        ctx.emit(`${event}USERFIELDDELETE`, { FIELDS: { ID: String(id), ENTITY_ID: entityId, FIELD_NAME: u.FIELD_NAME } });
        return ok(true);
      },
    },
  };
}

function rowsParam(p: PhpMap): PhpMap[] {
  const rows = param(p, 'rows');
  if (rows === undefined || rows === '' ) return [];
  if (!Array.isArray(rows) && !isMap(rows)) throw errors.legacy("Parameter 'rows' must be array.");
  return values(rows).filter(isMap);
}

const dealMethods: MethodTable = {
  ...crud({
    prefix: 'crm.deal',
    entity: (p) => p.deals,
    events: ['ONCRMDEAL'],
    beforeDelete: (ctx, id) => ctx.portal.rows.dropOwner('D', id),
  }),
  ...userfields('crm.deal', 'CRM_DEAL', 'ONCRMDEAL'),
  'crm.deal.productrows.get': {
    scope: 'crm',
    handler: (ctx) => {
      const id = mustGet(ctx.portal.deals, ctx.params, 'Not found.');
      return ok(ctx.portal.rows.of('D', id).map(renderRowLegacy));
    },
  },
  'crm.deal.productrows.set': {
    scope: 'crm',
    handler: (ctx) => {
      const id = mustGet(ctx.portal.deals, ctx.params, 'Not found.');
      ctx.portal.rows.set('D', id, rowsParam(ctx.params));
      // The deal's amount follows its rows; the portal saves the deal, which is an ONCRMDEALUPDATE (UNCONFIRMED).
      ctx.portal.deals.update(id, {}, { userId: ctx.caller.userId, now: ctx.now });
      ctx.emit('ONCRMDEALUPDATE', { FIELDS: { ID: String(id) } });
      return ok(true);
    },
  },
  'crm.deal.contact.items.get': {
    scope: 'crm',
    handler: (ctx) => {
      const id = mustGet(ctx.portal.deals, ctx.params);
      const ids = values(ctx.portal.deals.get(id)!.CONTACT_IDS);
      return ok(ids.map((c, i) => ({ CONTACT_ID: Number(c), SORT: (i + 1) * 10, ROLE_ID: 0, IS_PRIMARY: i === 0 ? 'Y' : 'N' })));
    },
  },
  'crm.deal.contact.items.set': {
    scope: 'crm',
    handler: (ctx) => {
      const id = mustGet(ctx.portal.deals, ctx.params);
      const items = values(param(ctx.params, 'items')).filter(isMap);
      const primary = items.find((i) => str(param(i, 'IS_PRIMARY')) === 'Y');
      const ids = items.map((i) => int(param(i, 'CONTACT_ID'))).filter((x) => x > 0);
      const ordered = primary ? [int(param(primary, 'CONTACT_ID')), ...ids.filter((x) => x !== int(param(primary, 'CONTACT_ID')))] : ids;
      ctx.portal.deals.update(id, { CONTACT_IDS: ordered }, { userId: ctx.caller.userId, now: ctx.now });
      ctx.emit('ONCRMDEALUPDATE', { FIELDS: { ID: String(id) } });
      return ok(true);
    },
  },
};

const companyContact: MethodTable = {
  ...crud({ prefix: 'crm.company', entity: (p) => p.companies, events: ['ONCRMCOMPANY'] }),
  ...userfields('crm.company', 'CRM_COMPANY', 'ONCRMCOMPANY'),
  ...crud({ prefix: 'crm.contact', entity: (p) => p.contacts, events: ['ONCRMCONTACT'] }),
  ...userfields('crm.contact', 'CRM_CONTACT', 'ONCRMCONTACT'),
};

const requisites: MethodTable = {
  ...crud({ prefix: 'crm.requisite', entity: (p) => p.requisites, events: ['ONCRMREQUISITE'] }),
  'crm.requisite.preset.list': {
    scope: 'crm',
    handler: (ctx) => {
      const rows = ctx.portal.requisites.presets.map((p) => ({ ID: String(p.ID), ENTITY_TYPE_ID: String(p.ENTITY_TYPE_ID), COUNTRY_ID: String(p.COUNTRY_ID), NAME: p.NAME, ACTIVE: p.ACTIVE, SORT: String(p.SORT), XML_ID: p.XML_ID }));
      const cols: Columns = { kinds: { ID: 'int', ENTITY_TYPE_ID: 'int', COUNTRY_ID: 'int', NAME: 'string', ACTIVE: 'bool', SORT: 'int', XML_ID: 'string' }, offsetMin: ctx.portal.offsetMin };
      return listOf(rows.map((r) => ({ view: r, cmp: r })), ctx.params, cols, (r) => applySelect(r, param(ctx.params, 'select'), { plain: Object.keys(r), uf: [], defaults: ['*'] }));
    },
  },
};

const products: MethodTable = crud({ prefix: 'crm.product', entity: (p) => p.products, events: ['ONCRMPRODUCT', 'CATALOG.PRODUCT.ON.'], eventFields: () => ({}) });

const invoices: MethodTable = {
  ...crud({ prefix: 'crm.invoice', entity: (p) => p.invoices, events: ['ONCRMINVOICE'], notFound: 'Not found.' }),
  'crm.invoice.fields': { scope: 'crm', handler: (ctx) => ok(ctx.portal.invoices.describeFields()) },
  'crm.invoice.status.list': {
    scope: 'crm',
    handler: (ctx) => ok(ctx.portal.statuses.statuses.filter((s) => s.ENTITY_ID === 'INVOICE_STATUS').map(renderStatus)),
  },
  'crm.persontype.list': { scope: 'crm', handler: () => ok(PERSON_TYPES.map((t) => ({ ID: String(t.ID), NAME: t.NAME }))) },
  'crm.paysystem.list': { scope: 'crm', handler: () => ok(PAY_SYSTEMS.map((s) => ({ ID: String(s.ID), NAME: s.NAME, PERSON_TYPE_ID: String(s.PERSON_TYPE_ID), ACTIVE: s.ACTIVE, SORT: String(s.SORT), ACTION_FILE: s.ACTION_FILE }))) },
};

// Old invoices also announce a status change on its own event.
const invoiceUpdate = invoices['crm.invoice.update']!.handler;
invoices['crm.invoice.update'] = {
  scope: 'crm',
  handler: (ctx) => {
    const id = readId(ctx.params);
    const before = id ? ctx.portal.invoices.get(id)?.STATUS_ID : undefined;
    const out = invoiceUpdate(ctx);
    const after = ctx.portal.invoices.get(id)?.STATUS_ID;
    if (before !== after) ctx.emit('ONCRMINVOICESETSTATUS', { FIELDS: { ID: String(id), STATUS_ID: str(after ?? '') } });
    return out;
  },
};

/** Funnels (crm.category.*, typed) and directories (crm.status.*, legacy strings). */
const directories: MethodTable = {
  'crm.category.list': {
    scope: 'crm',
    handler: (ctx) => {
      const et = int(param(ctx.params, 'entityTypeId'));
      if (et !== 2 && et !== 31) throw errors.notFound('Smart process not found');
      const cats = ctx.portal.statuses.categories.filter((c) => c.entityTypeId === et).sort((a, b) => a.sort - b.sort || a.id - b.id);
      return { result: { categories: cats.map(renderCategory) }, total: cats.length };
    },
  },
  'crm.category.get': {
    scope: 'crm',
    handler: (ctx) => {
      const c = ctx.portal.statuses.category(int(param(ctx.params, 'entityTypeId')), int(param(ctx.params, 'id')));
      if (!c) throw errors.notFound('Category not found');
      return ok({ category: renderCategory(c) });
    },
  },
  'crm.category.add': {
    scope: 'crm',
    handler: (ctx) => {
      const et = int(param(ctx.params, 'entityTypeId'));
      if (et !== 2 && et !== 31) throw errors.notFound('Smart process not found');
      const f = param(ctx.params, 'fields');
      const name = isMap(f) ? str(param(f, 'name')) : '';
      if (!name) throw errors.crmFieldValue('name');
      const c = ctx.portal.statuses.addCategory(et, name, isMap(f) ? int(param(f, 'sort') ?? 500) || 500 : 500);
      return ok({ category: renderCategory(c) });
    },
  },
  'crm.category.update': {
    scope: 'crm',
    handler: (ctx) => {
      const c = ctx.portal.statuses.category(int(param(ctx.params, 'entityTypeId')), int(param(ctx.params, 'id')));
      if (!c) throw errors.notFound('Category not found');
      const f = param(ctx.params, 'fields');
      if (isMap(f)) {
        if (param(f, 'name') !== undefined) c.name = str(param(f, 'name'));
        if (param(f, 'sort') !== undefined) c.sort = int(param(f, 'sort'));
      }
      return ok({ category: renderCategory(c) });
    },
  },
  'crm.category.delete': {
    scope: 'crm',
    handler: (ctx) => {
      const et = int(param(ctx.params, 'entityTypeId'));
      const c = ctx.portal.statuses.category(et, int(param(ctx.params, 'id')));
      if (!c) throw errors.notFound('Category not found');
      if (c.isDefault === 'Y') throw new RestError('CATEGORY_CANNOT_BE_DELETED', 'The default pipeline cannot be deleted');
      const entity = ctx.portal.entity(et);
      if (entity?.all().some((r) => Number(r.CATEGORY_ID) === c.id)) throw new RestError('CATEGORY_IS_NOT_EMPTY', 'The pipeline contains items');
      ctx.portal.statuses.removeCategory(c.id);
      return ok(null);
    },
  },
  'crm.status.list': {
    scope: 'crm',
    handler: (ctx) => {
      const rows = ctx.portal.statuses.statuses.map(renderStatus);
      const cols: Columns = { kinds: { ID: 'int', ENTITY_ID: 'enum', STATUS_ID: 'enum', NAME: 'string', SORT: 'int', SYSTEM: 'bool', CATEGORY_ID: 'int', SEMANTICS: 'enum' }, offsetMin: ctx.portal.offsetMin };
      const pred = compileFilter(filterParam(ctx.params), cols);
      const order = param(ctx.params, 'order');
      const sorted = sortRows(rows.filter(pred), isMap(order) ? order : { SORT: 'ASC' }, cols);
      return { result: sorted, total: sorted.length };
    },
  },
  'crm.status.entity.types': {
    scope: 'crm',
    handler: (ctx) => {
      const ids = [...new Set(ctx.portal.statuses.statuses.map((s) => s.ENTITY_ID))];
      return ok(ids.map((id) => ({ ID: id, NAME: id, ...(/STAGE/.test(id) ? { SEMANTIC_INFO: { START_FIELD: '', FINAL_SUCCESS_FIELD: '', FINAL_UNSUCCESS_FIELD: '', FINAL_SORT: 0 } } : {}) })));
    },
  },
  'crm.dealcategory.list': {
    scope: 'crm',
    handler: (ctx) => {
      const cats = ctx.portal.statuses.categories.filter((c) => c.entityTypeId === 2 && c.id > 0);
      return { result: cats.map((c) => ({ ID: String(c.id), CREATED_DATE: ctx.portal.iso(ctx.now), NAME: c.name, IS_LOCKED: 'N', SORT: String(c.sort) })), total: cats.length };
    },
  },
  'crm.dealcategory.stage.list': {
    scope: 'crm',
    handler: (ctx) => ok(ctx.portal.statuses.stages(2, int(param(ctx.params, 'id'))).map((s) => ({ NAME: s.NAME, SORT: String(s.SORT), STATUS_ID: s.STATUS_ID }))),
  },
};

/** ENTITY_TYPE strings of crm.timeline.comment.add; `smart_invoice` for entityTypeId 31 is UNCONFIRMED. */
const TIMELINE_TYPES: Record<string, number> = { lead: 1, deal: 2, contact: 3, company: 4, invoice: 5, smart_invoice: 31, order: 14 };

const timeline: MethodTable = {
  'crm.timeline.comment.add': {
    scope: 'crm',
    handler: (ctx) => {
      // Since crm 23.100.0 only the lowercase key is read.
      const f = ctx.params.fields;
      if (!isMap(f)) throw new RestError('100', 'Could not find value for parameter {fields} (internal error)');
      const entityId = int(param(f, 'ENTITY_ID'));
      const type = str(param(f, 'ENTITY_TYPE')).toLowerCase();
      const comment = str(param(f, 'COMMENT'));
      if (!entityId || !type) throw new RestError('100', 'Required fields are not provided');
      const et = TIMELINE_TYPES[type] ?? (/^dynamic_(\d+)$/.exec(type) ? Number(/^dynamic_(\d+)$/.exec(type)![1]) : 0);
      const owner = ctx.portal.entity(et);
      const exists = et === 5 ? ctx.portal.invoices.get(entityId) : owner?.get(entityId);
      if (!exists) throw new RestError('OWNER_NOT_FOUND', 'Owner of the item not found');
      if (comment.trim() === '') throw new RestError('INVALID_ARG_VALUE', 'Empty comment');
      const files = values(param(f, 'FILES')).map((x) => values(x).map((y) => str(y)));
      const id = ctx.portal.core.nextId('timeline');
      ctx.portal.timeline.push({
        ID: id, CREATED: ctx.now, ENTITY_ID: entityId, ENTITY_TYPE: type, AUTHOR_ID: int(param(f, 'AUTHOR_ID')) || ctx.caller.userId, COMMENT: comment,
        FILES: files.filter((x) => x.length >= 2).map(([name, b64]) => ({ name: name!, size: Buffer.from(b64!, 'base64').length, content: b64! })),
      });
      ctx.emit('ONCRMTIMELINECOMMENTADD', { FIELDS: { ID: String(id) } });
      return ok(id);
    },
  },
  'crm.timeline.comment.get': {
    scope: 'crm',
    handler: (ctx) => {
      const c = ctx.portal.timeline.find((t) => t.ID === readId(ctx.params));
      if (!c) throw errors.notFound('Not found.');
      return ok(renderComment(ctx, c));
    },
  },
  'crm.timeline.comment.list': {
    scope: 'crm',
    handler: (ctx) => {
      const rows = ctx.portal.timeline.map((c) => renderComment(ctx, c));
      const cols: Columns = { kinds: { ID: 'int', ENTITY_ID: 'int', ENTITY_TYPE: 'string', AUTHOR_ID: 'int', CREATED: 'date' }, offsetMin: ctx.portal.offsetMin };
      return listOf(rows.map((r) => ({ view: r, cmp: r })), ctx.params, cols, (r) => r);
    },
  },
  'crm.timeline.comment.delete': {
    scope: 'crm',
    handler: (ctx) => {
      const id = readId(ctx.params);
      if (!ctx.portal.timeline.some((t) => t.ID === id)) throw errors.notFound('Not found.');
      ctx.portal.timeline = ctx.portal.timeline.filter((t) => t.ID !== id);
      ctx.emit('ONCRMTIMELINECOMMENTDELETE', { FIELDS: { ID: String(id) } });
      return ok(null);
    },
  },
};

function renderComment(ctx: CallCtx, c: { ID: number; CREATED: number; ENTITY_ID: number; ENTITY_TYPE: string; AUTHOR_ID: number; COMMENT: string; FILES: Array<{ name: string; size: number }> }): PhpMap {
  return { ID: String(c.ID), CREATED: ctx.portal.iso(c.CREATED), ENTITY_ID: String(c.ENTITY_ID), ENTITY_TYPE: c.ENTITY_TYPE, AUTHOR_ID: String(c.AUTHOR_ID), COMMENT: c.COMMENT, FILES: c.FILES.length ? c.FILES.map((f, i) => ({ id: i + 1, name: f.name, size: f.size })) : [] };
}

export const crmMethods: MethodTable = { ...dealMethods, ...companyContact, ...requisites, ...products, ...invoices, ...directories, ...timeline };
