// Debt (F7): a counterparty's balance is reported per legal entity of ours; the company card shows one figure, the
// sum over our legal entities (a company may buy from several). The sink keeps each entity's latest balance and
// writes the total. Pure: merging a new balance and summing in kopecks.
import { formatDecimal, type Debt } from '@esb/canonical';
import { kopecks, type UfValue } from '../sink/fields.ts';

export interface DebtEntry {
  legalEntityId: string;
  amount: string;
  currency: string;
  /** ISO instant of the balance. */
  asOf: string;
}

/** The balances after `d`; `stale` when a newer balance of the same legal entity is already known (out-of-order). */
export function mergeDebt(entries: DebtEntry[], d: Debt): { entries: DebtEntry[]; stale: boolean } {
  const cur = entries.find((e) => e.legalEntityId === d.legalEntityId);
  if (cur && Date.parse(cur.asOf) > Date.parse(d.asOf)) return { entries, stale: true };
  const next: DebtEntry = { legalEntityId: d.legalEntityId, amount: d.amount, currency: d.currency, asOf: d.asOf };
  return { entries: [...entries.filter((e) => e.legalEntityId !== d.legalEntityId), next].sort((a, b) => a.legalEntityId.localeCompare(b.legalEntityId)), stale: false };
}

/**
 * The company's total in `currency`: balances in other currencies cannot be added to it and are left out (they stay
 * stored and count again once the field's currency is theirs).
 */
export function debtTotal(entries: DebtEntry[], currency: string): string {
  let sum = 0n;
  for (const e of entries) if (e.currency === currency) sum += kopecks(e.amount);
  return formatDecimal(sum, 2);
}

export function debtToCompany(entries: DebtEntry[], d: Debt, field: string): Record<string, UfValue> {
  return { [field]: { t: 'money', amount: debtTotal(entries, d.currency), currency: d.currency } };
}
