// The whole simulated portal in memory: settings, users and credentials, CRM, catalog, invoices, Disk, tasks,
// business processes, notifications, event bindings and limits — plus reset to the defaults, seeding (the format
// the README documents) and a JSON view of everything for /_admin/state.
import { randomBytes } from 'node:crypto';
import { Events } from '../events.ts';
import { Limits } from '../limits.ts';
import { OAuth, type App } from '../oauth.ts';
import { isMap, param, str, values, type Php, type PhpMap } from '../rest/php.ts';
import { Bizproc } from './bizproc.ts';
import { MEASURES, Products } from './catalog.ts';
import { Core } from './core.ts';
import { Companies, Contacts, Deals, Requisites, SmartInvoices, type TimelineComment } from './crm.ts';
import { Disk } from './disk.ts';
import type { Entity, WriteCtx } from './entity.ts';
import { isoDateTime, parseOffset } from './format.ts';
import { OldInvoices } from './invoices.ts';
import { ProductRows, upperRow } from './productrows.ts';
import { Statuses } from './statuses.ts';
import { Tasks } from './tasks.ts';
import { makeUser, type Notification, type User } from './users.ts';

export interface PortalSettings {
  /** What events and tokens call the portal's domain; defaults to host:port of the sandbox. */
  domain: string | null;
  memberId: string;
  timezone: string;
  currency: string;
  /** The CRM product catalog's iblock id (catalog.product iblockId, crm.product CATALOG_ID). */
  catalogId: number;
  /** Webhooks over plain HTTP answer 400 INVALID_REQUEST "Https required." when on (off by default: a sandbox is HTTP). */
  httpsRequired: boolean;
  /** UNCONFIRMED statuses (docs 403, core 401): adjustable. */
  invalidCredentialsStatus: number;
  insufficientScopeStatus: number;
}

export interface IncomingWebhook {
  id: number;
  userId: number;
  code: string;
  /** Scopes the webhook was given; ["*"] = all. */
  scopes: string[];
  expiresAt: number | null;
  title: string;
}

function defaultSettings(memberId: string): PortalSettings {
  return { domain: null, memberId, timezone: '+03:00', currency: 'RUB', catalogId: 25, httpsRequired: false, invalidCredentialsStatus: 401, insufficientScopeStatus: 401 };
}

export const DEFAULT_WEBHOOK = { userId: 1, code: 'sandbox' };
export const DEFAULT_APP = { clientId: 'local.sandbox.app', clientSecret: 'sandbox-client-secret', applicationToken: 'sandbox-application-token' };

export class Portal {
  baseUrl = 'http://127.0.0.1';
  settings: PortalSettings = defaultSettings(randomBytes(16).toString('hex'));
  readonly core = new Core(180);
  readonly statuses = new Statuses(this.core);
  readonly users = new Map<number, User>();
  webhooks: IncomingWebhook[] = [];
  readonly oauth = new OAuth(() => ({ baseUrl: this.baseUrl, memberId: this.settings.memberId }));
  readonly events = new Events(this.oauth, () => ({ baseUrl: this.baseUrl, memberId: this.settings.memberId, domain: this.domain() }), (k) => this.core.nextId(k));
  readonly limits = new Limits();
  readonly products = new Products(this.core, { catalogId: () => this.settings.catalogId, currency: () => this.settings.currency });
  readonly rows = new ProductRows(this.core, (id) => {
    const p = this.products.get(id);
    if (!p) return undefined;
    const m = MEASURES[Number(p.MEASURE ?? 5)] ?? { code: 796, name: 'pcs' };
    return { name: str(p.NAME), measureCode: m.code, measureName: m.name, xmlId: str(p.XML_ID) };
  });
  private readonly deps = { core: this.core, statuses: this.statuses, rows: this.rows, currency: () => this.settings.currency };
  readonly deals = new Deals(this.deps);
  readonly companies = new Companies(this.deps);
  readonly contacts = new Contacts(this.deps);
  readonly requisites = new Requisites({ exists: (t, id) => (t === 4 ? this.companies : this.contacts).get(id) !== undefined }, this.core);
  readonly smartInvoices = new SmartInvoices(this.deps);
  readonly invoices = new OldInvoices(this.core, { currency: () => this.settings.currency, productXmlId: (id) => str(this.products.get(id)?.XML_ID) });
  timeline: TimelineComment[] = [];
  readonly disk = new Disk(this.core);
  readonly tasks = new Tasks(this.core, (id) => this.users.get(id));
  readonly bizproc = new Bizproc(this.core);
  notifications: Notification[] = [];

