// The whole in-memory state of one simulated 1C-Bitrix site, and its JSON view for /_admin/state.
import type { Catalog } from './catalog/model.ts';
import { emptyCatalog } from './catalog/model.ts';
import type { Delivery, Order, OrderProperty, PaySystem, PersonType, Settings, SiteUser, Status } from './sale/model.ts';
import { defaultSettings } from './sale/model.ts';
import type { ExchangeSession } from './exchange/session.ts';

export interface PushConfig {
  /** Where the site's OnSaleOrderPaid handler POSTs paid orders; null: no handler installed. */
  url: string | null;
  format: 'json' | 'form';
  /** Sent as the `secret` field so the receiver can tell the site from strangers; empty: none. */
  secret: string;
  /** Bitrix\Main\Web\HttpClient waits 30 s for a socket by default. */
  timeoutMs: number;
}

export interface PushRecord {
  id: number;
  orderId: number;
  accountNumber: string;
  at: number;
  url: string;
  format: 'json' | 'form';
  /** HTTP status of the receiver's answer; null when there was none. */
  status: number | null;
  ok: boolean;
  /** Why it failed: network error, timeout, non-2xx status, or dropped by a fault. */
  error: string | null;
  dropped: boolean;
  ms: number;
  body: string;
}

export interface ExchangeState {
  sessions: Map<string, ExchangeSession>;
  /** Option sale/secure_1c_exchange: switches on the first time a client sends `sessid`, then it is required. */
  saleSecure: boolean;
  /** Option catalog/DEFAULT_SKIP_SOURCE_CHECK: switches off the first time a client sends a valid `sessid`. */
  catalogSkipSourceCheck: boolean;
  /** last_export_time_: set by every `query` (unix seconds). */
  lastExportTime: number | null;
  /** last_export_time_committed_: copied from lastExportTime by `success`; `query` exports only newer orders. */
  lastExportTimeCommitted: number | null;
  /** export_session_id_: the session of the last sale `checkauth`; `success` from another session answers `error`. */
  exportSessionId: string | null;
  /** Fault: the next import runs stay in `progress` this many extra calls. */
  slowImport: { catalog: number; sale: number };
}

export interface SiteState {
  settings: Settings;
  users: SiteUser[];
  webhooks: Array<{ userId: number; code: string; scopes: string[] }>;
  statuses: Status[];
  personTypes: PersonType[];
  orderProps: OrderProperty[];
  deliveries: Delivery[];
  paySystems: PaySystem[];
  orders: Order[];
  seq: { order: number; basket: number; propertyValue: number; payment: number; shipment: number; user: number; basketProperty: number; push: number };
  catalog: Catalog;
  exchange: ExchangeState;
  push: { config: PushConfig; log: PushRecord[]; dropNext: number };
}

export function emptyState(): SiteState {
  return {
    settings: defaultSettings(),
    users: [],
    webhooks: [],
    statuses: [],
    personTypes: [],
    orderProps: [],
    deliveries: [],
    paySystems: [],
    orders: [],
    seq: { order: 0, basket: 0, propertyValue: 0, payment: 0, shipment: 0, user: 0, basketProperty: 0, push: 0 },
    catalog: emptyCatalog(),
    exchange: {
      sessions: new Map(),
      saleSecure: false,
      catalogSkipSourceCheck: true,
      lastExportTime: null,
      lastExportTimeCommitted: null,
      exportSessionId: null,
      slowImport: { catalog: 0, sale: 0 },
    },
    push: { config: { url: null, format: 'json', secret: '', timeoutMs: 30000 }, log: [], dropNext: 0 },
  };
}

/** JSON view: uploaded files as names and sizes, passwords masked. */
export function stateView(s: SiteState): unknown {
  return {
    settings: s.settings,
    users: s.users.map((u) => ({ ...u, password: '***' })),
    webhooks: s.webhooks,
    statuses: s.statuses,
    personTypes: s.personTypes,
    orderProperties: s.orderProps,
    deliveries: s.deliveries,
    paySystems: s.paySystems,
    orders: s.orders,
    catalog: s.catalog,
    exchange: {
      ...s.exchange,
      sessions: [...s.exchange.sessions.values()].map(sessionView),
    },
    push: s.push,
  };
}

export function sessionView(x: ExchangeSession): unknown {
  const files = (m: Map<string, Buffer>) => [...m].map(([name, b]) => ({ name, bytes: b.length }));
  return {
    id: x.id,
    sessid: x.sessid,
    userId: x.userId,
    createdAt: x.createdAt,
    catalog: { zip: x.catalog.zip, step: x.catalog.ns?.step ?? 0, file: x.catalog.ns?.file ?? null, files: files(x.catalog.files) },
    sale: { zip: x.sale.zip, version: x.sale.version, files: files(x.sale.files) },
  };
}
