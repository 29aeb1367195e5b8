// Custom (UF_*) fields per CRM entity: definitions as `crm.*.userfield.*` manage them (UF_CRM_ prefix enforced,
// A-Z0-9_ names, enumeration items with ids) and the value formats of each user type in the legacy and typed APIs.
import { errors } from '../rest/errors.ts';
import { int, isMap, param, str, values, type Php, type PhpMap } from '../rest/php.ts';
import type { FieldDef, FieldType } from './fields.ts';
import { isoDateTime, parseDateInput, startOfDay, yn } from './format.ts';

export const UF_TYPES = [
  'string', 'integer', 'double', 'boolean', 'datetime', 'date', 'money', 'url', 'address', 'enumeration', 'file',
  'employee', 'crm_status', 'iblock_section', 'iblock_element', 'crm',
] as const;

export interface EnumItem {
  ID: number;
  VALUE: string;
  DEF: 'Y' | 'N';
  SORT: number;
  XML_ID: string;
}

export interface UserField {
  ID: number;
  ENTITY_ID: string;
  FIELD_NAME: string;
  USER_TYPE_ID: string;
  XML_ID: string | null;
  SORT: number;
  MULTIPLE: 'Y' | 'N';
  MANDATORY: 'Y' | 'N';
  SHOW_FILTER: string;
  SHOW_IN_LIST: 'Y' | 'N';
  EDIT_IN_LIST: 'Y' | 'N';
  IS_SEARCHABLE: 'Y' | 'N';
  SETTINGS: PhpMap;
  EDIT_FORM_LABEL: Php;
  LIST_COLUMN_LABEL: Php;
  LIST_FILTER_LABEL: Php;
  ERROR_MESSAGE: Php;
  HELP_MESSAGE: Php;
  LIST: EnumItem[];
}

export class UserFields {
  private fields: UserField[] = [];

  constructor(private readonly nextId: (kind: string) => number) {}

  of(entityId: string): UserField[] {
    return this.fields.filter((f) => f.ENTITY_ID === entityId).sort((a, b) => a.SORT - b.SORT || a.ID - b.ID);
  }

  find(entityId: string, name: string): UserField | undefined {
    return this.fields.find((f) => f.ENTITY_ID === entityId && f.FIELD_NAME === name);
  }

  byId(id: number): UserField | undefined {
    return this.fields.find((f) => f.ID === id);
  }

  all(): UserField[] {
    return [...this.fields];
  }