  /** Applied after the defaults on every reset (the SEED_FILE of main.ts). */
  constructor(private readonly baseSeed?: PhpMap) {
    this.reset();
  }

  get offsetMin(): number {
    return this.core.offsetMin;
  }

  now(): number {
    return this.core.now();
  }

  domain(): string {
    return this.settings.domain ?? new URL(this.baseUrl).host;
  }

  iso(ms: number): string {
    return isoDateTime(ms, this.offsetMin);
  }

  /** Entity by CRM entityTypeId, for crm.item.* and cross-references. */
  entity(entityTypeId: number): Entity | undefined {
    return ({ 2: this.deals, 3: this.contacts, 4: this.companies, 31: this.smartInvoices } as Record<number, Entity>)[entityTypeId];
  }

  isAdmin(userId: number): boolean {
    return this.users.get(userId)?.ADMIN === true;
  }

  /** Back to a fresh portal: default users, the `sandbox` webhook, the sandbox app, storages, then the base seed. */
  reset(): void {
    this.settings = defaultSettings(this.settings.memberId);
    this.core.reset();
    this.core.offsetMin = parseOffset(this.settings.timezone);
    this.statuses.init();
    this.users.clear();
    this.webhooks = [];
    this.oauth.clear();
    this.oauth.settings = { accessTokenLifetimeSec: 3600, refreshTokenLifetimeSec: 180 * 86400, codeLifetimeSec: 30 };
    this.events.clear();
    this.events.settings = { timeoutMs: 5000, delayMs: 0 };
    this.limits.reset(true);
    for (const e of [this.deals, this.companies, this.contacts, this.requisites, this.smartInvoices, this.invoices, this.products]) e.clear();
    this.rows.rows = [];
    this.timeline = [];
    this.disk.clear();
    this.tasks.clear();
    this.bizproc.clear();
    this.notifications = [];
    const now = this.now();
    this.addUser({ ID: 1, NAME: 'Admin', LAST_NAME: 'Sandbox', EMAIL: 'admin@sandbox.local', ADMIN: true, WORK_POSITION: 'Administrator' }, now);
    this.addUser({ ID: 2, NAME: 'Maria', LAST_NAME: 'Manager', EMAIL: 'manager@sandbox.local', WORK_POSITION: 'Sales manager' }, now);
    this.disk.addStorage('Shared drive', 'common', 'shared_files_s1', 'shared_files_s1', 1, now);
    this.addWebhook({ ...DEFAULT_WEBHOOK, scopes: ['*'], title: 'Sandbox webhook' });
    this.oauth.install({ ...DEFAULT_APP });
    this.bizproc.addTemplate({ ID: 1, NAME: 'Deal approval', DOCUMENT_TYPE: ['crm', 'CCrmDocumentDeal', 'DEAL'], steps: [{ name: 'Approve the deal', activity: 'ApproveActivity', users: [1], mode: 'all' }] });
    if (this.baseSeed) this.seed(this.baseSeed);
  }

  addUser(input: PhpMap, now: number): User {
    const id = this.core.nextId('user', Number(str(param(input, 'ID'))) || undefined);
    const u = makeUser(input, id, now);
    this.users.set(id, u);
    // Every employee has a personal Disk storage.
    if (!this.disk.storages.some((s) => s.ENTITY_TYPE === 'user' && s.ENTITY_ID === String(id))) {
      this.disk.addStorage([u.NAME, u.LAST_NAME].filter(Boolean).join(' ') || `User ${id}`, 'user', String(id), null, id, now);
    }
    return u;
  }

  addWebhook(w: { userId: number; code: string; scopes?: string[]; expiresAt?: number | null; title?: string }): IncomingWebhook {
    if (!/^[A-Za-z0-9]+$/.test(w.code)) throw new Error('webhook code must be alphanumeric');
    const hook: IncomingWebhook = { id: this.core.nextId('webhook'), userId: w.userId, code: w.code, scopes: w.scopes ?? ['*'], expiresAt: w.expiresAt ?? null, title: w.title ?? '' };
    this.webhooks = this.webhooks.filter((x) => !(x.userId === w.userId && x.code === w.code));
    this.webhooks.push(hook);
    return hook;
  }

