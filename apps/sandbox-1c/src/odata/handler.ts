// The standard OData interface of one infobase: resolves `<Resource>(key)/…`, applies query options with 1C's quirks,
// performs writes and Post/Unpost, and answers errors in 1C's `odata.error` / `<m:error>` format.
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxResponse } from '@esb/sandbox-kit';
import type { ObjectDef, RegisterDef, TableDef, VirtualTable } from '../profiles/compile.ts';
import { buildMetadata, publishedSets, serviceDocumentAtom, serviceDocumentJson } from '../profiles/metadata.ts';
import type { Infobase, UserSpec } from '../model/infobase.ts';
import { isEmptyRef, scalar, type Rec, type Shape } from '../model/record.ts';
import { computeVirtualTable, recordShape, virtualTableShape } from '../model/registers.ts';
import { coerceDate } from '../model/values.ts';
import { errorJson, errorXml, errors, ODataError } from './errors.ts';
import { Evaluator, orderValue, type EvalEnv, type Scope } from './evaluate.ts';
import { parseFilter, parseOrderBy, splitFunctionParams, splitKeyList, type Lit } from './filter.ts';
import {
  atomEntry,
  atomFeed,
  jsonCollection,
  jsonEntity,
  keyUrl,
  parseExpand,
  parseSelect,
  project,
  projectObject,
  propertyJson,
  propertyXml,
  type Expansion,
  type Projected,
  type ProjectionContext,
  type PVal,
  type Selection,
} from './serialize.ts';
import { negotiate, parseQuery, parseResourcePath, type Format, type QueryOptions, type Segment } from './url.ts';

export interface ODataRequest {
  method: string;
  /** Decoded path after `…/standard.odata/` ('' for the service document). */
  path: string;
  search: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Absolute URL of the service root, ending with `/`. */
  base: string;
  user: UserSpec;
}

const JSON_CT = 'application/json;charset=utf-8';
const COMMON = { DataServiceVersion: '3.0' };

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': JSON_CT, ...COMMON, ...headers }, body: JSON.stringify(body) };
}

function xmlResponse(status: number, body: string, contentType: string, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': contentType, ...COMMON, ...headers }, body };
}

export function errorResponse(e: ODataError, json: boolean): SandboxResponse {
  return json ? { status: e.status, headers: { 'content-type': JSON_CT, ...COMMON }, body: errorJson(e) } : { status: e.status, headers: { 'content-type': 'application/xml;charset=utf-8', ...COMMON }, body: errorXml(e) };
}

