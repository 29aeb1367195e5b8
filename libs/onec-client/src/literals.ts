// OData v3 literals the way 1C writes them (reference §1.4, §1.7): guid'…', datetime'…' (naive, server wall-clock),
// strings in single quotes with '' doubling, plain numbers, true/false, cast(guid'…','Catalog_X') for composite
// attributes; plus the URL pieces (entity set + key) percent-encoded, because set and field names are Cyrillic.

/** 1C's empty reference: what an unfilled `_Key` attribute holds on the wire. */
export const EMPTY_REF = '00000000-0000-0000-0000-000000000000';
/** 1C's empty date: what an unfilled Дата attribute holds on the wire. */
export const EMPTY_DATE = '0001-01-01T00:00:00';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAIVE_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
// Entity set / type names: letters, digits, underscores (Cyrillic included). Anything else would let a caller's
// value escape into the query syntax, so it is refused rather than quoted.
const NAME = /^[\p{L}\p{N}_]+$/u;

export function isGuid(s: string): boolean {
  return GUID.test(s);
}

/** A literal already rendered in 1C's syntax; built only by the functions below so it is always well-formed. */
export class Literal {
  private constructor(
    readonly kind: 'guid' | 'datetime' | 'string' | 'number' | 'boolean' | 'cast',
    readonly text: string,
  ) {}

  toString(): string {
    return this.text;
  }

  /** @internal constructor for this module only. */
  static of(kind: Literal['kind'], text: string): Literal {
    return new Literal(kind, text);
  }
}

/** What a filter comparison or a key accepts on its value side. A `Date` becomes `datetime'…'`. */
export type Value = Literal | string | number | bigint | boolean | Date;

export function guid(value: string): Literal {
  if (!GUID.test(value)) throw new TypeError(`not a GUID: ${JSON.stringify(value)}`);
  return Literal.of('guid', `guid'${value.toLowerCase()}'`);
}

/**
 * 1C dates have no zone: they are the server's wall clock. A naive `YYYY-MM-DDTHH:MM:SS` string passes through;
 * a `Date` (an instant) is rendered in `timeZone` — the infobase's zone — so the same instant means the same moment.
 */
export function formatDateTime(value: Date | string, timeZone = 'Europe/Moscow'): string {
  if (typeof value === 'string') {
    const v = value.length === 10 ? `${value}T00:00:00` : value;
    if (!NAIVE_DATETIME.test(v)) throw new TypeError(`not a naive 1C date (YYYY-MM-DDTHH:MM:SS): ${JSON.stringify(value)}`);
    return v;
  }
  if (Number.isNaN(value.getTime())) throw new TypeError('invalid Date');
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(value);
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '00';
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}:${p('second')}`;
}

export function datetime(value: Date | string, timeZone?: string): Literal {
  return Literal.of('datetime', `datetime'${formatDateTime(value, timeZone)}'`);
}

export function str(value: string): Literal {
  return Literal.of('string', `'${value.replace(/'/g, "''")}'`);
}

export function num(value: number | bigint): Literal {
  // 1C answers NaN/Infinity with 400; refusing them here names the caller instead of the server.
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
  // String(1e21) would be exponent notation, which 1C's parser does not take; bigint or toFixed keeps digits.
  const text = typeof value === 'bigint' ? value.toString() : Number.isInteger(value) && Math.abs(value) >= 1e21 ? BigInt(value).toString() : String(value);
  return Literal.of('number', text);
}

export function bool(value: boolean): Literal {
  return Literal.of('boolean', value ? 'true' : 'false');
}

/**
 * A reference into a composite-typed attribute. 1C compares `Attr eq guid'…'` as "never equal" for composite
 * attributes (the quirk, reference §1.7): the type must be named, `cast(guid'…','Catalog_X')`.
 */
export function cast(ref: string | Literal, entityType: string): Literal {
  const g = typeof ref === 'string' ? guid(ref) : ref;
  if (g.kind !== 'guid') throw new TypeError('cast() takes a GUID');
  const type = entityType.replace(/^StandardODATA\./, '');
  if (!NAME.test(type)) throw new TypeError(`not an entity type name: ${JSON.stringify(entityType)}`);
  return Literal.of('cast', `cast(${g.text},'${type}')`);
}

/** Any accepted value as 1C literal text. Plain strings are string literals: a GUID must be wrapped in `guid()`. */
export function literal(value: Value, timeZone?: string): string {
  if (value instanceof Literal) return value.text;
  if (value instanceof Date) return datetime(value, timeZone).text;
  switch (typeof value) {
    case 'string':
      return str(value).text;
    case 'number':
    case 'bigint':
      return num(value).text;
    case 'boolean':
      return bool(value).text;
  }
  throw new TypeError(`unsupported literal: ${String(value)}`);
}

export function assertName(name: string, what = 'name'): string {
  if (!NAME.test(name)) throw new TypeError(`not a valid 1C ${what}: ${JSON.stringify(name)}`);
  return name;
}

/** An entity key: a Ref_Key GUID, or named parts (`{ Ref_Key: guid(…), LineNumber: 1 }`, register dimensions). */
export type Key = string | Record<string, Value>;

/** `(guid'…')` or `(Name=value, …)`; not yet percent-encoded. */
export function keyText(key: Key, timeZone?: string): string {
  if (typeof key === 'string') return `(${guid(key).text})`;
  const parts = Object.entries(key).map(([k, v]) => `${assertName(k, 'key name')}=${typeof v === 'string' && GUID.test(v) ? guid(v).text : literal(v, timeZone)}`);
  if (!parts.length) throw new TypeError('empty key');
  return `(${parts.join(', ')})`;
}

/**
 * Percent-encodes a path segment or query value as UTF-8. `encodeURIComponent` leaves `'()*!` alone — 1C needs
 * them literal in keys — and turns spaces into %20 (never `+`, which 1C would read as a plus sign).
 */
export function encode(s: string): string {
  return encodeURIComponent(s);
}

/** `Document_ЗаказКлиента(guid'…')[/Post]` percent-encoded, relative to `…/standard.odata/`. */
export function resourcePath(set: string, key?: Key, tail?: string, timeZone?: string): string {
  assertName(set, 'entity set');
  let p = encode(set);
  if (key !== undefined) p += encode(keyText(key, timeZone));
  if (tail) p += `/${tail.split('/').map(encode).join('/')}`;
  return p;
}