  installApp(a: PhpMap): App {
    const clientId = str(param(a, 'clientId'));
    const clientSecret = str(param(a, 'clientSecret'));
    if (!clientId || !clientSecret) throw new Error('an app needs clientId and clientSecret');
    const scope = param(a, 'scope');
    return this.oauth.install({
      clientId,
      clientSecret,
      ...(param(a, 'applicationToken') !== undefined ? { applicationToken: str(param(a, 'applicationToken')) } : {}),
      ...(scope !== undefined ? { scope: (Array.isArray(scope) ? scope.map((x) => str(x)) : str(scope).split(',')).filter(Boolean) } : {}),
      ...(param(a, 'status') !== undefined ? { status: str(param(a, 'status')) as App['status'] } : {}),
      ...(param(a, 'installFinished') !== undefined ? { installFinished: param(a, 'installFinished') !== false } : {}),
      ...(param(a, 'redirectUri') !== undefined ? { redirectUri: str(param(a, 'redirectUri')) } : {}),
    });
  }

  /**
   * Loads data through the same code paths as the REST methods (validation included), without firing events.
   * Every entity may carry an explicit ID. See README "Seed format".
   */
  seed(body: Php): PhpMap {
    if (!isMap(body)) throw new Error('seed body must be a JSON object');
    const now = this.now();
    const ctx: WriteCtx = { userId: 1, now, trusted: true };
    const counts: PhpMap = {};
    const list = (k: string): PhpMap[] => values(param(body, k)).filter(isMap);
    const settings = param(body, 'settings');
    if (isMap(settings)) {
      for (const k of ['domain', 'memberId', 'timezone', 'currency'] as const) if (settings[k] !== undefined) this.settings[k] = str(settings[k]);
      if (settings.catalogId !== undefined) this.settings.catalogId = Number(settings.catalogId);
      if (settings.httpsRequired !== undefined) this.settings.httpsRequired = settings.httpsRequired === true;
      this.core.offsetMin = parseOffset(this.settings.timezone);
    }
    for (const u of list('users')) this.addUser(u, now);
    for (const w of list('webhooks')) this.addWebhook({ userId: Number(w.userId ?? 1), code: str(w.code), scopes: values(w.scopes).map((x) => str(x)), expiresAt: w.expiresAt ? Date.parse(str(w.expiresAt)) : null, title: str(w.title) });
    for (const a of list('apps')) this.installApp(a);
    for (const c of list('categories')) this.statuses.addCategory(Number(c.entityTypeId ?? 2), str(c.name), Number(c.sort ?? 500), c.id === undefined ? undefined : Number(c.id));
    for (const f of list('userfields')) this.core.userfields.add(str(f.entityId ?? 'CRM_DEAL'), f);
    const add = (e: Entity, key: string, items: PhpMap[], after?: (id: number, item: PhpMap) => void): void => {
      for (const item of items) {
        const id = item.ID === undefined ? undefined : Number(item.ID);
        if (id !== undefined && e.get(id)) throw new Error(`${key}: ID ${id} already exists`);
        const rec = e.create(item, ctx, id);
        after?.(rec.ID, item);
      }
      counts[key] = items.length;
    };
    add(this.products, 'products', list('products'));
    add(this.companies, 'companies', list('companies'));
    add(this.contacts, 'contacts', list('contacts'));
    add(this.requisites, 'requisites', list('requisites'));
    add(this.deals, 'deals', list('deals'), (id, item) => {
      const rows = values(param(item, 'PRODUCT_ROWS')).filter(isMap);
      if (rows.length) {
        this.rows.set('D', id, rows);
        this.deals.recalc(this.deals.get(id)!);
      }
    });
    add(this.smartInvoices, 'smartInvoices', list('smartInvoices').map((i) => ({ ...this.smartInvoices.fromTyped(i), ...(i.id !== undefined ? { ID: i.id } : {}), _rows: i.productRows ?? [] })), (id, item) => {
      const rows = values(item._rows).filter(isMap).map(upperRow);
      if (rows.length) {
        this.rows.set('SI', id, rows);
        this.smartInvoices.recalc(this.smartInvoices.get(id)!);
      }
    });
    add(this.invoices, 'invoices', list('invoices'));
    for (const t of list('tasks')) this.tasks.add(t, Number(t.CREATED_BY ?? 1), now);
    for (const t of list('bizprocTemplates')) this.bizproc.addTemplate(t);
    for (const b of list('eventBindings')) {
      this.events.bind({ event: str(b.event).toUpperCase(), handler: str(b.handler), clientId: str(b.clientId ?? DEFAULT_APP.clientId), authType: Number(b.authType ?? 0), type: b.eventType === 'offline' ? 'offline' : 'online', authConnector: str(b.authConnector), options: isMap(b.options) ? b.options : {} });
    }
    for (const w of list('outgoingWebhooks')) this.addOutgoingWebhook(str(w.handler), values(w.events).map((x) => str(x)), w.applicationToken === undefined ? undefined : str(w.applicationToken));
    return { ok: true, ...counts };
  }

