// Outgoing events (reference §4): bindings made by apps (event.bind, online or offline) and outgoing webhooks made in
// the UI; each change POSTs a form-encoded payload (event, event_handler_id, data[...], ts, auth[...] with
// application_token) once, with a timeout and no retries; offline bindings queue the latest state per object for
// event.offline.get, split by auth_connector so an app's own writes stay out of its queue.
import { createHash, randomBytes } from 'node:crypto';
import type { OAuth } from './oauth.ts';
import { buildQuery, type PhpMap } from './rest/php.ts';

/** Event names a portal offers to event.bind; anything else is ERROR_EVENT_NOT_FOUND. */
export const KNOWN_EVENTS: ReadonlySet<string> = new Set([
  ...['DEAL', 'COMPANY', 'CONTACT', 'LEAD', 'QUOTE'].flatMap((e) => [
    `ONCRM${e}ADD`, `ONCRM${e}UPDATE`, `ONCRM${e}DELETE`,
    `ONCRM${e}USERFIELDADD`, `ONCRM${e}USERFIELDUPDATE`, `ONCRM${e}USERFIELDDELETE`, `ONCRM${e}USERFIELDSETENUMVALUES`,
  ]),
  'ONCRMDEALMOVETOCATEGORY',
  'ONCRMDEALRECURRINGADD', 'ONCRMDEALRECURRINGUPDATE', 'ONCRMDEALRECURRINGDELETE', 'ONCRMDEALRECURRINGEXPOSE',
  'ONCRMREQUISITEADD', 'ONCRMREQUISITEUPDATE', 'ONCRMREQUISITEDELETE',
  'ONCRMBANKDETAILADD', 'ONCRMBANKDETAILUPDATE', 'ONCRMBANKDETAILDELETE', 'ONCRMADDRESSREGISTER', 'ONCRMADDRESSUNREGISTER',
  'ONCRMDYNAMICITEMADD', 'ONCRMDYNAMICITEMUPDATE', 'ONCRMDYNAMICITEMDELETE',
  'ONCRMTYPEADD', 'ONCRMTYPEUPDATE', 'ONCRMTYPEDELETE',
  'ONCRMINVOICEADD', 'ONCRMINVOICEUPDATE', 'ONCRMINVOICEDELETE', 'ONCRMINVOICESETSTATUS',
  'ONCRMPRODUCTADD', 'ONCRMPRODUCTUPDATE', 'ONCRMPRODUCTDELETE',
  'CATALOG.PRODUCT.ON.ADD', 'CATALOG.PRODUCT.ON.UPDATE', 'CATALOG.PRODUCT.ON.DELETE',
  'ONCRMTIMELINECOMMENTADD', 'ONCRMTIMELINECOMMENTUPDATE', 'ONCRMTIMELINECOMMENTDELETE',
  'ONCRMACTIVITYADD', 'ONCRMACTIVITYUPDATE', 'ONCRMACTIVITYDELETE',
  'ONTASKADD', 'ONTASKUPDATE', 'ONTASKDELETE', 'ONTASKCOMMENTADD', 'ONTASKCOMMENTUPDATE', 'ONTASKCOMMENTDELETE',
  'ONAPPINSTALL', 'ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONAPPPAYMENT', 'ONAPPTEST', 'ONAPPMETHODCONFIRM', 'ONUSERADD', 'ONOFFLINEEVENT',
]);

/** Events that only an application (not an outgoing webhook) may subscribe to. */
export const APP_ONLY_EVENTS: ReadonlySet<string> = new Set(['ONCRMDEALMOVETOCATEGORY', 'ONOFFLINEEVENT', 'ONAPPINSTALL', 'ONAPPUNINSTALL', 'ONAPPUPDATE']);

export interface Binding {
  id: number;
  event: string;
  handler: string;
  /** The app that bound it; null for an outgoing webhook configured in the UI. */
  clientId: string | null;
  /** User whose token goes into auth[]; 0 = the user who caused the event. */
  authType: number;
  type: 'online' | 'offline';
  authConnector: string;
  options: PhpMap;
  /** Outgoing webhooks carry their own application token. */
  applicationToken?: string;
}

