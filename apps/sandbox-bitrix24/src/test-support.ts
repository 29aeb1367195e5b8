// Helpers for the sandbox's own tests: a raw HTTP client speaking the three encodings the portal accepts, admin
// calls, and a local listener that records event POSTs the way a connector's webhook endpoint would receive them.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseStr, buildQuery, type PhpMap } from './rest/php.ts';

export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Walks into a JSON value: pick(body, 'result', 'items', 0, 'id'). */
export function pick(v: unknown, ...path: Array<string | number>): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

export type Encoding = 'json' | 'form' | 'query';

export class Client {
  constructor(
    readonly url: string,
    readonly hook = '1/sandbox',
  ) {}

  async send(path: string, params: PhpMap = {}, encoding: Encoding = 'json'): Promise<Reply> {
    let res: Response;
    if (encoding === 'json') {
      res = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
    } else if (encoding === 'form') {
      res = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: buildQuery(params) });
    } else {
      const q = buildQuery(params);
      res = await fetch(`${this.url}${path}${q ? `?${q}` : ''}`);
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // non-JSON answers (downloads, 404 pages) stay text
    }
    return { status: res.status, headers: res.headers, body };
  }

  /** A call through the incoming webhook /rest/<user>/<code>/<method>. */
  call(method: string, params: PhpMap = {}, encoding: Encoding = 'json'): Promise<Reply> {
    return this.send(`/rest/${this.hook}/${method}`, params, encoding);
  }

  /** A call as an OAuth application: /rest/<method> with `auth`. */
  app(method: string, token: string, params: PhpMap = {}, encoding: Encoding = 'json'): Promise<Reply> {
    return this.send(`/rest/${method}`, { ...params, auth: token }, encoding);
  }

  /** The result of a successful webhook call (throws with the answer otherwise). */
  async result(method: string, params: PhpMap = {}): Promise<unknown> {
    const r = await this.call(method, params);
    if (r.status !== 200) throw new Error(`${method} → ${r.status} ${JSON.stringify(r.body)}`);
    return pick(r.body, 'result');
  }

  async admin(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<unknown> {
    const res = await fetch(`${this.url}/_admin/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`admin ${path} → ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  }

  /** Fresh OAuth tokens of the default sandbox app for a user (what installation hands the app). */
  async tokens(userId = 1, clientId = 'local.sandbox.app'): Promise<{ access_token: string; refresh_token: string; member_id: string; expires: number }> {
    return (await this.admin('tokens/issue', { clientId, userId })) as { access_token: string; refresh_token: string; member_id: string; expires: number };
  }
}

export interface Hit {
  headers: IncomingHttpHeaders;
  raw: string;
  form: PhpMap;
}

/** A local event handler: records every POST, answers with `status` (settable). */
export async function listener(status = 200): Promise<{ url: string; hits: Hit[]; setStatus(s: number): void; close(): Promise<void> }> {
  const hits: Hit[] = [];
  let answer = status;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      hits.push({ headers: req.headers, raw, form: parseStr(raw) });
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(answer === 200 ? 'OK' : 'ERROR');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/handler`,
    hits,
    setStatus: (s) => (answer = s),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
