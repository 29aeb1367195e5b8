// The OData client for one 1C database (one publication). Connections: Node's built-in fetch (undici) keeps them
// alive and reuses them per origin, which matters because every new connection costs 1C a new session lookup.
// Concurrency: a semaphore sized to the publication's session pool (architecture §4, §11) — callers queue here
// instead of the web extension answering 503 once its pool stays full for poolTimeout.
import type { Logger } from '@esb/bus';
import { decodeEntity, encodeBody, type Int64Mode, type Json, type OneCEntity, type OneCInput } from './codec.ts';
import { classifyOneC, OneCError, parseErrorBody } from './errors.ts';
import { Filter } from './filter.ts';
import { encode, keyText, resourcePath, type Key } from './literals.ts';
import { parseMetadata, type ODataSchema } from './metadata.ts';

export interface OneCClientOptions {
  /** `http://host/<publication>/odata/standard.odata/` (trailing slash optional). */
  baseUrl: string;
  user: string;
  password: string;
  /** Requests in flight at once: the publication's `poolSize`, or less when several clients share it. Default 4. */
  maxConcurrency?: number;
  /** Per request, from the moment it leaves the queue. Default 60 s (1C postings and virtual tables are slow). */
  timeoutMs?: number;
  logger?: Logger;
  /** Int64 values (LineNumber and what `$metadata` declares Int64 once `loadMetadata()` ran) as strings or bigint. */
  int64?: Int64Mode;
  /** The infobase's wall-clock zone, for `Date` values sent to 1C. Default Europe/Moscow. */
  timeZone?: string;
}

export interface ListOptions {
  filter?: Filter | string;
  select?: string[];
  expand?: string[];
  orderby?: string | string[];
  top?: number;
  skip?: number;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
/** What an error names: the entity set and the key of the call. */
type Ctx = { entitySet?: string; key?: string };

/** FIFO counting semaphore; release hands the slot straight to the next waiter so nobody overtakes the queue. */
class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiters.length;
  }

  async acquire(): Promise<() => void> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}

