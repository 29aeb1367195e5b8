// The source side of the Bitrix24 connector (architecture §1 F1/F2/F5, §4): the portal's event POSTs land in the
// durable inbound queue; a worker reads the portal and puts Order, Counterparty and Invoice events into the outbox
// in the same transaction that finishes the queued event. What webhooks miss is caught by the offline queue (OAuth
// mode) or a DATE_MODIFY reconcile (webhook mode). main.ts calls registerSource before the connector starts.
import type { Bitrix24Client } from '@esb/bitrix24-client';
import type { Connector } from '@esb/connector-kit';
import { inboundPrune } from '@esb/store';
import { b24Config } from '../config.ts';
import { webhookPath, type SourceCtx } from './context.ts';
import { ORDER } from './deals.ts';
import { INVOICE } from './invoices.ts';
import { bindEvents, drainOffline } from './offline.ts';
import { COUNTERPARTY } from './parties.ts';
import { reconcile } from './reconcile.ts';
import { webhookHandler } from './webhook.ts';
import { drainInbound } from './worker.ts';

export { WEBHOOK_EVENTS, ONLINE_EVENTS, OFFLINE_EVENTS } from './events.ts';
export { webhookPath } from './context.ts';

/** Record types the source side publishes: pass them as `emits` to Connector.open so their topics exist. */
export const SOURCE_EMITS: readonly string[] = [ORDER, COUNTERPARTY, INVOICE];

/** Poller names, for `c.poll(name)` in tests and admin tools. */
export const SOURCE_POLLERS = {
  /** Works the inbound queue; also woken right after every accepted webhook. */
  worker: 'b24-inbound',
  /** OAuth: event.bind of online handlers and offline events (at start-up, after ONAPPINSTALL, then hourly). */
  bind: 'b24-bind',
  /** OAuth: drains event.offline.get into the inbound queue (woken by ONOFFLINEEVENT). */
  offline: 'b24-offline',
  /** Webhook mode: queues objects modified since the persisted DATE_MODIFY cursor. */
  reconcile: 'b24-reconcile',
  /** Deletes inbound rows finished more than `inboundRetentionDays` ago. */
  prune: 'b24-inbound-prune',
} as const;

export interface SourceOptions {
  /** Environment (PUBLIC_URL, B24_OAUTH_SERVER, ESB_TOKEN_KEY); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The base URL the portal reaches this connector at; default env PUBLIC_URL, else the connector's own URL. */
  publicUrl?: string;
  workerMs?: number;
  offlineMs?: number;
  reconcileMs?: number;
  bindMs?: number;
  /** How long finished inbound rows are kept (evidence for the console); default 30 days. */
  inboundRetentionDays?: number;
}

/** A wake-up that queues at most one extra run of a poller, however many events ask for it meanwhile. */
function waker(c: Connector, poller: string): { wake(): void; started(): void } {
  let queued = false;
  return {
    wake() {
      if (queued || c.url === undefined) return;
      queued = true;
      c.poll(poller).catch((e: unknown) => c.logger.warn('woken poller failed; its schedule retries', { poller, error: (e as Error).message }));
    },
    started() {
      queued = false;
    },
  };
}

export function registerSource(c: Connector, client: () => Promise<Bitrix24Client>, opts: SourceOptions = {}): void {
  const env = opts.env ?? process.env;
  const oauth = b24Config(c).system.auth.mode === 'oauth';
  const worker = waker(c, SOURCE_POLLERS.worker);
  const offline = waker(c, SOURCE_POLLERS.offline);
  const bind = waker(c, SOURCE_POLLERS.bind);
  const s: SourceCtx = {
    c,
    client,
    env,
    handlerUrl() {
      const base = opts.publicUrl ?? env.PUBLIC_URL ?? c.url;
      return base ? `${base.replace(/\/+$/, '')}${webhookPath(c.systemId)}` : undefined;
    },
    wakeWorker: () => worker.wake(),
    wakeOffline: () => (oauth ? offline.wake() : undefined),
    wakeBind: () => (oauth ? bind.wake() : undefined),
  };

  c.route('POST', '/webhooks/bitrix24/:systemId', webhookHandler(s));
  c.every(SOURCE_POLLERS.worker, opts.workerMs ?? 5_000, async (signal) => {
    worker.started();
    await drainInbound(s, signal);
  });
  if (oauth) {
    c.every(SOURCE_POLLERS.bind, opts.bindMs ?? 3_600_000, async () => {
      bind.started();
      if (await bindEvents(s)) s.wakeOffline();
    });
    c.every(SOURCE_POLLERS.offline, opts.offlineMs ?? 30_000, async (signal) => {
      offline.started();
      await drainOffline(s, signal);
    });
  } else {
    c.every(SOURCE_POLLERS.reconcile, opts.reconcileMs ?? 60_000, async (signal) => {
      await reconcile(s, signal);
    });
  }
  c.every(SOURCE_POLLERS.prune, 24 * 3_600_000, async () => {
    const n = await inboundPrune(c.store, opts.inboundRetentionDays ?? 30);
    if (n > 0) c.logger.info('finished inbound events pruned', { rows: n, olderThanDays: opts.inboundRetentionDays ?? 30 });
  });
}
