// HTTP → REST call: parses the URL shape, applies the leaky bucket before anything else, authenticates an incoming
// webhook (/rest/<user>/<code>/) or an OAuth token (`auth` param), then hands over to execute(). Slashes are
// merged as nginx does, because official clients build `<client_endpoint>/<method>` from an endpoint ending in `/`.
import type { SandboxRequest, SandboxResponse } from '@esb/sandbox-kit';
import type { Portal } from '../portal/portal.ts';
import type { Caller } from './context.ts';
import { download, execute, readParams, respond, upload } from './dispatch.ts';
import { errorResponse } from './envelope.ts';
import { errors, RestError } from './errors.ts';
import { str, type PhpMap } from './php.ts';

export interface RestTarget {
  kind: 'webhook' | 'oauth' | 'download' | 'upload' | 'v3';
  method: string;
  userId?: string;
  code?: string;
}

/** `/rest/1/abc/crm.deal.get.json/` → webhook call; `/rest/crm.deal.get` → OAuth call. */
export function parseRestPath(path: string): RestTarget | undefined {
  const m = /^\/+rest\/+(.*)$/.exec(path.replace(/\/{2,}/g, '/'));
  if (!m) return undefined;
  const segs = m[1]!.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  if (segs.length === 1 && segs[0] === 'download.json') return { kind: 'download', method: 'download' };
  if (segs.length === 1 && segs[0] === 'upload.json') return { kind: 'upload', method: 'upload' };
  if (segs[0] === 'api') return { kind: 'v3', method: segs.at(-1) ?? '' };
  if (segs.length >= 2 && /^\d+$/.test(segs[0]!)) return { kind: 'webhook', userId: segs[0]!, code: segs[1]!, method: segs[2] ?? '' };
  return { kind: 'oauth', method: segs.join('/') };
}

/** The operation name fault rules match on: the REST method, lower-cased, without .json. */
export function opOf(path: string): string | undefined {
  const t = parseRestPath(path);
  return t ? t.method.toLowerCase().replace(/\.(json|xml)$/, '') : undefined;
}

function clientIp(req: SandboxRequest): string {
  return req.raw.socket.remoteAddress ?? 'unknown';
}

function authenticate(portal: Portal, t: RestTarget, params: PhpMap, req: SandboxRequest, now: number): Caller {
  if (t.kind === 'webhook') {
    const https = String(req.headers['x-forwarded-proto'] ?? '').toLowerCase() === 'https';
    if (portal.settings.httpsRequired && !https) throw errors.httpsRequired();
    const uid = Number(t.userId);
    const user = portal.users.get(uid);
    const hook = portal.webhooks.find((w) => w.userId === uid && w.code === t.code);
    // UNCONFIRMED: an expired webhook is reported like a wrong code.
    if (!user || !user.ACTIVE || !hook || (hook.expiresAt !== null && hook.expiresAt <= now)) throw errors.invalidCredentials(portal.settings);
    return { kind: 'webhook', userId: uid, webhookId: hook.id, scopes: new Set(hook.scopes), operatingKey: `webhook:${hook.id}` };
  }
  const token = str(params.auth);
  if (token === '') throw errors.noAuth();
  const c = portal.oauth.check(token, now);
  if (!c.ok) throw c.reason === 'expired' ? errors.expiredToken() : errors.invalidToken();
  if (c.app.allowedUsers.length > 0 && !c.app.allowedUsers.includes(c.token.userId)) throw errors.userAccess();
  return { kind: 'oauth', userId: c.token.userId, clientId: c.app.clientId, scopes: new Set(c.app.scope), operatingKey: `app:${c.app.clientId}` };
}

export async function handleRest(portal: Portal, req: SandboxRequest): Promise<SandboxResponse> {
  const t = parseRestPath(req.path);
  if (!t) return errorResponse(errors.methodNotFound());
  const now = portal.now();
  // One bucket per portal and source IP; a batch is one request. Rejected requests do not fill the bucket (UNCONFIRMED).
  if (!portal.limits.take(`ip:${clientIp(req)}`, now)) return errorResponse(errors.queryLimit());
  if (t.kind === 'download') return download(portal, req);
  if (t.kind === 'upload') return upload(portal, req);
  // REST 3.0 is not simulated: every /rest/api/ method is unknown here.
  if (t.kind === 'v3') return errorResponse(errors.methodNotFound());
  const { params } = await readParams(req);
  let caller: Caller;
  try {
    caller = authenticate(portal, t, params, req, now);
  } catch (e) {
    if (e instanceof RestError) return errorResponse(e);
    throw e;
  }
  const { auth: _auth, ...rest } = params;
  return respond(execute(portal, t.method, rest, caller, false), caller.clientId);
}

/** An administrator acting in the portal UI (no rate limit, no operating budget): /_admin/act/<method>. */
export function act(portal: Portal, method: string, params: PhpMap, userId: number): SandboxResponse {
  if (!portal.users.get(userId)) return errorResponse(new RestError('ERROR_ARGUMENT', `no user ${userId}`));
  const caller: Caller = { kind: 'admin', userId, scopes: new Set(['*']), operatingKey: `admin:${userId}` };
  return respond(execute(portal, method, params, caller, false), undefined);
}
