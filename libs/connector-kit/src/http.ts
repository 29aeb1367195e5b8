// A connector's HTTP face: its inbound routes (webhooks, 1C pushes), /health/live, /health/ready and /metrics
// (architecture §7). Bodies over the limit get 413 before a route sees them; a route that throws answers 500 with
// its error code, and neither ever takes the process down.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router, json, text, readBody, type SandboxRequest, type SandboxResponse } from '@esb/sandbox-kit';
import { classifyError, type Logger } from '@esb/bus';
import type { Metrics } from './metrics.ts';

export type HttpRequest = SandboxRequest;
export type HttpResponse = SandboxResponse;
export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;
export { json, text };

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface HttpOptions {
  port?: number;
  host?: string;
  maxBodyBytes?: number;
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  /** Readiness checks give up after this long (a hung dependency is "not ready", not a hung probe). */
  checkTimeoutMs?: number;
}

export interface RunningHttp {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY = 1024 * 1024;

async function withTimeout(p: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export class ConnectorHttp {
  readonly router = new Router();
  /** Each handler's route pattern: the metrics label, so paths with ids (webhooks, file links) stay one series. */
  private readonly patterns = new Map<HttpHandler, string>();

  constructor(private readonly o: HttpOptions) {}

  on(method: string, pattern: string | RegExp, handler: HttpHandler): this {
    this.router.on(method, pattern, handler);
    this.patterns.set(handler, `${method} ${String(pattern)}`);
    return this;
  }

  /** Runs every readiness check; the result names each dependency and why it is not ready. */
  async readiness(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    await Promise.all(
      this.o.readiness.map(async (c) => {
        try {
          await withTimeout(c.check(), this.o.checkTimeoutMs ?? 3000, c.name);
          checks[c.name] = 'ok';
        } catch (e) {
          checks[c.name] = e instanceof Error ? e.message : String(e);
        }
      }),
    );
    return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
  }

  async listen(): Promise<RunningHttp> {
    const limit = this.o.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const server = createServer(async (raw, res) => {
      const t0 = performance.now();
      const url = new URL(raw.url ?? '/', 'http://connector');
      const method = (raw.method ?? 'GET').toUpperCase();
      let out: HttpResponse;
      let route = 'unmatched';
      try {
        if (url.pathname === '/health/live') out = json(200, { status: 'live' });
        else if (url.pathname === '/health/ready') {
          const r = await this.readiness();
          out = json(r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks });
        } else if (url.pathname === '/metrics') out = text(200, await this.o.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
        else {
          const m = this.router.match(method, url.pathname);
          if (!m) out = json(404, { error: 'ESB_NOT_FOUND', message: `no route ${method} ${url.pathname}` });
          else {
            route = this.patterns.get(m.handler) ?? 'unknown';
            const body = await readBody(raw, limit);
            if (body === 'too-large') {
              this.o.logger.warn('request body over the limit refused', { method, path: url.pathname, limitBytes: limit });
              out = json(413, { error: 'ESB_BODY_TOO_LARGE', message: `request body is larger than ${limit} bytes` });
            } else out = await m.handler({ method, url, path: url.pathname, headers: raw.headers, body, raw, params: m.params });
          }
        }
      } catch (e) {
        const c = classifyError(e);
        this.o.logger.error('request failed', { method, path: url.pathname, code: c.code, error: c.message });
        out = json(c.retriable ? 503 : 500, { error: c.code, message: c.message });
      }
      if (!url.pathname.startsWith('/health/') && url.pathname !== '/metrics') {
        this.o.metrics.inc('esb_http_requests_total', 'HTTP requests to the connector by route and status', { route, status: String(out.status) });
        this.o.metrics.inc('esb_http_request_seconds_sum', 'Time spent answering HTTP requests', { route }, (performance.now() - t0) / 1000);
      }
      res.writeHead(out.status, out.headers ?? {});
      res.end(out.body ?? '');
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', resolve);
    });
    const port = (server.address() as AddressInfo).port;
    return {
      url: `http://${this.o.host ?? '127.0.0.1'}:${port}`,
      port,
      server,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }
}
