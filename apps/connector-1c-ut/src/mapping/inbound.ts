// Values as 1C's OData sends them (reference §1.4) turned into canonical ones, shared by the source-side mappings:
// Edm.Double money and quantities into decimal strings (integer arithmetic, never float sums), naive wall-clock
// dates into instants, numeric currency codes into ISO letters, and the snapshot diff the register pollers use.
import { uuidv5, ESB_NAMESPACE } from '@esb/canonical';

/** A loose 1C value as decoded by @esb/onec-client. */
export type Wire = unknown;

/** Text of a value: strings as they are, numbers printed, everything else empty. */
export function text(v: Wire): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return '';
}

/** A non-empty trimmed string, else null (1C sends "" for unfilled strings). */
export function textOrNull(v: Wire): string | null {
  const s = text(v).trim();
  return s === '' ? null : s;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMPTY_REF = '00000000-0000-0000-0000-000000000000';

/** A reference (`…_Key`, or a composite's value): the lower-case GUID, or null when empty / not a GUID. */
export function refOf(v: Wire): string | null {
  if (typeof v !== 'string' || !GUID.test(v) || v === EMPTY_REF) return null;
  return v.toLowerCase();
}

/** `StandardODATA.Document_ЗаказКлиента` → `Document_ЗаказКлиента`; Undefined / empty → null. */
export function typeOf(v: Wire): string | null {
  if (typeof v !== 'string' || !v.startsWith('StandardODATA.')) return null;
  const t = v.slice('StandardODATA.'.length);
  return t === 'Undefined' || t === '' ? null : t;
}

// ---- decimals ---------------------------------------------------------------------------------------------------

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * The unscaled integer of a 1C number at `scale` (kopecks for money at scale 2), rounded half away from zero.
 * 1C sends Edm.Double as a JSON number and Int64 as a string; `String(n)` of a double gives its shortest exact
 * decimal form, so 166.67 stays 16667 and never becomes 16666.999….
 */
export function unscaled(v: Wire, scale: number): bigint {
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
    s = /e/i.test(String(v)) ? v.toFixed(Math.min(100, scale + 6)) : String(v);
  } else if (typeof v === 'bigint') s = v.toString();
  else if (typeof v === 'string' && v.trim() !== '') s = v.trim();
  else if (v === null || v === undefined || v === '') return 0n;
  else throw new TypeError(`not a number: ${JSON.stringify(v)}`);
  const m = DECIMAL.exec(s);
  if (!m) throw new TypeError(`not a decimal number: ${JSON.stringify(s)}`);
  const frac = m[3] ?? '';
  const kept = BigInt(`${m[2]}${frac.slice(0, scale).padEnd(scale, '0')}`);
  const roundUp = frac.length > scale && Number(frac[scale]) >= 5;
  const magnitude = roundUp ? kept + 1n : kept;
  return m[1] && magnitude !== 0n ? -magnitude : magnitude;
}

