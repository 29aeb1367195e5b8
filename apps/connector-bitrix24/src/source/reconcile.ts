// Webhook mode's safety net (an outgoing webhook has no offline queue, and the portal never resends a failed POST):
// every object modified since a persisted cursor is put into the inbound queue, where the worker's "publish only
// what changed" makes a visit to an object already handled a no-op. Lists page by ID cursor with start=-1, never
// asking the portal to count (reference §3.4). The next cursor is the portal's own clock when the listing began, so
// an object modified while we were paging past it is listed again next time rather than missed.
import { Bitrix24Error, type Bitrix24Client } from '@esb/bitrix24-client';
import { inboundAdd } from '@esb/store';
import { localDateTime, text } from '../mapping/form.ts';
import { isRecord, type SourceCtx } from './context.ts';
import { dedupeKey, SMART_INVOICE_TYPE, type EntityKind } from './events.ts';

interface Listing {
  kind: EntityKind;
  method: string;
  /** The id and modification-time fields of this list (legacy UPPER_CASE or crm.item camelCase). */
  idField: string;
  timeField: string;
  params?: Record<string, unknown>;
}

export const LISTINGS: readonly Listing[] = [
  { kind: 'deal', method: 'crm.deal.list', idField: 'ID', timeField: 'DATE_MODIFY' },
  { kind: 'company', method: 'crm.company.list', idField: 'ID', timeField: 'DATE_MODIFY' },
  { kind: 'contact', method: 'crm.contact.list', idField: 'ID', timeField: 'DATE_MODIFY' },
  { kind: 'smart-invoice', method: 'crm.item.list', idField: 'id', timeField: 'updatedTime', params: { entityTypeId: SMART_INVOICE_TYPE } },
  { kind: 'invoice', method: 'crm.invoice.list', idField: 'ID', timeField: 'DATE_UPDATE' },
];

interface Cursor {
  /** Portal wall-clock time, "YYYY-MM-DD HH:MM:SS" in the portal's timezone. */
  at: string;
  /** Ids already queued whose modification time equals `at` (the filter is inclusive). */
  ids: string[];
}

const cursorName = (kind: EntityKind) => `b24src:reconcile:${kind}`;

/** Kinds the portal turned out not to have (old invoices switched off, no smart invoices): asked once per process. */
const unsupported = new Map<string, string>();

function absent(e: unknown): boolean {
  return e instanceof Bitrix24Error && (e.status === 404 || e.error === 'ERROR_METHOD_NOT_FOUND' || e.error === 'NOT_FOUND' || e.error === 'ENTITY_TYPE_NOT_SUPPORTED');
}

/** One page by ID cursor: `>ID` after the last one, order by ID, start=-1 (no count). */
async function page(client: Bitrix24Client, l: Listing, since: string, after: number): Promise<{ items: Record<string, unknown>[]; portalNow?: string }> {
  const env = await client.request<unknown>(l.method, {
    ...l.params,
    filter: { [`>=${l.timeField}`]: since, [`>${l.idField}`]: after },
    order: { [l.idField]: 'ASC' },
    select: [l.idField, l.timeField],
    start: -1,
  });
  const r = env.result;
  const items = (Array.isArray(r) ? r : isRecord(r) && Array.isArray(r.items) ? r.items : []).filter(isRecord);
  const now = typeof env.time?.date_start === 'string' ? env.time.date_start : undefined;
  return { items, ...(now ? { portalNow: now } : {}) };
}

/** Queues what changed since the cursor of each kind; returns the number of objects queued. */
export async function reconcile(s: SourceCtx, signal?: AbortSignal): Promise<number> {
  const client = await s.client();
  let queued = 0;
  for (const l of LISTINGS) {
    if (signal?.aborted) break;
    if (unsupported.has(`${s.c.systemId}:${l.kind}`)) continue;
    const raw = await s.c.store.cursorGet(cursorName(l.kind));
    let cur: Cursor | undefined;
    try {
      cur = raw ? (JSON.parse(raw) as Cursor) : undefined;
    } catch {
      cur = undefined;
    }
    const since = cur?.at ?? '2000-01-01 00:00:00';
    const seen = new Set(cur?.ids ?? []);
    const found: Array<{ id: string; at: string }> = [];
    let portalNow: string | undefined;
    let after = 0;
    try {
      for (;;) {
        const p = await page(client, l, since, after);
        portalNow ??= p.portalNow;
        for (const it of p.items) {
          const id = text(it[l.idField]);
          after = Math.max(after, Number(id) || 0);
          found.push({ id, at: localDateTime(it[l.timeField]) ?? '' });
        }
        if (p.items.length < 50 || !cur) break; // the first run only learns the portal's clock
      }
    } catch (e) {
      if (absent(e)) {
        unsupported.set(`${s.c.systemId}:${l.kind}`, (e as Error).message);
        s.c.logger.info('the portal has no such objects; not reconciled', { kind: l.kind, method: l.method, error: (e as Error).message });
        continue;
      }
      throw e;
    }
    const nextAt = localDateTime(portalNow) ?? since;
    const fresh = cur ? found.filter((f) => f.id !== '' && !(f.at === since && seen.has(f.id))) : [];
    await s.c.transaction(async (tx) => {
      for (const f of fresh) {
        const r = await inboundAdd(tx, { source: 'reconcile', kind: l.kind, dedupeKey: dedupeKey(l.kind, f.id), payload: { event: 'RECONCILE', id: f.id, modified: f.at } });
        if (r.added) queued++;
      }
      const next: Cursor = { at: nextAt, ids: found.filter((f) => f.at === nextAt).map((f) => f.id) };
      await tx.cursorSet(cursorName(l.kind), JSON.stringify(next));
      if (fresh.length > 0) {
        await s.c.log({ direction: 'in', operation: `reconcile ${l.kind}`, status: 'ok', businessKeys: { [l.kind]: fresh.map((f) => f.id).slice(0, 20).join(',') }, details: { since, until: nextAt, queued: fresh.length } }, tx);
      }
    });
  }
  if (queued > 0) s.wakeWorker();
  return queued;
}
