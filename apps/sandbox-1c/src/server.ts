// The 1C sandbox process: several infobases behind one port, each with OData, an HTTP service and DMService, Basic auth,
// a session pool, and the kit's admin API and faults (operations named `<infobase>:<EntitySet>[/<function>]`).
import { Faults, Router, startSandboxServer, text, type RequestLogEntry, type RunningSandbox, type SandboxRequest, type SandboxResponse } from '@esb/sandbox-kit';
import { adminRoutes } from './admin.ts';
import { handleDMService } from './dmservice.ts';
import { handleHttpService } from './hs.ts';
import type { Infobase, UserSpec } from './model/infobase.ts';
import { createInfobase, loadData, type InfobaseSeed, type SeedFile } from './model/seed.ts';
import { ODataError, CODES } from './odata/errors.ts';
import { ODataHandler, errorResponse } from './odata/handler.ts';
import { decodePath, parseResourcePath } from './odata/url.ts';

export interface OneCSandboxOptions {
  port?: number;
  host?: string;
  /** Infobases created at start and re-created by `POST /_admin/reset`. */
  infobases?: InfobaseSeed[];
  /** Absolute URL clients use to reach the sandbox (behind a proxy); defaults to `http://<Host header>`. */
  publicUrl?: string;
  maxBodyBytes?: number;
}

export interface OneCSandbox {
  url: string;
  port: number;
  infobases: Map<string, Infobase>;
  infobase(name: string): Infobase;
  /** `…/<infobase>/odata/standard.odata/` of an infobase. */
  odataUrl(name: string): string;
  faults: Faults;
  requests: RequestLogEntry[];
  running: RunningSandbox;
  close(): Promise<void>;
}

/** Operations the fault rules and the request log see: `ut:Document_ЗаказКлиента`, `ut:Document_ЗаказКлиента/Post`… */
export function operationOf(path: string, body?: Buffer): string | undefined {
  const m = /^\/([^/]+)\/(.*)$/.exec(path);
  if (!m || m[1]!.startsWith('_')) return undefined;
  const ib = decodePath(m[1]!);
  const rest = m[2]!;
  const od = /^odata\/standard\.odata\/?(.*)$/.exec(rest);
  if (od) {
    try {
      const segs = parseResourcePath(decodePath(od[1]!));
      if (!segs.length) return `${ib}:`;
      const fn = segs[1]?.name;
      return fn && /^(Post|Unpost|Start|ExecuteTask|Balance|Turnovers|BalanceAndTurnovers|SliceLast|SliceFirst|\$count)$/.test(fn) ? `${ib}:${segs[0]!.name}/${fn}` : `${ib}:${segs[0]!.name}`;
    } catch {
      return `${ib}:${od[1]}`;
    }
  }
  const hs = /^hs\/([^/]+)/.exec(rest);
  if (hs) return `${ib}:hs/${decodePath(hs[1]!)}`;
  if (/^ws\//.test(rest)) {
    const t = body ? /type="(?:[^":]*:)?(DM\w+Request)"/.exec(body.toString('utf8')) : null;
    return `${ib}:DMService${t ? `/${t[1]}` : ''}`;
  }
  return `${ib}:${rest}`;
}

function authenticate(ib: Infobase, header: string | undefined): UserSpec | undefined {
  if (!header || !/^Basic /i.test(header)) return undefined;
  // Logins may be Cyrillic; clients send them UTF-8 encoded inside the Basic credentials.
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  const user = ib.users.get(decoded.slice(0, i));
  return user && user.password === decoded.slice(i + 1) ? user : undefined;
}

function wantsJson(req: SandboxRequest): boolean {
  const f = req.url.searchParams.get('$format');
  if (f !== null) return /json/i.test(f);
  return /application\/json/i.test(String(req.headers.accept ?? ''));
}

