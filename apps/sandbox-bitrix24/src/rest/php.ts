// PHP-compatible request parameters: `parse_str` bracket syntax, PHP's loose scalar casts, and the helpers method
// handlers use to read params the way Bitrix does (key case-insensitive, lists given as arrays or as indexed maps).

/** A decoded request value: what PHP would see after `parse_str` or `json_decode($body, true)`. */
export type Php = string | number | boolean | null | Php[] | PhpMap;
export interface PhpMap {
  [key: string]: Php;
}

export function isMap(v: Php | undefined): v is PhpMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** PHP treats `[a, b]` and `{0: a, 1: b}` alike; handlers read both through this. */
export function values(v: Php | undefined): Php[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.values(v);
  return [];
}

export function entries(v: Php | undefined): Array<[string, Php]> {
  if (Array.isArray(v)) return v.map((x, i) => [String(i), x]);
  if (isMap(v)) return Object.entries(v);
  return [];
}

/** Top-level param lookup that ignores case: Bitrix handlers upper-case keys, so `fields` and `FIELDS` both work. */
export function param(p: PhpMap, name: string): Php | undefined {
  if (name in p) return p[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(p)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** PHP string cast: true → "1", false/null → "". */
export function str(v: Php | undefined): string {
  if (v === undefined || v === null || v === false) return '';
  if (v === true) return '1';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return 'Array';
}

/** PHP `(int)` cast: leading digits of a string, 0 otherwise. */
export function int(v: Php | undefined): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const m = /^\s*([+-]?\d+)/.exec(v);
    return m ? Number.parseInt(m[1]!, 10) : 0;
  }
  return 0;
}

/** PHP `(float)` cast. */
export function float(v: Php | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const m = /^\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(v.replace(',', '.'));
    return m ? Number.parseFloat(m[1]!) : 0;
  }
  return 0;
}

/** PHP truthiness, used for flags such as `halt` and `clear`. */
export function truthy(v: Php | undefined): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (typeof v === 'string') return v !== '' && v !== '0';
  if (typeof v === 'number') return v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

function urldecode(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    // PHP leaves malformed escapes as they are instead of failing the request.
    return plus.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  }
}

function nextIndex(m: PhpMap): string {
  let max = -1;
  for (const k of Object.keys(m)) if (/^(0|[1-9]\d*)$/.test(k)) max = Math.max(max, Number(k));
  return String(max + 1);
}

/** Maps whose keys are exactly 0..n-1 become arrays, as PHP's json_encode would print them. */
export function listify(v: Php): Php {
  if (Array.isArray(v)) return v.map(listify);
  if (!isMap(v)) return v;
  const keys = Object.keys(v);
  const out: PhpMap = {};
  for (const k of keys) out[k] = listify(v[k]!);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => out[k]!);
  return out;
}

/** PHP `parse_str`: `fields[PHONE][0][VALUE]=1&select[]=ID` → nested maps; `.` and space in the base name become `_`. */
export function parseStr(query: string): PhpMap {
  const root: PhpMap = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = urldecode(eq < 0 ? pair : pair.slice(0, eq)).replace(/^\s+/, '');
    const value = eq < 0 ? '' : urldecode(pair.slice(eq + 1));
    if (rawKey === '') continue;
    const open = rawKey.indexOf('[');
    const segments: string[] = [];
    let base = open < 0 ? rawKey : rawKey.slice(0, open);
    if (open >= 0) {
      let rest = rawKey.slice(open);
      while (rest.startsWith('[')) {
        const close = rest.indexOf(']');
        if (close < 0) break;
        segments.push(rest.slice(1, close));
        rest = rest.slice(close + 1);
      }
      // An unmatched `[` makes PHP treat it as part of the name (turned into `_`).
      if (segments.length === 0) base = rawKey;
    }
    base = base.replace(/[ .[]/g, '_');
    if (base === '' || base === '__proto__') continue;
    const path = [base, ...segments];
    let node: PhpMap = root;
    for (let i = 0; i < path.length; i++) {
      let key = path[i]!;
      if (key === '' && i > 0) key = nextIndex(node);
      if (key === '__proto__') break;
      if (i === path.length - 1) {
        node[key] = value;
      } else {
        const cur = node[key];
        if (!isMap(cur)) node[key] = {};
        node = node[key] as PhpMap;
      }
    }
  }
  return listify(root) as PhpMap;
}

/** PHP `urlencode`: like encodeURIComponent, but spaces as `+` and `!'()*~` escaped too. */
function phpEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Inverse of parseStr for outgoing form bodies, like PHP's `http_build_query` (brackets percent-encoded). */
export function buildQuery(v: PhpMap, prefix = ''): string {
  const parts: string[] = [];
  for (const [k, val] of entries(v)) {
    const key = prefix ? `${prefix}[${k}]` : k;
    if (val === null || val === undefined) continue;
    if (Array.isArray(val) || isMap(val)) {
      const inner = buildQuery(Array.isArray(val) ? Object.fromEntries(val.map((x, i) => [String(i), x])) : val, key);
      if (inner) parts.push(inner);
    } else {
      parts.push(`${phpEncode(key)}=${phpEncode(val === true ? '1' : val === false ? '0' : String(val))}`);
    }
  }
  return parts.join('&');
}
