// Evaluates `$filter`/`$orderby` like 1C's query language: case-insensitive strings, composites typed by `_Type` (a bare
// `guid'…'` never matches them, `cast()` does), unlimited strings refused in comparisons, 1-based substring.
import type { TableDef, WireProp } from '../profiles/compile.ts';
import { UNDEFINED_TYPE, type Rec, type Shape } from '../model/record.ts';
import { errors } from './errors.ts';
import type { Lit, Node } from './filter.ts';

export type Val =
  | null
  | { t: 'str'; v: string; unlimited?: boolean; prop?: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'date'; v: string }
  | { t: 'guid'; v: string }
  | { t: 'ref'; set: string; v: string; stringMatches?: boolean }
  | { t: 'undef' }
  | { t: 'entity'; set: string; shape: Shape; data: Rec }
  | { t: 'coll'; table: TableDef; rows: Rec[] };

export interface EvalEnv {
  /** Finds a referenced object for navigation (`Контрагент/ИНН`). */
  lookup(set: string, key: string): { shape: Shape; data: Rec } | undefined;
  /** Entity sets that exist in the profile (for `cast`/`isof` type names). */
  isSet(name: string): boolean;
  /** The structural type of an entity set, for checking a filter before any data is read. */
  shapeOf(set: string): Shape;
}

/** What a (sub)expression is, as far as a query compiler can tell without data. */
type Static = { k: 'value'; unlimited?: string } | { k: 'shape'; shape: Shape } | { k: 'coll'; table: TableDef } | { k: 'unknown' };

export interface Scope {
  shape: Shape;
  data: Rec;
  /** The set of the current entity, for `isof('Type')` with one argument. */
  set?: string;
  vars?: Map<string, Scope>;
}

const UNSUPPORTED = new Set(['length', 'lenght', 'indexof', 'replace', 'tolower', 'toupper', 'trim', 'years', 'days', 'hours', 'minutes', 'seconds', 'floor', 'ceiling', 'contains']);
const collator = new Intl.Collator('ru', { sensitivity: 'accent', numeric: false });

function typed(p: WireProp, raw: unknown, data: Rec): Val {
  if (raw === undefined || raw === null) return null;
  if (p.role === 'key') return { t: 'guid', v: String(raw).toLowerCase() };
  if (p.role === 'type' || p.role === 'base64') return { t: 'str', v: String(raw), prop: p.name };
  const a = p.attr;
  if (a.kind === 'composite') {
    const type = String(data[`${a.name}_Type`] ?? UNDEFINED_TYPE);
    if (type === UNDEFINED_TYPE) return { t: 'undef' };
    if (type.startsWith('StandardODATA.')) return { t: 'ref', set: type.slice('StandardODATA.'.length), v: String(raw).toLowerCase(), ...(a.stringLiteralMatchesRef ? { stringMatches: true } : {}) };
    if (type === 'Edm.Double') return { t: 'num', v: Number(raw) };
    if (type === 'Edm.Boolean') return { t: 'bool', v: raw === true || raw === 'true' };
    if (type === 'Edm.DateTime') return { t: 'date', v: String(raw) };
    return { t: 'str', v: String(raw), prop: p.name };
  }
  switch (a.scalar) {
    case 'double':
    case 'int16':
    case 'int32':
    case 'int64':
      return { t: 'num', v: Number(raw) };
    case 'boolean':
      return { t: 'bool', v: Boolean(raw) };
    case 'date':
      return { t: 'date', v: String(raw) };
    case 'guid':
      return { t: 'guid', v: String(raw).toLowerCase() };
    default:
      return { t: 'str', v: String(raw), prop: p.name, ...(a.scalar === 'string' && a.maxLength === 0 ? { unlimited: true } : {}) };
  }
}

function litVal(l: Lit): Val {
  switch (l.t) {
    case 'string':
      return { t: 'str', v: l.v };
    case 'number':
      return { t: 'num', v: l.v };
    case 'bool':
      return { t: 'bool', v: l.v };
    case 'null':
      return null;
    case 'guid':
      return { t: 'guid', v: l.v };
    case 'datetime':
      return { t: 'date', v: l.v };
  }
}

