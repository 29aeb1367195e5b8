// One limiter per portal (architecture §4, §11): every HTTP request to a portal passes through it, so the portal's
// two limits (reference §3.1–3.2, lessons §3.1) are honoured before Bitrix has to say no.
//  * The leaky bucket (burst X, drain Y/s; 50 / 2 per s, Enterprise 250 / 5 per s): a request takes a slot; slots of
//    finished requests drain at Y/s. A request in flight holds its slot without draining — the portal counted it at
//    some moment between our send and its answer, so draining only from the answer keeps us at or below its level.
//  * The per-method operating-time budget: the portal reports the seconds a method has used (`time.operating`) and
//    when the oldest minute-basket expires (`operating_reset_at`). A method whose next call would cross the budget
//    waits until the reset instead of collecting 429s; other methods keep going.
// The portal is per portal and source IP, so the limiter is shared by every client of a portal in this process
// (`limiterFor`). Several processes (replicas) on one portal add the shared bucket (shared-limiter.ts): with a store,
// a request takes its slot here first and then one in the portal's PostgreSQL row, so all replicas pace one bucket.
import { setTimeout as sleep } from 'node:timers/promises';
import { SharedBucket, type SharedBucketStore, type TakeResult } from './shared-limiter.ts';

export interface LimiterSettings {
  /** Bucket size X: requests that may go out back to back. */
  burst: number;
  /** Drain rate Y, requests per second. */
  leakPerSec: number;
  /** The per-method operating budget in seconds within the portal's 10-minute window (480 s in the docs). */
  operatingLimitSec: number;
}

export const DEFAULT_LIMITS: LimiterSettings = { burst: 50, leakPerSec: 2, operatingLimitSec: 480 };
export const ENTERPRISE_LIMITS: LimiterSettings = { burst: 250, leakPerSec: 5, operatingLimitSec: 480 };

/** The `time` block of a Bitrix24 answer (reference §2.1); only the fields the limiter reads. */
export interface TimeBlock {
  duration?: number;
  operating?: number;
  /** Unix seconds. */
  operating_reset_at?: number;
}

interface MethodBudget {
  operating: number;
  /** Epoch ms after which the oldest basket has gone and `operating` is no longer known. */
  resetAtMs: number;
  /** The largest increase of `operating` one call has caused: our estimate of the next call's cost. */
  cost: number;
  inflight: number;
}

export interface LimiterStats {
  /** Requests that had to wait for the bucket. */
  bucketWaits: number;
  /** Calls that waited for a method's operating budget to reset. */
  operatingWaits: number;
  /** Requests that had to wait for the shared (cross-process) bucket. */
  sharedWaits: number;
  /** Shared-bucket statements that failed or timed out; the request then went on the in-process bucket alone. */
  sharedErrors: number;
}

/** Options of the cross-process bucket; without `store` the limiter is in-process only. */
export interface SharedLimiterOptions {
  /** The connector's store: the bucket row lives in its schema, which every replica of the deployment shares. */
  store?: SharedBucketStore;
  /** The portal's key (member_id or host); required with `store`. */
  portalKey?: string;
  /** A shared-bucket statement failed (the limiter carries on in-process); for the service's log. */
  onSharedError?: (e: unknown) => void;
}

export interface Permit {
  /** When the slot was taken, epoch ms: the database's clock with a shared bucket, else this process's. */
  readonly grantedAt: number;
  /** Ends the request: its slot starts draining; `time` updates the method budgets. */
  release(outcome?: { time?: TimeBlock; methods?: Array<{ method: string; time?: TimeBlock }> }): void;
}

const EPS = 1e-9;
/** operating_reset_at is whole seconds (floored); one extra second makes sure the basket has really gone. */
const RESET_MARGIN_MS = 1000;
/** A shared-bucket statement slower than this is given up: pacing must not hang on a stuck database. */
const SHARED_TIMEOUT_MS = 5000;
/** After a failed statement the shared bucket is skipped for this long instead of delaying every request. */
const SHARED_COOLDOWN_MS = 5000;

export class PortalLimiter {
  readonly settings: LimiterSettings;
  readonly stats: LimiterStats = { bucketWaits: 0, operatingWaits: 0, sharedWaits: 0, sharedErrors: 0 };
  private level = 0;
  private at = Date.now();
  private inflight = 0;
  private readonly queue: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly budgets = new Map<string, MethodBudget>();
  private sharedBucket: SharedBucket | undefined;
  private onSharedError: ((e: unknown) => void) | undefined;
  /** Takes of the shared bucket run one at a time per process: one waiter polls the row, the rest queue behind it. */
  private sharedTail: Promise<unknown> = Promise.resolve();
  private sharedDownUntil = 0;

