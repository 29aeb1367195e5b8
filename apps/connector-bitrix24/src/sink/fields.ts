// Values the sink writes into custom (UF) fields, typed by what the field holds, and the comparison that makes every
// write compare-before-write: a value equal to what the portal already shows is never sent again, so replaying a
// delivery changes nothing (not even DATE_MODIFY). Pure functions; money is compared in kopecks, never as floats.
import { parseDecimal } from '@esb/canonical';

export type UfValue =
  /** string / url fields; null clears. */
  | { t: 'text'; v: string | null }
  /** money fields, written as `amount|CUR` (reference §6.2). */
  | { t: 'money'; amount: string; currency: string }
  /** date fields from a calendar date `YYYY-MM-DD`. */
  | { t: 'date'; date: string }
  /** date fields from an instant: the portal keeps the day in its own time zone. */
  | { t: 'instant'; at: string }
  /** enumeration fields: the item with this XML_ID; a plain string field gets the XML_ID itself. */
  | { t: 'enum'; xmlId: string };

export interface EnumItem {
  ID: string;
  XML_ID: string;
  VALUE: string;
}

/** The portal's definition of a field, as far as writing it needs. */
export interface FieldDef {
  type: string;
  items?: EnumItem[];
}

const DATE = /^(\d{4}-\d{2}-\d{2})/;

/** Unscaled kopecks of a decimal string at scale 2; more fraction digits are cut to 2 when they are zeros. */
export function kopecks(s: string): bigint {
  const trimmed = s.trim().replace(',', '.');
  const m = /^(-?\d+)(?:\.(\d*))?$/.exec(trimmed);
  if (!m) throw new TypeError(`"${s}" is not a decimal amount`);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return parseDecimal(frac ? `${m[1]}.${frac}` : m[1]!, 18, 2);
}

/** A money value as the portal stores it: "15900.01|RUB". */
export function moneyText(amount: string, currency: string): string {
  return `${amount}|${currency}`;
}

function parseMoney(v: unknown): { k: bigint; currency: string } | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const [amount = '', currency = ''] = String(v).split('|');
  if (amount.trim() === '') return undefined;
  try {
    return { k: kopecks(amount), currency: currency.trim().toUpperCase() };
  } catch {
    return undefined;
  }
}

/** `+03:00` of an ISO date-time the portal printed, in minutes; undefined when it has none. */
function offsetOf(iso: string): number | undefined {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
  if (!m) return /Z$/.test(iso) ? 0 : undefined;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** The calendar day of an instant at a UTC offset. */
export function dayAt(instant: string, offsetMin: number): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new TypeError(`"${instant}" is not a date-time`);
  return new Date(ms + offsetMin * 60_000).toISOString().slice(0, 10);
}

function textOf(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  return String(v).trim();
}

/** What to send for a value; enumerations need the field's items (undefined when the item does not exist). */
export function encodeUf(value: UfValue, def?: FieldDef): string | undefined {
  switch (value.t) {
    case 'text':
      return value.v ?? '';
    case 'money':
      return moneyText(value.amount, value.currency);
    case 'date':
      return value.date;
    case 'instant':
      return value.at;
    case 'enum':
      if (def?.type === 'enumeration') return def.items?.find((i) => i.XML_ID === value.xmlId)?.ID;
      return value.xmlId;
  }
}

/** Whether the portal's current value already is the desired one. */
export function sameUf(current: unknown, value: UfValue, def?: FieldDef): boolean {
  switch (value.t) {
    case 'text':
      return textOf(current) === (value.v ?? '').trim();
    case 'money': {
      const cur = parseMoney(current);
      if (!cur) return false;
      // A money field read without a currency shows the portal's base currency: compare the amount only then.
      return cur.k === kopecks(value.amount) && (cur.currency === '' || cur.currency === value.currency.toUpperCase());
    }
    case 'date':
      return DATE.exec(textOf(current))?.[1] === value.date;
    case 'instant': {
      const cur = textOf(current);
      const day = DATE.exec(cur)?.[1];
      if (!day) return false;
      // The portal prints the day at midnight of its own zone: the desired instant's day is taken in that zone.
      return dayAt(value.at, offsetOf(cur) ?? 0) === day;
    }
    case 'enum': {
      const encoded = encodeUf(value, def);
      return encoded !== undefined && textOf(current) === encoded;
    }
  }
}

/**
 * The fields to send: the desired values that differ from the record as read. Unknown enumeration items are left
 * out (`missing` names them) rather than written as garbage.
 */
export function diffFields(current: Record<string, unknown>, desired: Record<string, UfValue>, defs: Record<string, FieldDef | undefined> = {}): { fields: Record<string, string>; missing: string[] } {
  const fields: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, value] of Object.entries(desired)) {
    const def = defs[name];
    if (sameUf(current[name], value, def)) continue;
    const encoded = encodeUf(value, def);
    if (encoded === undefined) missing.push(name);
    else fields[name] = encoded;
  }
  return { fields, missing };
}