/** An unscaled integer as a decimal string with exactly `scale` fraction digits. */
export function formatUnscaled(u: bigint, scale: number): string {
  const neg = u < 0n;
  const digits = (neg ? -u : u).toString().padStart(scale + 1, '0');
  const t = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${t}` : t;
}

/** Money (Avro decimal scale 2) from a 1C number. */
export const money = (v: Wire): string => formatUnscaled(unscaled(v, 2), 2);
/** Quantity (Avro decimal scale 3) from a 1C number. */
export const quantity = (v: Wire): string => formatUnscaled(unscaled(v, 3), 3);
/** Kopecks of a canonical money string (or a 1C number). */
export const kopecks = (v: Wire): bigint => unscaled(v, 2);
export const fromKopecks = (k: bigint): string => formatUnscaled(k, 2);

// ---- dates ------------------------------------------------------------------------------------------------------

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

function wallClockAsUtc(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(t));
  const p = (k: string) => Number(parts.find((x) => x.type === k)?.value ?? '0');
  return Date.UTC(p('year'), p('month') - 1, p('day'), p('hour'), p('minute'), p('second'));
}

/**
 * A naive 1C date-time (the base's wall clock, no zone — reference §1.4) as an ISO instant. The zone's offset is
 * looked up at that moment (twice, so a date next to a DST change of a zone that has one lands right).
 */
export function naiveToInstant(naive: string, timeZone: string): string {
  const m = NAIVE.exec(naive);
  if (!m) throw new TypeError(`not a naive 1C date (YYYY-MM-DDTHH:MM:SS): ${JSON.stringify(naive)}`);
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset1 = wallClockAsUtc(asUtc, timeZone) - asUtc;
  const guess = asUtc - offset1;
  const offset2 = wallClockAsUtc(guess, timeZone) - guess;
  return new Date(asUtc - offset2).toISOString();
}

/** An instant as the base's naive wall clock (for `datetime'…'` filters). */
export function instantToNaive(t: Date | number, timeZone: string): string {
  return new Date(wallClockAsUtc(typeof t === 'number' ? t : t.getTime(), timeZone)).toISOString().slice(0, 19);
}

/** Moves a naive date by `ms` (naive dates are compared as text, so arithmetic happens on the wall clock). */
export function shiftNaive(naive: string, ms: number): string {
  const m = NAIVE.exec(naive);
  if (!m) throw new TypeError(`not a naive 1C date: ${JSON.stringify(naive)}`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + ms;
  return new Date(t).toISOString().slice(0, 19);
}

/** The calendar date of a naive 1C date-time: `2026-11-21T10:00:00` → `2026-11-21`. */
export function naiveDay(naive: string): string {
  if (!NAIVE.test(naive)) throw new TypeError(`not a naive 1C date: ${JSON.stringify(naive)}`);
  return naive.slice(0, 10);
}

// ---- currencies -------------------------------------------------------------------------------------------------

/** ISO 4217 numeric → alphabetic for the currencies Russian companies settle in; 1C keeps the numeric in `Code`. */
const ISO4217: Record<string, string> = {
  '643': 'RUB',
  '810': 'RUB', // pre-1998 rouble code, still seen in old bases
  '840': 'USD',
  '978': 'EUR',
  '156': 'CNY',
  '933': 'BYN',
  '398': 'KZT',
  '051': 'AMD',
  '417': 'KGS',
  '860': 'UZS',
  '826': 'GBP',
  '756': 'CHF',
  '392': 'JPY',
  '949': 'TRY',
  '784': 'AED',
  '356': 'INR',
};

/** The ISO letters of a 1C currency (`Code` "643" → RUB); an unknown code is refused, since guessing is worse. */
export function currencyCode(code: Wire): string {
  const c = text(code).trim();
  if (/^[A-Z]{3}$/.test(c)) return c;
  const iso = ISO4217[c.padStart(3, '0')];
  if (!iso) throw new RangeError(`1C currency code ${JSON.stringify(c)} has no ISO 4217 letters in the connector's table`);
  return iso;
}

// ---- event ids ------------------------------------------------------------------------------------------------------

/**
 * A deterministic event id: the same change read twice (a poll re-run after a crash, two instances polling at
 * once) gives the same id, and the outbox keeps one. `parts` name the change: system, object, its DataVersion.
 */
export function changeEventId(...parts: string[]): string {
  return uuidv5(`1c-change:${parts.join(':')}`, ESB_NAMESPACE);
}

// ---- snapshot diff (register balances) ------------------------------------------------------------------------------

/** What the connector remembers about one balance: the value it last published and how many times it changed. */
export interface SnapshotState {
  value: string;
  seq: number;
}

export interface SnapshotChange {
  key: string;
  value: string;
  previous: string | null;
  seq: number;
}

/**
 * Compares a register read (key → value) with what was published before. New and changed keys are changes; a key
 * that was published non-zero and is now absent became `zero` (1C's virtual tables drop all-zero rows, so
 * "gone" means "nothing left"). `seq` grows per change of a key, which keeps event ids unique when a value comes
 * back (stock 5 → 3 → 5 publishes twice).
 */
export function diffSnapshot(previous: ReadonlyMap<string, SnapshotState>, current: ReadonlyMap<string, string>, zero: string): SnapshotChange[] {
  const out: SnapshotChange[] = [];
  for (const [key, value] of current) {
    const p = previous.get(key);
    if (p && p.value === value) continue;
    out.push({ key, value, previous: p?.value ?? null, seq: (p?.seq ?? 0) + 1 });
  }
  for (const [key, p] of previous) {
    if (current.has(key) || p.value === zero) continue;
    out.push({ key, value: zero, previous: p.value, seq: p.seq + 1 });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function parseSnapshotState(raw: string | undefined): SnapshotState | undefined {
  if (raw === undefined) return undefined;
  try {
    const j = JSON.parse(raw) as Partial<SnapshotState>;
    if (typeof j.value === 'string' && typeof j.seq === 'number') return { value: j.value, seq: j.seq };
  } catch {
    // an unreadable state is treated as unknown: the value is published again, which sinks handle idempotently
  }
  return undefined;
}
