// The OAuth side of the portal (reference §5): installed applications (client id/secret, application_token,
// scopes), authorization codes (30 s, single use), access tokens (1 h by default, adjustable), single-use refresh
// tokens that rotate on every refresh (180 days), and the token endpoint at /oauth/token/ (GET query or POST form).
import { randomBytes } from 'node:crypto';
import { json, type SandboxResponse } from '@esb/sandbox-kit';
import { param, str, type PhpMap } from './rest/php.ts';

export type AppStatus = 'L' | 'F' | 'D' | 'T' | 'P';

export interface App {
  clientId: string;
  clientSecret: string;
  applicationToken: string;
  scope: string[];
  status: AppStatus;
  /** Events are not delivered until the installation is finished (installFinish). */
  installFinished: boolean;
  redirectUri: string | null;
  /** Users allowed to use the app; empty = everyone. */
  allowedUsers: number[];
}

export interface AccessToken {
  token: string;
  clientId: string;
  userId: number;
  expiresAt: number;
}

interface RefreshToken {
  token: string;
  clientId: string;
  userId: number;
  expiresAt: number;
  usedAt: number | null;
}

interface Code {
  code: string;
  clientId: string;
  userId: number;
  expiresAt: number;
  used: boolean;
}

export interface OAuthSettings {
  accessTokenLifetimeSec: number;
  refreshTokenLifetimeSec: number;
  codeLifetimeSec: number;
}

export interface PortalEndpoints {
  /** Public base URL of the sandbox (portal and OAuth server share it). */
  baseUrl: string;
  memberId: string;
}

export type TokenCheck = { ok: true; app: App; token: AccessToken } | { ok: false; reason: 'expired' | 'invalid' };

function token(): string {
  return randomBytes(32).toString('hex').slice(0, 64);
}

export class OAuth {
  apps = new Map<string, App>();
  private access = new Map<string, AccessToken>();
  private refresh = new Map<string, RefreshToken>();
  private codes = new Map<string, Code>();
  settings: OAuthSettings = { accessTokenLifetimeSec: 3600, refreshTokenLifetimeSec: 180 * 86400, codeLifetimeSec: 30 };
  /** Every answer of the token endpoint, for /_admin/tokens. */
  log: Array<{ at: number; grant: string; clientId: string; ok: boolean; error?: string }> = [];

  constructor(private readonly endpoints: () => PortalEndpoints) {}

  clear(): void {
    this.apps.clear();
    this.access.clear();
    this.refresh.clear();
    this.codes.clear();
    this.log = [];
  }

  install(a: Partial<App> & { clientId: string; clientSecret: string }): App {
    const app: App = {
      applicationToken: a.applicationToken ?? randomBytes(16).toString('hex'),
      scope: a.scope ?? ['crm', 'disk', 'task', 'bizproc', 'user', 'im', 'catalog', 'placement'],
      status: a.status ?? 'L',
      installFinished: a.installFinished ?? true,
      redirectUri: a.redirectUri ?? null,
      allowedUsers: a.allowedUsers ?? [],
      ...a,
    };
    this.apps.set(app.clientId, app);
    return app;
  }

  uninstall(clientId: string): boolean {
    for (const [k, t] of this.access) if (t.clientId === clientId) this.access.delete(k);
    for (const [k, t] of this.refresh) if (t.clientId === clientId) this.refresh.delete(k);
    return this.apps.delete(clientId);
  }

  /** What /oauth/authorize/ hands to the app's redirect_uri after the user agrees. */
  issueCode(clientId: string, userId: number, now: number): string {
    const code = token();
    this.codes.set(code, { code, clientId, userId, expiresAt: now + this.settings.codeLifetimeSec * 1000, used: false });
    return code;
  }

  /** Issues a fresh pair, as after installation or a code exchange; returns the token endpoint's JSON. */
  issue(clientId: string, userId: number, now: number): PhpMap {
    const app = this.apps.get(clientId);
    if (!app) throw new Error(`no app ${clientId}`);
    const at: AccessToken = { token: token(), clientId, userId, expiresAt: now + this.settings.accessTokenLifetimeSec * 1000 };
    const rt: RefreshToken = { token: token(), clientId, userId, expiresAt: now + this.settings.refreshTokenLifetimeSec * 1000, usedAt: null };
    this.access.set(at.token, at);
    this.refresh.set(rt.token, rt);
    const { baseUrl, memberId } = this.endpoints();
    return {
      access_token: at.token,
      expires: Math.floor(at.expiresAt / 1000),
      expires_in: this.settings.accessTokenLifetimeSec,
      scope: app.scope.join(','),
      // `domain` here is the authorization server, not the portal (reference §5); ours is the sandbox itself.
      domain: new URL(baseUrl).host,
      server_endpoint: `${baseUrl}/rest/`,
      status: app.status,
      client_endpoint: `${baseUrl}/rest/`,
      member_id: memberId,
      user_id: userId,
      refresh_token: rt.token,
    };
  }

