// Payloads as 1C writes them (reference §1.4–1.5): JSON light v3 (`odata.metadata`, `value`, `/@Element`, Int64 as
// strings, navigation links) or Atom, after one projection step that applies `$select` and `$expand`.
import type { ObjectDef, WireProp } from '../profiles/compile.ts';
import type { Infobase } from '../model/infobase.ts';
import { isEmptyRef, scalar, UNDEFINED_TYPE, type Rec, type Scalar, type Shape } from '../model/record.ts';
import { esc } from '../xml.ts';
import { errors } from './errors.ts';
import { splitTop, type MetadataLevel } from './url.ts';

export interface Selection {
  all: boolean;
  noTables: boolean;
  props: Set<string>;
  tableCols: Map<string, Set<string>>;
  presentations: Set<string>;
  allPresentations: boolean;
  self: boolean;
  nested: Map<string, string[]>;
}

export interface ExpandItem {
  type?: string;
  sub: string[];
}

export type Expansion = Map<string, ExpandItem>;

export function parseSelect(src: string | undefined): Selection {
  const sel: Selection = { all: false, noTables: false, props: new Set(), tableCols: new Map(), presentations: new Set(), allPresentations: false, self: false, nested: new Map() };
  if (src === undefined || !src.trim()) return { ...sel, all: true };
  for (const item of splitTop(src)) {
    if (item === '*') sel.all = true;
    else if (item === '**') {
      sel.all = true;
      sel.noTables = true;
    } else if (item === '*____Presentation') sel.allPresentations = true;
    else if (item === 'Presentation') sel.self = true;
    else if (item.endsWith('____Presentation')) sel.presentations.add(item.slice(0, -'____Presentation'.length));
    else if (item.includes('/')) {
      const [head, ...rest] = item.split('/');
      const list = sel.nested.get(head!) ?? [];
      list.push(rest.join('/'));
      sel.nested.set(head!, list);
    } else sel.props.add(item);
  }
  return sel;
}

/** `$select` entries below a navigation (`Контрагент/ИНН`) become the selection of the expanded entity. */
function subSelection(items: string[] | undefined): Selection {
  return parseSelect(items && items.length ? items.join(',') : undefined);
}

export function parseExpand(src: string | undefined): Expansion {
  const out: Expansion = new Map();
  if (!src) return out;
  for (const item of splitTop(src)) {
    const [head, ...rest] = item.split('/');
    if (!head) throw errors.queryOptions(`$expand=${src}`);
    const cur = out.get(head) ?? { sub: [] };
    // A composite attribute is expanded through an explicit type: `Договор/Document_ДоговорНайма[/…]`.
    if (rest[0] && /^(Catalog|Document|ChartOf\w+|BusinessProcess|Task|ExchangePlan)_/.test(rest[0])) {
      cur.type = rest[0];
      if (rest.length > 1) cur.sub.push(rest.slice(1).join('/'));
    } else if (rest.length) cur.sub.push(rest.join('/'));
    out.set(head, cur);
  }
  return out;
}

export interface PVal {
  name: string;
  edm: string;
  value: Scalar;
}

export interface Projected {
  type: string;
  /** Canonical relative URL of an object (for links, `odata.id`); absent for rows, records and virtual-table rows. */
  url?: string;
  values: PVal[];
  tables: Array<{ name: string; rowType: string; rows: PVal[][] }>;
  expanded: Array<{ name: string; entity: Projected | null }>;
  links: string[];
}

export interface ProjectionContext {
  ib: Infobase;
  base: string;
  meta: MetadataLevel;
}

export function keyUrl(set: string, key: string): string {
  return `${set}(guid'${key}')`;
}

