// List semantics shared by every *.list method: the CRM filter prefixes (>=, >, <=, <, @, !@, %, =%, %=, =, !=, !),
// nested groups with LOGIC, `order`, `select` with `*` / `UF_*`, and pagination by 50 with `next`/`total` and the
// `start=-1` mode that skips counting (reference §3.4, §6.1).
import { parseDateInput } from '../portal/format.ts';
import { entries, int, isMap, param, str, values, type Php, type PhpMap } from './php.ts';

export const PAGE_SIZE = 50;

/** How a column compares: numbers numerically, dates as instants, the rest as case-insensitive text (MySQL collation). */
export type Kind = 'int' | 'float' | 'string' | 'date' | 'bool' | 'enum';

export interface Columns {
  /** Column kinds by name; lookup ignores case. */
  kinds: Record<string, Kind>;
  offsetMin: number;
}

type Norm = number | string | null;

const OPS = ['>=', '<=', '!=%', '!%=', '!@', '!%', '!=', '=%', '%=', '>', '<', '@', '%', '=', '!'] as const;
type Op = (typeof OPS)[number] | '';

function splitKey(key: string): { op: Op; field: string } {
  for (const op of OPS) if (key.startsWith(op) && key.length > op.length) return { op, field: key.slice(op.length) };
  return { op: '', field: key };
}

function resolve(cols: Columns, field: string): { name: string; kind: Kind } | undefined {
  if (field in cols.kinds) return { name: field, kind: cols.kinds[field]! };
  const lower = field.toLowerCase();
  for (const [k, kind] of Object.entries(cols.kinds)) if (k.toLowerCase() === lower) return { name: k, kind };
  return undefined;
}

function norm(v: Php | undefined, kind: Kind, offsetMin: number): Norm {
  if (v === undefined || v === null || v === false || v === '') return null;
  switch (kind) {
    case 'int':
    case 'float': {
      const n = typeof v === 'number' ? v : Number(str(v).replace(',', '.'));
      return Number.isFinite(n) ? n : null;
    }
    case 'date':
      return typeof v === 'string' ? (parseDateInput(v, offsetMin) ?? null) : null;
    case 'bool': {
      const s = str(v).toUpperCase();
      return s === 'Y' || s === '1' || s === 'TRUE' ? 'Y' : 'N';
    }
    default:
      return str(v).toLowerCase();
  }
}

function cellValues(v: Php | undefined, kind: Kind, offsetMin: number): Norm[] {
  if (Array.isArray(v)) return v.map((x) => norm(x, kind, offsetMin));
  return [norm(v, kind, offsetMin)];
}