export interface Delivery {
  id: number;
  at: string;
  event: string;
  handlerId: number;
  url: string;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  httpStatus?: number;
  error?: string;
  ms?: number;
  body: string;
}

export interface OfflineRecord {
  ID: number;
  TIMESTAMP_X: number;
  EVENT_NAME: string;
  EVENT_DATA: PhpMap;
  EVENT_ADDITIONAL: PhpMap;
  MESSAGE_ID: string;
  clientId: string;
  authConnector: string;
  processId: string | null;
  error: boolean;
}

/** Who caused a change: the user (null for automation), the app, and the auth_connector the call carried. */
export interface Origin {
  userId: number | null;
  clientId?: string;
  authConnector?: string;
}

export interface EventsSettings {
  /** No documented value (UNCONFIRMED); how long one POST may take before it counts as failed. */
  timeoutMs: number;
  /** Delivery goes through a queue and may be delayed; adds a delay before each POST. */
  delayMs: number;
}

export interface PortalIdentity {
  baseUrl: string;
  memberId: string;
  domain: string;
}

export class Events {
  bindings: Binding[] = [];
  deliveries: Delivery[] = [];
  offline: OfflineRecord[] = [];
  settings: EventsSettings = { timeoutMs: 5000, delayMs: 0 };
  /** Fault: the next N outgoing POSTs are dropped (never sent), as a lost delivery would be. */
  dropNext = 0;
  private pending = new Set<Promise<void>>();
  private lastOfflineNotice = new Map<string, number>();
  private seq = 0;

  constructor(
    private readonly oauth: OAuth,
    private readonly identity: () => PortalIdentity,
    private readonly nextId: (kind: string) => number,
  ) {}

  clear(): void {
    this.bindings = [];
    this.deliveries = [];
    this.offline = [];
    this.dropNext = 0;
    this.lastOfflineNotice.clear();
  }

  bind(b: Omit<Binding, 'id'>): Binding {
    const binding = { ...b, id: this.nextId('eventhandler') };
    this.bindings.push(binding);
    return binding;
  }

  /** Called after every change; online handlers get a POST, offline bindings get a queue record. */
  emit(event: string, data: PhpMap, origin: Origin, now: number, onlyClient?: string): void {
    const name = event.toUpperCase();
    for (const b of this.bindings) {
      if (b.event !== name) continue;
      if (onlyClient !== undefined && b.clientId !== onlyClient) continue;
      if (b.clientId !== null) {
        const app = this.oauth.apps.get(b.clientId);
        // Events wait for installFinish; the install and uninstall notices themselves do not.
        if (!app || (!app.installFinished && name !== 'ONAPPINSTALL' && name !== 'ONAPPUNINSTALL')) continue;
      }
      if (b.type === 'offline') this.record(b, name, data, origin, now);
      else this.post(b, name, data, origin, now);
    }
  }

  private authFor(b: Binding, name: string, origin: Origin, now: number): PhpMap {
    const id = this.identity();
    const base = { domain: id.domain, server_endpoint: `${id.baseUrl}/rest/`, client_endpoint: `${id.baseUrl}/rest/`, member_id: id.memberId };
    if (b.clientId === null) return { ...base, application_token: b.applicationToken ?? '' };
    const app = this.oauth.apps.get(b.clientId)!;
    // Uninstallation carries no tokens: the application token is the only thing to check (reference §4.3).
    if (name === 'ONAPPUNINSTALL') return { domain: id.domain, member_id: id.memberId, application_token: app.applicationToken };
    const userId = b.authType > 0 ? b.authType : origin.userId;
    // No user behind the change (automation, agents): no tokens, only the portal and the application token.
    if (userId === null) return { domain: id.domain, member_id: id.memberId, application_token: app.applicationToken };
    const withRefresh = name === 'ONAPPINSTALL' || name === 'ONOFFLINEEVENT';
    const issued = withRefresh ? this.oauth.issue(app.clientId, userId, now) : undefined;
    const at = issued ? { token: String(issued.access_token) } : this.oauth.accessFor(app.clientId, userId, now);
    const out: PhpMap = {
      access_token: at.token,
      expires_in: String(this.oauth.settings.accessTokenLifetimeSec),
      scope: app.scope.join(','),
      domain: id.domain,
      server_endpoint: base.server_endpoint,
      status: app.status,
      client_endpoint: base.client_endpoint,
      member_id: id.memberId,
    };
    if (issued) out.refresh_token = String(issued.refresh_token);
    out.application_token = app.applicationToken;
    return out;
  }