  /** `crm.deal.userfield.add`: the prefix UF_CRM_ is always enforced; errors as the docs list them. */
  add(entityId: string, f: PhpMap): number {
    let name = str(param(f, 'FIELD_NAME')).trim();
    if (name === '') throw errors.legacy("The 'FIELD_NAME' field is not found.");
    const type = str(param(f, 'USER_TYPE_ID'));
    if (type === '') throw errors.legacy("The 'USER_TYPE_ID' field is not found.");
    name = name.toUpperCase();
    if (name.startsWith('UF_CRM_')) name = name.slice(7);
    else if (name.startsWith('UF_')) name = name.slice(3);
    name = `UF_CRM_${name}`;
    if (name.length > 50) throw errors.core('Field name is too long (more than 50 characters).');
    if (!/^[A-Z0-9_]+$/.test(name)) throw errors.core('Field name contains invalid characters. Allowed characters are: A-Z, 0-9 and _.');
    if (!(UF_TYPES as readonly string[]).includes(type)) throw errors.core('Incorrect custom type specified.');
    if (this.find(entityId, name)) throw errors.core(`A field named ${name} already exists.`);
    const label = param(f, 'LABEL');
    const lbl = (k: string): Php => param(f, k) ?? label ?? null;
    const list: EnumItem[] = [];
    for (const item of values(param(f, 'LIST'))) {
      if (!isMap(item)) continue;
      const xml = str(param(item, 'XML_ID')) || this.hash(`${name}:${str(param(item, 'VALUE'))}`);
      if (list.some((x) => x.XML_ID === xml)) throw errors.core(`List item with value XML_ID=${xml} already exists.`);
      list.push({ ID: this.nextId('ufenum'), VALUE: str(param(item, 'VALUE')), DEF: str(param(item, 'DEF')) === 'Y' ? 'Y' : 'N', SORT: int(param(item, 'SORT') ?? 500) || 500, XML_ID: xml });
    }
    const uf: UserField = {
      ID: this.nextId('userfield'),
      ENTITY_ID: entityId,
      FIELD_NAME: name,
      USER_TYPE_ID: type,
      XML_ID: param(f, 'XML_ID') === undefined ? null : str(param(f, 'XML_ID')),
      SORT: int(param(f, 'SORT') ?? 100) || 100,
      MULTIPLE: str(param(f, 'MULTIPLE')) === 'Y' ? 'Y' : 'N',
      MANDATORY: str(param(f, 'MANDATORY')) === 'Y' ? 'Y' : 'N',
      SHOW_FILTER: str(param(f, 'SHOW_FILTER') ?? 'N') || 'N',
      SHOW_IN_LIST: str(param(f, 'SHOW_IN_LIST') ?? 'Y') === 'N' ? 'N' : 'Y',
      EDIT_IN_LIST: str(param(f, 'EDIT_IN_LIST') ?? 'Y') === 'N' ? 'N' : 'Y',
      IS_SEARCHABLE: str(param(f, 'IS_SEARCHABLE')) === 'Y' ? 'Y' : 'N',
      SETTINGS: isMap(param(f, 'SETTINGS')) ? (param(f, 'SETTINGS') as PhpMap) : {},
      EDIT_FORM_LABEL: lbl('EDIT_FORM_LABEL'),
      LIST_COLUMN_LABEL: lbl('LIST_COLUMN_LABEL'),
      LIST_FILTER_LABEL: lbl('LIST_FILTER_LABEL'),
      ERROR_MESSAGE: param(f, 'ERROR_MESSAGE') ?? null,
      HELP_MESSAGE: param(f, 'HELP_MESSAGE') ?? null,
      LIST: list,
    };
    this.fields.push(uf);
    return uf.ID;
  }

  remove(id: number): boolean {
    const n = this.fields.length;
    this.fields = this.fields.filter((f) => f.ID !== id);
    return this.fields.length < n;
  }

  clear(): void {
    this.fields = [];
  }

  private hash(s: string): string {
    let h = 0;
    for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return h.toString(16).padStart(8, '0').repeat(4);
  }
}

/** The definition as `crm.*.userfield.list/get` prints it: ids and sorts as strings. */
export function renderUserField(u: UserField): PhpMap {
  const out: PhpMap = {
    ID: String(u.ID),
    ENTITY_ID: u.ENTITY_ID,
    FIELD_NAME: u.FIELD_NAME,
    USER_TYPE_ID: u.USER_TYPE_ID,
    XML_ID: u.XML_ID,
    SORT: String(u.SORT),
    MULTIPLE: u.MULTIPLE,
    MANDATORY: u.MANDATORY,
    SHOW_FILTER: u.SHOW_FILTER,
    SHOW_IN_LIST: u.SHOW_IN_LIST,
    EDIT_IN_LIST: u.EDIT_IN_LIST,
    IS_SEARCHABLE: u.IS_SEARCHABLE,
    SETTINGS: Object.keys(u.SETTINGS).length ? u.SETTINGS : [],
    EDIT_FORM_LABEL: u.EDIT_FORM_LABEL,
    LIST_COLUMN_LABEL: u.LIST_COLUMN_LABEL,
    LIST_FILTER_LABEL: u.LIST_FILTER_LABEL,
    ERROR_MESSAGE: u.ERROR_MESSAGE,
    HELP_MESSAGE: u.HELP_MESSAGE,
  };
  if (u.USER_TYPE_ID === 'enumeration') {
    out.LIST = u.LIST.map((i) => ({ ID: String(i.ID), SORT: String(i.SORT), VALUE: i.VALUE, DEF: i.DEF, XML_ID: i.XML_ID }));
  }
  return out;
}