export class Evaluator {
  constructor(private readonly env: EvalEnv) {}

  /**
   * Checks an expression against the type before reading data, as 1C compiles the query first: unknown properties and
   * comparisons of unlimited strings fail even when the set is empty.
   */
  validate(node: Node, shape: Shape, vars: Map<string, Shape> = new Map()): Static {
    const member = (sh: Shape, name: string): Static => {
      const p = sh.byWire.get(name);
      if (p) return { k: 'value', ...(p.role === 'value' && p.attr.kind === 'scalar' && p.attr.scalar === 'string' && p.attr.maxLength === 0 ? { unlimited: p.name } : {}) };
      const nav = sh.navs.find((n) => n.name === name);
      if (nav) return { k: 'shape', shape: this.env.shapeOf(nav.target) };
      const table = sh.tables.find((t) => t.name === name);
      if (table) return { k: 'coll', table };
      throw errors.propertyNotFound(name);
    };
    switch (node.k) {
      case 'lit':
        return { k: 'value' };
      case 'path': {
        let cur: Static;
        let segs = node.segs;
        if (node.base) cur = this.validate(node.base, shape, vars);
        else if (vars.has(segs[0]!)) {
          cur = { k: 'shape', shape: vars.get(segs[0]!)! };
          segs = segs.slice(1);
        } else {
          cur = member(shape, segs[0]!);
          segs = segs.slice(1);
        }
        for (const seg of segs) {
          if (cur.k === 'unknown') return cur;
          if (cur.k !== 'shape') throw errors.queryOptions(`навигация "/${seg}" возможна только по ссылочному реквизиту`);
          cur = member(cur.shape, seg);
        }
        return cur;
      }
      case 'not':
      case 'neg':
        this.validate(node.e, shape, vars);
        return { k: 'value' };
      case 'bin': {
        const l = this.validate(node.l, shape, vars);
        const r = this.validate(node.r, shape, vars);
        if (['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(node.op)) {
          const u = (l.k === 'value' && l.unlimited) || (r.k === 'value' && r.unlimited);
          if (u) throw errors.business(`Операция не разрешена в предложении "ГДЕ" (поле ${u} — строка неограниченной длины)`);
        }
        return { k: 'value' };
      }
      case 'call': {
        if (UNSUPPORTED.has(node.name)) throw errors.functionNotImplemented(node.name);
        node.args.forEach((a) => this.validate(a, shape, vars));
        const t = node.args[1];
        if (node.name === 'cast' && t?.k === 'lit' && t.v.t === 'string' && this.env.isSet(t.v.v)) return { k: 'shape', shape: this.env.shapeOf(t.v.v) };
        return node.name === 'cast' ? { k: 'unknown' } : { k: 'value' };
      }
      case 'lambda': {
        const coll = this.validate(node.coll, shape, vars);
        if (coll.k !== 'coll') throw errors.queryOptions('лямбда-функции применимы только к табличным частям');
        if (node.body) this.validate(node.body, shape, new Map(vars).set(node.v!, { byWire: coll.table.byWire, navs: coll.table.navs, tables: [] }));
        return { k: 'value' };
      }
    }
  }

  /** A filter result: only `true` keeps the record (1C's WHERE semantics). */
  test(node: Node, scope: Scope): boolean {
    const v = this.eval(node, scope);
    if (v && v.t === 'bool') return v.v;
    if (v === null) return false;
    throw errors.queryOptions('условие отбора должно иметь тип Булево');
  }

  private member(scope: Scope, name: string): Val {
    const p = scope.shape.byWire.get(name);
    if (p) return typed(p, scope.data[name], scope.data);
    const nav = scope.shape.navs.find((n) => n.name === name);
    if (nav) {
      const key = String(scope.data[nav.keyProp] ?? '').toLowerCase();
      const hit = this.env.lookup(nav.target, key);
      return hit ? { t: 'entity', set: nav.target, shape: hit.shape, data: hit.data } : null;
    }
    const table = scope.shape.tables.find((t) => t.name === name);
    if (table) return { t: 'coll', table, rows: (scope.data[name] as Rec[] | undefined) ?? [] };
    throw errors.propertyNotFound(name);
  }

  private path(node: Extract<Node, { k: 'path' }>, scope: Scope): Val {
    let cur: Val;
    let segs = node.segs;
    if (node.base) cur = this.eval(node.base, scope);
    else {
      const v = scope.vars?.get(segs[0]!);
      if (v) {
        cur = { t: 'entity', set: '', shape: v.shape, data: v.data };
        segs = segs.slice(1);
      } else {
        cur = this.member(scope, segs[0]!);
        segs = segs.slice(1);
      }
    }
    for (const s of segs) {
      if (cur === null) return null;
      if (cur.t === 'ref') {
        const hit = this.env.lookup(cur.set, cur.v);
        if (!hit) return null;
        cur = { t: 'entity', set: cur.set, shape: hit.shape, data: hit.data };
      }
      if (cur.t !== 'entity') throw errors.queryOptions(`навигация "/${s}" возможна только по ссылочному реквизиту`);
      cur = this.member({ shape: cur.shape, data: cur.data, set: cur.set }, s);
    }
    // A navigation property used as a value stands for the reference itself.
    if (cur && cur.t === 'entity' && cur.set) return { t: 'ref', set: cur.set, v: String(cur.data['Ref_Key'] ?? '').toLowerCase() };
    return cur;
  }

  eval(node: Node, scope: Scope): Val {
    switch (node.k) {
      case 'lit':
        return litVal(node.v);
      case 'path':
        return this.path(node, scope);
      case 'not': {
        const v = this.eval(node.e, scope);
        if (v === null) return null;
        if (v.t !== 'bool') throw errors.queryOptions('not применим только к логическим выражениям');
        return { t: 'bool', v: !v.v };
      }
      case 'neg': {
        const v = this.eval(node.e, scope);
        if (v === null) return null;
        if (v.t !== 'num') throw errors.queryOptions('унарный минус применим только к числам');
        return { t: 'num', v: -v.v };
      }
      case 'bin':
        return this.binary(node, scope);
      case 'call':
        return this.call(node, scope);
      case 'lambda': {
        const coll = this.eval(node.coll, scope);
        if (!coll || coll.t !== 'coll') throw errors.queryOptions('лямбда-функции применимы только к табличным частям');
        if (!node.body) return { t: 'bool', v: coll.rows.length > 0 };
        const test = (row: Rec) => {
          const vars = new Map(scope.vars ?? []);
          vars.set(node.v!, { shape: { byWire: coll.table.byWire, navs: coll.table.navs, tables: [] }, data: row });
          return this.test(node.body!, { ...scope, vars });
        };
        return { t: 'bool', v: node.fn === 'any' ? coll.rows.some(test) : coll.rows.every(test) };
      }
    }
  }

  private binary(node: Extract<Node, { k: 'bin' }>, scope: Scope): Val {
    if (node.op === 'and' || node.op === 'or') {
      const l = this.test(node.l, scope);
      if (node.op === 'and' && !l) return { t: 'bool', v: false };
      if (node.op === 'or' && l) return { t: 'bool', v: true };
      return { t: 'bool', v: this.test(node.r, scope) };
    }
    const l = this.eval(node.l, scope);
    const r = this.eval(node.r, scope);
    if (['add', 'sub', 'mul', 'div', 'mod'].includes(node.op)) {
      if (l === null || r === null) return null;
      if (l.t !== 'num' || r.t !== 'num') throw errors.queryOptions(`операция ${node.op} применима только к числам`);
      const v = node.op === 'add' ? l.v + r.v : node.op === 'sub' ? l.v - r.v : node.op === 'mul' ? l.v * r.v : node.op === 'div' ? l.v / r.v : l.v % r.v;
      return { t: 'num', v };
    }
    for (const side of [l, r]) {
      // 1C's query language refuses comparisons of unlimited strings (e.g. Комментарий) in WHERE.
      if (side && side.t === 'str' && side.unlimited) throw errors.business(`Операция не разрешена в предложении "ГДЕ" (поле ${side.prop} — строка неограниченной длины)`);
    }
    return { t: 'bool', v: compare(node.op, l, r) };
  }

  private str(v: Val, fn: string): string | null {
    if (v === null) return null;
    if (v.t === 'str') return v.v;
    if (v.t === 'ref' || v.t === 'guid') return v.v;
    throw errors.functionNotImplemented(`${fn}: аргумент должен быть строкой`);
  }

  private call(node: Extract<Node, { k: 'call' }>, scope: Scope): Val {
    const { name, args } = node;
    if (UNSUPPORTED.has(name)) throw errors.functionNotImplemented(name);
    const arity = (n: number | number[]) => {
      const ok = Array.isArray(n) ? n.includes(args.length) : args.length === n;
      if (!ok) throw errors.functionNotImplemented(`${name}: неверное количество аргументов`);
    };
    const a = (i: number) => this.eval(args[i]!, scope);
    switch (name) {
      case 'substringof': {
        arity(2);
        const needle = this.str(a(0), name);
        const hay = this.str(a(1), name);
        if (needle === null || hay === null) return null;
        return { t: 'bool', v: hay.toLowerCase().includes(needle.toLowerCase()) };
      }
      case 'startswith':
      case 'endswith': {
        arity(2);
        const s = this.str(a(0), name);
        const p = this.str(a(1), name);
        if (s === null || p === null) return null;
        return { t: 'bool', v: name === 'startswith' ? s.toLowerCase().startsWith(p.toLowerCase()) : s.toLowerCase().trimEnd().endsWith(p.toLowerCase()) };
      }
      case 'concat': {
        arity(2);
        const x = this.str(a(0), name);
        const y = this.str(a(1), name);
        return x === null || y === null ? null : { t: 'str', v: x + y };
      }
      case 'substring': {
        arity([2, 3]);
        const s = this.str(a(0), name);
        const from = a(1);
        if (s === null || from === null) return null;
        if (from.t !== 'num') throw errors.functionNotImplemented('substring: позиция должна быть числом');
        // 1C's ПОДСТРОКА is 1-based (the official example: substring(ИНН, 1, 2) eq '77').
        const start = Math.max(0, from.v - 1);
        if (args.length === 3) {
          const len = a(2);
          if (len === null || len.t !== 'num') throw errors.functionNotImplemented('substring: длина должна быть числом');
          return { t: 'str', v: s.substr(start, len.v) };
        }
        return { t: 'str', v: s.slice(start) };
      }
      case 'like': {
        arity(2);
        const s = this.str(a(0), name);
        const p = this.str(a(1), name);
        if (s === null || p === null) return null;
        return { t: 'bool', v: likeToRegExp(p).test(s) };
      }
      case 'year':
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
      case 'second':
      case 'dayofweek':
      case 'dayofyear':
      case 'quarter': {
        arity(1);
        const d = a(0);
        if (d === null) return null;
        if (d.t !== 'date') throw errors.functionNotImplemented(`${name}: аргумент должен быть датой`);
        return { t: 'num', v: datePart(name, d.v) };
      }
      case 'dateadd': {
        arity(3);
        const d = a(0);
        const unit = this.str(a(1), name);
        const n = a(2);
        if (d === null || unit === null || n === null) return null;
        if (d.t !== 'date' || n.t !== 'num') throw errors.functionNotImplemented('dateadd: неверные типы аргументов');
        return { t: 'date', v: dateAdd(d.v, unit, n.v) };
      }
      case 'datedifference': {
        arity(3);
        const d1 = a(0);
        const d2 = a(1);
        const unit = this.str(a(2), name);
        if (d1 === null || d2 === null || unit === null) return null;
        if (d1.t !== 'date' || d2.t !== 'date') throw errors.functionNotImplemented('datedifference: аргументы должны быть датами');
        return { t: 'num', v: dateDiff(d1.v, d2.v, unit) };
      }
      case 'round': {
        arity(1);
        const n = a(0);
        if (n === null) return null;
        if (n.t !== 'num') throw errors.functionNotImplemented('round: аргумент должен быть числом');
        return { t: 'num', v: Math.round(n.v) };
      }
      case 'cast': {
        arity(2);
        const v = a(0);
        const type = this.str(a(1), name);
        if (type === null) return null;
        return this.cast(v, type);
      }
      case 'isof': {
        arity([1, 2]);
        if (args.length === 1) {
          const type = this.str(a(0), name);
          return { t: 'bool', v: type === scope.set };
        }
        const v = a(0);
        const type = this.str(a(1), name);
        return { t: 'bool', v: isOf(v, type ?? '') };
      }
      default:
        throw errors.functionNotImplemented(name);
    }
  }

  private cast(v: Val, type: string): Val {
    if (v === null) return null;
    if (this.env.isSet(type)) {
      if (v.t === 'guid') return { t: 'ref', set: type, v: v.v };
      if (v.t === 'ref') return v.set === type ? v : null;
      if (v.t === 'entity') return v.set === type ? { t: 'ref', set: type, v: String(v.data['Ref_Key']).toLowerCase() } : null;
      return null;
    }
    switch (type) {
      case 'String':
        return v.t === 'str' ? v : v.t === 'num' || v.t === 'bool' || v.t === 'date' || v.t === 'guid' ? { t: 'str', v: String(v.v) } : null;
      case 'Number':
        return v.t === 'num' ? v : v.t === 'str' && v.v.trim() !== '' && !Number.isNaN(Number(v.v)) ? { t: 'num', v: Number(v.v) } : null;
      case 'Boolean':
        return v.t === 'bool' ? v : null;
      case 'Date':
        return v.t === 'date' ? v : null;
      default:
        throw errors.functionNotImplemented(`cast: неизвестный тип ${type}`);
    }
  }
}

function isOf(v: Val, type: string): boolean {
  if (v === null) return false;
  switch (type) {
    case 'String':
      return v.t === 'str';
    case 'Number':
      return v.t === 'num';
    case 'Boolean':
      return v.t === 'bool';
    case 'Date':
      return v.t === 'date';
    default:
      return (v.t === 'ref' || v.t === 'entity') && v.set === type;
  }
}

const norm = (s: string) => s.trimEnd().toLowerCase();

export function compare(op: string, l: Val, r: Val): boolean {
  if (l === null || r === null) {
    const eq = l === null && r === null;
    return op === 'eq' ? eq : op === 'ne' ? !eq : false;
  }
  let c: number | undefined;
  if (l.t === 'str' && r.t === 'str') {
    const a = norm(l.v);
    const b = norm(r.v);
    c = a === b ? 0 : collator.compare(a, b) || (a < b ? -1 : 1);
  } else if (l.t === 'num' && r.t === 'num') c = l.v === r.v ? 0 : l.v < r.v ? -1 : 1;
  else if (l.t === 'bool' && r.t === 'bool') c = l.v === r.v ? 0 : l.v ? 1 : -1;
  else if (l.t === 'date' && r.t === 'date') c = l.v === r.v ? 0 : l.v < r.v ? -1 : 1;
  else if (l.t === 'guid' && r.t === 'guid') c = l.v === r.v ? 0 : l.v < r.v ? -1 : 1;
  else if (l.t === 'ref' && r.t === 'ref') c = l.set === r.set && l.v === r.v ? 0 : undefined;
  else if ((l.t === 'ref' && r.t === 'str' && l.stringMatches) || (r.t === 'ref' && l.t === 'str' && r.stringMatches)) {
    // БП's ОбъектыУчетаДокументовЭДО.ОбъектУчета: a string literal holding the GUID matches the reference.
    const ref = l.t === 'ref' ? l.v : (r as { v: string }).v;
    const s = l.t === 'str' ? l.v : (r as { v: string }).v;
    c = ref === s.toLowerCase() ? 0 : undefined;
  }
  // Anything else (a composite against a bare guid'…', a string against a number…) is a comparison of different types:
  // never equal, never ordered — which is why `Composite eq guid'…'` silently returns nothing.
  if (c === undefined) return op === 'ne';
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
  }
  return false;
}

