// Builds and starts one simulated 1C-Bitrix site: the exchange endpoint, the sale REST webhook routes, the
// admin API, fault injection and the request log (from the sandbox kit), over one in-memory state.
import { Router, startSandboxServer, text, type RunningSandbox } from '@esb/sandbox-kit';
import { adminRoutes } from './admin.ts';
import { EXCHANGE_PATH, exchangeHandler, exchangeOp } from './exchange/endpoint.ts';
import type { SiteContext } from './sale/context.ts';
import { pushPaidOrder } from './sale/push.ts';
import { REST_ROUTE, restHandler, restOp } from './sale/rest.ts';
import { applySeed, defaultSeed, type SeedInput } from './seed.ts';
import { emptyState, stateView } from './state.ts';
import { Clock } from './util/clock.ts';

export interface SiteSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Applied on start and again after every /_admin/reset, on top of the built-in demo store. */
  seed?: SeedInput;
  /** The site's time zone (Bitrix writes local times). */
  timeZone?: string;
  maxBodyBytes?: number;
}

export interface SiteSandbox {
  url: string;
  port: number;
  /** `<url>/bitrix/admin/1c_exchange.php` */
  exchangeUrl: string;
  /** `<url>/rest/1/sandbox/`: the built-in webhook of user 1. */
  restUrl: string;
  ctx: SiteContext;
  sandbox: RunningSandbox;
  close(): Promise<void>;
}

export async function startSiteSandbox(opts: SiteSandboxOptions = {}): Promise<SiteSandbox> {
  const clock = new Clock(opts.timeZone ?? 'Europe/Moscow');
  const ctx: SiteContext = {
    state: emptyState(),
    clock,
    onOrderPaid: (order) => pushPaidOrder(ctx.state, clock, order),
  };
  const fresh = () => {
    ctx.state = emptyState();
    clock.reset();
    applySeed(ctx, defaultSeed());
    if (opts.seed) applySeed(ctx, opts.seed);
  };
  fresh();

  const exchange = exchangeHandler(ctx);
  const router = new Router().on('GET', EXCHANGE_PATH, exchange).on('POST', EXCHANGE_PATH, exchange).on('*', REST_ROUTE, restHandler(ctx));
  const sandbox = await startSandboxServer({
    name: 'sandbox-bitrix-site',
    port: opts.port ?? 0,
    host: opts.host,
    router,
    maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024 * 1024,
    opOf: (req) => (req.path === EXCHANGE_PATH ? exchangeOp(req) : restOp(req)),
    admin: {
      state: () => stateView(ctx.state),
      reset: fresh,
      seed: (b) => applySeed(ctx, b as SeedInput),
      routes: adminRoutes(ctx),
    },
    notFound: () => text(404, '<html><body><h1>404 Not Found</h1></body></html>', 'text/html; charset=UTF-8'),
  });
  return {
    url: sandbox.url,
    port: sandbox.port,
    exchangeUrl: `${sandbox.url}${EXCHANGE_PATH}`,
    restUrl: `${sandbox.url}/rest/1/sandbox/`,
    ctx,
    sandbox,
    close: () => sandbox.close(),
  };
}
