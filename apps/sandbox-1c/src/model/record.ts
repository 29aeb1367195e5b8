// The in-memory shape of data: records keyed by wire property names (`Контрагент_Key`, `ДокументОснование_Type`), with
// table parts as arrays of row records. Int64 values are kept as numbers and only turned into strings on the wire.
import type { NavProp, TableDef, WireProp } from '../profiles/compile.ts';

export type Scalar = string | number | boolean | null;
export interface Rec {
  [prop: string]: Scalar | Rec[];
}

/** What the filter evaluator and serializers need to know about a structural type. */
export interface Shape {
  byWire: Map<string, WireProp>;
  navs: NavProp[];
  tables: TableDef[];
}

/** A stored value that is not a table part (table parts are arrays of rows). */
export function scalar(v: Scalar | Rec[] | undefined): Scalar {
  return v === undefined || Array.isArray(v) ? null : v;
}

export const EMPTY_REF = '00000000-0000-0000-0000-000000000000';
export const EMPTY_DATE = '0001-01-01T00:00:00';
export const UNDEFINED_TYPE = 'StandardODATA.Undefined';

/** The empty value 1C stores for an unset property of this wire type. */
export function emptyValue(p: WireProp): Scalar {
  if (p.role === 'key') return EMPTY_REF;
  if (p.role === 'type') return p.attr.kind === 'storage' ? '' : UNDEFINED_TYPE;
  if (p.role === 'base64') return '';
  if (p.attr.kind === 'composite') return '';
  switch (p.attr.scalar) {
    case 'double':
    case 'int16':
    case 'int32':
    case 'int64':
      return 0;
    case 'boolean':
      return false;
    case 'date':
      return EMPTY_DATE;
    case 'guid':
      return EMPTY_REF;
    default:
      return '';
  }
}

export function isEmptyRef(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === EMPTY_REF;
}