function likeToRegExp(pattern: string): RegExp {
  const src = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${src}$`, 'is');
}

function cmp(a: Norm, b: Norm): number {
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function matchCond(row: PhpMap, op: Op, col: { name: string; kind: Kind }, value: Php, cols: Columns): boolean {
  const cells = cellValues(row[col.name], col.kind, cols.offsetMin);
  const list = Array.isArray(value) || isMap(value) ? values(value).map((x) => norm(x, col.kind, cols.offsetMin)) : undefined;
  const one = list ? undefined : norm(value, col.kind, cols.offsetMin);
  const eq = (): boolean => {
    if (list) return cells.some((c) => list.some((x) => cmp(c, x) === 0 && c !== null));
    if (one === null) return cells.every((c) => c === null);
    return cells.some((c) => c !== null && cmp(c, one ?? null) === 0);
  };
  switch (op) {
    case '':
    case '=':
    case '@':
      return eq();
    case '!':
    case '!=':
    case '!@':
      return !eq();
    case '>':
    case '>=':
    case '<':
    case '<=': {
      if (one === null || one === undefined) return false;
      return cells.some((c) => {
        if (c === null) return false;
        const r = cmp(c, one);
        return op === '>' ? r > 0 : op === '>=' ? r >= 0 : op === '<' ? r < 0 : r <= 0;
      });
    }
    case '%':
    case '!%': {
      const needle = str(value).toLowerCase();
      const hit = cells.some((c) => c !== null && String(c).includes(needle));
      return op === '%' ? hit : !hit;
    }
    case '=%':
    case '%=':
    case '!=%':
    case '!%=': {
      const re = likeToRegExp(str(value));
      const hit = cells.some((c) => c !== null && re.test(String(c)));
      return op.startsWith('!') ? !hit : hit;
    }
  }
}

/** Builds a row predicate from a filter; unknown fields are ignored, as the legacy CRM lists do. */
export function compileFilter(filter: Php | undefined, cols: Columns): (row: PhpMap) => boolean {
  if (!isMap(filter) && !Array.isArray(filter)) return () => true;
  const parts: Array<(row: PhpMap) => boolean> = [];
  let logic: 'AND' | 'OR' = 'AND';
  for (const [key, value] of entries(filter)) {
    if (key.toUpperCase() === 'LOGIC') {
      logic = str(value).toUpperCase() === 'OR' ? 'OR' : 'AND';
      continue;
    }
    // Numeric keys hold nested groups: {0: {LOGIC: 'OR', ...}}.
    if (/^\d+$/.test(key) && isMap(value)) {
      parts.push(compileFilter(value, cols));
      continue;
    }
    const { op, field } = splitKey(key);
    const col = resolve(cols, field);
    if (!col) continue;
    parts.push((row) => matchCond(row, op, col, value, cols));
  }
  return logic === 'OR' ? (row) => parts.length === 0 || parts.some((p) => p(row)) : (row) => parts.every((p) => p(row));
}

/** Sorts by `order` ({FIELD: 'ASC'|'DESC'}); ties keep the store's order (by id). */
export function sortRows(rows: PhpMap[], order: Php | undefined, cols: Columns): PhpMap[] {
  const keys: Array<{ name: string; kind: Kind; desc: boolean }> = [];
  for (const [field, dir] of entries(order)) {
    const col = resolve(cols, field);
    if (col) keys.push({ ...col, desc: str(dir).toUpperCase() === 'DESC' });
  }
  if (keys.length === 0) return rows;
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => {
      for (const k of keys) {
        const r = cmp(norm(a.row[k.name], k.kind, cols.offsetMin), norm(b.row[k.name], k.kind, cols.offsetMin));
        if (r !== 0) return k.desc ? -r : r;
      }
      return a.i - b.i;
    })
    .map((x) => x.row);
}

/** The `start` parameter: an offset, or -1 for "no count". */
export function readStart(p: PhpMap): number {
  const s = param(p, 'start');
  if (s === undefined || s === null || s === '') return 0;
  const n = int(s);
  return n === -1 ? -1 : Math.max(0, n);
}

/** One page of 50. With start=-1 the server skips the COUNT: `total` is 0 and there is never a `next`. */
export function paginate<T>(rows: T[], start: number): { page: T[]; next?: number; total: number } {
  if (start === -1) return { page: rows.slice(0, PAGE_SIZE), total: 0 };
  const page = rows.slice(start, start + PAGE_SIZE);
  const total = rows.length;
  return start + page.length < total ? { page, next: start + page.length, total } : { page, total };
}

/**
 * `select`: '*' = every plain field, 'UF_*' = every custom field, anything else by name; an empty select means
 * the method's default. Multiple fields (PHONE, EMAIL, …) come only when named.
 */
export function applySelect(row: PhpMap, select: Php | undefined, opts: { plain: string[]; uf: string[]; defaults: string[] }): PhpMap {
  const wanted = values(select).map((x) => str(x)).filter((x) => x !== '');
  const names = wanted.length > 0 ? wanted : opts.defaults;
  const out: PhpMap = {};
  for (const n of names) {
    if (n === '*') for (const f of opts.plain) out[f] = row[f] ?? null;
    else if (n.toUpperCase() === 'UF_*') for (const f of opts.uf) out[f] = row[f] ?? null;
    else {
      const hit = Object.keys(row).find((k) => k.toLowerCase() === n.toLowerCase());
      if (hit !== undefined) out[hit] = row[hit]!;
    }
  }
  return out;
}
