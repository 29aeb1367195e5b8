// OAuth mode only (event.* needs an application context, reference §4.1): binds the online handlers and the offline
// events, and drains the offline queue into the inbound table. Online deliveries are fast but lost when we are down;
// the offline queue keeps the latest state per object until we take it, and — bound with our auth_connector — leaves
// out the changes our own sink made. Records are reserved under our process_id (clear=0), stored, and only then
// cleared: a crash in between gets the same records again next time, and the inbound table folds them.
import { randomUUID } from 'node:crypto';
import type { Bitrix24Client } from '@esb/bitrix24-client';
import { inboundAdd } from '@esb/store';
import { AUTH_CONNECTOR } from '../config.ts';
import { text } from '../mapping/form.ts';
import { isRecord, webhookPath, type SourceCtx } from './context.ts';
import { dedupeKey, eventTarget, OFFLINE_EVENTS, ONLINE_EVENTS } from './events.ts';

const PROCESS_CURSOR = 'b24src:offline-process-id';
const PAGE = 50;

interface Binding {
  event?: string;
  handler?: string;
  offline?: number | string;
  connector_id?: string;
}

/** The portal client, or undefined while the application is not installed yet (no tokens: nothing to do). */
async function installedClient(s: SourceCtx): Promise<Bitrix24Client | undefined> {
  try {
    return await s.client();
  } catch (e) {
    if (/no OAuth tokens/.test((e as Error).message)) return undefined;
    throw e;
  }
}

/**
 * Makes the portal's bindings what this deployment needs: every change event online to our handler URL and offline
 * under our auth_connector, plus ONOFFLINEEVENT. Online handlers of an older address of this deployment (same path,
 * another host or port) are unbound, so the portal stops posting into the void.
 */
export async function bindEvents(s: SourceCtx): Promise<{ bound: string[]; unbound: string[] } | undefined> {
  const client = await installedClient(s);
  if (!client) {
    s.c.logger.info('event binding waits for the application installation (ONAPPINSTALL)', { system: s.c.systemId });
    return undefined;
  }
  const handler = s.handlerUrl();
  if (!handler) throw new Error('the handler URL is unknown: set PUBLIC_URL to the address the portal can reach this connector at');
  const existing = (await client.call<unknown>('event.get')) as unknown;
  const bindings: Binding[] = Array.isArray(existing) ? existing.filter(isRecord) : [];
  const online = (b: Binding) => Number(text(b.offline) || 0) === 0;
  const path = webhookPath(s.c.systemId);
  const commands: Array<{ key: string; method: string; params: Record<string, unknown> }> = [];
  for (const b of bindings) {
    const h = text(b.handler);
    if (online(b) && h !== handler && h.replace(/\/+$/, '').endsWith(path)) commands.push({ key: `u${commands.length}`, method: 'event.unbind', params: { event: text(b.event), handler: h } });
  }
  const unbound = commands.map((x) => `${String(x.params.event)} → ${String(x.params.handler)}`);
  for (const e of ONLINE_EVENTS) {
    if (!bindings.some((b) => online(b) && text(b.event).toUpperCase() === e && text(b.handler) === handler)) {
      commands.push({ key: `on${commands.length}`, method: 'event.bind', params: { event: e, handler, ...(e === 'ONOFFLINEEVENT' ? { options: { minTimeout: 1 } } : {}) } });
    }
  }
  for (const e of OFFLINE_EVENTS) {
    if (!bindings.some((b) => !online(b) && text(b.event).toUpperCase() === e && text(b.connector_id) === AUTH_CONNECTOR)) {
      commands.push({ key: `off${commands.length}`, method: 'event.bind', params: { event: e, event_type: 'offline', auth_connector: AUTH_CONNECTOR } });
    }
  }
  if (commands.length === 0) return { bound: [], unbound: [] };
  const r = await client.batch(Object.fromEntries(commands.map((x) => [x.key, { method: x.method, params: x.params }])));
  const failed = Object.entries(r.errors).filter(([, e]) => !/Unable to set event handler/i.test(e.description));
  if (failed.length > 0) throw failed[0]![1];
  const bound = commands.filter((x) => x.method === 'event.bind').map((x) => `${String(x.params.event)}${x.params.event_type ? ' (offline)' : ''}`);
  await s.c.log({ direction: 'out', operation: 'event.bind', status: 'ok', businessKeys: { handler }, details: { bound, unbound } });
  s.c.logger.info('portal event bindings updated', { handler, bound: bound.length, unbound: unbound.length });
  return { bound, unbound };
}

interface OfflineEvent {
  ID?: string | number;
  EVENT_NAME?: string;
  EVENT_DATA?: unknown;
  TIMESTAMP_X?: string;
  MESSAGE_ID?: string;
}

/** Our stable process id for event.offline.get: records reserved under it before a crash come back to us. */
async function processId(s: SourceCtx): Promise<string> {
  const cur = await s.c.store.cursorGet(PROCESS_CURSOR);
  if (cur) return cur;
  const id = `esb-${s.c.systemId}-${randomUUID().replaceAll('-', '')}`.slice(0, 64);
  await s.c.store.cursorSet(PROCESS_CURSOR, id);
  return id;
}

/** Moves the portal's offline queue into the inbound table, 50 records per round trip. Returns how many. */
export async function drainOffline(s: SourceCtx, signal?: AbortSignal): Promise<number> {
  const client = await installedClient(s);
  if (!client) return 0;
  const pid = await processId(s);
  let total = 0;
  while (!signal?.aborted) {
    const got = await client.call<{ process_id?: string | null; events?: unknown }>('event.offline.get', { clear: 0, process_id: pid, auth_connector: AUTH_CONNECTOR, limit: PAGE });
    const events: OfflineEvent[] = Array.isArray(got?.events) ? (got.events as unknown[]).filter(isRecord) : [];
    if (events.length === 0) break;
    await s.c.transaction(async (tx) => {
      for (const ev of events) {
        const name = text(ev.EVENT_NAME).toUpperCase();
        let target: ReturnType<typeof eventTarget>;
        try {
          target = eventTarget(name, ev.EVENT_DATA);
        } catch (e) {
          target = { skip: `offline record ${text(ev.ID)}: ${(e as Error).message}` };
        }
        if ('skip' in target) {
          await s.c.log({ direction: 'in', operation: `offline ${name}`, status: 'skipped', businessKeys: { event: name }, details: { reason: target.skip, offlineId: text(ev.ID) } }, tx);
          continue;
        }
        const r = await inboundAdd(tx, { source: 'offline', kind: target.kind, dedupeKey: dedupeKey(target.kind, target.id), payload: { event: name, id: target.id, offlineId: text(ev.ID), at: text(ev.TIMESTAMP_X) } });
        await s.c.log({ direction: 'in', operation: `offline ${name}`, status: r.added ? 'ok' : 'duplicate', businessKeys: { [target.kind]: target.id, event: name }, details: { inbound: r.id, offlineId: text(ev.ID) } }, tx);
      }
    });
    // Cleared only once stored: the portal forgets them now, and we have them.
    await client.call('event.offline.clear', { process_id: pid, id: events.map((e) => text(e.ID)) });
    total += events.length;
    s.wakeWorker();
    if (events.length < PAGE) break;
  }
  return total;
}
