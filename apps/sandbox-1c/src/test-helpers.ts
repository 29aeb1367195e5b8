// Helpers shared by the sandbox's own tests: start a sandbox with the standard demo infobases and talk to it with
// plain fetch (Basic auth, Cyrillic paths percent-encoded the way clients do), so tests see exactly the wire format.
import { startOneCSandbox, type OneCSandbox } from './server.ts';
import type { InfobaseSeed } from './model/seed.ts';

export const AUTH = `Basic ${Buffer.from('odata:odata').toString('base64')}`;

export const STANDARD_INFOBASES: InfobaseSeed[] = [
  { name: 'ut', profile: 'ut11', demo: true },
  { name: 'ut114', profile: 'ut11.4', demo: true },
  { name: 'retail', profile: 'retail', demo: true },
  { name: 'bp', profile: 'bp30', demo: true },
  { name: 'dm', profile: 'dm', demo: true, users: [{ name: 'odata', password: 'odata' }, { name: 'Петров Петр Петрович', password: 'dm' }, { name: 'reader', password: 'r', readOnly: true }] },
];

export async function startStandard(extra: InfobaseSeed[] = []): Promise<OneCSandbox> {
  return startOneCSandbox({ infobases: [...STANDARD_INFOBASES, ...extra] });
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
  json: Record<string, unknown>;
}

export class Client {
  constructor(
    readonly base: string,
    readonly auth: string = AUTH,
  ) {}

  /** `path` is relative to `…/standard.odata/`; `query` values are encoded like URLSearchParams does. */
  async call(method: string, path: string, opts: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string>; json?: boolean } = {}): Promise<Reply> {
    const q = new URLSearchParams(opts.query ?? {});
    if (opts.json !== false && !q.has('$format') && !opts.headers?.['accept']) q.set('$format', 'json');
    const url = `${this.base}${encodePath(path)}${[...q].length ? `?${q.toString().replace(/\+/g, '%20')}` : ''}`;
    const res = await fetch(url, {
      method,
      headers: { authorization: this.auth, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.headers ?? {}) },
      ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON (Atom, XML, PDF, plain text)
    }
    return { status: res.status, headers: res.headers, text, bytes, json };
  }

  get(path: string, query?: Record<string, string>, headers?: Record<string, string>) {
    return this.call('GET', path, { ...(query ? { query } : {}), ...(headers ? { headers } : {}) });
  }

  post(path: string, body?: unknown, query?: Record<string, string>) {
    return this.call('POST', path, { ...(body !== undefined ? { body } : {}), ...(query ? { query } : {}) });
  }

  patch(path: string, body: unknown, headers?: Record<string, string>) {
    return this.call('PATCH', path, { body, ...(headers ? { headers } : {}) });
  }

  async value(path: string, query?: Record<string, string>): Promise<Array<Record<string, unknown>>> {
    const r = await this.get(path, query);
    if (r.status !== 200) throw new Error(`GET ${path} → ${r.status}: ${r.text}`);
    return r.json['value'] as Array<Record<string, unknown>>;
  }
}

/** Percent-encodes a resource path like clients do (Cyrillic and spaces encoded; `(`, `'`, `=`, `,`, `/` kept). */
export function encodePath(p: string): string {
  return encodeURI(p);
}

export function errorOf(r: Reply): { code: string; message: string } {
  const e = r.json['odata.error'] as { code: string; message: { value: string } } | undefined;
  if (!e) throw new Error(`no odata.error in ${r.status}: ${r.text.slice(0, 300)}`);
  return { code: e.code, message: e.message.value };
}

export async function admin(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}/_admin${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
}
