// Value decoding / encoding between 1C's JSON and ours (reference §1.4): Int64 arrives as a JSON string (kept, or
// bigint on request), the empty date and the empty reference become null so "not filled" is one value, and on the
// way back null, bigint and Date become what 1C expects. Table-part rows get LineNumber 1…n when missing, because
// 1C answers a row without it with 500 / -1 and an unhelpful message (reference §1.9).
import { EMPTY_DATE, EMPTY_REF, formatDateTime } from './literals.ts';

export type Int64Mode = 'string' | 'bigint';

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
/** What a decoded entity holds: JSON values plus bigint for Int64 in `bigint` mode. */
export type OneCValue = string | number | boolean | bigint | null | OneCValue[] | { [k: string]: OneCValue };
export type OneCEntity = Record<string, OneCValue>;

/** What callers may send: decoded values plus Date (rendered in the infobase's zone) and undefined (dropped). */
export type OneCInput = OneCValue | Date | undefined | OneCInput[] | { [k: string]: OneCInput };

export interface DecodeOptions {
  int64: Int64Mode;
  /** Property names known to be Int64 (from `$metadata`), in addition to LineNumber. */
  int64Fields?: ReadonlySet<string>;
}

function decodeValue(key: string, v: Json, o: DecodeOptions): OneCValue {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map((x) => decodeValue('', x, o));
  if (typeof v === 'object') return decodeEntity(v, o);
  if (typeof v === 'string') {
    if (v === EMPTY_DATE || v === EMPTY_REF) return null;
    if (o.int64 === 'bigint' && (key === 'LineNumber' || o.int64Fields?.has(key)) && /^-?\d+$/.test(v)) return BigInt(v);
  }
  return v;
}

export function decodeEntity(e: { [k: string]: Json }, o: DecodeOptions): OneCEntity {
  const out: OneCEntity = {};
  for (const [k, v] of Object.entries(e)) {
    // Protocol annotations (odata.metadata, …@navigationLinkUrl) are not data.
    if (k.startsWith('odata.') || k.includes('@')) continue;
    out[k] = decodeValue(k, v, o);
  }
  return out;
}

function isRow(v: unknown): v is Record<string, OneCInput> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function encodeValue(key: string, v: OneCInput, timeZone: string): Json | undefined {
  if (v === undefined) return undefined;
  if (v === null) {
    // A reference attribute is cleared with the empty GUID; other nulls go as JSON null.
    return key.endsWith('_Key') ? EMPTY_REF : null;
  }
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return formatDateTime(v, timeZone);
  if (Array.isArray(v)) {
    // A table part: 1C replaces it wholesale and needs LineNumber on each row; fill 1…n where the caller left it out.
    return v.map((row, i) => {
      if (!isRow(row)) return encodeValue('', row, timeZone) ?? null;
      const enc = encodeBody(row, timeZone);
      if (enc['LineNumber'] === undefined || enc['LineNumber'] === null) enc['LineNumber'] = String(i + 1);
      return enc;
    });
  }
  if (isRow(v)) return encodeBody(v, timeZone);
  return v;
}

export function encodeBody(body: Record<string, OneCInput>, timeZone: string): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(body)) {
    const e = encodeValue(k, v, timeZone);
    if (e !== undefined) out[k] = e;
  }
  return out;
}
