// POST /webhooks/bitrix24/:systemId — the portal's event deliveries (reference §4.2–4.4). The portal sends each
// event once and never again, so the answer 200 means "stored": the event is in the inbound table (same transaction
// as its exchange-log entry) before we answer, and the worker is woken to read the portal. Every POST is checked
// first: the path names this deployment, auth[application_token] equals the configured secret (constant-time), and
// auth[member_id] is our portal once we know it. ONAPPINSTALL (OAuth mode) stores the application's tokens.
import { createHash, timingSafeEqual } from 'node:crypto';
import { OAuthAuth, type TokenResponse } from '@esb/bitrix24-client';
import { json, type HttpHandler, type HttpResponse } from '@esb/connector-kit';
import { inboundAdd, type StoreTx } from '@esb/store';
import { b24Config } from '../config.ts';
import { oauthServer } from '../client.ts';
import { FormError, parseEventPost, text, textAt, type EventPost } from '../mapping/form.ts';
import { dedupeKey, eventTarget } from './events.ts';
import type { SourceCtx } from './context.ts';

const MEMBER_CURSOR = 'b24src:member-id';

function sameSecret(given: string, expected: string): boolean {
  // Digests make the comparison constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && expected !== '';
}

/** The portal this deployment serves, once known: the installed application's member_id, or the first seen (webhook mode). */
async function knownMemberId(s: SourceCtx, tx: StoreTx): Promise<string | undefined> {
  const { system } = b24Config(s.c);
  if (system.auth.mode === 'oauth') {
    const rows: Array<{ member_id: string }> = await tx.manager.query(`SELECT member_id FROM oauth_token WHERE client_id = $1 ORDER BY updated_at DESC LIMIT 1`, [system.auth.clientId]);
    return rows[0]?.member_id;
  }
  return tx.cursorGet(MEMBER_CURSOR);
}

export function webhookHandler(s: SourceCtx): HttpHandler {
  const c = s.c;
  return async function bitrix24Webhook(req): Promise<HttpResponse> {
    const t0 = performance.now();
    let post: EventPost | undefined;
    const log = (status: 'ok' | 'error' | 'duplicate' | 'skipped', extra: { keys?: Record<string, string>; errorCode?: string; error?: string; details?: Record<string, unknown> } = {}, tx?: StoreTx) =>
      c.log(
        {
          direction: 'in',
          operation: `webhook ${post?.event ?? '(unparsed)'}`,
          status,
          latencyMs: performance.now() - t0,
          businessKeys: extra.keys ?? {},
          ...(extra.errorCode ? { errorCode: extra.errorCode } : {}),
          ...(extra.error ? { error: extra.error } : {}),
          details: { remote: req.raw.socket.remoteAddress ?? null, ...(post?.handlerId ? { handler: post.handlerId } : {}), ...extra.details },
        },
        tx,
      );
    const refuse = async (status: number, code: string, message: string, keys?: Record<string, string>) => {
      await log('error', { errorCode: code, error: message, ...(keys ? { keys } : {}) });
      c.logger.warn('bitrix24 event refused', { status, code, error: message });
      return json(status, { error: code, message });
    };

    if (req.params.systemId !== c.systemId) {
      return refuse(404, 'ESB_NOT_FOUND', `this connector serves portal "${c.systemId}", not "${req.params.systemId}": point the portal's handler at /webhooks/bitrix24/${c.systemId}`);
    }
    try {
      post = parseEventPost(req.body.toString('utf8'), typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined);
    } catch (e) {
      if (e instanceof FormError) return refuse(400, 'ESB_VALIDATION', `malformed Bitrix24 event POST: ${e.message}`);
      throw e;
    }
    const { system } = b24Config(c);
    const token = textAt(post.auth, 'application_token') ?? '';
    if (!sameSecret(token, system.applicationToken.reveal())) {
      const why = token === '' ? 'is missing' : `does not match the configured applicationToken of ${c.systemId}`;
      return refuse(401, 'ESB_UNAUTHORIZED', `${post.event}: auth[application_token] ${why}; the event is ignored (check applicationToken in the topology against the portal's webhook or application)`, {
        event: post.event,
      });
    }
    const member = textAt(post.auth, 'member_id') ?? '';
    const event = post.event;

    if (event === 'ONAPPINSTALL') return install(s, post, member, log, refuse);

    const data = post.data;
    let target: ReturnType<typeof eventTarget>;
    try {
      target = eventTarget(event, data);
    } catch (e) {
      return refuse(400, 'ESB_VALIDATION', `malformed Bitrix24 event POST: ${(e as Error).message}`, { event });
    }

    const answer = await c.transaction(async (tx): Promise<HttpResponse> => {
      const known = await knownMemberId(s, tx);
      if (known !== undefined && member !== known) {
        await log('error', { errorCode: 'ESB_UNAUTHORIZED', error: `${event} from portal member_id ${member || '(none)'}, but ${c.systemId} is portal ${known}`, keys: { event } }, tx);
        return json(401, { error: 'ESB_UNAUTHORIZED', message: `auth[member_id] is not the portal ${c.systemId} serves` });
      }
      if (known === undefined && member !== '' && system.auth.mode === 'webhook') await tx.cursorSet(MEMBER_CURSOR, member);

      if (event === 'ONOFFLINEEVENT' || event === 'ONAPPTEST' || event === 'ONAPPUNINSTALL') {
        await log('ok', { keys: { event }, details: event === 'ONAPPUNINSTALL' ? { note: 'the application was uninstalled: no more events until it is installed again' } : {} }, tx);
        return json(200, { ok: true });
      }
      if ('skip' in target) {
        await log('skipped', { keys: { event }, details: { reason: target.skip } }, tx);
        return json(200, { ok: true, skipped: target.skip });
      }
      const r = await inboundAdd(tx, { source: 'webhook', kind: target.kind, dedupeKey: dedupeKey(target.kind, target.id), payload: { event, id: target.id, ts: post!.ts, handler: post!.handlerId } });
      await log(r.added ? 'ok' : 'duplicate', { keys: { [target.kind]: target.id, event }, details: { inbound: r.id, ...(r.added ? {} : { reason: 'folded into a waiting visit of the same object' }) } }, tx);
      return json(200, { ok: true, inbound: r.id, queued: r.added });
    });
    if (event === 'ONOFFLINEEVENT') s.wakeOffline();
    else if (answer.status === 200) s.wakeWorker();
    return answer;
  };
}

