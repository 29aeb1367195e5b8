// The `$filter` language of 1C's OData (reference §1.7): lexer with 1C literals (`guid'…'`, `datetime'…'`, doubled
// quotes) and a parser following 1C's precedence table; also $orderby, entity keys and virtual-table parameters.
import { ODataError, CODES, errors } from './errors.ts';

export type Lit =
  | { t: 'string'; v: string }
  | { t: 'number'; v: number; int: boolean }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'guid'; v: string }
  | { t: 'datetime'; v: string };

export type BinOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'and' | 'or' | 'add' | 'sub' | 'mul' | 'div' | 'mod';

export type Node =
  | { k: 'lit'; v: Lit }
  | { k: 'path'; segs: string[]; base?: Node }
  | { k: 'bin'; op: BinOp; l: Node; r: Node }
  | { k: 'not'; e: Node }
  | { k: 'neg'; e: Node }
  | { k: 'call'; name: string; args: Node[] }
  | { k: 'lambda'; fn: 'any' | 'all'; coll: Node; v?: string; body?: Node };

type Tok =
  | { t: 'id'; v: string; at: number }
  | { t: 'lit'; v: Lit; at: number }
  | { t: 'p'; v: '(' | ')' | ',' | '/' | ':' | '-' | '*'; at: number }
  | { t: 'end'; at: number };

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Normalises `datetime'2014-01-01'`, `…T10:30`, `…T10:30:00.000` to 1C's naive `YYYY-MM-DDTHH:MM:SS`. */
export function normalizeDate(s: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', se = '00'] = m;
  const dt = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +se));
  if (dt.getUTCMonth() !== +mo! - 1 || dt.getUTCDate() !== +d! || +h > 23 || +mi > 59 || +se > 59) return undefined;
  return `${y}-${mo}-${d}T${h}:${mi}:${se}`;
}