export async function startOneCSandbox(opts: OneCSandboxOptions = {}): Promise<OneCSandbox> {
  const infobases = new Map<string, Infobase>();
  const handlers = new WeakMap<Infobase, ODataHandler>();
  const initial = opts.infobases ?? [];
  const build = (seeds: InfobaseSeed[]) => {
    infobases.clear();
    for (const s of seeds) infobases.set(s.name, createInfobase(s));
  };
  build(initial);
  const handlerOf = (ib: Infobase) => {
    let h = handlers.get(ib);
    if (!h) {
      h = new ODataHandler(ib);
      handlers.set(ib, h);
    }
    return h;
  };

  const origin = (req: SandboxRequest) => opts.publicUrl?.replace(/\/$/, '') ?? `http://${String(req.headers.host ?? '127.0.0.1')}`;

  const serve = async (req: SandboxRequest): Promise<SandboxResponse> => {
    const rawIb = req.params['ib']!;
    const ib = infobases.get(decodePath(rawIb));
    if (!ib) return text(404, `Информационная база не опубликована: ${decodePath(rawIb)}`);
    const rest = req.params['rest'] ?? '';
    const user = authenticate(ib, typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);
    if (!user) return { status: 401, headers: { 'www-authenticate': 'Basic realm="1C:Enterprise"', 'content-type': 'text/plain; charset=utf-8' }, body: '' };
    const release = await ib.acquire();
    if (!release) {
      // The publication pool (poolSize) stayed full for poolTimeout: the web extension gives up on the request.
      const e = new ODataError(503, CODES.internal, `Превышено время ожидания свободного сеанса: все ${ib.poolSize} сеансов публикации заняты (poolTimeout ${ib.poolTimeoutMs} мс)`);
      return /^odata\//.test(rest) ? errorResponse(e, wantsJson(req)) : text(503, e.message);
    }
    try {
      const base = `${origin(req)}/${rawIb}`;
      const od = /^odata\/standard\.odata(?:\/(.*))?$/.exec(rest);
      if (od) {
        return await handlerOf(ib).handle({
          method: req.method,
          path: decodePath(od[1] ?? ''),
          search: req.url.searchParams,
          headers: req.headers,
          body: req.body,
          base: `${base}/odata/standard.odata/`,
          user,
        });
      }
      const hs = /^hs\/(.*)$/.exec(rest);
      if (hs) return handleHttpService(ib, req.method, decodePath(hs[1]!));
      if (/^ws\/(DMService|dm\.1cws)(\.1cws)?$/i.test(rest)) return await handleDMService(ib, user.name, req.method, req.url.searchParams, req.headers, req.body, `${base}/ws/DMService`);
      return text(404, 'Not Found');
    } finally {
      release();
    }
  };

  const router = new Router().on('*', /^\/(?<ib>[^/_][^/]*)\/(?<rest>.*)$/, serve);
  const running = await startSandboxServer({
    name: 'sandbox-1c',
    port: opts.port ?? 0,
    host: opts.host ?? '127.0.0.1',
    router,
    maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024 * 1024,
    opOf: (req) => operationOf(req.path, req.body),
    notFound: () => text(404, 'Not Found'),
    admin: {
      state: () => ({ infobases: [...infobases.values()].map((ib) => ib.summary()) }),
      reset: () => build(initial),
      seed: (body) => {
        const seed = body as SeedFile;
        const out: Array<Record<string, unknown>> = [];
        for (const s of seed.infobases ?? []) {
          const existing = infobases.get(s.name);
          if (existing) out.push({ name: s.name, ...loadData(existing, s.data ?? {}) });
          else {
            infobases.set(s.name, createInfobase(s));
            out.push({ name: s.name, created: true });
          }
        }
        return { infobases: out };
      },
      routes: (r) => adminRoutes(r, { infobases, origin: () => opts.publicUrl?.replace(/\/$/, '') ?? running.url }),
    },
  });
  return {
    url: running.url,
    port: running.port,
    infobases,
    infobase(name) {
      const ib = infobases.get(name);
      if (!ib) throw new Error(`no infobase "${name}"`);
      return ib;
    },
    odataUrl: (name) => `${opts.publicUrl?.replace(/\/$/, '') ?? running.url}/${encodeURIComponent(name)}/odata/standard.odata/`,
    faults: running.faults,
    requests: running.requests,
    running,
    close: () => running.close(),
  };
}
