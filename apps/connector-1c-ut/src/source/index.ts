// The source side of the 1C connector (architecture §1 F2–F8, §4): pollers that turn what changed in 1C into
// canonical events through the outbox, and the ingest route 1C handlers push to. Only what the base's
// configuration has is polled (Розница has no customer orders, so no receipts or shipments are read there).
import type { Connector } from '@esb/connector-kit';
import type { OneCClient } from '@esb/onec-client';
import { onecConfig } from '../config.ts';
import { COUNTERPARTIES_JOB, PRODUCTS_JOB, pollCounterparties, pollProducts } from './catalogs.ts';
import { SourceContext, type SourceOptions } from './context.ts';
import { EDO_JOB, hasEdo, pollEdo } from './edo.ts';
import { ingestHandler } from './ingest.ts';
import { INVOICES_JOB, hasInvoices, pollInvoices } from './invoices.ts';
import { hasReceipts, pollReceipts, RECEIPTS_JOB } from './receipts.ts';
import { DEBTS_JOB, PRICES_JOB, STOCK_JOB, pollDebts, pollPrices, pollStock } from './registers.ts';
import { hasSales, pollSales, SALES_JOB } from './sales.ts';

export type { SourceOptions } from './context.ts';
export { INGEST_RECORDS } from './ingest.ts';

/** Record types the source side publishes: pass to Connector.open({ emits }) so their topics exist at start. */
export const SOURCE_EMITS = [
  'esb.canonical.Payment',
  'esb.canonical.Shipment',
  'esb.canonical.Invoice',
  'esb.canonical.Counterparty',
  'esb.canonical.Product',
  'esb.canonical.Price',
  'esb.canonical.StockLevel',
  'esb.canonical.Debt',
  'esb.canonical.EdoStatus',
];

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Default intervals (config `poll:` overrides per job): documents often, master data and balances less so. */
export const DEFAULT_POLL_MS: Record<string, number> = {
  [RECEIPTS_JOB]: 30 * SECOND,
  [SALES_JOB]: 30 * SECOND,
  [INVOICES_JOB]: MINUTE,
  [COUNTERPARTIES_JOB]: 5 * MINUTE,
  [PRODUCTS_JOB]: 5 * MINUTE,
  [PRICES_JOB]: 5 * MINUTE,
  [STOCK_JOB]: 15 * MINUTE,
  [DEBTS_JOB]: 15 * MINUTE,
  [EDO_JOB]: MINUTE,
};

/** The pollers this base supports, by job name. */
export function sourceJobs(sc: SourceContext): Record<string, () => Promise<void>> {
  const jobs: Record<string, () => Promise<void>> = {};
  if (hasReceipts(sc)) jobs[RECEIPTS_JOB] = () => pollReceipts(sc);
  if (hasSales(sc)) jobs[SALES_JOB] = () => pollSales(sc);
  if (hasInvoices(sc)) jobs[INVOICES_JOB] = () => pollInvoices(sc);
  if (sc.entity('counterparty')) jobs[COUNTERPARTIES_JOB] = () => pollCounterparties(sc);
  if (sc.entity('nomenclature')) jobs[PRODUCTS_JOB] = () => pollProducts(sc);
  if (sc.entity('pricesRecords') && sc.entity('priceType') && sc.entity('nomenclature')) jobs[PRICES_JOB] = () => pollPrices(sc);
  if (sc.entity('stock') && sc.entity('nomenclature')) jobs[STOCK_JOB] = () => pollStock(sc);
  if (sc.entity('settlements') && sc.entity('counterparty')) jobs[DEBTS_JOB] = () => pollDebts(sc);
  if (hasEdo(sc)) jobs[EDO_JOB] = () => pollEdo(sc);
  return jobs;
}

/**
 * Registers the pollers (`c.every(job, config poll interval or the default, …)`) and `POST /ingest/1c/:systemId`.
 * `client` is the deployment's shared OData client (one per process, so the pool cap holds across sink and source).
 */
export function registerSource(c: Connector, client: () => OneCClient, opts: SourceOptions = {}): void {
  const sc = new SourceContext(c, client, opts);
  const cfg = onecConfig(c);
  for (const [job, run] of Object.entries(sourceJobs(sc))) c.every(job, cfg.pollMs(job, DEFAULT_POLL_MS[job] ?? MINUTE), () => run());
  c.route('POST', '/ingest/1c/:systemId', ingestHandler(c));
  c.route('GET', '/files/1c/:systemId/invoice/:file', sc.links.handler());
}
