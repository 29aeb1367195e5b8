// Write-side values with 1C's rules (GUIDs for `_Key`, naive dates, enum names, allowed `_Type`s, strings cut to their
// length); anything else is refused with code 4 «Неверное значение свойства».
import type { Model, WireProp } from '../profiles/compile.ts';
import { errors } from '../odata/errors.ts';
import { normalizeDate } from '../odata/filter.ts';
import { EMPTY_REF, UNDEFINED_TYPE, type Scalar } from './record.ts';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(s: unknown): s is string {
  return typeof s === 'string' && GUID_RE.test(s);
}

const EDM_OF_PRIMITIVE = new Set(['Edm.String', 'Edm.Double', 'Edm.Boolean', 'Edm.DateTime']);

export function coerceGuid(prop: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return EMPTY_REF;
  if (!isGuid(v)) throw errors.badValue(prop, v);
  return v.toLowerCase();
}

export function coerceDate(prop: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '0001-01-01T00:00:00';
  // 1C dates are naive wall-clock values; an offset or `Z` has no meaning to the server, so it is refused.
  if (typeof v !== 'string' || /(Z|[+-]\d{2}:?\d{2})$/.test(v)) throw errors.badValue(prop, v);
  const d = normalizeDate(v);
  if (!d) throw errors.badValue(prop, v);
  return d;
}

function coerceNumber(prop: string, v: unknown, integer: boolean): number {
  if (v === null || v === undefined || v === '') return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw errors.badValue(prop, v);
  return n;
}

function coerceBoolean(prop: string, v: unknown): boolean {
  if (v === true || v === false) return v;
  if (v === 'true' || v === 'false') return v === 'true';
  if (v === null || v === undefined) return false;
  throw errors.badValue(prop, v);
}

/** A scalar or `_Key` value for storage; composites are handled by `coerceComposite` because value and type travel together. */
export function coerce(model: Model, p: WireProp, v: unknown): Scalar {
  if (p.role === 'key') return coerceGuid(p.name, v);
  if (p.role === 'base64') {
    if (v === null || v === undefined) return '';
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(v)) throw errors.badValue(p.name, v);
    return v.replace(/[\r\n]/g, '');
  }
  if (p.role === 'type') {
    if (v === null || v === undefined) return p.attr.kind === 'storage' ? '' : UNDEFINED_TYPE;
    if (typeof v !== 'string') throw errors.badValue(p.name, v);
    return v;
  }
  const a = p.attr;
  switch (a.scalar) {
    case 'string': {
      if (v === null || v === undefined) return '';
      if (typeof v !== 'string') throw errors.badValue(p.name, v);
      // Limited strings are cut to their declared length as the platform does on assignment.
      return a.maxLength ? v.slice(0, a.maxLength) : v;
    }
    case 'enum': {
      if (v === null || v === undefined || v === '') return '';
      if (typeof v !== 'string' || !(model.enums[a.enumName!] ?? []).includes(v)) throw errors.badValue(p.name, v);
      return v;
    }
    case 'double':
      return coerceNumber(p.name, v, false);
    case 'int16':
    case 'int32':
    case 'int64':
      return coerceNumber(p.name, v, true);
    case 'boolean':
      return coerceBoolean(p.name, v);
    case 'date':
      return coerceDate(p.name, v);
    case 'guid':
      return coerceGuid(p.name, v);
    default:
      throw errors.badValue(p.name, v);
  }
}

/** A composite value with its `_Type` (given, or kept from the stored record when only the value is sent). */
export function coerceComposite(name: string, allowed: string[], value: unknown, type: unknown): { value: Scalar; type: string } {
  const t = typeof type === 'string' && type ? type : UNDEFINED_TYPE;
  if (t === UNDEFINED_TYPE) return { value: '', type: UNDEFINED_TYPE };
  const bare = t.startsWith('StandardODATA.') ? t.slice('StandardODATA.'.length) : t;
  if (!allowed.includes(bare) && !(EDM_OF_PRIMITIVE.has(t) && allowed.includes(t))) throw errors.badValue(`${name}_Type`, type);
  if (t.startsWith('StandardODATA.')) return { value: coerceGuid(name, value), type: t };
  switch (t) {
    case 'Edm.Double':
      return { value: coerceNumber(name, value, false), type: t };
    case 'Edm.Boolean':
      return { value: coerceBoolean(name, value), type: t };
    case 'Edm.DateTime':
      return { value: coerceDate(name, value), type: t };
    default:
      if (value !== null && value !== undefined && typeof value !== 'string') throw errors.badValue(name, value);
      return { value: (value as string | null | undefined) ?? '', type: t };
  }
}

/** `Контрагент@odata.bind`: `Catalog_Контрагенты(guid'…')`, short or absolute. */
export function parseBind(prop: string, v: unknown): { set: string; key: string } {
  if (typeof v !== 'string') throw errors.badValue(prop, v);
  const m = /([^/()]+)\(guid'([0-9a-fA-F-]{36})'\)\s*$/.exec(decodeURIComponent(v));
  if (!m || !isGuid(m[2])) throw errors.badValue(prop, v);
  return { set: m[1]!, key: m[2]!.toLowerCase() };
}
