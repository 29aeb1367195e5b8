// Money and quantities as integers in ten-thousandths: Bitrix keeps them as decimal(18,4), and the bus never
// lets floats near money. Parsing accepts what 1C writes (comma decimals, spaces as thousands separators).

/** An integer: the value × 10 000. */
export type Dec4 = number;

const SCALE = 10000;

export function parseDec4(v: string | number): Dec4 {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a number: ${v}`);
    return Math.round(v * SCALE);
  }
  const s = normalizeDecimal(v);
  if (s === undefined) throw new Error(`not a decimal number: "${v}"`);
  const neg = s.startsWith('-');
  const [int = '0', frac = ''] = (neg ? s.slice(1) : s).split('.');
  const f4 = Number((frac + '0000').slice(0, 4));
  const rest = frac.length > 4 ? Number(frac[4]) : 0;
  const abs = Number(int) * SCALE + f4 + (rest >= 5 ? 1 : 0);
  return neg ? -abs : abs;
}

/** `"1,4"` → `"1.4"`, `" 1 234,50 "` → `"1234.50"`; undefined when it is not a number at all. */
export function normalizeDecimal(v: string): string | undefined {
  const s = v.replace(/[\s\u00a0]/g, '').replace(',', '.');
  return /^-?\d+(\.\d+)?$/.test(s) ? s : /^-?\.\d+$/.test(s) ? s.replace('.', '0.') : undefined;
}

export function isDecimal(v: string): boolean {
  return normalizeDecimal(v) !== undefined;
}

function split(d: Dec4): { sign: string; int: number; frac: number } {
  const a = Math.abs(d);
  return { sign: d < 0 ? '-' : '', int: Math.floor(a / SCALE), frac: a % SCALE };
}

/** `231.7400`: how MySQL hands decimal(18,4) to PHP and Bitrix prints it. */
export function fmt4(d: Dec4): string {
  const { sign, int, frac } = split(d);
  return `${sign}${int}.${String(frac).padStart(4, '0')}`;
}

/** `231.74`, rounded half up to kopecks. */
export function fmt2(d: Dec4): string {
  const r = Math.round(d / 100);
  const a = Math.abs(r);
  return `${r < 0 ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** `231.74`, `223.3`, `1480`: PHP's float-to-string, which Bitrix uses for computed sums. */
export function phpFloat(d: Dec4): string {
  const { sign, int, frac } = split(d);
  if (frac === 0) return `${sign}${int}`;
  return `${sign}${int}.${String(frac).padStart(4, '0').replace(/0+$/, '')}`;
}

/** For JSON answers (REST returns numbers). */
export function toNumber(d: Dec4): number {
  return d / SCALE;
}

/** a × b for two Dec4 values, rounded half up. BigInt because price × quantity overflows 2^53 in ten-thousandths. */
export function mul(a: Dec4, b: Dec4): Dec4 {
  const p = BigInt(a) * BigInt(b);
  const q = p / 10000n;
  const r = p % 10000n;
  return Number(q + (r * 2n >= 10000n ? 1n : r * 2n <= -10000n ? -1n : 0n));
}

/** The VAT included in an amount: amount × rate / (100 + rate), rate in percent. */
export function vatIncluded(amount: Dec4, ratePercent: number): Dec4 {
  return Math.round((amount * ratePercent) / (100 + ratePercent));
}