function presentationOf(ctx: ProjectionContext, p: WireProp, rec: Rec): Scalar {
  const a = p.attr;
  if (a.kind === 'ref') return ctx.ib.presentation(a.target!, ctx.ib.get(a.target!, String(rec[`${a.name}_Key`] ?? '')));
  if (a.kind === 'composite') {
    const t = String(rec[`${a.name}_Type`] ?? UNDEFINED_TYPE);
    if (t === UNDEFINED_TYPE) return '';
    if (t.startsWith('StandardODATA.')) return ctx.ib.refPresentation(t, String(rec[a.name]));
    return String(rec[a.name] ?? '');
  }
  const v = rec[p.name];
  if (typeof v === 'boolean') return v ? 'Да' : 'Нет';
  return v === null || v === undefined ? '' : String(v);
}

function checkNames(shape: Shape, sel: Selection, extra: string[] = []): void {
  const known = (n: string) => shape.byWire.has(n) || shape.tables.some((t) => t.name === n) || extra.includes(n);
  for (const n of sel.props) if (!known(n) && !shape.navs.some((x) => x.name === n)) throw errors.propertyNotFound(n);
  for (const head of sel.nested.keys()) {
    const ok = shape.tables.some((t) => t.name === head) || shape.navs.some((x) => x.name === head) || shape.byWire.get(head)?.attr.kind === 'composite';
    if (!ok) throw errors.propertyNotFound(head);
  }
  for (const n of sel.presentations) if (!shape.byWire.has(n) && !shape.byWire.has(`${n}_Key`) && !shape.navs.some((x) => x.name === n)) throw errors.propertyNotFound(`${n}____Presentation`);
}

/** Projects a record of any shape (object, table row, register record, virtual-table row). */
export function project(
  ctx: ProjectionContext,
  o: { type: string; shape: Shape; rec: Rec; url?: string; objectSet?: string; extraProps?: PVal[] },
  sel: Selection,
  exp: Expansion,
  depth = 0,
): Projected {
  const { shape, rec } = o;
  checkNames(shape, sel, o.extraProps?.map((p) => p.name));
  const selected = (p: WireProp) => {
    if (sel.all || sel.props.has(p.name)) return true;
    // Selecting a composite or value-storage attribute brings its `_Type` along.
    return p.role === 'type' && (sel.props.has(p.attr.name) || sel.props.has(`${p.attr.name}_Base64Data`));
  };
  const values: PVal[] = [];
  for (const p of shape.byWire.values()) if (selected(p)) values.push({ name: p.name, edm: p.edm, value: scalar(rec[p.name]) });
  for (const x of o.extraProps ?? []) if (sel.all || sel.props.has(x.name)) values.push(x);
  const presented = new Set<string>();
  for (const p of shape.byWire.values()) {
    const attr = p.attr.name;
    if (presented.has(attr) || p.role === 'type' || p.role === 'base64') continue;
    const wantAll = sel.allPresentations && !['Ref_Key', 'DataVersion', 'LineNumber'].includes(attr);
    if (wantAll || sel.presentations.has(attr)) {
      presented.add(attr);
      values.push({ name: `${attr}____Presentation`, edm: 'Edm.String', value: presentationOf(ctx, p, rec) });
    }
  }
  if (sel.self && o.objectSet) values.push({ name: 'Presentation', edm: 'Edm.String', value: ctx.ib.presentation(o.objectSet, rec) });

  const tables: Projected['tables'] = [];
  for (const t of shape.tables) {
    const cols = sel.nested.get(t.name);
    const whole = (sel.all && !sel.noTables) || sel.props.has(t.name);
    if (!whole && !cols) continue;
    const colSet = whole ? undefined : new Set(cols);
    if (colSet) for (const c of colSet) if (!t.byWire.has(c)) throw errors.propertyNotFound(`${t.name}/${c}`);
    const rows = ((rec[t.name] as Rec[] | undefined) ?? []).map((r) => t.props.filter((p) => !colSet || colSet.has(p.name)).map((p) => ({ name: p.name, edm: p.edm, value: scalar(r[p.name]) })));
    tables.push({ name: t.name, rowType: t.rowType, rows });
  }

  const expanded: Projected['expanded'] = [];
  const expandedNames = new Set<string>();
  if (depth < 4) {
    for (const [name, item] of exp) {
      const nav = shape.navs.find((n) => n.name === name);
      const sub = expansionOf(item.sub);
      if (nav) {
        const key = String(rec[nav.keyProp] ?? '');
        const target = isEmptyRef(key) ? undefined : ctx.ib.get(nav.target, key);
        expanded.push({ name, entity: target ? projectObject(ctx, nav.target, target, subSelection(sel.nested.get(name)), sub, depth + 1) : null });
        expandedNames.add(name);
        continue;
      }
      const comp = shape.byWire.get(name);
      if (comp && comp.attr.kind === 'composite') {
        if (!item.type) throw errors.queryOptions(`реквизит составного типа ${name} раскрывается только с указанием типа`);
        const t = String(rec[`${name}_Type`] ?? '');
        if (t === `StandardODATA.${item.type}`) {
          const target = ctx.ib.get(item.type, String(rec[name]));
          if (target) expanded.push({ name: `${name}_Expanded`, entity: projectObject(ctx, item.type, target, subSelection(sel.nested.get(name)?.map((s) => s.replace(`${item.type}/`, ''))), sub, depth + 1) });
        }
        continue;
      }
      if (name === '*') {
        for (const n of shape.navs) {
          const key = String(rec[n.keyProp] ?? '');
          const target = isEmptyRef(key) ? undefined : ctx.ib.get(n.target, key);
          expanded.push({ name: n.name, entity: target ? projectObject(ctx, n.target, target, parseSelect(undefined), new Map(), depth + 1) : null });
          expandedNames.add(n.name);
        }
        continue;
      }
      throw errors.propertyNotFound(name);
    }
  }
  const links = o.url ? shape.navs.filter((n) => !expandedNames.has(n.name) && values.some((v) => v.name === n.keyProp)).map((n) => n.name) : [];
  return { type: `StandardODATA.${o.type}`, ...(o.url ? { url: o.url } : {}), values, tables, expanded, links };
}

