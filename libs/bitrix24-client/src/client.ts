// Bitrix24Client: every REST call of a portal goes through here — one JSON POST per call, the envelope unwrapped,
// errors mapped to the bus catalogue, each request paced by the portal's limiter and capped at 60 s (the cloud's own
// hard timeout, reference §3.1). On top: `batch` (≤ 50 commands per HTTP call), a coalescer that folds concurrent
// single calls into one batch, and `listAll`, the ID-cursor iteration that never asks the portal to count (§3.4).
//
// Resending is only automatic when it cannot duplicate a write (lessons §3.4): requests the portal rejected before
// running them (503 QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT, connection refused) and read-only methods. A write
// that timed out or met a 5xx is thrown as a retriable EsbError: the sink's idempotent lookup-before-create retries it.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type Logger, type RetryPolicy } from '@esb/bus';
import type { Bitrix24Auth } from './auth.ts';
import { Bitrix24Error } from './errors.ts';
import { limiterFor, type LimiterSettings, type PortalLimiter, type TimeBlock } from './limiter.ts';
import type { SharedBucketStore } from './shared-limiter.ts';
import { batchCommand, type Params } from './php.ts';

export type { Params } from './php.ts';

/** A successful answer (reference §2.1). */
export interface Envelope<T = unknown> {
  result: T;
  next?: number;
  total?: number;
  time?: TimeBlock & Record<string, unknown>;
}

export interface BatchCommand {
  method: string;
  params?: Params;
}

export interface BatchResult {
  /** Results by command key, for commands that succeeded. */
  result: Record<string, unknown>;
  /** Errors by command key; with `halt`, commands after the first error are in neither map. */
  errors: Record<string, Bitrix24Error>;
  total: Record<string, number>;
  next: Record<string, number>;
}

export interface ListOptions {
  filter?: Params;
  select?: string[];
  /** The id field: `ID` for legacy methods, `id` for crm.item.list (reference §3.4). */
  idKey?: string;
  /** Extra params (e.g. `entityTypeId` for crm.item.list). */
  params?: Params;
  /** Called after each page with the number of items yielded so far. */
  onProgress?: (itemsSoFar: number) => void;
}

export interface Bitrix24ClientOptions {
  auth: Bitrix24Auth;
  /** The portal's plan numbers; used when this process creates the portal's limiter. */
  limits?: Partial<LimiterSettings>;
  /** An explicit limiter instead of the process-wide one for `auth.portalKey`. */
  limiter?: PortalLimiter;
  /**
   * The service's store: the process-wide limiter then also paces the portal's bucket shared by every replica
   * (table portal_bucket in the store's schema). Ignored with an explicit `limiter`.
   */
  store?: SharedBucketStore;
  retry?: Partial<RetryPolicy>;
  /** Per-request cap; the cloud portal kills requests at 60 s anyway. */
  timeoutMs?: number;
  /** How long the coalescer gathers calls before sending a batch. */
  coalesceMs?: number;
  fetch?: typeof fetch;
  logger?: Logger;
}

export const BATCH_MAX = 50;
export const PAGE_SIZE = 50;

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, initialDelayMs: 500, maxDelayMs: 30_000, factor: 2, jitter: 0.3 };

/** Methods that change nothing: safe to resend after a timeout or a 5xx. */
export function isReadOnly(method: string): boolean {
  const m = method.toLowerCase();
  return /(^|\.)(get\w*|list|fields|current|types|items\.get|stage\.list)$/.test(m) || m === 'profile' || m === 'events';
}

