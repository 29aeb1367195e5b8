// /bitrix/admin/1c_exchange.php: resolves the PHP session from the PHPSESSID cookie (a request without one gets
// a new session, as session_start does), logs the user in from HTTP Basic when the request carries it (as the
// Bitrix prolog does on every request), and hands over to the component for `type`.
import type { Handler, SandboxRequest } from '@esb/sandbox-kit';
import type { SiteContext } from '../sale/context.ts';
import { UNKNOWN_TYPE } from './messages.ts';
import { catalogExchange, type ExchangeCall } from './catalog-exchange.ts';
import { saleExchange } from './sale-exchange.ts';
import { SESSION_NAME, basicCredentials, newSession, parseCookies } from './session.ts';

export const EXCHANGE_PATH = '/bitrix/admin/1c_exchange.php';

const MAX_SESSIONS = 1000;

/** `exchange:<type>:<mode>`, for fault rules and the request log. */
export function exchangeOp(req: SandboxRequest): string {
  const q = req.url.searchParams;
  return `exchange:${q.get('type') ?? ''}:${q.get('mode') ?? formField(req, 'mode') ?? ''}`;
}

function formField(req: SandboxRequest, name: string): string | undefined {
  const ct = req.headers['content-type'] ?? '';
  if (!ct.includes('application/x-www-form-urlencoded')) return undefined;
  return new URLSearchParams(req.body.toString('latin1')).get(name) ?? undefined;
}

export function exchangeHandler(ctx: SiteContext): Handler {
  return async (req) => {
    const { state, clock } = ctx;
    const q = req.url.searchParams;
    const type = q.get('type') ?? formField(req, 'type') ?? '';
    // The components read `mode` from the query string; only `query` is also accepted as a POST field.
    let mode = q.get('mode') ?? '';
    if (!mode && formField(req, 'mode') === 'query') mode = 'query';
    const cookieId = parseCookies(req.headers.cookie)[SESSION_NAME];
    let session = cookieId ? state.exchange.sessions.get(cookieId) : undefined;
    const extraHeaders: Record<string, string> = {};
    if (!session) {
      session = newSession(clock.now());
      state.exchange.sessions.set(session.id, session);
      // Clients that never send the cookie would grow this forever; PHP's GC forgets old sessions too.
      if (state.exchange.sessions.size > MAX_SESSIONS) {
        const oldest = state.exchange.sessions.keys().next().value;
        if (oldest !== undefined) state.exchange.sessions.delete(oldest);
      }
      extraHeaders['set-cookie'] = `${SESSION_NAME}=${session.id}; path=/; HttpOnly`;
    }
    const creds = basicCredentials(req.headers.authorization);
    if (creds) {
      const u = state.users.find((x) => x.login === creds.login && x.password === creds.password && x.password !== '');
      session.userId = u ? u.id : null;
    }
    const user = session.userId === null ? null : (state.users.find((u) => u.id === session.userId) ?? null);
    const call: ExchangeCall = { req, session, user, mode, sessid: q.get('sessid') ?? formField(req, 'sessid') ?? '', filename: q.get('filename') };
    let res;
    if (type === 'catalog') res = await catalogExchange(ctx, call);
    else if (type === 'sale') res = await saleExchange(ctx, call);
    else res = { status: 200, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: UNKNOWN_TYPE };
    return { ...res, headers: { ...res.headers, ...extraHeaders } };
  };
}
