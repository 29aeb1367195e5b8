// The worker of the inbound queue: claims one row at a time (FOR UPDATE SKIP LOCKED, so instances share the queue),
// reads the portal, writes the canonical events to the outbox and marks the row done — one transaction, so a crash
// anywhere leaves the row pending and the outbox untouched. A failure rolls back to a savepoint and is recorded on
// the row: retriable ones (portal down, limits) come back with backoff, permanent ones (bad data) wait for a person.
import { classifyError } from '@esb/bus';
import { inboundClaim, inboundDone, inboundFailed, type InboundItem, type StoreTx } from '@esb/store';
import { processDeal } from './deals.ts';
import { processCompany, processContact, processRequisite } from './parties.ts';
import { processOldInvoice, processSmartInvoice } from './invoices.ts';
import type { EntityKind } from './events.ts';
import type { SourceCtx } from './context.ts';

/** Retriable failures back off up to this; after MAX_ATTEMPTS the row is failed for a person to look at. */
const MAX_BACKOFF_MS = 5 * 60_000;
const MAX_ATTEMPTS = 100;

export function retryDelayMs(attempts: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 2_000 * 2 ** Math.min(attempts, 20));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

type Handler = (s: SourceCtx, tx: StoreTx, id: string, via: string) => Promise<void>;

const HANDLERS: Record<EntityKind, Handler> = {
  deal: processDeal,
  company: processCompany,
  contact: processContact,
  requisite: processRequisite,
  invoice: processOldInvoice,
  'smart-invoice': processSmartInvoice,
};

function describe(item: InboundItem): string {
  const ev = typeof item.payload.event === 'string' ? item.payload.event : item.source;
  return `${item.source} ${ev}`;
}

/**
 * Works the queue until it is empty, the stop signal fires, or the portal turns out to be unavailable (the rows
 * left wait for their retry time; trying the next ones now would only fail the same way).
 */
export async function drainInbound(s: SourceCtx, signal?: AbortSignal): Promise<number> {
  let handled = 0;
  while (!signal?.aborted) {
    const outcome = await s.c.transaction(async (tx): Promise<'empty' | 'done' | 'stop'> => {
      const [item] = await inboundClaim(tx, 1);
      if (!item) return 'empty';
      const id = typeof item.payload.id === 'string' ? item.payload.id : '';
      const kind = item.kind as EntityKind;
      const handler = HANDLERS[kind];
      const t0 = performance.now();
      await tx.manager.query('SAVEPOINT inbound_item');
      try {
        if (!handler || !id) throw Object.assign(new Error(`inbound row ${item.id}: unknown kind ${item.kind} or no object id`), { retriable: false });
        await handler(s, tx, id, describe(item));
        await inboundDone(tx, item.id);
        return 'done';
      } catch (e) {
        await tx.manager.query('ROLLBACK TO SAVEPOINT inbound_item');
        const cl = classifyError(e);
        const finalFailure = !cl.retriable || item.attempts + 1 >= MAX_ATTEMPTS;
        const retryAt = finalFailure ? null : new Date(Date.now() + retryDelayMs(item.attempts));
        await inboundFailed(tx, item.id, { error: `${cl.code}: ${cl.message}`, retryAt });
        await s.c.log(
          {
            direction: 'in',
            operation: `process ${item.kind} (${describe(item)})`,
            status: finalFailure ? 'error' : 'retry',
            errorCode: cl.code,
            error: cl.message,
            latencyMs: performance.now() - t0,
            businessKeys: { [item.kind]: id },
            details: { inbound: item.id, attempts: item.attempts + 1, ...(retryAt ? { retryAt: retryAt.toISOString() } : {}) },
          },
          tx,
        );
        const log = finalFailure ? s.c.logger.error.bind(s.c.logger) : s.c.logger.warn.bind(s.c.logger);
        log(finalFailure ? 'inbound event failed; it waits for a person (fix the data, then requeue or save the record again)' : 'inbound event failed; will retry', {
          inbound: item.id,
          kind: item.kind,
          id,
          code: cl.code,
          error: cl.message,
          attempts: item.attempts + 1,
          ...(retryAt ? { retryAt: retryAt.toISOString() } : {}),
        });
        return cl.retriable ? 'stop' : 'done';
      }
    });
    if (outcome !== 'done') break;
    handled++;
  }
  return handled;
}