/** Orders values for `$orderby`: empty/null first, then by type-specific order. */
export function orderValue(a: Val, b: Val): number {
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (a.t === 'str' && b.t === 'str') return collator.compare(norm(a.v), norm(b.v));
  if ((a.t === 'num' && b.t === 'num') || (a.t === 'date' && b.t === 'date') || (a.t === 'guid' && b.t === 'guid') || (a.t === 'bool' && b.t === 'bool')) {
    return a.v === b.v ? 0 : a.v < b.v ? -1 : 1;
  }
  if (a.t === 'ref' && b.t === 'ref') return a.v === b.v ? 0 : a.v < b.v ? -1 : 1;
  return 0;
}

/** ПОДОБНО templates: `%` any run, `_` one char, `[…]`/`[^…]` classes; case-insensitive like the rest of 1C. */
export function likeToRegExp(p: string): RegExp {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let cls = p.slice(i + 1, end);
        const neg = cls.startsWith('^');
        if (neg) cls = cls.slice(1);
        re += `[${neg ? '^' : ''}${cls.replace(/[\\\]]/g, '\\$&')}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

function parts(d: string): Date {
  return new Date(`${d}Z`);
}

function fmt(d: Date): string {
  return d.toISOString().slice(0, 19);
}

function datePart(fn: string, v: string): number {
  const d = parts(v);
  switch (fn) {
    case 'year':
      return d.getUTCFullYear();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'hour':
      return d.getUTCHours();
    case 'minute':
      return d.getUTCMinutes();
    case 'second':
      return d.getUTCSeconds();
    case 'dayofweek':
      // 1C's ДЕНЬНЕДЕЛИ: Monday = 1 … Sunday = 7.
      return ((d.getUTCDay() + 6) % 7) + 1;
    case 'dayofyear':
      return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    default:
      return Math.floor(d.getUTCMonth() / 3) + 1;
  }
}

function dateAdd(v: string, unit: string, n: number): string {
  const d = parts(v);
  switch (unit) {
    case 'second':
      d.setUTCSeconds(d.getUTCSeconds() + n);
      break;
    case 'minute':
      d.setUTCMinutes(d.getUTCMinutes() + n);
      break;
    case 'hour':
      d.setUTCHours(d.getUTCHours() + n);
      break;
    case 'day':
      d.setUTCDate(d.getUTCDate() + n);
      break;
    case 'month':
      d.setUTCMonth(d.getUTCMonth() + n);
      break;
    case 'quarter':
      d.setUTCMonth(d.getUTCMonth() + 3 * n);
      break;
    case 'year':
      d.setUTCFullYear(d.getUTCFullYear() + n);
      break;
    default:
      throw errors.functionNotImplemented(`dateadd: неизвестная единица ${unit}`);
  }
  return fmt(d);
}

function dateDiff(a: string, b: string, unit: string): number {
  const d1 = parts(a);
  const d2 = parts(b);
  const ms = d2.getTime() - d1.getTime();
  switch (unit) {
    case 'second':
      return Math.trunc(ms / 1000);
    case 'minute':
      return Math.trunc(ms / 60_000);
    case 'hour':
      return Math.trunc(ms / 3_600_000);
    case 'day':
      return Math.trunc(ms / 86_400_000);
    case 'month':
      return (d2.getUTCFullYear() - d1.getUTCFullYear()) * 12 + d2.getUTCMonth() - d1.getUTCMonth();
    case 'quarter':
      return Math.trunc(((d2.getUTCFullYear() - d1.getUTCFullYear()) * 12 + d2.getUTCMonth() - d1.getUTCMonth()) / 3);
    case 'year':
      return d2.getUTCFullYear() - d1.getUTCFullYear();
    default:
      throw errors.functionNotImplemented(`datedifference: неизвестная единица ${unit}`);
  }
}
