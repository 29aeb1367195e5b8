// Starts the Bitrix24 sandbox: the portal's REST API under /rest/, the OAuth server under /oauth/, and the admin API
// under /_admin/ (sandbox-kit's state/reset/seed/faults/requests plus the Bitrix24 routes). Used by main.ts and tests.
import { json, Router, startSandboxServer, text, type RunningSandbox, type SandboxRequest } from '@esb/sandbox-kit';
import { adminRoutes } from './admin.ts';
import { Portal } from './portal/portal.ts';
import { handleRest, opOf } from './rest/front.ts';
import { isMap, param, parseStr, str, type PhpMap } from './rest/php.ts';

export interface Bitrix24SandboxOptions {
  port?: number;
  host?: string;
  /** The URL clients use, when it differs from the listening address (a proxy, a container). */
  publicUrl?: string;
  /** Loaded after the defaults on start and on every /_admin/reset (README "Seed format"). */
  seed?: PhpMap;
  maxBodyBytes?: number;
}

export interface Bitrix24Sandbox {
  url: string;
  portal: Portal;
  sandbox: RunningSandbox;
  close(): Promise<void>;
}

async function formOrQuery(req: SandboxRequest): Promise<PhpMap> {
  const body = req.body.length ? parseStr(req.body.toString('utf8')) : {};
  return { ...parseStr(req.url.search.replace(/^\?/, '')), ...body };
}

export async function startBitrix24Sandbox(opts: Bitrix24SandboxOptions = {}): Promise<Bitrix24Sandbox> {
  const portal = new Portal(opts.seed);
  const router = new Router()
    .on('*', /^\/+rest(\/|$)/, (req) => handleRest(portal, req))
    // The authorization server: GET with a query (PHP SDK) or an urlencoded POST (JS SDK), with or without the slash.
    .on('*', /^\/oauth\/token\/?$/, async (req) => portal.oauth.tokenEndpoint(await formOrQuery(req), portal.now()))
    // What happens after a user agrees to install/authorize the app: a redirect carrying a 30-second code.
    .on('GET', /^\/oauth\/authorize\/?$/, (req) => {
      const q = parseStr(req.url.search.replace(/^\?/, ''));
      const app = portal.oauth.apps.get(str(param(q, 'client_id')));
      if (!app) return json(400, { error: 'invalid_client', error_description: 'Unknown client_id' });
      const userId = Number(str(param(q, 'user_id')) || 1);
      const code = portal.oauth.issueCode(app.clientId, userId, portal.now());
      const p = new URLSearchParams({ code, state: str(param(q, 'state')), domain: portal.domain(), member_id: portal.settings.memberId, scope: app.scope.join(','), server_domain: new URL(portal.baseUrl).host });
      if (!app.redirectUri) return json(200, Object.fromEntries(p));
      return { status: 302, headers: { location: `${app.redirectUri}${app.redirectUri.includes('?') ? '&' : '?'}${p}` }, body: '' };
    });
  const sandbox = await startSandboxServer({
    name: 'bitrix24',
    port: opts.port ?? 0,
    host: opts.host,
    router,
    maxBodyBytes: opts.maxBodyBytes,
    opOf: (req) => opOf(req.path),
    notFound: () => text(404, '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>', 'text/html; charset=utf-8'),
    admin: {
      state: () => portal.state(),
      reset: () => portal.reset(),
      seed: (b) => {
        if (!isMap(b as PhpMap)) throw new Error('seed body must be a JSON object');
        return portal.seed(b as PhpMap);
      },
      routes: adminRoutes(portal),
    },
  });
  portal.baseUrl = (opts.publicUrl ?? sandbox.url).replace(/\/+$/, '');
  return {
    url: sandbox.url,
    portal,
    sandbox,
    close: async () => {
      await portal.events.idle();
      await sandbox.close();
    },
  };
}
