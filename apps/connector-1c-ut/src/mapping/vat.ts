// VAT rates between the canonical enum and 1C's `Перечисление.СтавкиНДС` (reference §4.2, schemas/VatRate.avsc),
// including the 2025 reduced rates of УСН payers (5 %, 7 %) and the 2026 general rate (22 %). In УТ 11.5 rows
// reference Catalog_СтавкиНДС, whose item carries the enum value in `ПеречислениеСтавкаНДС`; the value is the same.
import type { VatRate } from '@esb/canonical';

const TO_ONEC: Readonly<Record<VatRate, string>> = {
  VAT_NONE: 'БезНДС',
  VAT_0: 'НДС0',
  VAT_5: 'НДС5',
  VAT_7: 'НДС7',
  VAT_10: 'НДС10',
  VAT_18: 'НДС18',
  VAT_20: 'НДС20',
  VAT_22: 'НДС22',
  VAT_5_105: 'НДС5_105',
  VAT_7_107: 'НДС7_107',
  VAT_10_110: 'НДС10_110',
  VAT_18_118: 'НДС18_118',
  VAT_20_120: 'НДС20_120',
  VAT_22_122: 'НДС22_122',
};

const FROM_ONEC: ReadonlyMap<string, VatRate> = new Map(Object.entries(TO_ONEC).map(([k, v]) => [v.toLowerCase(), k as VatRate]));

/** The 1C enum value (`НДС22`, `БезНДС`) of a canonical rate. */
export function vatToOneC(rate: VatRate): string {
  const v = TO_ONEC[rate];
  if (!v) throw new TypeError(`unknown VAT rate ${JSON.stringify(rate)}; known: ${Object.keys(TO_ONEC).join(', ')}`);
  return v;
}

/**
 * The canonical rate of a 1C enum value; also accepts what people type into Catalog_СтавкиНДС descriptions
 * ("22%", "Без НДС", "20/120"). Undefined when it names no rate, so the caller can say which record had it.
 */
export function vatFromOneC(value: string | null | undefined): VatRate | undefined {
  if (value === null || value === undefined) return undefined;
  const s = value.trim();
  const exact = FROM_ONEC.get(s.toLowerCase());
  if (exact) return exact;
  const compact = s.toLowerCase().replace(/\s+/g, '');
  if (compact === '' || compact === 'безндс' || compact === 'безналога') return 'VAT_NONE';
  const calc = /^(\d+)%?\/(\d+)$/.exec(compact);
  if (calc) return FROM_ONEC.get(`ндс${calc[1]}_${calc[2]}`);
  const pct = /^(?:ндс)?(\d+)%?$/.exec(compact);
  if (pct) return FROM_ONEC.get(`ндс${pct[1]}`);
  return undefined;
}

/** The percent of a rate as an integer (a calculated rate 22/122 is 22); null for VAT_NONE. */
export function vatPercent(rate: VatRate): number | null {
  if (rate === 'VAT_NONE') return null;
  const m = /^VAT_(\d+)/.exec(rate);
  if (!m) throw new TypeError(`unknown VAT rate ${JSON.stringify(rate)}`);
  return Number(m[1]);
}

/**
 * 1C's «НалогообложениеНДС» of a sales document: a document all of whose rows are without VAT is not subject to
 * it; any rated row (0 % included: export is taxed at zero) makes the sale subject to VAT.
 */
export function vatTaxation(rates: readonly VatRate[]): 'ПродажаОблагаетсяНДС' | 'ПродажаНеОблагаетсяНДС' {
  return rates.length > 0 && rates.every((r) => r === 'VAT_NONE') ? 'ПродажаНеОблагаетсяНДС' : 'ПродажаОблагаетсяНДС';
}