export function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const bad = (msg: string): never => {
    throw errors.queryOptions(`${msg} (позиция ${i + 1})`);
  };
  const quoted = (): string => {
    // i points at the opening quote; '' inside is an escaped quote.
    let s = '';
    i++;
    for (;;) {
      if (i >= src.length) bad('не закрыта строковая константа');
      const c = src[i]!;
      if (c === "'") {
        if (src[i + 1] === "'") {
          s += "'";
          i += 2;
          continue;
        }
        i++;
        return s;
      }
      s += c;
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if ('(),/:-*'.includes(c)) {
      out.push({ t: 'p', v: c as '(' | ')' | ',' | '/' | ':' | '-' | '*', at });
      i++;
      continue;
    }
    if (c === "'") {
      out.push({ t: 'lit', v: { t: 'string', v: quoted() }, at });
      continue;
    }
    if (/\d/.test(c)) {
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?/.exec(src.slice(i))!;
      const txt = m[0].replace(/[mMdDfFlL]$/, '');
      out.push({ t: 'lit', v: { t: 'number', v: Number(txt), int: !/[.eE]/.test(txt) }, at });
      i += m[0].length;
      continue;
    }
    const id = /^[\p{L}_$][\p{L}\p{N}_]*/u.exec(src.slice(i));
    if (!id) bad(`недопустимый символ "${c}"`);
    const word = id![0];
    i += word.length;
    if (src[i] === "'") {
      const prefix = word.toLowerCase();
      const body = quoted();
      if (prefix === 'guid') {
        if (!GUID_RE.test(body)) throw errors.queryOptions(`неверный формат guid: ${body}`);
        out.push({ t: 'lit', v: { t: 'guid', v: body.toLowerCase() }, at });
      } else if (prefix === 'datetime' || prefix === 'datetimeoffset') {
        const d = normalizeDate(body.replace(/(Z|[+-]\d{2}:\d{2})$/, ''));
        if (!d) throw errors.queryOptions(`неверный формат даты: ${body}`);
        out.push({ t: 'lit', v: { t: 'datetime', v: d }, at });
      } else throw errors.queryOptions(`неизвестный тип литерала ${word}'…'`);
      continue;
    }
    const lw = word.toLowerCase();
    if (lw === 'true' || lw === 'false') out.push({ t: 'lit', v: { t: 'bool', v: lw === 'true' }, at });
    else if (lw === 'null') out.push({ t: 'lit', v: { t: 'null' }, at });
    else if (['nan', 'inf', 'infinity'].includes(lw)) throw errors.queryOptions(`недопустимое числовое значение ${word}`);
    else out.push({ t: 'id', v: word, at });
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

const LEVELS: BinOp[][] = [['or'], ['and'], ['eq', 'ne'], ['gt', 'ge', 'lt', 'le'], ['add', 'sub'], ['mul', 'div', 'mod']];

export class Parser {
  private pos = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
  ) {}

  static parse(src: string): Node {
    const p = new Parser(lex(src), src);
    const n = p.expr();
    p.expectEnd();
    return n;
  }

  peek(): Tok {
    return this.toks[this.pos]!;
  }

  next(): Tok {
    return this.toks[this.pos++]!;
  }

  fail(msg: string): never {
    throw new ODataError(400, CODES.queryOptions, `Ошибка разбора опций запроса: ${msg} (позиция ${this.peek().at + 1} в "${this.src}")`);
  }

  expectEnd(): void {
    if (this.peek().t !== 'end') this.fail('лишние символы');
  }

  isP(v: string): boolean {
    const t = this.peek();
    return t.t === 'p' && t.v === v;
  }

  eatP(v: string): void {
    if (!this.isP(v)) this.fail(`ожидается "${v}"`);
    this.pos++;
  }

  private opAt(level: BinOp[]): BinOp | undefined {
    const t = this.peek();
    if (t.t !== 'id') return undefined;
    const w = t.v.toLowerCase() as BinOp;
    return level.includes(w) ? w : undefined;
  }

  expr(level = 0): Node {
    if (level >= LEVELS.length) return this.unary();
    let l = this.expr(level + 1);
    for (let op = this.opAt(LEVELS[level]!); op; op = this.opAt(LEVELS[level]!)) {
      this.pos++;
      const r = this.expr(level + 1);
      l = { k: 'bin', op, l, r };
    }
    return l;
  }

  unary(): Node {
    const t = this.peek();
    if (t.t === 'p' && t.v === '-') {
      this.pos++;
      const e = this.unary();
      if (e.k === 'lit' && e.v.t === 'number') return { k: 'lit', v: { ...e.v, v: -e.v.v } };
      return { k: 'neg', e };
    }
    if (t.t === 'id' && t.v.toLowerCase() === 'not') {
      this.pos++;
      return { k: 'not', e: this.unary() };
    }
    return this.postfix(this.primary());
  }

  /** Navigation after a value (`cast(X,'Document_Y')/Номер`) and lambdas (`Товары/any(d: …)`). */
  private postfix(base: Node): Node {
    let node = base;
    while (this.isP('/')) {
      this.pos++;
      const t = this.next();
      if (t.t !== 'id') this.fail('ожидается имя свойства после "/"');
      const name = (t as { v: string }).v;
      if ((name === 'any' || name === 'all') && this.isP('(')) {
        this.pos++;
        if (this.isP(')')) {
          this.pos++;
          node = { k: 'lambda', fn: name, coll: node };
          continue;
        }
        const v = this.next();
        if (v.t !== 'id') this.fail('ожидается имя переменной лямбда-функции');
        this.eatP(':');
        const body = this.expr();
        this.eatP(')');
        node = { k: 'lambda', fn: name, coll: node, v: (v as { v: string }).v, body };
        continue;
      }
      if (node.k === 'path' && !node.base) node = { k: 'path', segs: [...node.segs, name] };
      else if (node.k === 'path') node = { k: 'path', segs: [...node.segs, name], base: node.base! };
      else node = { k: 'path', segs: [name], base: node };
    }
    return node;
  }

  private primary(): Node {
    const t = this.next();
    if (t.t === 'lit') return { k: 'lit', v: t.v };
    if (t.t === 'p' && t.v === '(') {
      const e = this.expr();
      this.eatP(')');
      return e;
    }
    if (t.t === 'id') {
      if (this.isP('(')) {
        this.pos++;
        const args: Node[] = [];
        if (!this.isP(')')) {
          args.push(this.expr());
          while (this.isP(',')) {
            this.pos++;
            args.push(this.expr());
          }
        }
        this.eatP(')');
        return { k: 'call', name: t.v.toLowerCase(), args };
      }
      return { k: 'path', segs: [t.v] };
    }
    this.pos--;
    return this.fail('ожидается выражение');
  }
}

export function parseFilter(src: string): Node {
  return Parser.parse(src);
}

export interface OrderItem {
  expr: Node;
  desc: boolean;
}

/** `$orderby=Field [asc|desc], Nav/Field desc, …` — each item is an expression followed by an optional direction. */
export function parseOrderBy(src: string): OrderItem[] {
  const p = new Parser(lex(src), src);
  const items: OrderItem[] = [];
  for (;;) {
    const expr = p.expr();
    let desc = false;
    const t = p.peek();
    if (t.t === 'id' && (t.v.toLowerCase() === 'asc' || t.v.toLowerCase() === 'desc')) {
      desc = t.v.toLowerCase() === 'desc';
      p.next();
    }
    items.push({ expr, desc });
    if (p.isP(',')) {
      p.next();
      continue;
    }
    p.expectEnd();
    return items;
  }
}

/** Splits `A=lit, B=lit` respecting quotes; values are lexed as single literals (`'…'` strings keep doubled quotes). */
export function splitKeyList(src: string): { positional?: Lit; named: Map<string, Lit> } {
  const named = new Map<string, Lit>();
  const parts: string[] = [];
  let cur = '';
  let q = false;
  for (const c of src) {
    if (c === "'") q = !q;
    if (c === ',' && !q) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim() || parts.length) parts.push(cur);
  const litOf = (s: string): Lit => {
    let toks: Tok[];
    try {
      toks = lex(s.trim());
    } catch {
      // A malformed literal inside a key is a bad URL, not a query-option error.
      throw errors.badUrl(`неверное значение ключа: ${s}`);
    }
    const t = toks[0]!;
    if (toks.length === 3 && t.t === 'p' && t.v === '-' && toks[1]!.t === 'lit') {
      const n = (toks[1] as { v: Lit }).v;
      if (n.t === 'number') return { ...n, v: -n.v };
    }
    if (toks.length !== 2 || t.t !== 'lit') {
      // Unquoted identifiers are accepted as strings (some clients send `Dimensions=Номенклатура`).
      if (toks.length === 2 && t.t === 'id') return { t: 'string', v: t.v };
      throw errors.badUrl(`неверное значение ключа: ${s}`);
    }
    return t.v;
  };
  let positional: Lit | undefined;
  for (const p of parts) {
    let eq = -1;
    let inQ = false;
    for (let j = 0; j < p.length; j++) {
      if (p[j] === "'") inQ = !inQ;
      if (p[j] === '=' && !inQ) {
        eq = j;
        break;
      }
    }
    if (eq < 0) {
      if (parts.length > 1) throw errors.badUrl(`неверный формат ключа: ${src}`);
      positional = litOf(p);
    } else {
      const key = p.slice(0, eq).trim();
      const raw = p.slice(eq + 1).trim();
      // The official examples print string key values with double quotes (ТипЦены="Приходная"); accept both.
      const val = /^".*"$/.test(raw) ? `'${raw.slice(1, -1).replace(/'/g, "''")}'` : raw;
      named.set(key, litOf(val));
    }
  }
  return positional ? { positional, named } : { named };
}

/**
 * Virtual-table parameters `(Period=datetime'…', Condition='…')`. The official examples nest quotes without doubling
 * (`Condition='Товар_Key eq guid'…''`) while clients double them (`guid''…''`); 1C accepts both, so a quoted value that
 * does not end cleanly is taken verbatim up to the quote before the next `, Name=` or the closing end.
 */
export function splitFunctionParams(src: string): Map<string, Lit> {
  const out = new Map<string, Lit>();
  let i = 0;
  const s = src.trim();
  while (i < s.length) {
    const m = /^\s*([\p{L}_][\p{L}\p{N}_@.]*)\s*=\s*/u.exec(s.slice(i));
    if (!m) throw errors.badUrl(`неверный формат параметров функции: ${src}`);
    const name = m[1]!;
    i += m[0].length;
    if (s[i] === "'") {
      let j = i + 1;
      let val = '';
      let clean = false;
      for (; j < s.length; j++) {
        if (s[j] === "'") {
          if (s[j + 1] === "'") {
            val += "'";
            j++;
            continue;
          }
          const rest = s.slice(j + 1);
          clean = /^\s*(,|$)/.test(rest);
          break;
        }
        val += s[j];
      }
      if (clean) {
        out.set(name, { t: 'string', v: val });
        i = j + 1;
      } else {
        const tail = s.slice(i + 1);
        const next = /',\s*[\p{L}_][\p{L}\p{N}_@.]*\s*=/u.exec(tail);
        const end = next ? next.index : tail.lastIndexOf("'");
        if (end < 0) throw errors.badUrl(`не закрыта строковая константа в параметрах: ${src}`);
        out.set(name, { t: 'string', v: tail.slice(0, end) });
        i = i + 1 + end + 1;
      }
    } else {
      let j = i;
      let q = false;
      for (; j < s.length; j++) {
        if (s[j] === "'") q = !q;
        if (s[j] === ',' && !q) break;
      }
      const raw = s.slice(i, j).trim();
      const one = splitKeyList(raw).positional;
      if (!one) throw errors.badUrl(`неверное значение параметра ${name}: ${raw}`);
      out.set(name, one);
      i = j;
    }
    const sep = /^\s*,?/.exec(s.slice(i))!;
    i += sep[0].length;
  }
  return out;
}
