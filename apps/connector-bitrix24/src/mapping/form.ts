// What the portal sends, read without guessing: the form-encoded event POSTs with PHP bracket keys
// (`data[FIELDS][ID]=5&auth[application_token]=…`, reference §4.2), and the portal's value formats — legacy strings
// vs typed JSON numbers for money, ISO-8601 datetimes with the portal's offset — turned into decimal strings and
// UTC instants. Pure functions; malformed input is a FormError that says what is wrong where.

/** A PHP request value: a string, or an array (always a map here; `a[]=x` gets keys "0", "1", …). */
export type PhpValue = string | PhpMap;
export interface PhpMap {
  [key: string]: PhpValue;
}

export class FormError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormError';
  }
}

/** PHP's max_input_nesting_level is 64; nothing the portal sends goes past 4. */
const MAX_DEPTH = 32;
/** PHP's max_input_vars default. */
const MAX_VARS = 1000;
/** Keys that would reach Object.prototype if assigned naively. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export const isPhpMap = (v: unknown): v is PhpMap => typeof v === 'object' && v !== null && !Array.isArray(v);

function decode(part: string, what: string, index: number): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new FormError(`pair ${index + 1}: the ${what} ${JSON.stringify(part.slice(0, 60))} has a broken %-escape`);
  }
}

/** `a[b][]` → ["a", "b", ""]; a key without brackets is one segment; an unclosed `[` stays part of the name (as PHP does). */
function segmentsOf(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0 || !key.includes(']', open)) return [key];
  const out = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) break;
    out.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  return out;
}

function nextIndex(m: PhpMap): string {
  let max = -1;
  for (const k of Object.keys(m)) if (/^(0|[1-9]\d*)$/.test(k)) max = Math.max(max, Number(k));
  return String(max + 1);
}

/**
 * PHP's parse_str: `&`-separated pairs, `+` and %-escapes decoded (brackets may arrive encoded or not), bracket keys
 * nested, `[]` appended, a later scalar or array replacing an earlier value of the other shape.
 */
export function parsePhpForm(body: string): PhpMap {
  const root: PhpMap = {};
  const pairs = body.split('&');
  if (pairs.length > MAX_VARS) throw new FormError(`${pairs.length} fields: more than ${MAX_VARS}`);
  pairs.forEach((pair, index) => {
    if (pair === '') return;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq), 'key', index).trimStart();
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1), 'value', index);
    if (key === '') return;
    const segs = segmentsOf(key);
    if (segs.length > MAX_DEPTH) throw new FormError(`key ${JSON.stringify(key.slice(0, 80))} is nested ${segs.length} levels deep (at most ${MAX_DEPTH})`);
    let cur = root;
    for (let i = 0; i < segs.length; i++) {
      let seg = segs[i]!;
      if (seg === '') seg = nextIndex(cur);
      if (FORBIDDEN.has(seg)) throw new FormError(`key ${JSON.stringify(key.slice(0, 80))} uses the reserved name "${seg}"`);
      if (i === segs.length - 1) {
        cur[seg] = value;
      } else {
        const next = cur[seg];
        if (isPhpMap(next)) cur = next;
        else {
          const fresh: PhpMap = {};
          cur[seg] = fresh;
          cur = fresh;
        }
      }
    }
  });
  return root;
}

/** Walks into a form: at(form, 'data', 'FIELDS', 'ID'). */
export function at(v: PhpValue | undefined, ...path: string[]): PhpValue | undefined {
  let cur: PhpValue | undefined = v;
  for (const k of path) {
    if (!isPhpMap(cur)) return undefined;
    cur = Object.hasOwn(cur, k) ? cur[k] : undefined;
  }
  return cur;
}

export const textAt = (v: PhpValue | undefined, ...path: string[]): string | undefined => {
  const x = at(v, ...path);
  return typeof x === 'string' ? x : undefined;
};

/** One event POST (reference §4.2), checked for the parts every event has. */
export interface EventPost {
  /** Upper-cased event name: ONCRMDEALUPDATE. */
  event: string;
  handlerId: string | null;
  data: PhpMap;
  /** Unix seconds as sent, when present. */
  ts: number | null;
  auth: PhpMap;
}

/** Reads the POST body of an event: form-encoded (the portal's way) or JSON (tools and proxies). */
export function parseEventPost(body: string, contentType: string | undefined): EventPost {
  let form: PhpMap;
  if ((contentType ?? '').toLowerCase().includes('application/json')) {
    let v: unknown;
    try {
      v = JSON.parse(body);
    } catch (e) {
      throw new FormError(`the body is not JSON: ${(e as Error).message}`);
    }
    if (!isPhpMap(v)) throw new FormError('the JSON body must be an object');
    form = stringifyLeaves(v, 0);
  } else {
    if (body.trim() === '') throw new FormError('the body is empty: an event POST carries event=…, data[…], auth[…]');
    form = parsePhpForm(body);
  }
  const event = form.event;
  if (typeof event !== 'string' || !/^[A-Za-z0-9_.]+$/.test(event)) throw new FormError('field "event" is missing or not an event name');
  const auth = form.auth;
  if (!isPhpMap(auth)) throw new FormError('field "auth[…]" is missing: the portal always sends auth[application_token]');
  const data = form.data;
  if (data !== undefined && data !== '' && !isPhpMap(data)) throw new FormError('field "data" must be a map (data[FIELDS][ID]=…)');
  const tsRaw = typeof form.ts === 'string' ? form.ts : '';
  const ts = /^\d{1,12}$/.test(tsRaw) ? Number(tsRaw) : null;
  return {
    event: event.toUpperCase(),
    handlerId: typeof form.event_handler_id === 'string' ? form.event_handler_id : null,
    data: isPhpMap(data) ? data : {},
    ts,
    auth,
  };
}

