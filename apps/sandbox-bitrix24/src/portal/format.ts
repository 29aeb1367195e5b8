// Value formats of the Bitrix24 REST API (reference §6.15): ISO-8601 datetimes with the portal's UTC offset, dates
// read back as midnight datetimes, money as strings with two decimals, Y/N flags — and the lenient input parsing
// (`strtotime`-like) the server applies to dates it is given.

/** "+03:00" → 180. */
export function parseOffset(tz: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(tz.trim());
  if (!m) throw new Error(`timezone offset must look like +03:00, got ${tz}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function offsetText(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** PHP `date('c')` in the portal's timezone: 2024-08-30T14:29:00+03:00. */
export function isoDateTime(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60_000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${offsetText(offsetMin)}`
  );
}

/** YYYY-MM-DD of an instant in the portal's timezone. */
export function isoDate(ms: number, offsetMin: number): string {
  return isoDateTime(ms, offsetMin).slice(0, 10);
}

/** Midnight (portal time) of the day that contains `ms`. */
export function startOfDay(ms: number, offsetMin: number): number {
  const local = ms + offsetMin * 60_000;
  return local - (((local % 86_400_000) + 86_400_000) % 86_400_000) - offsetMin * 60_000;
}

/**
 * Accepts what Bitrix's `strtotime`-based conversion accepts in practice: ISO dates and datetimes with or without
 * an offset, `YYYY-MM-DD HH:MM[:SS]`, and the Russian site format `DD.MM.YYYY[ HH:MM[:SS]]`. Local times are in the
 * portal's timezone. Returns undefined for anything else (the field is then left empty, as PHP's `false` would).
 */
export function parseDateInput(v: string, offsetMin: number): number | undefined {
  const s = v.trim();
  if (s === '') return undefined;
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  let y: number, mo: number, d: number, h: number, mi: number, se: number;
  let tz: string | undefined;
  if (m) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    h = Number(m[4] ?? 0);
    mi = Number(m[5] ?? 0);
    se = Number(m[6] ?? 0);
    tz = m[7];
  } else {
    m = /^(\d{2})\.(\d{2})\.(\d{4})(?:\s+(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
    if (!m) return undefined;
    [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    h = Number(m[4] ?? 0);
    mi = Number(m[5] ?? 0);
    se = Number(m[6] ?? 0);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return undefined;
  const off = tz === undefined ? offsetMin : tz === 'Z' ? 0 : parseOffset(tz.length === 5 ? `${tz.slice(0, 3)}:${tz.slice(3)}` : tz);
  return Date.UTC(y, mo - 1, d, h, mi, se) - off * 60_000;
}

/** Legacy CRM money: "1000000.00". */
export function money(n: number): string {
  return (Math.round(n * 100) / 100).toFixed(2);
}

/** Rounds like the CRM does before storing amounts (2 decimals). */
export function round2(n: number): number {
  return Math.round((n + Number.EPSILON) * 100) / 100;
}

export function yn(b: boolean): 'Y' | 'N' {
  return b ? 'Y' : 'N';
}

/** PHP `microtime(true)`-style float seconds, with microsecond precision. */
export function microtime(ms: number): number {
  return Math.round(ms * 1000) / 1_000_000;
}