function guardName(s: string): string {
  if (!/^[\p{L}\p{N}_/*]+$/u.test(s)) throw new TypeError(`not a 1C property path: ${JSON.stringify(s)}`);
  return s;
}

export class OneCClient {
  readonly baseUrl: string;
  private readonly auth: string;
  private readonly sem: Semaphore;
  private readonly timeoutMs: number;
  private readonly log: Logger | undefined;
  private readonly int64: Int64Mode;
  private readonly timeZone: string;
  private int64Fields: ReadonlySet<string> | undefined;

  constructor(o: OneCClientOptions) {
    this.baseUrl = o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`;
    // Logins are often Cyrillic; 1C reads the Basic credentials as UTF-8 (reference §1.1).
    this.auth = `Basic ${Buffer.from(`${o.user}:${o.password}`, 'utf8').toString('base64')}`;
    const max = o.maxConcurrency ?? 4;
    if (!Number.isInteger(max) || max < 1) throw new TypeError(`maxConcurrency must be a positive integer, got ${max}`);
    this.sem = new Semaphore(max);
    this.timeoutMs = o.timeoutMs ?? 60_000;
    this.log = o.logger;
    this.int64 = o.int64 ?? 'string';
    this.timeZone = o.timeZone ?? 'Europe/Moscow';
  }

  /** Requests currently sent and not yet answered (never above maxConcurrency). */
  get inFlight(): number {
    return this.sem.inFlight;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.sem.queued;
  }

  // ---- transport ------------------------------------------------------------------------------------------------

  private async request(method: Method, path: string, query: Array<[string, string]>, ctx: Ctx, body?: Json): Promise<{ status: number; text: string; headers: Headers }> {
    // Always JSON: without it 1C answers Atom XML. Both the query option and Accept, since proxies drop either.
    const qs = [...query, ['$format', 'json'] as [string, string]].map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
    const r = await this.exchange(method, `${this.baseUrl}${path}?${qs}`, 'application/json', ctx, (res) => res.text(), body);
    return { status: r.status, text: r.body, headers: r.headers };
  }

  /**
   * One HTTP exchange inside a slot of the database's session pool: every call to the base, OData or its HTTP
   * services, counts against maxConcurrency. Network failures and timeouts are retriable OneCErrors; 4xx/5xx carry
   * 1C's own message and code.
   */
  private async exchange<T extends string | Buffer>(method: Method, url: string, accept: string, ctx: Ctx, read: (res: Response) => Promise<T>, body?: Json): Promise<{ status: number; body: T; headers: Headers }> {
    const headers: Record<string, string> = { authorization: this.auth, accept };
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    const release = await this.sem.acquire();
    const t0 = performance.now();
    try {
      let res: Response;
      try {
        res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (e) {
        const timeout = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
        const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
        const msg = timeout ? `timed out after ${this.timeoutMs} ms` : `network error: ${cause instanceof Error ? cause.message : String(cause)}`;
        this.log?.warn('1c request failed', { method, set: ctx.entitySet, key: ctx.key, error: msg });
        throw new OneCError('ESB_TARGET_UNAVAILABLE', { status: 0, onecMessage: msg, method, ...ctx, cause: e });
      }
      // Read the body inside the slot: 1C holds the session until the response is fully sent.
      const out = await read(res);
      // undici returns the socket to its keep-alive pool a tick after the body ends; dispatching the next call in
      // the same tick would open a second connection (observed: sequential calls alternating over two sockets).
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.log?.debug('1c request', { method, set: ctx.entitySet, key: ctx.key, status: res.status, ms: Math.round(performance.now() - t0) });
      if (res.status >= 400) {
        const text = typeof out === 'string' ? out : out.toString('utf8');
        const parsed = parseErrorBody(text);
        const message = parsed.message ?? (text.trim().slice(0, 300) || res.statusText || 'no message');
        const err = new OneCError(classifyOneC(res.status, parsed.code, message), { status: res.status, ...(parsed.code !== undefined ? { onecCode: parsed.code } : {}), onecMessage: message, method, ...ctx });
        this.log?.warn('1c error', { method, set: ctx.entitySet, key: ctx.key, status: res.status, onecCode: parsed.code, retriable: err.retriable, message });
        throw err;
      }
      return { status: res.status, body: out, headers: res.headers };
    } finally {
      release();
    }
  }

  /**
   * A register's virtual table (reference §1.8): `set` the register, `fn` Balance / SliceLast / Turnovers…, `params`
   * rendered 1C literals (`{ Dimensions: "'Номенклатура,Склад'" }`). No paging: 1C computes the table whole.
   */
  async virtualTable(set: string, fn: string, params: Record<string, string> = {}, opts: Pick<ListOptions, 'filter' | 'select'> = {}): Promise<OneCEntity[]> {
    const ctx = { entitySet: `${set}/${fn}` };
    const args = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(',');
    const q: Array<[string, string]> = [];
    if (opts.filter !== undefined) q.push(['$filter', String(opts.filter)]);
    if (opts.select?.length) q.push(['$select', opts.select.map(guardName).join(',')]);
    const r = await this.request('GET', `${encodeURIComponent(set)}/${fn}(${encodeURIComponent(args)})`, q, ctx);
    const value = this.json(r.text, 'GET', ctx, r.status).value;
    if (!Array.isArray(value)) throw new OneCError('ESB_TARGET_REJECTED', { status: r.status, onecMessage: 'virtual table answer without "value"', method: 'GET', ...ctx });
    return value.map((v) => this.decode(v as { [k: string]: Json }));
  }

  /**
   * A file from one of the base's HTTP services (a print form under `/hs/…`), through the same session pool. Null
   * when the base has no such resource (404).
   */
  async download(url: string, accept = 'application/pdf'): Promise<{ bytes: Buffer; mime: string } | null> {
    const ctx = { entitySet: new URL(url).pathname.split('/').slice(-3, -1).join('/') };
    try {
      const r = await this.exchange('GET', url, accept, ctx, async (res) => Buffer.from(await res.arrayBuffer()));
      return { bytes: r.body, mime: (r.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim() };
    } catch (e) {
      if (e instanceof OneCError && e.status === 404) return null;
      throw e;
    }
  }

  private json(text: string, method: string, ctx: Ctx, status: number): { [k: string]: Json } {
    try {
      return JSON.parse(text.replace(/^\uFEFF/, '')) as { [k: string]: Json };
    } catch (e) {
      // A 200 with an HTML page is how some publications report auth problems (reference §1.1): not retriable.
      throw new OneCError('ESB_TARGET_REJECTED', { status, onecMessage: `expected JSON, got ${JSON.stringify(text.slice(0, 120))} (auth page or wrong URL?)`, method, ...ctx, cause: e });
    }
  }

  private decode(e: { [k: string]: Json }): OneCEntity {
    return decodeEntity(e, { int64: this.int64, ...(this.int64Fields ? { int64Fields: this.int64Fields } : {}) });
  }

  private keyOf(key: Key): string {
    return typeof key === 'string' ? key : keyText(key, this.timeZone).slice(1, -1);
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  async get(set: string, key: Key, opts: Pick<ListOptions, 'select'> = {}): Promise<OneCEntity> {
    const ctx = { entitySet: set, key: this.keyOf(key) };
    const q: Array<[string, string]> = opts.select?.length ? [['$select', opts.select.map(guardName).join(',')]] : [];
    const r = await this.request('GET', resourcePath(set, key, undefined, this.timeZone), q, ctx);
    return this.decode(this.json(r.text, 'GET', ctx, r.status));
  }

  async list(set: string, opts: ListOptions = {}): Promise<OneCEntity[]> {
    const q: Array<[string, string]> = [];
    if (opts.filter !== undefined) q.push(['$filter', String(opts.filter)]);
    if (opts.select?.length) q.push(['$select', opts.select.map(guardName).join(',')]);
    if (opts.expand?.length) q.push(['$expand', opts.expand.map(guardName).join(',')]);
    const order = typeof opts.orderby === 'string' ? [opts.orderby] : opts.orderby;
    if (order?.length) q.push(['$orderby', order.join(',')]);
    if (opts.top !== undefined) q.push(['$top', String(opts.top)]);
    if (opts.skip !== undefined && opts.skip > 0) q.push(['$skip', String(opts.skip)]);
    const ctx = { entitySet: set };
    const r = await this.request('GET', resourcePath(set), q, ctx);
    const body = this.json(r.text, 'GET', ctx, r.status);
    const value = body['value'];
    if (!Array.isArray(value)) throw new OneCError('ESB_TARGET_REJECTED', { status: r.status, onecMessage: 'collection answer without "value"', method: 'GET', ...ctx });
    return value.map((v) => this.decode(v as { [k: string]: Json }));
  }

  /**
   * Pages through a whole set with `$top`/`$skip` and a stable `$orderby` (Ref_Key unless given — without an order
   * the pages may overlap or skip rows). Never `$inlinecount`: 1C then ignores `$top`/`$skip` and returns all rows.
   * `opts.top` / `opts.skip` bound the whole walk, not one page.
   */
  async *pages(set: string, opts: ListOptions = {}, pageSize = 500): AsyncGenerator<OneCEntity[]> {
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new TypeError(`pageSize must be a positive integer, got ${pageSize}`);
    const orderby = opts.orderby ?? 'Ref_Key';
    let skip = opts.skip ?? 0;
    let left = opts.top ?? Infinity;
    while (left > 0) {
      const top = Math.min(pageSize, left);
      const page = await this.list(set, { ...opts, orderby, top, skip });
      if (page.length) yield page;
      if (page.length < top) return;
      skip += page.length;
      left -= page.length;
    }
  }

  async listAll(set: string, opts: ListOptions = {}, pageSize = 500): Promise<OneCEntity[]> {
    const out: OneCEntity[] = [];
    for await (const page of this.pages(set, opts, pageSize)) out.push(...page);
    return out;
  }

  /** `/<Set>/$count` — the way to count; plain text, possibly with a UTF-8 BOM (reference §1.4). */
  async count(set: string, filter?: Filter | string): Promise<number> {
    const ctx = { entitySet: set };
    const r = await this.request('GET', `${resourcePath(set)}/$count`, filter !== undefined ? [['$filter', String(filter)]] : [], ctx);
    const n = Number(r.text.replace(/^\uFEFF/, '').trim());
    if (!Number.isFinite(n)) throw new OneCError('ESB_TARGET_REJECTED', { status: r.status, onecMessage: `not a count: ${JSON.stringify(r.text.slice(0, 50))}`, method: 'GET', ...ctx });
    return n;
  }

  /** Parses the base's `$metadata` and remembers its Int64 properties for decoding. */
  async loadMetadata(): Promise<{ xml: string; schema: ODataSchema }> {
    const release = await this.sem.acquire();
    let xml: string;
    try {
      // $metadata is XML only; `$format=json` there is an error (406 / code 3), so this bypasses request().
      const res = await fetch(`${this.baseUrl}$metadata`, { headers: { authorization: this.auth }, signal: AbortSignal.timeout(this.timeoutMs) }).catch((e: unknown) => {
        throw new OneCError('ESB_TARGET_UNAVAILABLE', { status: 0, onecMessage: e instanceof Error ? e.message : String(e), method: 'GET', entitySet: '$metadata', cause: e });
      });
      xml = await res.text();
      if (res.status >= 400) {
        const p = parseErrorBody(xml);
        throw new OneCError(classifyOneC(res.status, p.code, p.message ?? xml.slice(0, 200)), { status: res.status, ...(p.code !== undefined ? { onecCode: p.code } : {}), onecMessage: p.message ?? xml.slice(0, 200), method: 'GET', entitySet: '$metadata' });
      }
    } finally {
      release();
    }
    const schema = parseMetadata(xml);
    const int64 = new Set<string>();
    for (const props of schema.types.values()) for (const [name, type] of props) if (type === 'Edm.Int64') int64.add(name);
    this.int64Fields = int64;
    return { xml, schema };
  }

  // ---- writes ---------------------------------------------------------------------------------------------------

  /** POST → 201 with the created entity (new Ref_Key). Documents are created unposted; call post() after. */
  async create(set: string, body: Record<string, OneCInput>): Promise<OneCEntity> {
    const ctx = { entitySet: set };
    const r = await this.request('POST', resourcePath(set), [], ctx, encodeBody(body, this.timeZone));
    return this.decode(this.json(r.text, 'POST', ctx, r.status));
  }

  /**
   * PATCH: only the sent properties change, but a table part sent is replaced whole — send every row. Rows without
   * LineNumber get 1…n in the order given.
   */
  async update(set: string, key: Key, patch: Record<string, OneCInput>): Promise<OneCEntity> {
    const ctx = { entitySet: set, key: this.keyOf(key) };
    const r = await this.request('PATCH', resourcePath(set, key, undefined, this.timeZone), [], ctx, encodeBody(patch, this.timeZone));
    return this.decode(this.json(r.text, 'PATCH', ctx, r.status));
  }

  /** Physical delete (1C has no trash via OData); for a deletion mark use update(…, { DeletionMark: true }). */
  async delete(set: string, key: Key): Promise<void> {
    await this.request('DELETE', resourcePath(set, key, undefined, this.timeZone), [], { entitySet: set, key: this.keyOf(key) });
  }

  /** `/Post?PostingModeOperational=…`; a failure inside 1C is a permanent OneCError carrying 1C's reason. */
  async post(set: string, key: Key, opts: { operational?: boolean } = {}): Promise<void> {
    await this.request('POST', resourcePath(set, key, 'Post', this.timeZone), [['PostingModeOperational', opts.operational ? 'true' : 'false']], { entitySet: set, key: this.keyOf(key) });
  }

  async unpost(set: string, key: Key): Promise<void> {
    await this.request('POST', resourcePath(set, key, 'Unpost', this.timeZone), [], { entitySet: set, key: this.keyOf(key) });
  }
}