  /** An outgoing webhook as the UI creates it: a handler URL, chosen events, and the token shown to the admin. */
  addOutgoingWebhook(handler: string, events: string[], applicationToken?: string): { id: number; applicationToken: string; handlerIds: number[] } {
    const token = applicationToken ?? randomBytes(16).toString('hex');
    const ids = events.map((e) => this.events.bind({ event: e.toUpperCase(), handler, clientId: null, authType: 0, type: 'online', authConnector: '', options: {}, applicationToken: token }).id);
    return { id: ids[0] ?? 0, applicationToken: token, handlerIds: ids };
  }

  /** Everything, readable: CRM data in its legacy REST shape, smart invoices typed. */
  state(): Record<string, unknown> {
    const now = this.now();
    const legacy = (e: Entity): PhpMap[] => e.all().map((r) => e.legacy(r));
    return {
      settings: { ...this.settings, baseUrl: this.baseUrl, domain: this.domain() },
      users: [...this.users.values()].map((u) => ({ ...u, DATE_REGISTER: this.iso(u.DATE_REGISTER), LAST_LOGIN: null })),
      webhooks: this.webhooks.map((w) => ({ ...w, url: `${this.baseUrl}/rest/${w.userId}/${w.code}/`, expiresAt: w.expiresAt === null ? null : new Date(w.expiresAt).toISOString() })),
      apps: [...this.oauth.apps.values()].map((a) => ({ ...a })),
      categories: this.statuses.categories.map((c) => ({ ...c })),
      userfields: this.core.userfields.all().map((u) => ({ ...u, LIST: u.LIST.map((i) => ({ ...i })) })),
      deals: legacy(this.deals),
      companies: legacy(this.companies),
      contacts: legacy(this.contacts),
      requisites: legacy(this.requisites),
      products: legacy(this.products),
      smartInvoices: this.smartInvoices.all().map((r) => this.smartInvoices.typed(r)),
      invoices: legacy(this.invoices),
      productRows: this.rows.rows.map((r) => ({ ...r })),
      timeline: this.timeline.map((t) => ({ ...t, CREATED: this.iso(t.CREATED), FILES: t.FILES.map((f) => ({ name: f.name, size: f.size })) })),
      tasks: [...this.tasks.tasks.values()].map((t) => this.tasks.render(t, now)),
      bizproc: {
        templates: this.bizproc.templates.map((t) => ({ ...t, steps: t.steps.map((s) => ({ ...s })) })),
        workflows: [...this.bizproc.workflows.values()].map((w) => ({ ...w, STARTED: this.iso(w.STARTED), MODIFIED: this.iso(w.MODIFIED) })),
        tasks: [...this.bizproc.tasks.values()].map((t) => ({ ...t, users: t.users.map((u) => ({ ...u })) })),
      },
      disk: {
        storages: this.disk.storages.map((s) => this.disk.renderStorage(s)),
        objects: [...this.disk.objects.values()].map((o) => ({ ID: o.ID, NAME: o.NAME, TYPE: o.TYPE, STORAGE_ID: o.STORAGE_ID, PARENT_ID: o.PARENT_ID, DELETED_TYPE: o.DELETED_TYPE, versions: o.versions.map((v) => ({ ID: v.ID, NAME: v.NAME, SIZE: v.SIZE, GLOBAL_CONTENT_VERSION: v.GLOBAL_CONTENT_VERSION })) })),
      },
      notifications: this.notifications.map((n) => ({ ...n, DATE: this.iso(n.DATE) })),
      events: {
        bindings: this.events.bindings.map((b) => ({ ...b })),
        offline: this.events.offline.map((r) => ({ ...r, TIMESTAMP_X: this.iso(r.TIMESTAMP_X) })),
      },
    };
  }
}
