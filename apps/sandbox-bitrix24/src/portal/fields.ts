// Field definitions and the two read formats of CRM data: legacy (`crm.deal.get`: UPPER_CASE keys, every scalar a
// string, money with two decimals) and typed (`crm.item.get`: camelCase keys, JSON numbers). Values are stored once,
// normalized (numbers, epoch milliseconds for dates, 'Y'/'N'), and rendered per API.
import { float, int, isMap, str, values, type Php, type PhpMap } from '../rest/php.ts';
import type { Kind } from '../rest/list.ts';
import { isoDateTime, money, parseDateInput, startOfDay } from './format.ts';

export type FieldType =
  | 'integer'
  | 'double'
  | 'money'
  | 'string'
  | 'char'
  | 'date'
  | 'datetime'
  | 'crm_status'
  | 'crm_currency'
  | 'crm_category'
  | 'user'
  | 'crm_company'
  | 'crm_contact'
  | 'crm_lead'
  | 'crm_quote'
  | 'crm_deal'
  | 'crm_entity'
  | 'location'
  | 'crm_multifield'
  | 'object'
  | 'file';

export interface FieldDef {
  name: string;
  type: FieldType;
  title: string;
  /** Name in crm.item.* (typed API); defaults to the mechanical camelCase of `name`. */
  camel?: string;
  ro?: boolean;
  immutable?: boolean;
  multiple?: boolean;
  required?: boolean;
  statusType?: string;
  /** Accepted on write but never returned by the legacy get/list (CONTACT_IDS). */
  writeOnly?: boolean;
  /** Only returned when selected by name (multi-fields). */
  notInStar?: boolean;
  /** Legacy API renders this integer as a JSON number rather than a string. */
  legacyNumber?: boolean;
  /** What the legacy API prints for an empty value (requisites print DATE_MODIFY as ""). */
  legacyEmpty?: string;
}

/** A stored record: normalized values by UPPER_CASE field name. */
export type Rec = PhpMap & { ID: number };

const ID_TYPES: ReadonlySet<FieldType> = new Set(['integer', 'crm_category', 'user', 'crm_company', 'crm_contact', 'crm_lead', 'crm_quote', 'crm_deal', 'location']);

/** UF_CRM_1721244707107 → ufCrm_1721244707107; ASSIGNED_BY_ID → assignedById. */
export function camelOf(name: string): string {
  return name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function camelName(f: FieldDef): string {
  return f.camel ?? camelOf(f.name);
}

export function listKind(f: FieldDef): Kind {
  if (ID_TYPES.has(f.type)) return 'int';
  if (f.type === 'double' || f.type === 'money') return 'float';
  if (f.type === 'date' || f.type === 'datetime') return 'date';
  if (f.type === 'char') return 'bool';
  if (f.type === 'crm_status' || f.type === 'crm_currency') return 'enum';
  return 'string';
}

/** Input → stored value; undefined means "ignore this input" (PHP would silently drop it). */
export function normalize(f: Pick<FieldDef, 'type' | 'multiple'>, v: Php, offsetMin: number): Php | undefined {
  if (f.multiple) {
    if (v === null || v === '' || v === false) return [];
    const list = Array.isArray(v) || isMap(v) ? values(v) : [v];
    const out: Php[] = [];
    for (const x of list) {
      const n = normalize({ type: f.type }, x, offsetMin);
      if (n !== undefined && n !== null) out.push(n);
    }
    return out;
  }
  if (v === null || v === '' || v === false) return f.type === 'char' ? 'N' : null;
  switch (f.type) {
    case 'double':
    case 'money':
      return float(v);
    case 'char': {
      const s = str(v).toUpperCase();
      return s === 'Y' || s === '1' || s === 'TRUE' ? 'Y' : 'N';
    }
    case 'date': {
      const ms = typeof v === 'string' ? parseDateInput(v, offsetMin) : undefined;
      return ms === undefined ? null : startOfDay(ms, offsetMin);
    }
    case 'datetime': {
      const ms = typeof v === 'string' ? parseDateInput(v, offsetMin) : undefined;
      return ms === undefined ? null : ms;
    }
    case 'object':
    case 'file':
      return v;
    default:
      if (ID_TYPES.has(f.type)) {
        const n = int(v);
        return Number.isFinite(n) ? n : null;
      }
      return Array.isArray(v) || isMap(v) ? undefined : str(v);
  }
}

/** Legacy read format: strings everywhere ("410", "1000000.00"), ISO datetimes, null for empty. */
export function renderLegacy(f: FieldDef, v: Php | undefined, offsetMin: number): Php {
  if (f.multiple) return values(v ?? []).map((x) => renderLegacy({ ...f, multiple: false }, x, offsetMin));
  if (v === undefined || v === null) return f.legacyEmpty ?? null;
  switch (f.type) {
    case 'money':
      return money(Number(v));
    case 'double':
      return String(v);
    case 'date':
    case 'datetime':
      return isoDateTime(Number(v), offsetMin);
    case 'object':
    case 'file':
      return v;
    default:
      if (ID_TYPES.has(f.type)) return f.legacyNumber ? Number(v) : String(v);
      return str(v);
  }
}

/** Typed read format of crm.item.*: numbers as numbers, dates ISO, flags Y/N. */
export function renderTyped(f: FieldDef, v: Php | undefined, offsetMin: number): Php {
  if (f.multiple) return values(v ?? []).map((x) => renderTyped({ ...f, multiple: false }, x, offsetMin));
  if (v === undefined || v === null) return null;
  switch (f.type) {
    case 'money':
    case 'double':
      return Number(v);
    case 'date':
    case 'datetime':
      return isoDateTime(Number(v), offsetMin);
    case 'object':
    case 'file':
      return v;
    default:
      if (ID_TYPES.has(f.type)) return Number(v);
      return str(v);
  }
}

/** crm_rest_field_description, as *.fields methods return it. */
export function describe(f: FieldDef): PhpMap {
  const d: PhpMap = {
    type: f.type,
    isRequired: !!f.required,
    isReadOnly: !!f.ro,
    isImmutable: !!f.immutable,
    isMultiple: !!f.multiple,
    isDynamic: false,
    title: f.title,
  };
  if (f.statusType) d.statusType = f.statusType;
  return d;
}

/** Shorthand for field tables: [name, type, title, flags]. */
export function defs(rows: Array<[string, FieldType, string, Partial<FieldDef>?]>): FieldDef[] {
  return rows.map(([name, type, title, extra]) => ({ name, type, title, ...(extra ?? {}) }));
}
