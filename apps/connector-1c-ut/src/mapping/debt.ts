// 1C mutual settlements (AccumulationRegister_РасчетыСКлиентами, its Balance by organisation, counterparty and
// currency) → canonical Debt (F7): positive = the customer owes us, negative = prepayment; one event per balance
// that changed since the last poll, zero included.
import type { Debt, Meta } from '@esb/canonical';
import { fromKopecks, kopecks, type Wire } from './inbound.ts';

export const debtKey = (organizationRef: string, counterpartyRef: string, currencyRef: string): string => `${organizationRef}/${counterpartyRef}/${currencyRef}`;

export function parseDebtKey(key: string): { organization: string; counterparty: string; currency: string } {
  const [organization, counterparty, currency] = key.split('/');
  if (!organization || !counterparty || !currency) throw new TypeError(`not a debt key: ${key}`);
  return { organization, counterparty, currency };
}

/** Balance rows summed per organisation/counterparty/currency (over settlement objects); `Сумма` is the debt. */
export function debtSnapshot(rows: ReadonlyArray<{ organization: string; counterparty: string; currency: string; amount: Wire }>): Map<string, string> {
  const sums = new Map<string, bigint>();
  for (const r of rows) {
    const k = debtKey(r.organization, r.counterparty, r.currency);
    sums.set(k, (sums.get(k) ?? 0n) + kopecks(r.amount));
  }
  return new Map([...sums].map(([k, v]) => [k, fromKopecks(v)]));
}

export interface DebtInput {
  meta: Meta;
  counterpartyId: string;
  legalEntityId: string;
  amount: string;
  currency: string;
  asOf: string;
}

export function toDebt(i: DebtInput): Debt {
  // 1C's settlement register carries no due dates per row in the published form, so the overdue part is unknown.
  return { meta: i.meta, counterpartyId: i.counterpartyId, legalEntityId: i.legalEntityId, amount: i.amount, overdueAmount: null, currency: i.currency, asOf: i.asOf };
}
