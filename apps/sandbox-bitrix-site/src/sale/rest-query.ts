// select / filter / order / start of the sale REST list methods, over rows already in their REST shape:
// filter keys carry Bitrix's prefixes (>=, >, <=, <, @, !@, %, =%, %=, !%, !=%, !%=, =, !=, !), pages are 50 rows.
import { asList, asString, isObject, type Json, type JsonObject } from '../util/params.ts';
import { SaleError } from './context.ts';

export const PAGE = 50;

const PREFIXES = ['!=%', '!%=', '>=', '<=', '!@', '=%', '%=', '!%', '!=', '>', '<', '@', '%', '=', '!'] as const;
type Op = (typeof PREFIXES)[number] | '';

function splitKey(key: string): { op: Op; field: string } {
  for (const p of PREFIXES) if (key.startsWith(p)) return { op: p, field: key.slice(p.length) };
  return { op: '', field: key };
}

function comparable(v: Json | undefined, field: string): number | string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 'Y' : 'N';
  if (typeof v !== 'string') return JSON.stringify(v);
  if (/^date/i.test(field)) {
    const t = Date.parse(v.replace(' ', 'T'));
    if (!Number.isNaN(t)) return t;
  }
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

/** Numbers numerically, anything else as strings; null sorts first. */
function cmp(x: number | string | null, y: number | string | null): number {
  if (x === y) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
}

function like(hay: string, pattern: string, explicit: boolean): boolean {
  if (!explicit) return hay.toLowerCase().includes(pattern.toLowerCase());
  const re = new RegExp('^' + pattern.split('%').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i');
  return re.test(hay);
}

function matches(row: JsonObject, op: Op, field: string, value: Json): boolean {
  const cell = comparable(row[field], field);
  const list = asList(value).map((x) => comparable(x, field));
  const v = comparable(value, field);
  switch (op) {
    case '':
    case '=':
      return Array.isArray(value) ? list.includes(cell) : cell === v;
    case '!':
    case '!=':
      return Array.isArray(value) ? !list.includes(cell) : cell !== v;
    case '@':
      return list.includes(cell);
    case '!@':
      return !list.includes(cell);
    case '>':
      return cell !== null && v !== null && cmp(cell, v) > 0;
    case '>=':
      return cell !== null && v !== null && cmp(cell, v) >= 0;
    case '<':
      return cell !== null && v !== null && cmp(cell, v) < 0;
    case '<=':
      return cell !== null && v !== null && cmp(cell, v) <= 0;
    case '%':
      return like(String(row[field] ?? ''), asString(value) ?? '', false);
    case '=%':
    case '%=':
      return like(String(row[field] ?? ''), asString(value) ?? '', true);
    case '!%':
      return !like(String(row[field] ?? ''), asString(value) ?? '', false);
    case '!=%':
    case '!%=':
      return !like(String(row[field] ?? ''), asString(value) ?? '', true);
  }
}

export interface ListResult {
  rows: JsonObject[];
  total: number;
  next?: number;
}

/** Applies a list request; `fields` are the names a row may be filtered/sorted/selected on. */
export function listQuery(all: JsonObject[], params: JsonObject, fields: string[], defaultOrder: JsonObject = { id: 'asc' }): ListResult {
  const known = new Set(fields);
  const check = (f: string, what: string) => {
    if (!known.has(f)) throw new SaleError(`Unknown field definition \`${f}\` in ${what}`, 0);
  };
  const filter = isObject(params.filter) ? params.filter : {};
  let rows = all;
  for (const [key, value] of Object.entries(filter)) {
    const { op, field } = splitKey(key);
    check(field, 'filter');
    rows = rows.filter((r) => matches(r, op, field, value));
  }
  const order = isObject(params.order) ? params.order : defaultOrder;
  const sorters = Object.entries(order).map(([f, dir]) => {
    check(f, 'order');
    return { f, desc: String(dir).toLowerCase() === 'desc' };
  });
  rows = [...rows].sort((a, b) => {
    for (const s of sorters) {
      const c = cmp(comparable(a[s.f], s.f), comparable(b[s.f], s.f));
      if (c !== 0) return s.desc ? -c : c;
    }
    return 0;
  });
  const select = asList(params.select).map((s) => asString(s) ?? '').filter((s) => s !== '' && s !== '*');
  for (const f of select) check(f, 'select');
  const total = rows.length;
  const startRaw = Number(asString(params.start) ?? '0');
  const start = Number.isFinite(startRaw) && startRaw > 0 ? Math.floor(startRaw) : 0;
  const page = rows.slice(start, start + PAGE).map((r) => (select.length ? Object.fromEntries(select.map((f) => [f, r[f] ?? null])) : r));
  const res: ListResult = { rows: page, total };
  if (start + PAGE < total) res.next = start + PAGE;
  return res;
}