interface Row {
  rec: Rec;
  shape: Shape;
  set?: string;
  project(sel: Selection, exp: Expansion): Projected;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export class ODataHandler {
  private readonly ev: Evaluator;

  constructor(private readonly ib: Infobase) {
    const env: EvalEnv = {
      lookup: (set, key) => ib.lookup(set, key),
      isSet: (name) => ib.model.objects.has(name),
      shapeOf: (set) => ib.shapeOf(set),
    };
    this.ev = new Evaluator(env);
  }

  async handle(r: ODataRequest): Promise<SandboxResponse> {
    let fmt: Format = { kind: 'atom', meta: 'minimal' };
    try {
      fmt = negotiate(r.search.get('$format'), typeof r.headers.accept === 'string' ? r.headers.accept : undefined);
      const q = parseQuery(r.search);
      return await this.dispatch(r, q, fmt);
    } catch (e) {
      if (e instanceof ODataError) return errorResponse(e, fmt.kind === 'json');
      throw e;
    }
  }

  private ctx(r: ODataRequest, fmt: Format): ProjectionContext {
    return { ib: this.ib, base: r.base, meta: fmt.meta };
  }

  private async dispatch(r: ODataRequest, q: QueryOptions, fmt: Format): Promise<SandboxResponse> {
    const segs = parseResourcePath(r.path);
    const sets = () => publishedSets(this.ib.model, { has: (s) => this.ib.isPublished(s) });
    if (!segs.length) {
      if (r.method !== 'GET') throw errors.methodNotAllowed(r.method);
      return fmt.kind === 'json' ? jsonResponse(200, serviceDocumentJson(r.base, sets())) : xmlResponse(200, serviceDocumentAtom(r.base, sets()), 'application/atomsvc+xml;charset=utf-8');
    }
    const [first, ...rest] = segs as [Segment, ...Segment[]];
    if (first.name === '$metadata') {
      if (r.method !== 'GET') throw errors.methodNotAllowed(r.method);
      // `$metadata` exists only as XML; an explicit JSON request is refused (Accept is ignored, as clients send it globally).
      if (q.format !== null && fmt.kind === 'json') throw errors.representation('$metadata доступен только в формате XML');
      return xmlResponse(200, buildMetadata(this.ib.model, { has: (s) => this.ib.isPublished(s) }), 'application/xml;charset=utf-8');
    }
    if (first.name === '$batch') throw errors.notSupported('$batch');
    if (WRITE_METHODS.has(r.method) && r.user.readOnly) throw errors.rights(`У пользователя "${r.user.name}" нет права на изменение данных`);
    const resolved = this.ib.model.resolve(first.name);
    if (!resolved || !this.ib.isPublished(resolved.def.set)) throw errors.typeNotFound(first.name);
    switch (resolved.type) {
      case 'object':
        return this.objectResource(r, q, fmt, resolved.def, first, rest);
      case 'table':
        return this.tableResource(r, q, fmt, resolved.def, resolved.table, first, rest);
      case 'recordSets':
        return this.recordSetResource(r, q, fmt, resolved.def, first, rest);
      case 'records':
        return this.recordResource(r, q, fmt, resolved.def, first, rest);
    }
  }

  // ---- collections ------------------------------------------------------------------------------------------------

  private list(r: ODataRequest, q: QueryOptions, fmt: Format, contextName: string, rows: Row[], shape?: Shape): SandboxResponse {
    const filter = q.filter !== undefined && q.filter.trim() ? parseFilter(q.filter) : undefined;
    const sh = shape ?? rows[0]?.shape;
    if (filter && sh) this.ev.validate(filter, sh);
    let out = filter ? rows.filter((row) => this.ev.test(filter, this.scope(row))) : rows;
    const count = q.inlinecount ? out.length : undefined;
    if (q.orderby) {
      const items = parseOrderBy(q.orderby);
      if (sh) for (const it of items) this.ev.validate(it.expr, sh);
      const keyed = out.map((row, i) => ({ row, i, keys: items.map((it) => this.ev.eval(it.expr, this.scope(row))) }));
      keyed.sort((a, b) => {
        for (let k = 0; k < items.length; k++) {
          const c = orderValue(a.keys[k]!, b.keys[k]!);
          if (c) return items[k]!.desc ? -c : c;
        }
        return a.i - b.i;
      });
      out = keyed.map((k) => k.row);
    }
    // 1C: with $inlinecount the whole result comes back — $skip and $top are ignored (reference §1.7, gotcha 2).
    if (!q.inlinecount) {
      if (q.skip) out = out.slice(q.skip);
      if (q.top !== undefined) out = out.slice(0, q.top);
    }
    const sel = parseSelect(q.select);
    const exp = parseExpand(q.expand);
    const projected = out.map((row) => row.project(sel, exp));
    const ctx = this.ctx(r, fmt);
    if (fmt.kind === 'json') return jsonResponse(200, jsonCollection(ctx, contextName, projected, count));
    return xmlResponse(200, atomFeed(ctx, contextName, projected, count), 'application/atom+xml;type=feed;charset=utf-8');
  }

  private count(r: ODataRequest, q: QueryOptions, rows: Row[], shape?: Shape): SandboxResponse {
    if (r.method !== 'GET') throw errors.methodNotAllowed(r.method);
    const filter = q.filter !== undefined && q.filter.trim() ? parseFilter(q.filter) : undefined;
    const sh = shape ?? rows[0]?.shape;
    if (filter && sh) this.ev.validate(filter, sh);
    const n = filter ? rows.filter((row) => this.ev.test(filter, this.scope(row))).length : rows.length;
    // Some servers prefix the plain-text count with a UTF-8 BOM; clients must cope.
    return { status: 200, headers: { 'content-type': 'text/plain;charset=utf-8', ...COMMON }, body: `${this.ib.countBom ? '\ufeff' : ''}${n}` };
  }

  private scope(row: Row): Scope {
    return { shape: row.shape, data: row.rec, ...(row.set ? { set: row.set } : {}) };
  }

  private single(r: ODataRequest, fmt: Format, contextName: string, p: Projected, status = 200, headers: Record<string, string> = {}): SandboxResponse {
    const ctx = this.ctx(r, fmt);
    if (fmt.kind === 'json') return jsonResponse(status, jsonEntity(ctx, contextName, p), headers);
    return xmlResponse(status, atomEntry(ctx, p), 'application/atom+xml;type=entry;charset=utf-8', headers);
  }

  // ---- objects ----------------------------------------------------------------------------------------------------

  private objectRow(def: ObjectDef, rec: Rec, r: ODataRequest, fmt: Format): Row {
    return {
      rec,
      shape: { byWire: def.byWire, navs: def.navs, tables: def.tables },
      set: def.set,
      project: (sel, exp) => projectObject(this.ctx(r, fmt), def.set, rec, sel, exp),
    };
  }

  private objectKey(def: ObjectDef, args: string): string {
    const k = splitKeyList(args);
    const lit = k.positional ?? k.named.get('Ref_Key');
    if (!lit) throw errors.keyMissing(def.set);
    if (lit.t !== 'guid') throw errors.badUrl(`ключ ${def.set} должен быть guid'…'`);
    return lit.v;
  }

  private async objectResource(r: ODataRequest, q: QueryOptions, fmt: Format, def: ObjectDef, first: Segment, rest: Segment[]): Promise<SandboxResponse> {
    const ib = this.ib;
    if (first.args === undefined) {
      if (!rest.length) {
        if (r.method === 'GET') return this.list(r, q, fmt, def.set, ib.all(def.set).map((rec) => this.objectRow(def, rec, r, fmt)), ib.shapeOf(def.set));
        if (r.method === 'POST') {
          const rec = ib.create(def.set, this.body(r), { internal: false, loadMode: this.loadMode(r) });
          const url = keyUrl(def.set, String(rec['Ref_Key']));
          // HTTP headers carry Latin-1 only, so the Cyrillic entity set name is percent-encoded (UTF-8) in Location.
          return this.single(r, fmt, def.set, projectObject(this.ctx(r, fmt), def.set, rec, parseSelect(undefined), new Map()), 201, { Location: encodeURI(`${r.base}${url}`) });
        }
        throw errors.methodNotAllowed(r.method);
      }
      if (rest.length === 1 && rest[0]!.name === '$count') return this.count(r, q, ib.all(def.set).map((rec) => this.objectRow(def, rec, r, fmt)), ib.shapeOf(def.set));
      throw errors.methodNotFound(rest[0]!.name);
    }
    const key = this.objectKey(def, first.args);
    const ifMatch = typeof r.headers['if-match'] === 'string' ? r.headers['if-match'] : undefined;
    if (!rest.length) {
      switch (r.method) {
        case 'GET': {
          const rec = ib.get(def.set, key);
          if (!rec) throw errors.notFound(def.spec.name);
          // $expand is not applied to single entities (official chapter, «Ограничения параметра $expand»).
          return this.single(r, fmt, def.set, projectObject(this.ctx(r, fmt), def.set, rec, parseSelect(q.select), new Map()));
        }
        case 'PATCH':
        case 'PUT': {
          const rec = await ib.update(def.set, key, this.body(r), { put: r.method === 'PUT', ...(ifMatch ? { ifMatch } : {}), loadMode: this.loadMode(r) });
          return this.single(r, fmt, def.set, projectObject(this.ctx(r, fmt), def.set, rec, parseSelect(undefined), new Map()));
        }
        case 'DELETE':
          ib.remove(def.set, key, ifMatch ? { ifMatch } : {});
          return { status: 204, headers: { ...COMMON }, body: '' };
        default:
          throw errors.methodNotAllowed(r.method);
      }
    }
    const action = rest[0]!.name;
    if (rest.length === 1 && ['Post', 'Unpost', 'Start', 'ExecuteTask'].includes(action)) {
      if (!def.actions.includes(action)) throw errors.methodNotFound(action);
      if (r.method !== 'POST') throw errors.methodNotAllowed(r.method);
      if (action === 'Post') {
        const args = rest[0]!.args ? splitFunctionParams(rest[0]!.args) : new Map<string, Lit>();
        const fromBody = r.body.length ? (this.body(r)['PostingModeOperational'] as unknown) : undefined;
        const raw = args.get('PostingModeOperational') ?? q.params.get('PostingModeOperational') ?? fromBody;
        const operational = typeof raw === 'object' && raw !== null ? (raw as Lit).t === 'bool' && (raw as { v: boolean }).v : raw === true || raw === 'true';
        await ib.post(def.set, key, operational);
      } else if (action === 'Unpost') ib.unpost(def.set, key);
      else if (action === 'Start') await ib.startProcess(def.set, key);
      else await ib.executeTask(def.set, key, r.body.length ? this.body(r) : {});
      // Posting answers 200 with an empty body.
      return { status: 200, headers: { ...COMMON }, body: '' };
    }
    if (r.method !== 'GET') throw r.method === 'POST' ? errors.methodNotFound(action) : errors.methodNotAllowed(r.method);
    const rec = ib.get(def.set, key);
    if (!rec) throw errors.notFound(def.spec.name);
    return this.propertyPath(r, q, fmt, { byWire: def.byWire, navs: def.navs, tables: def.tables }, rec, rest);
  }

  /** «Through the dot» reads on one entity: `…(guid'…')/Контрагент/ИНН`, `/Number`, `/Number/$value`, `/Товары`. */
  private propertyPath(r: ODataRequest, q: QueryOptions, fmt: Format, shape: Shape, rec: Rec, segs: Segment[]): SandboxResponse {
    let curShape = shape;
    let cur = rec;
    for (let i = 0; i < segs.length; i++) {
      const name = segs[i]!.name;
      const last = i === segs.length - 1;
      const nav = curShape.navs.find((n) => n.name === name);
      if (nav) {
        const key = String(cur[nav.keyProp] ?? '');
        const target = isEmptyRef(key) ? undefined : this.ib.get(nav.target, key);
        if (!target) throw errors.notFound(this.ib.model.objects.get(nav.target)?.spec.name ?? nav.target);
        curShape = this.ib.shapeOf(nav.target);
        cur = target;
        if (last) return this.single(r, fmt, nav.target, projectObject(this.ctx(r, fmt), nav.target, target, parseSelect(q.select), new Map()));
        continue;
      }
      const table = curShape.tables.find((t) => t.name === name);
      if (table && last) {
        const rows = ((cur[name] as Rec[] | undefined) ?? []).map((row) => this.tableRow(r, fmt, table, String(cur['Ref_Key']), row));
        return this.list(r, q, fmt, table.set, rows, this.tableShape(table));
      }
      const p = curShape.byWire.get(name) ?? curShape.byWire.get(`${name}_Base64Data`);
      if (p) {
        const value = p.role === 'base64' ? cur[`${p.attr.name}_Base64Data`] : cur[p.name];
        const v: PVal = { name: p.name, edm: p.edm, value: scalar(value) };
        const next = segs[i + 1]?.name;
        if (next === '$value' && i + 2 === segs.length) {
          if (p.attr.kind === 'storage') {
            const type = String(cur[`${p.attr.name}_Type`] || 'application/octet-stream');
            return { status: 200, headers: { 'content-type': type }, body: Buffer.from(String(value ?? ''), 'base64') };
          }
          return { status: 200, headers: { 'content-type': 'text/plain;charset=utf-8' }, body: v.value === null ? '' : String(v.value) };
        }
        if (p.attr.kind === 'storage' && name === p.attr.name && last) {
          // The navigation property of a value storage yields the stored bytes themselves.
          const type = String(cur[`${p.attr.name}_Type`] || 'application/octet-stream');
          return { status: 200, headers: { 'content-type': type }, body: Buffer.from(String(cur[`${p.attr.name}_Base64Data`] ?? ''), 'base64') };
        }
        if (!last) throw errors.propertyNotFound(segs[i + 1]!.name);
        return fmt.kind === 'json' ? jsonResponse(200, propertyJson(this.ctx(r, fmt), v)) : xmlResponse(200, propertyXml(v), 'application/xml;charset=utf-8');
      }
      throw errors.propertyNotFound(name);
    }
    throw errors.badUrl(segs.map((s) => s.name).join('/'));
  }

  private body(r: ODataRequest): Record<string, unknown> {
    const text = r.body.toString('utf8').replace(/^\ufeff/, '').trim();
    if (!text) return {};
    if (text.startsWith('<')) throw errors.representation('запись в формате atom-xml в песочнице не поддерживается, используйте JSON');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw errors.badRequest('тело запроса не является JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw errors.badRequest('ожидается JSON-объект');
    return parsed as Record<string, unknown>;
  }

  private loadMode(r: ODataRequest): boolean {
    const h = r.headers['1c_odata-dataloadmode'];
    return typeof h === 'string' && h.toLowerCase() === 'true';
  }

  // ---- table parts ------------------------------------------------------------------------------------------------

  /** A table-part row as its own entity: the owner's Ref_Key in front of the row's properties. */
  private tableShape(table: TableDef): Shape {
    const ref = { name: 'Ref_Key', edm: 'Edm.Guid', attr: { name: 'Ref_Key', kind: 'scalar' as const, scalar: 'guid' as const }, role: 'value' as const, nullable: false };
    return { byWire: new Map([['Ref_Key', ref], ...table.byWire]), navs: table.navs, tables: [] };
  }

  private tableRow(r: ODataRequest, fmt: Format, table: TableDef, owner: string, row: Rec): Row {
    const rec: Rec = { Ref_Key: owner, ...row };
    const shape = this.tableShape(table);
    return { rec, shape, project: (sel, exp) => project(this.ctx(r, fmt), { type: table.set, shape, rec }, sel, exp) };
  }

  private tableResource(r: ODataRequest, q: QueryOptions, fmt: Format, def: ObjectDef, table: TableDef, first: Segment, rest: Segment[]): SandboxResponse {
    if (r.method === 'POST' && first.args === undefined && !rest.length) throw errors.tableRowsDirect();
    if (r.method !== 'GET') throw errors.methodNotAllowed(r.method);
    const rows = this.ib.all(def.set).flatMap((o) => ((o[table.name] as Rec[] | undefined) ?? []).map((row) => this.tableRow(r, fmt, table, String(o['Ref_Key']), row)));
    if (first.args === undefined) {
      if (!rest.length) return this.list(r, q, fmt, table.set, rows, this.tableShape(table));
      if (rest.length === 1 && rest[0]!.name === '$count') return this.count(r, q, rows, this.tableShape(table));
      throw errors.methodNotFound(rest[0]!.name);
    }
    const k = splitKeyList(first.args);
    const ref = k.named.get('Ref_Key');
    const line = k.named.get('LineNumber');
    if (!ref || ref.t !== 'guid' || !line || line.t !== 'number') throw errors.keyMissing(table.set);
    const hit = rows.find((x) => x.rec['Ref_Key'] === ref.v && Number(x.rec['LineNumber']) === line.v);
    if (!hit) throw errors.notFound(`${def.spec.name}.${table.name}`);
    if (rest.length) return this.propertyPath(r, q, fmt, hit.shape, hit.rec, rest);
    return this.single(r, fmt, table.set, hit.project(parseSelect(q.select), new Map()));
  }

  // ---- registers --------------------------------------------------------------------------------------------------

  private recordRow(r: ODataRequest, fmt: Format, def: RegisterDef, rec: Rec, typeName: string): Row {
    const shape = recordShape(def);
    return { rec, shape, project: (sel, exp) => project(this.ctx(r, fmt), { type: typeName, shape, rec }, sel, exp) };
  }

  private recordSetShape(def: RegisterDef): Shape {
    const recorder = [...def.recordByWire].filter(([n]) => n === 'Recorder' || n === 'Recorder_Type');
    const table: TableDef = { name: 'RecordSet', owner: def.set, set: `${def.set}_RecordSet`, rowType: def.rowType, attrs: [], props: def.recordProps, navs: [], byWire: def.recordByWire };
    return { byWire: new Map(recorder), navs: [], tables: [table] };
  }

  private recordSets(def: RegisterDef): Rec[] {
    const groups = new Map<string, Rec>();
    for (const rec of this.ib.recordsOf(def.set)) {
      const k = `${String(rec['Recorder_Type'])}|${String(rec['Recorder'])}`;
      let g = groups.get(k);
      if (!g) {
        g = { Recorder: rec['Recorder']!, Recorder_Type: rec['Recorder_Type']!, RecordSet: [] };
        groups.set(k, g);
      }
      (g['RecordSet'] as Rec[]).push(rec);
    }
    return [...groups.values()];
  }

  private recorderKey(def: RegisterDef, args: string): { key: string; type?: string } {
    const k = splitKeyList(args);
    const lit = k.positional ?? k.named.get('Recorder') ?? k.named.get('Recorder_Key');
    if (!lit || lit.t !== 'guid') throw errors.keyMissing(def.set);
    const t = k.named.get('Recorder_Type');
    const type = t && t.t === 'string' ? (t.v.startsWith('StandardODATA.') ? t.v : `StandardODATA.${t.v}`) : undefined;
    return type ? { key: lit.v, type } : { key: lit.v };
  }

  private async recordSetResource(r: ODataRequest, q: QueryOptions, fmt: Format, def: RegisterDef, first: Segment, rest: Segment[]): Promise<SandboxResponse> {
    const shape = this.recordSetShape(def);
    const rowOf = (rec: Rec): Row => ({ rec, shape, project: (sel, exp) => project(this.ctx(r, fmt), { type: def.set, shape, rec }, sel, exp) });
    if (first.args === undefined) {
      if (rest.length === 1 && rest[0]!.name !== '$count') return this.virtual(r, q, fmt, def, first.name, rest[0]!);
      if (r.method !== 'GET') throw errors.methodNotAllowed(r.method);
      if (!rest.length) return this.list(r, q, fmt, def.set, this.recordSets(def).map(rowOf), shape);
      if (rest.length === 1) return this.count(r, q, this.recordSets(def).map(rowOf), shape);
      throw errors.badUrl(rest.map((s) => s.name).join('/'));
    }
    const { key, type } = this.recorderKey(def, first.args);
    if (rest.length) throw errors.propertyNotFound(rest[0]!.name);
    if (r.method === 'PATCH' || r.method === 'PUT') {
      // Record sets are written whole, like table parts: GET the set, change it, PATCH it back (official §17.4.13.1.3).
      const body = this.body(r);
      const rows = body['RecordSet'];
      if (!Array.isArray(rows)) throw errors.badValue('RecordSet', rows);
      const recorderType = type ?? this.recordSets(def).find((g) => g['Recorder'] === key)?.['Recorder_Type'] ?? (typeof body['Recorder_Type'] === 'string' ? body['Recorder_Type'] : undefined);
      if (typeof recorderType !== 'string') throw errors.keyMissing(def.set);
      const coerced = rows.map((row: unknown) => {
        if (!row || typeof row !== 'object') throw errors.badValue('RecordSet', row);
        return this.ib.coerceRecord(def.set, row as Record<string, unknown>);
      });
      this.ib.writeMovements(def.set, recorderType.replace(/^StandardODATA\./, ''), key, coerced);
    } else if (r.method !== 'GET') throw errors.methodNotAllowed(r.method);
    const group = this.recordSets(def).find((g) => g['Recorder'] === key && (!type || g['Recorder_Type'] === type));
    const rec: Rec = group ?? { Recorder: key, Recorder_Type: type ?? '', RecordSet: [] };
    return this.single(r, fmt, def.set, rowOf(rec).project(parseSelect(q.select), new Map()));
  }

  private recordKeyMatch(def: RegisterDef, args: string): (rec: Rec) => boolean {
    const k = splitKeyList(args);
    const wanted: Array<[string, string]> = [];
    for (const key of def.recordKeys) {
      const lit = k.named.get(key) ?? (def.recordKeys.length === 1 ? k.positional : undefined);
      if (!lit) throw errors.keyMissing(def.set);
      const v = lit.t === 'null' ? '' : lit.t === 'datetime' ? lit.v : String(lit.v);
      wanted.push([key, v.toLowerCase()]);
    }
    return (rec) => wanted.every(([key, v]) => String(rec[key] ?? '').toLowerCase() === v);
  }

  private async recordResource(r: ODataRequest, q: QueryOptions, fmt: Format, def: RegisterDef, first: Segment, rest: Segment[]): Promise<SandboxResponse> {
    const typeName = def.subordinate ? `${def.set}_RecordType` : def.set;
    const rows = () => this.ib.recordsOf(def.set).map((rec) => this.recordRow(r, fmt, def, rec, typeName));
    if (first.args === undefined) {
      if (rest.length === 1 && rest[0]!.name !== '$count') return this.virtual(r, q, fmt, def, first.name, rest[0]!);
      if (rest.length === 1) return this.count(r, q, rows(), recordShape(def));
      if (rest.length) throw errors.badUrl(rest.map((s) => s.name).join('/'));
      if (r.method === 'GET') return this.list(r, q, fmt, typeName, rows(), recordShape(def));
      if (r.method === 'POST' && !def.subordinate) {
        const body = this.body(r);
        const probe = this.ib.coerceRecord(def.set, body);
        if (this.ib.recordsOf(def.set).some((x) => def.recordKeys.every((k) => String(x[k]).toLowerCase() === String(probe[k]).toLowerCase()))) throw errors.keyExists(def.set);
        const rec = this.ib.writeRecordFromBody(def.set, body);
        const keyArgs = def.recordKeys.map((k) => `${k}=${literalOf(rec[k], def.recordByWire.get(k)?.edm)}`).join(',');
        return this.single(r, fmt, typeName, this.recordRow(r, fmt, def, rec, typeName).project(parseSelect(undefined), new Map()), 201, { Location: encodeURI(`${r.base}${def.set}(${keyArgs})`) });
      }
      throw errors.methodNotAllowed(r.method);
    }
    const match = this.recordKeyMatch(def, first.args);
    const rec = this.ib.recordsOf(def.set).find(match);
    if (r.method === 'GET') {
      if (!rec) throw errors.notFound(def.spec.name);
      if (rest.length) return this.propertyPath(r, q, fmt, recordShape(def), rec, rest);
      return this.single(r, fmt, typeName, this.recordRow(r, fmt, def, rec, typeName).project(parseSelect(q.select), new Map()));
    }
    if (def.subordinate || rest.length) throw errors.methodNotAllowed(r.method);
    if (!rec) throw errors.notFound(def.spec.name);
    if (r.method === 'DELETE') {
      this.ib.deleteRecords(def.set, (x) => x === rec);
      return { status: 204, headers: { ...COMMON }, body: '' };
    }
    if (r.method === 'PATCH' || r.method === 'PUT') {
      const next = this.ib.writeRecordFromBody(def.set, this.body(r), r.method === 'PATCH' ? rec : undefined);
      return this.single(r, fmt, typeName, this.recordRow(r, fmt, def, next, typeName).project(parseSelect(undefined), new Map()));
    }
    throw errors.methodNotAllowed(r.method);
  }

  /** `<Register>/<Function>(params)` with parameters in parentheses or the query string. */
  private virtual(r: ODataRequest, q: QueryOptions, fmt: Format, def: RegisterDef, boundTo: string, seg: Segment): SandboxResponse {
    const fn: VirtualTable | undefined = def.functions.find((f) => f.name === seg.name && f.boundTo === boundTo);
    if (!fn) throw errors.methodNotFound(seg.name);
    if (r.method !== 'GET') throw errors.methodNotAllowed(r.method);
    const params = seg.args ? splitFunctionParams(seg.args) : new Map<string, Lit>();
    for (const [k, v] of q.params) {
      if (k === 'allowedOnly' || params.has(k)) continue;
      params.set(k, queryParamLiteral(k, v));
    }
    const rows = computeVirtualTable(this.ib, def, fn, params, this.ev);
    const shape = virtualTableShape(def, fn);
    return this.list(
      r,
      q,
      fmt,
      fn.resultType,
      rows.map((rec) => ({ rec, shape, project: (sel, exp) => project(this.ctx(r, fmt), { type: fn.resultType, shape, rec }, sel, exp) })),
      shape,
    );
  }
}

/** Query-string function parameters: `Period=datetime'…'` is a literal, `Condition=Поле eq …` may come unquoted. */
function queryParamLiteral(name: string, raw: string): Lit {
  const v = raw.trim();
  if (name === 'Condition' || name === 'Dimensions' || name === 'AccountCondition') {
    if (/^'.*'$/s.test(v)) return { t: 'string', v: v.slice(1, -1).replace(/''/g, "'") };
    return { t: 'string', v };
  }
  const lit = splitKeyList(v).positional;
  if (!lit) throw errors.badValue(name, raw);
  if (lit.t === 'string' && (name === 'Period' || name.endsWith('Period'))) return { t: 'datetime', v: coerceDate(name, lit.v) };
  return lit;
}

function literalOf(v: unknown, edm: string | undefined): string {
  if (edm === 'Edm.Guid') return `guid'${String(v)}'`;
  if (edm === 'Edm.DateTime') return `datetime'${String(v)}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}