  private post(b: Binding, name: string, data: PhpMap, origin: Origin, now: number): void {
    const payload: PhpMap = { event: name, event_handler_id: String(b.id), data, ts: String(Math.floor(now / 1000)), auth: this.authFor(b, name, origin, now) };
    const body = buildQuery(payload);
    const d: Delivery = { id: ++this.seq, at: new Date(now).toISOString(), event: name, handlerId: b.id, url: b.handler, status: 'pending', body };
    this.deliveries.push(d);
    if (this.deliveries.length > 1000) this.deliveries.splice(0, this.deliveries.length - 1000);
    if (this.dropNext > 0) {
      this.dropNext--;
      d.status = 'dropped';
      return;
    }
    const p = this.send(d).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** One attempt, never retried: a handler that fails or times out simply loses the event (reference §4.4). */
  private async send(d: Delivery): Promise<void> {
    if (this.settings.delayMs > 0) await new Promise((r) => setTimeout(r, this.settings.delayMs));
    else await new Promise((r) => setImmediate(r));
    const t0 = Date.now();
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Bitrix24 Webhook Engine' },
        body: d.body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      d.httpStatus = res.status;
      d.status = res.ok ? 'delivered' : 'failed';
    } catch (e) {
      d.status = 'failed';
      d.error = e instanceof Error ? (e.name === 'TimeoutError' ? 'timeout' : e.message) : String(e);
    }
    d.ms = Date.now() - t0;
  }

  /** Resolves when every POST started so far has finished (tests and /_admin/events?wait=1). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * The offline queue keeps the latest state per object: a repeated change of the same object updates the waiting
   * record instead of adding one. A change made with the binding's own auth_connector is not recorded.
   */
  private record(b: Binding, name: string, data: PhpMap, origin: Origin, now: number): void {
    const connector = b.authConnector;
    if (connector !== '' && origin.authConnector === connector) return;
    const clientId = b.clientId ?? '';
    const messageId = createHash('md5').update(`${name}|${JSON.stringify(data)}`).digest('hex');
    const additional: PhpMap = origin.userId === null ? {} : { user_id: String(origin.userId) };
    const waiting = this.offline.find((r) => r.clientId === clientId && r.authConnector === connector && r.MESSAGE_ID === messageId && r.processId === null);
    if (waiting) {
      waiting.TIMESTAMP_X = now;
      waiting.EVENT_DATA = data;
      waiting.EVENT_ADDITIONAL = additional;
    } else {
      this.offline.push({ ID: this.nextId('offline'), TIMESTAMP_X: now, EVENT_NAME: name, EVENT_DATA: data, EVENT_ADDITIONAL: additional, MESSAGE_ID: messageId, clientId, authConnector: connector, processId: null, error: false });
    }
    this.notifyOffline(clientId, origin, now);
  }

  /** ONOFFLINEEVENT: an empty signal to the app's online handler, at most once per options.minTimeout seconds. */
  private notifyOffline(clientId: string, origin: Origin, now: number): void {
    for (const b of this.bindings) {
      if (b.event !== 'ONOFFLINEEVENT' || b.type !== 'online' || b.clientId !== clientId) continue;
      const min = Number(b.options.minTimeout ?? 1) * 1000;
      const last = this.lastOfflineNotice.get(`${b.id}`) ?? 0;
      if (now - last < min) continue;
      this.lastOfflineNotice.set(`${b.id}`, now);
      this.post(b, 'ONOFFLINEEVENT', {}, origin, now);
    }
  }

  newProcessId(): string {
    return randomBytes(16).toString('hex');
  }
}
