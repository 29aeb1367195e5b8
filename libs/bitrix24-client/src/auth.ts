// The two ways into a portal (reference §1.1, §5): an incoming webhook URL (the secret is in the path), or an OAuth
// server application whose tokens live encrypted in PostgreSQL, one row per portal keyed by member_id.
// A refresh token is single-use and rotates on every refresh (lessons §3.3: a refresh race cost a CRest user six days
// of downtime), so a refresh is single-flight inside the process (callers share one promise) and serialised across
// processes by `SELECT … FOR UPDATE` plus a version check: whoever gets the row second sees a new version and uses
// the tokens the first one stored instead of sending the already-used refresh token again.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Store } from '@esb/store';
import { Bitrix24AuthError, Bitrix24Error } from './errors.ts';

export interface Credentials {
  /** Base URL the method name is appended to: `https://portal/rest/1/code/` or the OAuth `client_endpoint`. */
  restBase: string;
  /** OAuth access token, sent as `auth` in the body; absent for webhooks. */
  accessToken?: string;
}

export interface Bitrix24Auth {
  readonly kind: 'webhook' | 'oauth';
  /** Identifies the portal for the limiter: the member_id (OAuth) or the host (webhook). */
  readonly portalKey: string;
  /** A readable name of the portal for messages (its domain once known). */
  portalName(): string;
  credentials(): Promise<Credentials>;
  /** The portal answered 401 expired_token/invalid_token for `accessToken`; refresh unless that already happened. */
  tokenRejected?(accessToken: string): Promise<void>;
}

/** An incoming webhook, `https://portal/rest/<user>/<code>/` (reference §1.1). */
export class WebhookAuth implements Bitrix24Auth {
  readonly kind = 'webhook';
  readonly portalKey: string;
  private readonly base: string;

  constructor(url: string) {
    const u = new URL(url);
    if (!/^\/rest\/\d+\/[^/]+\/?$/.test(u.pathname.replace(/\/+/g, '/'))) throw new Error(`not an incoming webhook URL (…/rest/<user>/<code>/): ${u.origin}/rest/…`);
    this.base = `${u.origin}${u.pathname.replace(/\/?$/, '/')}`;
    this.portalKey = u.host;
  }

  portalName(): string {
    return this.portalKey;
  }

  async credentials(): Promise<Credentials> {
    return { restBase: this.base };
  }
}

// ---- token encryption -------------------------------------------------------------------------------------------

/** ESB_TOKEN_KEY: 32 bytes as 64 hex characters or base64. */
export function parseTokenKey(value: string | Buffer | undefined): Buffer {
  if (Buffer.isBuffer(value)) {
    if (value.length !== 32) throw new Error('the token key must be 32 bytes');
    return value;
  }
  const s = (value ?? '').trim();
  if (!s) throw new Error('ESB_TOKEN_KEY is not set: 32 random bytes, hex or base64 (e.g. `openssl rand -base64 32`)');
  const key = /^[0-9a-f]{64}$/i.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (key.length !== 32) throw new Error(`ESB_TOKEN_KEY must decode to 32 bytes (got ${key.length})`);
  return key;
}

interface Sealed {
  data: Buffer;
  nonce: Buffer;
}

// The AAD binds a ciphertext to its row and column: a token copied into another portal's row does not decrypt.
function seal(key: Buffer, plain: string, aad: string): Sealed {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(aad));
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
  return { data, nonce };
}

function unseal(key: Buffer, s: Sealed, aad: string): string {
  const d = createDecipheriv('aes-256-gcm', key, s.nonce);
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(s.data.subarray(s.data.length - 16));
  return Buffer.concat([d.update(s.data.subarray(0, s.data.length - 16)), d.final()]).toString('utf8');
}

// ---- OAuth ------------------------------------------------------------------------------------------------------

/** The token endpoint's JSON (reference §5). */
export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in?: number;
  /** Unix seconds. */
  expires?: number;
  client_endpoint: string;
  member_id: string;
  scope?: string;
}

interface Tokens {
  memberId: string;
  domain: string;
  clientEndpoint: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  version: number;
}

interface TokenRow {
  member_id: string;
  domain: string;
  client_endpoint: string;
  access_token: Buffer;
  access_nonce: Buffer;
  refresh_token: Buffer;
  refresh_nonce: Buffer;
  expires_at: Date;
  version: string | number;
}