  constructor(settings: Partial<LimiterSettings> = {}, shared: SharedLimiterOptions = {}) {
    this.settings = { ...DEFAULT_LIMITS, ...settings };
    if (!(this.settings.burst >= 1) || !(this.settings.leakPerSec > 0)) throw new Error('limiter burst must be ≥ 1 and leakPerSec > 0');
    if (shared.store) this.share(shared);
  }

  /** The cross-process bucket, when there is one. */
  get shared(): SharedBucket | undefined {
    return this.sharedBucket;
  }

  /** Adds the cross-process bucket (once; a limiter already sharing keeps its store). */
  share(o: SharedLimiterOptions): void {
    if (this.sharedBucket || !o.store) return;
    if (!o.portalKey) throw new Error('a shared limiter needs the portal key (member_id or host)');
    this.sharedBucket = new SharedBucket({ store: o.store, portalKey: o.portalKey, burst: this.settings.burst, leakPerSec: this.settings.leakPerSec });
    this.onSharedError = o.onSharedError;
  }

  /** Waits until every method has budget left and the bucket has a slot; the permit must be released. */
  async acquire(methods: readonly string[]): Promise<Permit> {
    const names = [...new Set(methods.map((m) => m.toLowerCase()))];
    for (let waited = false; ; ) {
      const wait = this.operatingWait(names, Date.now());
      if (wait <= 0) break;
      if (!waited) this.stats.operatingWaits++;
      waited = true;
      await sleep(wait);
    }
    for (const m of names) this.budget(m).inflight++;
    await new Promise<void>((resolve) => {
      this.queue.push(resolve);
      if (this.queue.length > 1 || !this.tryPump()) this.stats.bucketWaits++;
    });
    // The local slot is held (counted in flight) while the shared one is awaited; takeShared never throws.
    const shared = this.sharedBucket ? await this.takeShared(this.sharedBucket) : undefined;
    const grantedAt = shared?.atMs ?? Date.now();
    let released = false;
    return {
      grantedAt,
      release: (outcome) => {
        if (released) return;
        released = true;
        for (const m of names) this.budget(m).inflight--;
        if (outcome?.time) for (const m of names) this.observe(m, outcome.time);
        for (const x of outcome?.methods ?? []) if (x.time) this.observe(x.method.toLowerCase(), x.time);
        this.drain(Date.now());
        this.inflight--;
        this.level += 1;
        this.pump();
        if (shared?.granted) this.settleShared(shared.bucket, shared.atMs);
      },
    };
  }

  /**
   * The portal answered 503 QUERY_LIMIT_EXCEEDED: someone else shares the bucket; assume it is full — here at once,
   * and in the shared bucket (every replica) by the time the promise resolves. Never rejects.
   */
  async bucketFull(): Promise<void> {
    this.drain(Date.now());
    this.level = Math.max(this.level, this.settings.burst - this.inflight);
    if (!this.sharedBucket) return;
    try {
      await withTimeout(this.sharedBucket.fill(), SHARED_TIMEOUT_MS);
    } catch (e) {
      this.sharedFailed(e);
    }
  }

  /** The portal answered 429 for a method: treat its budget as spent until the reset we know of (if any). */
  operatingExhausted(method: string): void {
    const b = this.budget(method.toLowerCase());
    if (b.resetAtMs > Date.now()) b.operating = Math.max(b.operating, this.settings.operatingLimitSec);
  }

  /** What the limiter knows, for logs and tests. */
  snapshot(): { level: number; inflight: number; queued: number; shared: boolean; methods: Record<string, { operating: number; resetAt: string; cost: number }> } {
    this.drain(Date.now());
    const methods: Record<string, { operating: number; resetAt: string; cost: number }> = {};
    for (const [m, b] of this.budgets) if (b.resetAtMs > 0) methods[m] = { operating: b.operating, resetAt: new Date(b.resetAtMs).toISOString(), cost: b.cost };
    return { level: this.level, inflight: this.inflight, queued: this.queue.length, shared: this.sharedBucket !== undefined, methods };
  }

