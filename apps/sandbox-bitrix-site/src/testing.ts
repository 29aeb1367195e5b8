// A small 1C-side client of 1c_exchange.php for tests and for integrators trying the sandbox by hand: it keeps
// the session cookie and sessid from checkauth, uploads in file_limit chunks, and repeats import until the
// site stops answering `progress` — the way 1C's exchange module drives a site.
import iconv from 'iconv-lite';

export interface ExchangeAnswer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  /** The body decoded from windows-1251. */
  text: string;
  lines: string[];
}

export class OneCClient {
  cookie: string | null = null;
  sessid: string | null = null;

  constructor(
    readonly exchangeUrl: string,
    readonly login = 'admin',
    readonly password = 'admin',
  ) {}

  async call(
    query: Record<string, string>,
    o: { method?: 'GET' | 'POST'; body?: Uint8Array | string; contentType?: string; auth?: boolean; withCookie?: boolean; withSessid?: boolean } = {},
  ): Promise<ExchangeAnswer> {
    const url = new URL(this.exchangeUrl);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    if ((o.withSessid ?? false) && this.sessid) url.searchParams.set('sessid', this.sessid);
    const headers: Record<string, string> = {};
    if (o.auth ?? false) headers.authorization = `Basic ${Buffer.from(`${this.login}:${this.password}`).toString('base64')}`;
    if ((o.withCookie ?? true) && this.cookie) headers.cookie = this.cookie;
    if (o.contentType) headers['content-type'] = o.contentType;
    const res = await fetch(url, { method: o.method ?? (o.body !== undefined ? 'POST' : 'GET'), headers, ...(o.body !== undefined ? { body: o.body } : {}) });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = iconv.decode(bytes, 'win1251');
    return { status: res.status, headers: res.headers, bytes, text, lines: text.split('\n') };
  }

  /** checkauth with Basic; remembers `<name>=<value>` and `sessid` from the answer lines. */
  async checkauth(type: 'catalog' | 'sale'): Promise<ExchangeAnswer> {
    const a = await this.call({ type, mode: 'checkauth' }, { auth: true, withCookie: false });
    if (a.lines[0] === 'success') {
      this.cookie = `${a.lines[1]}=${a.lines[2]}`;
      this.sessid = a.lines.find((l) => l.startsWith('sessid='))?.slice('sessid='.length) ?? null;
    }
    return a;
  }

  async init(type: 'catalog' | 'sale', extra: Record<string, string> = {}): Promise<ExchangeAnswer> {
    return this.call({ type, mode: 'init', ...extra }, { withSessid: true });
  }

  /** Sends a file in chunks of `chunk` bytes (the site's file_limit), as 1C does. */
  async upload(type: 'catalog' | 'sale', filename: string, data: Uint8Array, chunk = 204800): Promise<ExchangeAnswer[]> {
    const out: ExchangeAnswer[] = [];
    for (let i = 0; i < data.length; i += chunk) {
      out.push(await this.call({ type, mode: 'file', filename }, { body: data.subarray(i, i + chunk), contentType: 'application/octet-stream', withSessid: true }));
    }
    return out;
  }

  /** Calls import until the first line is not `progress`; returns every answer. */
  async importAll(type: 'catalog' | 'sale', filename: string, maxCalls = 200): Promise<ExchangeAnswer[]> {
    const out: ExchangeAnswer[] = [];
    for (let i = 0; i < maxCalls; i++) {
      const a = await this.call({ type, mode: 'import', filename }, { withSessid: true });
      out.push(a);
      if (a.lines[0] !== 'progress') return out;
    }
    throw new Error(`import of ${filename} still in progress after ${maxCalls} calls`);
  }
}
