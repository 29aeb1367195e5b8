// The two limits of the cloud portal (reference §3.1–3.2): a leaky bucket per portal and source IP (burst 50,
// drains 2/s; Enterprise 250 and 5/s) that answers 503 QUERY_LIMIT_EXCEEDED, and the per-method "operating" time of
// one app or webhook over ten one-minute baskets that answers 429 OPERATION_TIME_LIMIT once exhausted.

export interface LimitSettings {
  /** Leaky bucket size X. */
  burst: number;
  /** Leak rate Y, requests per second. */
  leakPerSec: number;
  /** Operating budget per method per app/webhook, in seconds within the window (480 s in earlier docs). */
  operatingLimitSec: number;
  /** Window of the operating budget (10 baskets of window/10 each). */
  operatingWindowSec: number;
  /**
   * Simulated execution time per call, seconds, by method name. A sandbox answers in microseconds, so without this
   * the budget would never be reached; unlisted methods count their real processing time.
   */
  methodCostSec: Record<string, number>;
  rateLimitEnabled: boolean;
  operatingEnabled: boolean;
}

export const DEFAULT_LIMITS: LimitSettings = {
  burst: 50,
  leakPerSec: 2,
  operatingLimitSec: 480,
  operatingWindowSec: 600,
  methodCostSec: {},
  rateLimitEnabled: true,
  operatingEnabled: true,
};

interface Basket {
  start: number;
  total: number;
}

export interface OperatingInfo {
  operating: number;
  resetAt: number;
}

export class Limits {
  settings: LimitSettings = structuredClone(DEFAULT_LIMITS);
  private buckets = new Map<string, { level: number; at: number }>();
  private operating = new Map<string, Basket[]>();

  configure(patch: Partial<LimitSettings>): LimitSettings {
    for (const k of ['burst', 'leakPerSec', 'operatingLimitSec', 'operatingWindowSec'] as const) {
      const v = patch[k];
      if (v !== undefined && !(typeof v === 'number' && v > 0)) throw new Error(`${k} must be a positive number`);
    }
    this.settings = { ...this.settings, ...patch, methodCostSec: { ...this.settings.methodCostSec, ...(patch.methodCostSec ?? {}) } };
    return this.settings;
  }

  reset(full = false): void {
    this.buckets.clear();
    this.operating.clear();
    if (full) this.settings = structuredClone(DEFAULT_LIMITS);
  }

  private level(key: string, now: number): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    return Math.max(0, b.level - ((now - b.at) / 1000) * this.settings.leakPerSec);
  }

  /** Adds one request to the bucket; false when it would overflow (the request is rejected and not counted). */
  take(key: string, now: number): boolean {
    if (!this.settings.rateLimitEnabled) return true;
    const level = this.level(key, now);
    if (level + 1 > this.settings.burst) {
      this.buckets.set(key, { level, at: now });
      return false;
    }
    this.buckets.set(key, { level: level + 1, at: now });
    return true;
  }

  private baskets(key: string, now: number): Basket[] {
    const windowMs = this.settings.operatingWindowSec * 1000;
    const list = (this.operating.get(key) ?? []).filter((b) => b.start + windowMs > now);
    this.operating.set(key, list);
    return list;
  }

  /** Whether the method is blocked for this app/webhook: its accumulated time already exceeds the budget. */
  blocked(client: string, method: string, now: number): boolean {
    if (!this.settings.operatingEnabled) return false;
    const total = this.baskets(`${client}|${method}`, now).reduce((s, b) => s + b.total, 0);
    return total > this.settings.operatingLimitSec;
  }

  /** Accounts a finished call; the call that crosses the budget still completes, the next one is blocked. */
  record(client: string, method: string, processingSec: number, now: number): OperatingInfo {
    const key = `${client}|${method}`;
    const list = this.baskets(key, now);
    const basketMs = (this.settings.operatingWindowSec * 1000) / 10;
    const cost = this.settings.methodCostSec[method] ?? processingSec;
    let cur = list.at(-1);
    if (!cur || now - cur.start >= basketMs) {
      cur = { start: now, total: 0 };
      list.push(cur);
    }
    cur.total += cost;
    return this.info(client, method, now);
  }

  info(client: string, method: string, now: number): OperatingInfo {
    const list = this.baskets(`${client}|${method}`, now);
    const operating = list.reduce((s, b) => s + b.total, 0);
    const oldest = list[0]?.start ?? now;
    return { operating, resetAt: Math.floor((oldest + this.settings.operatingWindowSec * 1000) / 1000) };
  }

  state(now: number): { settings: LimitSettings; buckets: Record<string, number>; operating: Record<string, number> } {
    const buckets: Record<string, number> = {};
    for (const k of this.buckets.keys()) buckets[k] = Math.round(this.level(k, now) * 1000) / 1000;
    const operating: Record<string, number> = {};
    for (const k of this.operating.keys()) operating[k] = this.baskets(k, now).reduce((s, b) => s + b.total, 0);
    return { settings: this.settings, buckets, operating };
  }
}