/** Joins concurrent callers of the same key onto one promise. One per process by default; tests make more. */
export class SingleFlight {
  private readonly running = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const cur = this.running.get(key);
    if (cur) return cur as Promise<T>;
    const p = fn().finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }
}

const processFlight = new SingleFlight();

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  /** The authorization server, e.g. `https://oauth.bitrix.info` (the token endpoint is `<oauthServer>/oauth/token/`). */
  oauthServer: string;
  store: Store;
  memberId: string;
  /** AES-256 key; defaults to ESB_TOKEN_KEY. */
  key?: string | Buffer;
  /** Refresh this long before expiry (default 60 s); otherwise only on 401 expired_token, as the docs advise. */
  refreshAheadSec?: number;
  fetch?: typeof fetch;
  /** Process-wide by default; a separate one simulates another process in tests. */
  singleFlight?: SingleFlight;
  timeoutMs?: number;
}

const SELECT = `SELECT member_id, domain, client_endpoint, access_token, access_nonce, refresh_token, refresh_nonce, expires_at, version FROM oauth_token WHERE member_id = $1`;

export class OAuthAuth implements Bitrix24Auth {
  readonly kind = 'oauth';
  readonly portalKey: string;
  private readonly key: Buffer;
  private readonly flight: SingleFlight;
  private readonly fetchFn: typeof fetch;
  private cached: Tokens | undefined;

  constructor(private readonly o: OAuthOptions) {
    this.key = parseTokenKey(o.key ?? process.env.ESB_TOKEN_KEY);
    this.portalKey = o.memberId;
    this.flight = o.singleFlight ?? processFlight;
    this.fetchFn = o.fetch ?? fetch;
  }

  /**
   * Installation: exchanges an authorization code (30 s, single use) or stores the tokens the portal handed over
   * (ONAPPINSTALL `auth[...]`), and returns the auth for that portal's member_id.
   */
  static async install(o: Omit<OAuthOptions, 'memberId'>, given: { code: string } | { tokens: TokenResponse }): Promise<OAuthAuth> {
    const key = parseTokenKey(o.key ?? process.env.ESB_TOKEN_KEY);
    const t = 'code' in given ? await tokenRequest(o, { grant_type: 'authorization_code', code: given.code }, 'new installation') : given.tokens;
    const domain = new URL(t.client_endpoint).host;
    const expiresAt = expiryOf(t);
    const a = seal(key, t.access_token, `${t.member_id}:access`);
    const r = seal(key, t.refresh_token, `${t.member_id}:refresh`);
    await o.store.dataSource.query(
      `INSERT INTO oauth_token (member_id, domain, client_id, client_endpoint, scope, access_token, access_nonce, refresh_token, refresh_nonce, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (member_id) DO UPDATE SET domain = EXCLUDED.domain, client_id = EXCLUDED.client_id, client_endpoint = EXCLUDED.client_endpoint,
         scope = EXCLUDED.scope, access_token = EXCLUDED.access_token, access_nonce = EXCLUDED.access_nonce, refresh_token = EXCLUDED.refresh_token,
         refresh_nonce = EXCLUDED.refresh_nonce, expires_at = EXCLUDED.expires_at, updated_at = now(), version = oauth_token.version + 1`,
      [t.member_id, domain, o.clientId, t.client_endpoint, t.scope ?? null, a.data, a.nonce, r.data, r.nonce, new Date(expiresAt)],
    );
    return new OAuthAuth({ ...o, key, memberId: t.member_id });
  }

  portalName(): string {
    return this.cached?.domain ?? `member_id ${this.o.memberId}`;
  }

  async credentials(): Promise<Credentials> {
    let t = this.cached ?? (await this.load());
    if (t.expiresAt - (this.o.refreshAheadSec ?? 60) * 1000 <= Date.now()) t = await this.refresh(t.version);
    return { restBase: t.clientEndpoint, accessToken: t.accessToken };
  }

  async tokenRejected(accessToken: string): Promise<void> {
    const cur = this.cached;
    // Another caller already replaced the token this request used: just retry with the new one.
    if (cur && cur.accessToken !== accessToken) return;
    await this.refresh(cur?.version ?? (await this.load()).version);
  }