function expansionOf(items: string[]): Expansion {
  return parseExpand(items.length ? items.join(',') : undefined);
}

export function projectObject(ctx: ProjectionContext, set: string, rec: Rec, sel: Selection, exp: Expansion, depth = 0): Projected {
  const def = ctx.ib.model.objects.get(set) as ObjectDef;
  return project(ctx, { type: set, shape: { byWire: def.byWire, navs: def.navs, tables: def.tables }, rec, url: keyUrl(set, String(rec['Ref_Key'])), objectSet: set }, sel, exp, depth);
}

// ---- JSON ------------------------------------------------------------------------------------------------------------

function wire(v: PVal): unknown {
  if (v.value === null) return null;
  // 64-bit integers travel as JSON strings (LineNumber "1"), as in real payloads.
  if (v.edm === 'Edm.Int64') return String(v.value);
  return v.value;
}

export function toJson(ctx: ProjectionContext, p: Projected): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (ctx.meta === 'full') {
    o['odata.type'] = p.type;
    if (p.url) {
      o['odata.id'] = `${ctx.base}${p.url}`;
      o['odata.editLink'] = p.url;
    }
  }
  for (const v of p.values) o[v.name] = wire(v);
  for (const t of p.tables) {
    if (ctx.meta === 'full') o[`${t.name}@odata.type`] = `Collection(StandardODATA.${t.rowType})`;
    o[t.name] = t.rows.map((row) => Object.fromEntries(row.map((v) => [v.name, wire(v)])));
  }
  for (const e of p.expanded) o[e.name] = e.entity ? toJson(ctx, e.entity) : null;
  if (ctx.meta !== 'no' && p.url) for (const l of p.links) o[`${l}@navigationLinkUrl`] = `${p.url}/${l}`;
  return o;
}

export function jsonCollection(ctx: ProjectionContext, contextName: string, items: Projected[], count?: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ctx.meta !== 'no') out['odata.metadata'] = `${ctx.base}$metadata#${contextName}`;
  if (count !== undefined) out['odata.count'] = String(count);
  out['value'] = items.map((i) => toJson(ctx, i));
  return out;
}

