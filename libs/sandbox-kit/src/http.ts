// The HTTP skeleton of a sandbox: node:http (no framework, so every status, header and byte is what the simulated
// system sends), a tiny router, the admin API under /_admin, fault injection in front of every route, and a log
// of recent requests for tests and integrators to inspect.
import { createServer, type IncomingMessage, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faults, type FaultSpec } from './faults.ts';

export interface SandboxRequest {
  method: string;
  url: URL;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  raw: IncomingMessage;
  /** Path parameters from `:name` segments of the route pattern. */
  params: Record<string, string>;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type Handler = (req: SandboxRequest) => Promise<SandboxResponse> | SandboxResponse;

export function json(status: number, value: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': contentType, ...headers }, body };
}

interface Route {
  method: string;
  re: RegExp;
  keys: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  /** `pattern`: a path with `:name` segments and an optional trailing `*` (captured as `params['*']`), or a RegExp with named groups. */
  on(method: string | '*', pattern: string | RegExp, handler: Handler): this {
    if (pattern instanceof RegExp) {
      this.routes.push({ method: method.toUpperCase(), re: pattern, keys: [], handler });
      return this;
    }
    const keys: string[] = [];
    const src = pattern
      .split('/')
      .map((seg) => {
        if (seg === '*') {
          keys.push('*');
          return '(.*)';
        }
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method: method.toUpperCase(), re: new RegExp(`^${src}$`), keys, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    for (const r of this.routes) {
      if (r.method !== '*' && r.method !== method) continue;
      const m = r.re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = { ...(m.groups ?? {}) };
      r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? '')));
      return { handler: r.handler, params };
    }
    return undefined;
  }
}

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  op: string | undefined;
  status: number;
  ms: number;
  fault?: string;
}

export interface SandboxAdmin {
  /** A JSON view of the whole state, for tests and integrators. */
  state(): unknown;
  reset(): void;
  /** Loads data; the body format is the sandbox's own (documented in its README). */
  seed(body: unknown): unknown;
  /** Extra admin routes of the sandbox, mounted under /_admin. */
  routes?: (r: Router) => void;
}

export interface SandboxOptions {
  name: string;
  port?: number;
  host?: string;
  router: Router;
  admin: SandboxAdmin;
  /** The operation a request stands for (a REST method name, an entity set), used by fault rules and the log. */
  opOf?: (req: SandboxRequest) => string | undefined;
  /** Larger bodies get 413 before any route sees them. */
  maxBodyBytes?: number;
  /** What the simulated system answers when no route matches. */
  notFound?: (req: SandboxRequest) => SandboxResponse;
  faults?: Faults;
}

export interface RunningSandbox {
  name: string;
  url: string;
  port: number;
  server: Server;
  faults: Faults;
  requests: RequestLogEntry[];
  close(): Promise<void>;
}

const LOG_SIZE = 1000;

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startSandboxServer(o: SandboxOptions): Promise<RunningSandbox> {
  const faults = o.faults ?? new Faults();
  const requests: RequestLogEntry[] = [];
  const admin = new Router();
  admin
    .on('GET', '/_admin/state', () => json(200, o.admin.state()))
    .on('POST', '/_admin/reset', () => {
      o.admin.reset();
      faults.clear();
      requests.length = 0;
      return json(200, { ok: true });
    })
    .on('POST', '/_admin/seed', (r) => json(200, o.admin.seed(r.body.length ? JSON.parse(r.body.toString('utf8')) : {})))
    .on('GET', '/_admin/faults', () => json(200, faults.list()))
    .on('POST', '/_admin/faults', (r) => json(201, faults.add(JSON.parse(r.body.toString('utf8')) as FaultSpec)))
    .on('DELETE', '/_admin/faults', () => {
      faults.clear();
      return json(200, { ok: true });
    })
    .on('DELETE', '/_admin/faults/:id', (r) => json(faults.remove(r.params.id!) ? 200 : 404, { ok: true }))
    .on('GET', '/_admin/requests', () => json(200, requests));
  o.admin.routes?.(admin);

  const server = createServer(async (raw, res) => {
    const t0 = performance.now();
    const url = new URL(raw.url ?? '/', 'http://sandbox');
    const base = { method: (raw.method ?? 'GET').toUpperCase(), url, path: url.pathname, headers: raw.headers, raw, params: {} };
    let out: SandboxResponse | 'drop';
    let op: string | undefined;
    let fault: string | undefined;
    try {
      const body = await readBody(raw, o.maxBodyBytes ?? 64 * 1024 * 1024);
      if (body === 'too-large') {
        out = text(413, `Request body larger than ${o.maxBodyBytes} bytes`);
      } else {
        const req: SandboxRequest = { ...base, body };
        const adm = req.path.startsWith('/_admin/') ? admin.match(req.method, req.path) : undefined;
        if (adm) {
          out = await adm.handler({ ...req, params: adm.params });
        } else {
          op = o.opOf?.(req);
          const f = await faults.apply({ method: req.method, path: req.path, op });
          fault = f?.id;
          if (f?.result) out = f.result;
          else {
            const m = o.router.match(req.method, req.path);
            out = m ? await m.handler({ ...req, params: m.params }) : (o.notFound?.(req) ?? text(404, 'Not Found'));
          }
        }
      }
    } catch (e) {
      out = json(500, { error: 'SANDBOX_INTERNAL', error_description: e instanceof Error ? e.message : String(e) });
    }
    const entry: RequestLogEntry = { at: new Date().toISOString(), method: base.method, path: base.path, op, status: out === 'drop' ? 0 : out.status, ms: Math.round(performance.now() - t0), ...(fault ? { fault } : {}) };
    if (!base.path.startsWith('/_admin/')) {
      requests.push(entry);
      if (requests.length > LOG_SIZE) requests.splice(0, requests.length - LOG_SIZE);
    }
    if (out === 'drop') {
      raw.socket.destroy();
      return;
    }
    res.writeHead(out.status, out.headers ?? {});
    res.end(out.body ?? '');
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name: o.name,
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    port,
    server,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
