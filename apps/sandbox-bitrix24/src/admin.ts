// Bitrix24-specific admin routes under /_admin (next to state/reset/seed/faults/requests from sandbox-kit): limits,
// tokens and apps, incoming and outgoing webhooks, delivered/dropped/offline events, users, portal settings, and
// /_admin/act/<method> to change data as a person in the UI would (events fire, no limits apply).
import { json, type Router, type SandboxRequest } from '@esb/sandbox-kit';
import type { LimitSettings } from './limits.ts';
import type { Portal } from './portal/portal.ts';
import { act } from './rest/front.ts';
import { isMap, parseStr, str, values, type Php, type PhpMap } from './rest/php.ts';

function body(r: SandboxRequest): PhpMap {
  if (r.body.length === 0) return {};
  const text = r.body.toString('utf8');
  const ct = String(r.headers['content-type'] ?? '');
  if (ct.includes('application/x-www-form-urlencoded')) return parseStr(text);
  const v = JSON.parse(text) as Php;
  if (!isMap(v)) throw new Error('admin body must be a JSON object');
  return v;
}

const bad = (message: string) => json(400, { error: message });

export function adminRoutes(portal: Portal): (r: Router) => void {
  return (r) => {
    r.on('GET', '/_admin/limits', () => json(200, portal.limits.state(Date.now())))
      .on('POST', '/_admin/limits', (q) => {
        const b = body(q);
        const patch: Partial<LimitSettings> = {};
        if (b.preset === 'enterprise') Object.assign(patch, { burst: 250, leakPerSec: 5 });
        if (b.preset === 'default') Object.assign(patch, { burst: 50, leakPerSec: 2 });
        for (const k of ['burst', 'leakPerSec', 'operatingLimitSec', 'operatingWindowSec'] as const) if (b[k] !== undefined) patch[k] = Number(b[k]);
        for (const k of ['rateLimitEnabled', 'operatingEnabled'] as const) if (b[k] !== undefined) patch[k] = b[k] === true;
        if (isMap(b.methodCostSec)) patch.methodCostSec = Object.fromEntries(Object.entries(b.methodCostSec).map(([k, v]) => [k.toLowerCase(), Number(v)]));
        try {
          return json(200, portal.limits.configure(patch));
        } catch (e) {
          return bad(e instanceof Error ? e.message : String(e));
        }
      })
      .on('POST', '/_admin/limits/reset', () => {
        portal.limits.reset();
        return json(200, { ok: true });
      })
      .on('GET', '/_admin/tokens', () => json(200, { settings: portal.oauth.settings, tokens: portal.oauth.tokens(Date.now()), log: portal.oauth.log }))
      .on('POST', '/_admin/tokens', (q) => {
        const b = body(q);
        for (const k of ['accessTokenLifetimeSec', 'refreshTokenLifetimeSec', 'codeLifetimeSec'] as const) if (b[k] !== undefined) portal.oauth.settings[k] = Number(b[k]);
        return json(200, portal.oauth.settings);
      })
      .on('POST', '/_admin/tokens/expire', (q) => {
        const b = body(q);
        return json(200, { expired: portal.oauth.expireAll(Date.now(), b.clientId === undefined ? undefined : str(b.clientId)) });
      })
      .on('POST', '/_admin/tokens/issue', (q) => {
        const b = body(q);
        const clientId = str(b.clientId);
        if (!portal.oauth.apps.has(clientId)) return bad(`no app ${clientId}`);
        return json(200, portal.oauth.issue(clientId, Number(b.userId ?? 1), Date.now()));
      })
      .on('GET', '/_admin/apps', () => json(200, [...portal.oauth.apps.values()]))
      .on('POST', '/_admin/apps', (q) => {
        try {
          const b = body(q);
          const app = portal.installApp(b);
          const userId = Number(b.userId ?? 1);
          // The installation path gets ONAPPINSTALL with tokens (refresh token included) and the application token.
          if (b.installUrl !== undefined) {
            portal.events.bind({ event: 'ONAPPINSTALL', handler: str(b.installUrl), clientId: app.clientId, authType: 0, type: 'online', authConnector: '', options: {} });
            portal.events.emit('ONAPPINSTALL', { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' }, { userId }, Date.now());
          }
          return json(201, { app, auth: portal.oauth.issue(app.clientId, userId, Date.now()) });
        } catch (e) {
          return bad(e instanceof Error ? e.message : String(e));
        }
      })
      .on('DELETE', '/_admin/apps/:clientId', (q) => {
        const clientId = q.params.clientId!;
        if (!portal.oauth.apps.has(clientId)) return json(404, { ok: false });
        portal.events.emit('ONAPPUNINSTALL', { LANGUAGE_ID: 'en', CLEAN: '0' }, { userId: null }, Date.now(), clientId);
        portal.events.bindings = portal.events.bindings.filter((b) => b.clientId !== clientId);
        portal.oauth.uninstall(clientId);
        return json(200, { ok: true });
      })
      .on('POST', '/_admin/apps/:clientId/install-finish', (q) => {
        const app = portal.oauth.apps.get(q.params.clientId!);
        if (!app) return json(404, { ok: false });
        app.installFinished = true;
        return json(200, app);
      })
      .on('POST', '/_admin/apps/:clientId/code', (q) => {
        if (!portal.oauth.apps.has(q.params.clientId!)) return bad('no such app');
        return json(200, { code: portal.oauth.issueCode(q.params.clientId!, Number(body(q).userId ?? 1), Date.now()) });
      })
      .on('GET', '/_admin/incoming-webhooks', () => json(200, portal.webhooks.map((w) => ({ ...w, url: `${portal.baseUrl}/rest/${w.userId}/${w.code}/` }))))
      .on('POST', '/_admin/incoming-webhooks', (q) => {
        const b = body(q);
        try {
          const w = portal.addWebhook({
            userId: Number(b.userId ?? 1),
            code: b.code === undefined ? Math.random().toString(36).slice(2, 18).replace(/[^a-z0-9]/g, 'x') : str(b.code),
            scopes: b.scopes === undefined ? ['*'] : values(b.scopes).map((x) => str(x)),
            expiresAt: b.expiresAt === undefined ? null : Date.parse(str(b.expiresAt)),
            title: str(b.title),
          });
          return json(201, { ...w, url: `${portal.baseUrl}/rest/${w.userId}/${w.code}/` });
        } catch (e) {
          return bad(e instanceof Error ? e.message : String(e));
        }
      })
      .on('DELETE', '/_admin/incoming-webhooks/:id', (q) => {
        const n = portal.webhooks.length;
        portal.webhooks = portal.webhooks.filter((w) => String(w.id) !== q.params.id);
        return json(portal.webhooks.length < n ? 200 : 404, { ok: true });
      })
      .on('POST', '/_admin/outgoing-webhooks', (q) => {
        const b = body(q);
        if (!str(b.handler)) return bad('handler is required');
        return json(201, portal.addOutgoingWebhook(str(b.handler), values(b.events).map((x) => str(x)), b.applicationToken === undefined ? undefined : str(b.applicationToken)));
      })
      .on('GET', '/_admin/events', async (q) => {
        if (q.url.searchParams.get('wait')) await portal.events.idle();
        return json(200, {
          settings: portal.events.settings,
          dropNext: portal.events.dropNext,
          deliveries: portal.events.deliveries,
          bindings: portal.events.bindings,
          offline: portal.events.offline.map((o) => ({ ...o, TIMESTAMP_X: portal.iso(o.TIMESTAMP_X) })),
        });
      })
      .on('POST', '/_admin/events/settings', (q) => {
        const b = body(q);
        if (b.timeoutMs !== undefined) portal.events.settings.timeoutMs = Number(b.timeoutMs);
        if (b.delayMs !== undefined) portal.events.settings.delayMs = Number(b.delayMs);
        return json(200, portal.events.settings);
      })
      .on('POST', '/_admin/webhooks/drop', (q) => {
        portal.events.dropNext = Number(body(q).count ?? 1);
        return json(200, { dropNext: portal.events.dropNext });
      })
      .on('GET', '/_admin/users', () => json(200, [...portal.users.values()]))
      .on('POST', '/_admin/users', (q) => json(201, portal.addUser(body(q), Date.now())))
      .on('GET', '/_admin/notifications', () => json(200, portal.notifications))
      .on('GET', '/_admin/settings', () => json(200, { ...portal.settings, baseUrl: portal.baseUrl }))
      .on('POST', '/_admin/settings', (q) => {
        const b = body(q);
        const s = portal.settings;
        if (b.domain !== undefined) s.domain = b.domain === null ? null : str(b.domain);
        if (b.memberId !== undefined) s.memberId = str(b.memberId);
        if (b.currency !== undefined) s.currency = str(b.currency);
        if (b.httpsRequired !== undefined) s.httpsRequired = b.httpsRequired === true;
        if (b.invalidCredentialsStatus !== undefined) s.invalidCredentialsStatus = Number(b.invalidCredentialsStatus);
        if (b.insufficientScopeStatus !== undefined) s.insufficientScopeStatus = Number(b.insufficientScopeStatus);
        return json(200, s);
      })
      .on('POST', '/_admin/act/:method', (q) => act(portal, q.params.method!, body(q), Number(q.url.searchParams.get('user') ?? 1)));
  };
}