  private decrypt(row: TokenRow): Tokens {
    const m = row.member_id;
    return {
      memberId: m,
      domain: row.domain,
      clientEndpoint: row.client_endpoint,
      accessToken: unseal(this.key, { data: row.access_token, nonce: row.access_nonce }, `${m}:access`),
      refreshToken: unseal(this.key, { data: row.refresh_token, nonce: row.refresh_nonce }, `${m}:refresh`),
      expiresAt: row.expires_at.getTime(),
      version: Number(row.version),
    };
  }

  private async load(): Promise<Tokens> {
    const rows: TokenRow[] = await this.o.store.dataSource.query(SELECT, [this.o.memberId]);
    if (!rows[0]) throw new Bitrix24AuthError(`member_id ${this.o.memberId}`, this.o.memberId, 'not_installed', 'no tokens are stored for this portal');
    this.cached = this.decrypt(rows[0]);
    return this.cached;
  }

  /** Single-flight in the process; serialised across processes by the row lock. `seen` is the version that failed. */
  private refresh(seen: number): Promise<Tokens> {
    return this.flight.run(`oauth:${this.o.memberId}`, () =>
      this.o.store.transaction(async (tx) => {
        const rows: TokenRow[] = await tx.manager.query(`${SELECT} FOR UPDATE`, [this.o.memberId]);
        if (!rows[0]) throw new Bitrix24AuthError(`member_id ${this.o.memberId}`, this.o.memberId, 'not_installed', 'no tokens are stored for this portal');
        const cur = this.decrypt(rows[0]);
        // Another process refreshed since we read the row: its tokens are the live ones; ours is already spent.
        if (cur.version !== seen && cur.expiresAt > Date.now()) {
          this.cached = cur;
          return cur;
        }
        const t = await tokenRequest(this.o, { grant_type: 'refresh_token', refresh_token: cur.refreshToken }, cur.domain, this.fetchFn);
        const expiresAt = expiryOf(t);
        const a = seal(this.key, t.access_token, `${cur.memberId}:access`);
        const r = seal(this.key, t.refresh_token, `${cur.memberId}:refresh`);
        const updated: Array<{ version: string }> = await tx.manager.query(
          `UPDATE oauth_token SET access_token = $2, access_nonce = $3, refresh_token = $4, refresh_nonce = $5, expires_at = $6,
             client_endpoint = $7, updated_at = now(), version = version + 1 WHERE member_id = $1 RETURNING version`,
          [cur.memberId, a.data, a.nonce, r.data, r.nonce, new Date(expiresAt), t.client_endpoint || cur.clientEndpoint],
        );
        this.cached = { ...cur, accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt, clientEndpoint: t.client_endpoint || cur.clientEndpoint, version: Number(updated[0]!.version) };
        return this.cached;
      }),
    );
  }
}

function expiryOf(t: TokenResponse): number {
  if (typeof t.expires === 'number') return t.expires * 1000;
  return Date.now() + (t.expires_in ?? 3600) * 1000;
}

/** GET <oauthServer>/oauth/token/?grant_type=…, as documented (reference §5); client_secret only ever goes here. */
async function tokenRequest(
  o: Pick<OAuthOptions, 'clientId' | 'clientSecret' | 'oauthServer' | 'timeoutMs'> & { memberId?: string },
  grant: Record<string, string>,
  portal: string,
  fetchFn: typeof fetch = fetch,
): Promise<TokenResponse> {
  const url = new URL('oauth/token/', o.oauthServer.replace(/\/?$/, '/'));
  for (const [k, v] of Object.entries({ ...grant, client_id: o.clientId, client_secret: o.clientSecret })) url.searchParams.set(k, v);
  const method = `oauth/token (${grant.grant_type})`;
  let res: Response;
  let body: Record<string, unknown>;
  try {
    res = await fetchFn(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
    body = (await res.json()) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    throw new Bitrix24Error({ portal, method, status: 0, error: err.cause?.code ?? err.name, description: err.message, cause: e }, true);
  }
  const error = typeof body.error === 'string' ? body.error : undefined;
  if (error === 'invalid_grant' || error === 'invalid_client') {
    throw new Bitrix24AuthError(portal, o.memberId ?? '?', error, String(body.error_description ?? ''));
  }
  if (!res.ok || error || typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
    throw new Bitrix24Error({ portal, method, status: res.status, error: error ?? 'BAD_TOKEN_RESPONSE', description: String(body.error_description ?? 'unexpected token endpoint answer') });
  }
  return body as unknown as TokenResponse;
}