/** A UF as a FieldDef, so lists can filter and sort by it. */
export function ufFieldDef(u: UserField): FieldDef {
  const t: Record<string, FieldType> = { integer: 'integer', double: 'double', datetime: 'datetime', date: 'date', employee: 'user', enumeration: 'integer', boolean: 'integer' };
  return { name: u.FIELD_NAME, type: t[u.USER_TYPE_ID] ?? 'string', title: str(u.EDIT_FORM_LABEL) || u.FIELD_NAME, multiple: u.MULTIPLE === 'Y' };
}

const TEXT_TYPES = new Set(['string', 'url', 'address', 'money', 'crm_status', 'crm']);

function normalizeOne(u: UserField, v: Php, offsetMin: number): Php | undefined {
  // A text field set to "" reads back as "" (the docs' company example), other types as null.
  if (v === '' && TEXT_TYPES.has(u.USER_TYPE_ID)) return '';
  if (v === null || v === '' || v === false) return null;
  switch (u.USER_TYPE_ID) {
    case 'integer':
    case 'employee':
    case 'iblock_section':
    case 'iblock_element':
      return int(v);
    case 'double':
      return Number(str(v).replace(',', '.')) || 0;
    case 'boolean': {
      const s = str(v).toUpperCase();
      return s === 'Y' || s === '1' || s === 'TRUE' ? 1 : 0;
    }
    case 'enumeration': {
      // An enumeration takes the item's ID; an unknown id is dropped, as the UF manager does.
      const id = int(v);
      return u.LIST.some((i) => i.ID === id) ? id : undefined;
    }
    case 'date': {
      const ms = typeof v === 'string' ? parseDateInput(v, offsetMin) : undefined;
      return ms === undefined ? null : startOfDay(ms, offsetMin);
    }
    case 'datetime': {
      const ms = typeof v === 'string' ? parseDateInput(v, offsetMin) : undefined;
      return ms === undefined ? null : ms;
    }
    case 'file':
      return isMap(v) || Array.isArray(v) ? v : undefined;
    default:
      return Array.isArray(v) || isMap(v) ? undefined : str(v);
  }
}

export function normalizeUf(u: UserField, v: Php, offsetMin: number): Php | undefined {
  if (u.MULTIPLE === 'Y') {
    const list = Array.isArray(v) || (isMap(v) && u.USER_TYPE_ID !== 'file') ? values(v) : v === null || v === '' ? [] : [v];
    return list.map((x) => normalizeOne(u, x, offsetMin)).filter((x): x is Php => x !== undefined && x !== null);
  }
  return normalizeOne(u, v, offsetMin);
}

function renderOne(u: UserField, v: Php, offsetMin: number, typed: boolean): Php {
  if (v === null) return null;
  switch (u.USER_TYPE_ID) {
    case 'integer':
    case 'employee':
    case 'enumeration':
    case 'iblock_section':
    case 'iblock_element':
    case 'double':
      return typed ? Number(v) : String(v);
    case 'boolean':
      // Legacy read format of booleans is UNCONFIRMED in the reference; "1"/"0" is the likely one. crm.item uses Y/N.
      return typed ? yn(Number(v) === 1) : String(Number(v) === 1 ? 1 : 0);
    case 'date':
    case 'datetime':
      return isoDateTime(Number(v), offsetMin);
    default:
      return v;
  }
}

export function renderUf(u: UserField, v: Php | undefined, offsetMin: number, typed: boolean): Php {
  if (u.MULTIPLE === 'Y') return values(v ?? []).map((x) => renderOne(u, x, offsetMin, typed));
  if (v === undefined) return u.USER_TYPE_ID === 'boolean' && !typed ? '0' : null;
  return renderOne(u, v, offsetMin, typed);
}