type LogFn = (status: 'ok' | 'error' | 'duplicate' | 'skipped', extra?: { keys?: Record<string, string>; details?: Record<string, unknown> }) => Promise<void>;
type RefuseFn = (status: number, code: string, message: string, keys?: Record<string, string>) => Promise<HttpResponse>;

/** ONAPPINSTALL: the portal hands over the application's first tokens (reference §5); store them, then bind events. */
async function install(s: SourceCtx, post: EventPost, member: string, log: LogFn, refuse: RefuseFn): Promise<HttpResponse> {
  const c = s.c;
  const { system } = b24Config(c);
  if (system.auth.mode !== 'oauth') {
    await log('skipped', { keys: { event: post.event }, details: { reason: `${c.systemId} calls the portal through an incoming webhook (auth.mode webhook); application tokens are not used` } });
    return json(200, { ok: true, skipped: 'webhook mode' });
  }
  const a = post.auth;
  const tokens: TokenResponse = {
    access_token: textAt(a, 'access_token') ?? '',
    refresh_token: textAt(a, 'refresh_token') ?? '',
    client_endpoint: textAt(a, 'client_endpoint') ?? '',
    member_id: member,
    ...(textAt(a, 'scope') ? { scope: textAt(a, 'scope')! } : {}),
    ...(/^\d+$/.test(text(textAt(a, 'expires_in'))) ? { expires_in: Number(textAt(a, 'expires_in')) } : {}),
    ...(/^\d+$/.test(text(textAt(a, 'expires'))) ? { expires: Number(textAt(a, 'expires')) } : {}),
  };
  const missing = (['access_token', 'refresh_token', 'client_endpoint', 'member_id'] as const).filter((k) => tokens[k] === '');
  if (missing.length) return refuse(400, 'ESB_VALIDATION', `malformed ONAPPINSTALL: auth[${missing.join('], auth[')}] missing`, { event: post.event });
  const known: Array<{ member_id: string }> = await c.store.dataSource.query(`SELECT member_id FROM oauth_token WHERE client_id = $1 ORDER BY updated_at DESC LIMIT 1`, [system.auth.clientId]);
  if (known[0] && known[0].member_id !== member) {
    return refuse(401, 'ESB_UNAUTHORIZED', `ONAPPINSTALL from portal member_id ${member}, but ${c.systemId} is already installed on portal ${known[0].member_id}; uninstall there first`, { event: post.event });
  }
  await OAuthAuth.install(
    { clientId: system.auth.clientId, clientSecret: system.auth.clientSecret.reveal(), oauthServer: oauthServer(s.env), store: c.store, ...(s.env.ESB_TOKEN_KEY ? { key: s.env.ESB_TOKEN_KEY } : {}) },
    { tokens },
  );
  await log('ok', { keys: { event: post.event, member }, details: { domain: textAt(a, 'domain') ?? null, scope: tokens.scope ?? null } });
  c.logger.info('application installed: tokens stored, binding events', { member, domain: textAt(a, 'domain') });
  s.wakeBind();
  return json(200, { ok: true, installed: member });
}
