// What the parts of the source side share: the connector, the portal client factory, the environment, and the
// wake-ups between them (a webhook wakes the worker; ONOFFLINEEVENT and ONAPPINSTALL wake the offline drain).
import type { Bitrix24Client, BatchResult } from '@esb/bitrix24-client';
import { Bitrix24Error } from '@esb/bitrix24-client';
import type { Connector } from '@esb/connector-kit';
import type { LegalEntity } from '@esb/config';
import type { B24Record } from '../mapping/counterparty-in.ts';
import type { SellerEntity } from '../mapping/deal.ts';

export interface SourceCtx {
  c: Connector;
  client: () => Promise<Bitrix24Client>;
  env: NodeJS.ProcessEnv;
  /** The URL the portal posts events to: PUBLIC_URL (or the option) + the route, else the connector's own URL. */
  handlerUrl(): string | undefined;
  wakeWorker(): void;
  wakeOffline(): void;
  wakeBind(): void;
}

export const webhookPath = (systemId: string): string => `/webhooks/bitrix24/${systemId}`;

/** Legal entities as the seller mapping needs them (all of the topology: a deal may name any). */
export function sellerEntities(c: Connector): SellerEntity[] {
  return c.topology.legalEntities.map((e: LegalEntity) => ({ id: e.id, name: e.name, inn: e.inn, kpp: e.kpp, canonicalId: e.canonicalId }));
}

export const isRecord = (v: unknown): v is B24Record => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A command's result from a batch. A command that failed for a reason waiting can cure (a rate or operating-time
 * limit inside the batch) rethrows, so the inbound row is retried; other failures (not found, no id) are `undefined`.
 */
export function part(b: BatchResult, key: string): unknown {
  const err = b.errors[key];
  if (err) {
    if (err.retriable) throw err;
    return undefined;
  }
  return b.result[key];
}

export function records(v: unknown): B24Record[] {
  if (Array.isArray(v)) return v.filter(isRecord);
  // A list result inside crm.item.* is wrapped: {items: [...]}; PHP may print an indexed array as an object.
  if (isRecord(v)) return Array.isArray(v.items) ? v.items.filter(isRecord) : Object.values(v).filter(isRecord);
  return [];
}

/** True when the portal says the object does not exist (legacy `"Not found"`, crm.item `NOT_FOUND`). */
export function isNotFound(e: unknown): boolean {
  return e instanceof Bitrix24Error && (/not\s*found/i.test(e.description) || e.error === 'NOT_FOUND' || e.error === 'ERROR_NOT_FOUND');
}

/** `$result[key][a][b]`: a reference to an earlier command's result inside the same batch (reference §3.3). */
export const ref = (key: string, ...path: string[]): string => `$result[${key}]${path.map((p) => `[${p}]`).join('')}`;

/** Contact fields the Counterparty needs (legacy lists return multi-fields only when named). */
export const CONTACT_SELECT = ['ID', 'NAME', 'LAST_NAME', 'SECOND_NAME', 'POST', 'COMPANY_ID', 'PHONE', 'EMAIL'];