  /** A short-lived token for an event payload's auth[] (the portal issues one for the triggering user). */
  accessFor(clientId: string, userId: number, now: number): AccessToken {
    const at: AccessToken = { token: token(), clientId, userId, expiresAt: now + this.settings.accessTokenLifetimeSec * 1000 };
    this.access.set(at.token, at);
    return at;
  }

  check(tok: string, now: number): TokenCheck {
    const t = this.access.get(tok);
    const app = t && this.apps.get(t.clientId);
    if (!t || !app) return { ok: false, reason: 'invalid' };
    if (t.expiresAt <= now) return { ok: false, reason: 'expired' };
    return { ok: true, app, token: t };
  }

  /** Expires every access token now (or one app's), as a test of the 401 expired_token → refresh path. */
  expireAll(now: number, clientId?: string): number {
    let n = 0;
    for (const t of this.access.values()) {
      if ((clientId === undefined || t.clientId === clientId) && t.expiresAt > now) {
        t.expiresAt = now;
        n++;
      }
    }
    return n;
  }

  tokens(now: number): Array<{ clientId: string; userId: number; expiresIn: number; kind: 'access' | 'refresh'; used?: boolean }> {
    const out: Array<{ clientId: string; userId: number; expiresIn: number; kind: 'access' | 'refresh'; used?: boolean }> = [];
    for (const t of this.access.values()) out.push({ kind: 'access', clientId: t.clientId, userId: t.userId, expiresIn: Math.round((t.expiresAt - now) / 1000) });
    for (const t of this.refresh.values()) out.push({ kind: 'refresh', clientId: t.clientId, userId: t.userId, expiresIn: Math.round((t.expiresAt - now) / 1000), used: t.usedAt !== null });
    return out;
  }

  private fail(grant: string, clientId: string, error: string, description: string): SandboxResponse {
    this.log.push({ at: Date.now(), grant, clientId, ok: false, error });
    // UNCONFIRMED: the status of token-endpoint errors; 400 is what the oauth2 server library answers.
    return json(400, { error, error_description: description });
  }

  /** /oauth/token/: grant_type=authorization_code | refresh_token, params in the query or an urlencoded body. */
  tokenEndpoint(p: PhpMap, now: number): SandboxResponse {
    const grant = str(param(p, 'grant_type'));
    const clientId = str(param(p, 'client_id'));
    if (!grant || !clientId) return this.fail(grant, clientId, 'invalid_request', 'Invalid grant_type or client_id parameter');
    const app = this.apps.get(clientId);
    if (!app || app.clientSecret !== str(param(p, 'client_secret'))) return this.fail(grant, clientId, 'invalid_client', 'The client credentials are invalid');
    if (grant === 'authorization_code') {
      const c = this.codes.get(str(param(p, 'code')));
      if (!c || c.clientId !== clientId || c.used) return this.fail(grant, clientId, 'invalid_grant', 'Authorization code doesn\'t exist or is invalid for the client');
      if (c.expiresAt <= now) return this.fail(grant, clientId, 'invalid_grant', 'The authorization code has expired');
      c.used = true;
      this.log.push({ at: now, grant, clientId, ok: true });
      return json(200, this.issue(clientId, c.userId, now));
    }
    if (grant === 'refresh_token') {
      const r = this.refresh.get(str(param(p, 'refresh_token')));
      // A used refresh token stops working: rotation makes every refresh token single-use.
      if (!r || r.clientId !== clientId || r.usedAt !== null) return this.fail(grant, clientId, 'invalid_grant', 'Refresh token doesn\'t exist or is invalid for the client');
      if (r.expiresAt <= now) return this.fail(grant, clientId, 'invalid_grant', 'Refresh token has expired');
      r.usedAt = now;
      this.log.push({ at: now, grant, clientId, ok: true });
      return json(200, this.issue(clientId, r.userId, now));
    }
    return this.fail(grant, clientId, 'invalid_request', 'Invalid grant_type parameter');
  }
}