export function jsonEntity(ctx: ProjectionContext, contextName: string, item: Projected): Record<string, unknown> {
  const body = toJson(ctx, item);
  return ctx.meta === 'no' ? body : { 'odata.metadata': `${ctx.base}$metadata#${contextName}/@Element`, ...body };
}

// ---- Atom ------------------------------------------------------------------------------------------------------------

const NS_ATTRS =
  'xmlns="http://www.w3.org/2005/Atom" xmlns:at="http://purl.org/atompub/tombstones/1.0" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"';

function atomValue(v: PVal): string {
  const type = v.edm === 'Edm.String' ? '' : ` m:type="${v.edm}"`;
  if (v.value === null) return `<d:${v.name}${type} m:null="true"/>`;
  const text = typeof v.value === 'boolean' ? (v.value ? 'true' : 'false') : String(v.value);
  return text === '' ? `<d:${v.name}${type}/>` : `<d:${v.name}${type}>${esc(text)}</d:${v.name}>`;
}

function atomEntryBody(ctx: ProjectionContext, p: Projected, updated: string): string {
  const props = p.values.map(atomValue).join('');
  const tables = p.tables
    .map((t) => `<d:${t.name} m:type="Collection(StandardODATA.${t.rowType})">${t.rows.map((r) => `<d:element m:type="StandardODATA.${t.rowType}">${r.map(atomValue).join('')}</d:element>`).join('')}</d:${t.name}>`)
    .join('');
  const links: string[] = [];
  if (p.url) {
    links.push(`<link rel="edit" href="${esc(p.url)}" title="edit link"/>`);
    for (const l of p.links) links.push(`<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/${esc(l)}" href="${esc(`${p.url}/${l}`)}" type="application/atom+xml;type=entry" title="${esc(l)}"/>`);
  }
  for (const e of p.expanded) {
    const inline = e.entity ? `<m:inline><entry>${atomEntryBody(ctx, e.entity, updated)}</entry></m:inline>` : '<m:inline/>';
    links.push(`<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/${esc(e.name)}" href="${esc(p.url ? `${p.url}/${e.name}` : e.name)}" type="application/atom+xml;type=entry" title="${esc(e.name)}">${inline}</link>`);
  }
  const id = p.url ? `<id>${esc(ctx.base + p.url)}</id>` : '<id/>';
  return `${id}<category term="${esc(p.type)}" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"/><title type="text"/><updated>${updated}</updated><author/>${links.join('')}<content type="application/xml"><m:properties>${props}${tables}</m:properties></content>`;
}

export function atomEntry(ctx: ProjectionContext, p: Projected): string {
  const updated = new Date().toISOString().slice(0, 19);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<entry ${NS_ATTRS} xml:base="${esc(ctx.base)}">${atomEntryBody(ctx, p, updated)}</entry>`;
}

export function atomFeed(ctx: ProjectionContext, name: string, items: Projected[], count?: number): string {
  const updated = new Date().toISOString().slice(0, 19);
  const entries = items.map((i) => `<entry>${atomEntryBody(ctx, i, updated)}</entry>`).join('');
  const c = count !== undefined ? `<m:count>${count}</m:count>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<feed ${NS_ATTRS} xml:base="${esc(ctx.base)}"><id>${esc(ctx.base + name)}</id><title type="text">${esc(name)}</title><updated>${updated}</updated><author/><link rel="self" href="${esc(name)}" title="${esc(name)}"/>${entries}${c}</feed>`;
}

/** A single property value (`…(guid'…')/Number`): JSON `{"odata.metadata":"…#Edm.String","value":…}` or `<d:Number>`. */
export function propertyJson(ctx: ProjectionContext, v: PVal): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ctx.meta !== 'no') out['odata.metadata'] = `${ctx.base}$metadata#${v.edm}`;
  out['value'] = wire(v);
  return out;
}

export function propertyXml(v: PVal): string {
  const body = atomValue(v).replace(`<d:${v.name}`, `<d:${v.name} xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