interface Pending {
  method: string;
  params: Params;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class Bitrix24Client {
  readonly limiter: PortalLimiter;
  private readonly auth: Bitrix24Auth;
  private readonly retry: RetryPolicy;
  private readonly fetchFn: typeof fetch;
  private pending: Pending[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: Bitrix24ClientOptions) {
    this.auth = o.auth;
    this.limiter = o.limiter ?? limiterFor(o.auth.portalKey, o.limits, o.store ? { store: o.store, onSharedError: (e) => o.logger?.warn('bitrix24 shared limiter unavailable; pacing in-process only', { portal: o.auth.portalName(), error: String(e) }) } : {});
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.fetchFn = o.fetch ?? fetch;
  }

  /** Calls a method and returns its `result`. */
  async call<T = unknown>(method: string, params: Params = {}): Promise<T> {
    return (await this.request<T>(method, params)).result;
  }

  /** Calls a method and returns the whole envelope (`next`, `total`, `time`). */
  request<T = unknown>(method: string, params: Params = {}): Promise<Envelope<T>> {
    return this.send<T>(method, params, [method], isReadOnly(method));
  }

  /**
   * Runs commands through `batch`, at most 50 per HTTP call, larger sets split in order. Keys are the array indexes
   * or the record's keys. `$result[key]` references only resolve within one HTTP call: keep dependent commands in
   * the same group of 50 (the caller's job). With `halt`, the first failing command stops the rest, later groups too.
   */
  async batch(commands: BatchCommand[] | Record<string, BatchCommand>, opts: { halt?: boolean } = {}): Promise<BatchResult> {
    const entries: Array<[string, BatchCommand]> = Array.isArray(commands) ? commands.map((c, i) => [String(i), c]) : Object.entries(commands);
    const out: BatchResult = { result: {}, errors: {}, total: {}, next: {} };
    for (let i = 0; i < entries.length; i += BATCH_MAX) {
      const group = entries.slice(i, i + BATCH_MAX);
      const cmd = Object.fromEntries(group.map(([k, c]) => [k, batchCommand(c.method, c.params)]));
      const methods = group.map(([, c]) => c.method);
      const env = await this.send<RawBatch>('batch', { halt: opts.halt ? 1 : 0, cmd }, methods, methods.every(isReadOnly), (e) => ({
        methods: group.map(([k, c]) => ({ method: c.method, time: asMap<TimeBlock>(e.result?.result_time)[k] })),
      }));
      const r = env.result;
      const errors = asMap<{ error?: unknown; error_description?: unknown }>(r.result_error);
      Object.assign(out.result, asMap(r.result));
      Object.assign(out.total, asMap<number>(r.result_total));
      Object.assign(out.next, asMap<number>(r.result_next));
      const byKey = new Map(group);
      for (const [k, e] of Object.entries(errors)) {
        const c = byKey.get(k);
        out.errors[k] = new Bitrix24Error({ portal: this.auth.portalName(), method: c?.method ?? `batch[${k}]`, params: c?.params, status: 400, error: String(e.error ?? ''), description: String(e.error_description ?? '') });
      }
      if (opts.halt && Object.keys(errors).length > 0) break;
    }
    return out;
  }

  /**
   * Like `call`, but concurrent calls made within `coalesceMs` (default 5 ms) travel together as one `batch` (≤ 50):
   * one slot of the portal's bucket instead of one per call. Each caller gets its own result or Bitrix24Error.
   */
  callBatched<T = unknown>(method: string, params: Params = {}): Promise<T> {
    if (/^(batch|disk\.folder\.uploadfile|disk\.file\.uploadversion)$/i.test(method)) return this.call<T>(method, params);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ method, params, resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.length >= BATCH_MAX) this.flush();
      else this.flushTimer ??= setTimeout(() => this.flush(), this.o.coalesceMs ?? 5);
    });
  }

  /**
   * Every item of a list method, by ID cursor: `order {ID: ASC}`, `filter['>ID'] = last id`, `start = -1` so the
   * portal never counts (49.9 s → 0.1 s on 2.4 M rows, lessons §3.5). Stops at the first page shorter than 50.
   */
  async *listAll<T extends Record<string, unknown> = Record<string, unknown>>(method: string, opts: ListOptions = {}): AsyncGenerator<T> {
    const idKey = opts.idKey ?? 'ID';
    const select = opts.select && !opts.select.includes('*') && !opts.select.includes(idKey) ? [...opts.select, idKey] : opts.select;
    let last = 0;
    let count = 0;
    for (;;) {
      const filter = { ...opts.filter, [`>${idKey}`]: last };
      const page = await this.call<unknown>(method, { ...opts.params, filter, ...(select ? { select } : {}), order: { [idKey]: 'ASC' }, start: -1 });
      const items = (Array.isArray(page) ? page : isRecord(page) && Array.isArray(page.items) ? page.items : []) as T[];
      for (const item of items) {
        const id = Number(item[idKey]);
        if (!Number.isFinite(id)) throw new Error(`${method}: an item without a numeric ${idKey}; select it or pass idKey`);
        last = Math.max(last, id);
        count++;
        yield item;
      }
      opts.onProgress?.(count);
      if (items.length < PAGE_SIZE) return;
    }
  }

  /** Sends what the coalescer gathered; waits for nothing. */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const group = this.pending.splice(0, BATCH_MAX);
    if (this.pending.length > 0) this.flushTimer = setTimeout(() => this.flush(), 0);
    if (group.length === 0) return;
    if (group.length === 1) {
      const p = group[0]!;
      this.call(p.method, p.params).then(p.resolve, p.reject);
      return;
    }
    this.batch(group.map((p) => ({ method: p.method, params: p.params }))).then(
      (r) =>
        group.forEach((p, i) => {
          const k = String(i);
          if (r.errors[k]) p.reject(r.errors[k]);
          else p.resolve(r.result[k]);
        }),
      (e: unknown) => group.forEach((p) => p.reject(e)),
    );
  }

  /** One logical request: limiter, POST, envelope, refresh on 401, backoff on the limits. */
  private async send<T>(
    method: string,
    params: Params,
    limitedMethods: string[],
    resendable: boolean,
    extraTimes?: (e: Envelope<RawBatch>) => { methods: Array<{ method: string; time?: TimeBlock }> },
  ): Promise<Envelope<T>> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const creds = await this.auth.credentials();
      const permit = await this.limiter.acquire(limitedMethods);
      let failure: Bitrix24Error;
      let time: TimeBlock | undefined;
      let methods: Array<{ method: string; time?: TimeBlock }> | undefined;
      try {
        const body = JSON.stringify(creds.accessToken ? { ...params, auth: creds.accessToken } : params);
        const res = await this.fetchFn(`${creds.restBase}${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'esb-bitrix24-client/0.1' },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs ?? 60_000),
        });
        const text = await res.text();
        const json = parseJson(text);
        if (res.ok && json && 'result' in json && json.error === undefined) {
          const env = json as unknown as Envelope<T>;
          // A batch's own `time` carries no operating figures; each command's are in result_time.
          if (extraTimes) methods = extraTimes(env as unknown as Envelope<RawBatch>).methods;
          else time = env.time;
          return env;
        }
        failure = new Bitrix24Error({
          portal: this.auth.portalName(),
          method,
          params: method === 'batch' ? { cmd: limitedMethods } : params,
          status: res.status,
          error: json && typeof json.error === 'string' ? json.error : `HTTP_${res.status}`,
          description: json && json.error_description !== undefined ? String(json.error_description) : text.slice(0, 200),
        });
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        const code = err.name === 'TimeoutError' || err.name === 'AbortError' ? 'TIMEOUT' : (err.cause?.code ?? err.name);
        failure = new Bitrix24Error({ portal: this.auth.portalName(), method, params, status: 0, error: code, description: err.message, cause: e });
      } finally {
        permit.release({ ...(time ? { time } : {}), ...(methods ? { methods } : {}) });
      }

      if (failure.isTokenExpired && this.auth.tokenRejected && creds.accessToken && !refreshed) {
        // One refresh per logical request: a second 401 after a fresh token means the grant itself is gone.
        refreshed = true;
        await this.auth.tokenRejected(creds.accessToken);
        attempt--;
        continue;
      }
      if (failure.isRateLimit) await this.limiter.bucketFull();
      if (failure.isOperatingLimit) for (const m of limitedMethods) this.limiter.operatingExhausted(m);
      const mayResend = failure.retriable && (resendable || failure.rejectedBeforeRun);
      if (!mayResend || attempt >= this.retry.maxAttempts) {
        if (failure.status === 401) throw new Bitrix24Error({ portal: failure.portal, method, params, status: 401, error: failure.error, description: `${failure.description}${refreshed ? ' (after a token refresh)' : ''}` }, false);
        throw failure;
      }
      const delay = backoffDelay(this.retry, attempt);
      this.o.logger?.warn('bitrix24 call failed; backing off', { portal: failure.portal, method, attempt, retryInMs: delay, status: failure.status, error: failure.error });
      await sleep(delay);
    }
  }
}

interface RawBatch {
  result?: unknown;
  result_error?: unknown;
  result_total?: unknown;
  result_next?: unknown;
  result_time?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** PHP serialises an empty map as `[]` and a map with keys 0..n as an array (reference §2.1, §3.3). */
function asMap<T = unknown>(v: unknown): Record<string, T> {
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x as T]));
  return isRecord(v) ? (v as Record<string, T>) : {};
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