  /** A slot of the shared bucket, waiting as the returned level says; the grant's database time (or ours on failure). */
  private takeShared(bucket: SharedBucket): Promise<{ granted: boolean; atMs: number; bucket: SharedBucket }> {
    const run = this.sharedTail.then(async () => {
      for (let waited = false; ; ) {
        if (Date.now() < this.sharedDownUntil) return { granted: false, atMs: Date.now(), bucket };
        let r: TakeResult;
        try {
          r = await withTimeout(bucket.tryTake(), SHARED_TIMEOUT_MS);
        } catch (e) {
          // Fail open to the in-process bucket: a 503 from the portal still fills it and the client backs off.
          this.sharedFailed(e);
          return { granted: false, atMs: Date.now(), bucket };
        }
        if (r.granted) return { granted: true, atMs: r.atMs, bucket };
        if (!waited) this.stats.sharedWaits++;
        waited = true;
        await sleep(r.waitMs);
      }
    });
    this.sharedTail = run.catch(() => undefined);
    return run;
  }

  /** Fire and forget: release() is synchronous, and a lost settle only leaves the row a little less full. */
  private settleShared(bucket: SharedBucket, grantedAtMs: number): void {
    withTimeout(bucket.settle(grantedAtMs), SHARED_TIMEOUT_MS).catch((e: unknown) => this.sharedFailed(e));
  }

  private sharedFailed(e: unknown): void {
    this.stats.sharedErrors++;
    this.sharedDownUntil = Date.now() + SHARED_COOLDOWN_MS;
    this.onSharedError?.(e);
  }

  private budget(method: string): MethodBudget {
    let b = this.budgets.get(method);
    if (!b) {
      b = { operating: 0, resetAtMs: 0, cost: 0, inflight: 0 };
      this.budgets.set(method, b);
    }
    return b;
  }

  private observe(method: string, t: TimeBlock): void {
    if (typeof t.operating !== 'number') return;
    const b = this.budget(method);
    const now = Date.now();
    const known = b.resetAtMs > now;
    const delta = known ? t.operating - b.operating : NaN;
    // Without a previous reading the first answer may carry minutes of older usage; a tenth of the budget caps the guess.
    const guess = Number.isFinite(delta) && delta > 0 ? delta : Math.min(t.operating, this.settings.operatingLimitSec / 10);
    b.cost = Math.max(b.cost, guess, t.duration ?? 0);
    b.operating = t.operating;
    if (typeof t.operating_reset_at === 'number') b.resetAtMs = t.operating_reset_at * 1000 + RESET_MARGIN_MS;
  }

  /** Milliseconds to wait before any of `methods` may be called again; 0 when all have budget. */
  private operatingWait(methods: readonly string[], now: number): number {
    let wait = 0;
    for (const m of methods) {
      const b = this.budgets.get(m);
      if (!b || b.resetAtMs <= now) {
        // The oldest basket is gone: what we knew is stale; the next answer tells us the new total.
        if (b && b.resetAtMs > 0) b.resetAtMs = 0;
        if (b) b.operating = 0;
        continue;
      }
      // Calls of this method already in flight will add their cost too.
      if (b.operating + (b.inflight + 1) * b.cost >= this.settings.operatingLimitSec) wait = Math.max(wait, b.resetAtMs - now);
    }
    return wait;
  }

  private drain(now: number): void {
    this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.settings.leakPerSec);
    this.at = now;
  }

  /** Lets the head of the queue go when there is room; true when it went. */
  private tryPump(): boolean {
    const before = this.queue.length;
    this.pump();
    return this.queue.length < before;
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.drain(Date.now());
    while (this.queue.length > 0) {
      const over = this.level + this.inflight + 1 - this.settings.burst;
      if (over <= EPS) {
        this.inflight++;
        this.queue.shift()!();
        continue;
      }
      // Only the draining part frees room over time; a request in flight frees nothing until release() pumps again.
      if (this.level > EPS) this.timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil((Math.min(over, this.level) / this.settings.leakPerSec) * 1000)));
      return;
    }
  }
}

const registry = new Map<string, PortalLimiter>();

/**
 * The process's limiter for a portal (key: member_id or host). The first caller's settings win: a portal has one
 * plan, and two clients with different numbers would each think the bucket is theirs. With `store`, the limiter also
 * paces the portal's bucket shared by every replica (added to an existing in-process limiter if it had none).
 */
export function limiterFor(portalKey: string, settings: Partial<LimiterSettings> = {}, shared: Omit<SharedLimiterOptions, 'portalKey'> = {}): PortalLimiter {
  let l = registry.get(portalKey);
  if (!l) {
    l = new PortalLimiter(settings);
    registry.set(portalKey, l);
  }
  if (shared.store) l.share({ ...shared, portalKey });
  return l;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`shared bucket: no answer from PostgreSQL within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