function stringifyLeaves(v: Record<string, unknown>, depth: number): PhpMap {
  if (depth > MAX_DEPTH) throw new FormError(`the JSON body is nested more than ${MAX_DEPTH} levels deep`);
  const out: PhpMap = {};
  for (const [k, x] of Object.entries(Array.isArray(v) ? Object.fromEntries(v.map((y, i) => [String(i), y])) : v)) {
    if (FORBIDDEN.has(k)) throw new FormError(`the JSON body uses the reserved key "${k}"`);
    if (x === null || x === undefined) out[k] = '';
    else if (typeof x === 'object') out[k] = stringifyLeaves(x as Record<string, unknown>, depth + 1);
    else out[k] = String(x);
  }
  return out;
}

// ---- the portal's values --------------------------------------------------------------------------------------

/** A portal value as text: legacy CRM strings, typed JSON numbers, null → "". */
export function text(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v === true) return 'Y';
  return '';
}

/** A positive integer id ("394", 394) or null for 0, "", null. */
export function idOf(v: unknown): string | null {
  const s = text(v);
  return /^[1-9]\d*$/.test(s) ? s : null;
}

const DECIMAL = /^(-)?(\d+)(?:[.,](\d*))?$/;

/**
 * A number from the portal as an integer of units of 10^-scale, rounded half away from zero: "9800.00", "1633.34",
 * 4083.33 (a JSON number), 2 (a quantity). Floats never enter arithmetic: a JSON number goes through its shortest
 * decimal representation. Returns null for an empty value; throws on anything that is not a number.
 */
export function unscaled(v: unknown, scale: number, what: string): bigint | null {
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new FormError(`${what}: ${v} is not a number`);
    if (Math.abs(v) >= 1e21) throw new FormError(`${what}: ${v} is too large`);
    // toFixed(9) prints the exact binary value rounded to 9 places; enough to round money and quantities right.
    s = v.toFixed(9);
  } else s = text(v);
  if (s === '') return null;
  const m = DECIMAL.exec(s.replace(/\s/g, ''));
  if (!m) throw new FormError(`${what}: ${JSON.stringify(s)} is not a decimal number`);
  const frac = m[3] ?? '';
  const kept = BigInt(`${m[2]}${frac.slice(0, scale).padEnd(scale, '0')}`);
  const roundUp = frac.length > scale && Number(frac[scale]) >= 5;
  const abs = roundUp ? kept + 1n : kept;
  return m[1] ? -abs : abs;
}

/** An unscaled integer as a decimal string with exactly `scale` fraction digits ("9800.00", "2.000"). */
export function decimalString(u: bigint, scale: number): string {
  const neg = u < 0n;
  const digits = (neg ? -u : u).toString().padStart(scale + 1, '0');
  const s = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${s}` : s;
}

/** a / b rounded half away from zero (b > 0). */
export function divRound(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError('divRound: the divisor must be positive');
  const q = a / b;
  const r = a % b;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= b) return a < 0n ? q - 1n : q + 1n;
  return q;
}

const PORTAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** A portal datetime ("2026-11-21T10:07:45+03:00", date('c')) as a UTC instant with milliseconds; null when empty or unreadable. */
export function instant(v: unknown): string | null {
  const s = text(v);
  const m = PORTAL_DATETIME.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', se = '00', tz] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${se}${tz ? (tz === 'Z' ? 'Z' : tz.length === 5 ? `${tz.slice(0, 3)}:${tz.slice(3)}` : tz) : 'Z'}`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The calendar date a portal datetime names in the portal's own timezone: "2026-11-28T00:00:00+03:00" → "2026-11-28". */
export function localDate(v: unknown): string | null {
  const m = PORTAL_DATETIME.exec(text(v));
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/**
 * A portal datetime as the portal's local wall-clock time "YYYY-MM-DD HH:MM:SS", the form list filters compare
 * reliably (lessons §3.8: crm.item.list does not match ATOM strings with an offset).
 */
export function localDateTime(v: unknown): string | null {
  const m = PORTAL_DATETIME.exec(text(v));
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}` : null;
}

/** Removes BB-codes ([b], [url=…], [/list]…) from CRM comments, keeping the text. */
export function stripBbCodes(v: unknown): string | null {
  const s = text(v)
    .replace(/\[\/?[a-z*]+(?:=[^\]]*)?\]/gi, '')
    .replace(/\r\n/g, '\n')
    .trim();
  return s === '' ? null : s;
}
