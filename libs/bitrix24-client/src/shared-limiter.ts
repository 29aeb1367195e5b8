// The portal's leaky bucket shared by every process of a deployment (architecture §4, §11): Bitrix24 counts requests
// per portal, so replicas of a connector must pace one bucket, not one each. One PostgreSQL row per portal in the
// connector's store schema (table portal_bucket), drained and taken in ONE atomic statement per request slot, timed by
// the database clock so the replicas' clocks never matter. PortalLimiter stays the in-process front (queue, method
// budgets, in-flight accounting) and asks this bucket for a slot after its own.
import type { Store } from '@esb/store';

/** What the shared bucket needs of the service's store: a query on its schema (search_path is the service schema). */
export type SharedBucketStore = Pick<Store, 'dataSource'>;

export interface SharedBucketOptions {
  store: SharedBucketStore;
  /** The portal: member_id (OAuth) or host (webhook) — the same key as `limiterFor`. */
  portalKey: string;
  /** Bucket size X. */
  burst: number;
  /** Drain rate Y, requests per second. */
  leakPerSec: number;
}

export type TakeResult =
  /** A slot is ours; `atMs` is when the database took it (epoch ms, its clock), `level` the fill after taking. */
  | { granted: true; level: number; atMs: number }
  /** No slot now: the fill we saw and how long it takes to drain one slot's worth. */
  | { granted: false; level: number; waitMs: number };

// Float rounding of the stored level must not cost a whole drain interval.
const EPS = 1e-9;

// $1 portal, $2 leak per second, $3 burst. The INSERT covers the first use; ON CONFLICT … WHERE takes a slot only
// when the drained level leaves room for one more. EXCLUDED.at is this statement's clock reading: one value for the
// drain and the stamp. `greatest(b.at, …)` keeps the stamp monotonic when a statement that read the clock earlier
// waited for the row lock behind a later one (it then drains nothing and stamps the later time: never too generous).
// When the update is refused, the outer SELECT reads the row as of the statement's snapshot to compute the wait.
const TAKE = `
WITH taken AS (
  INSERT INTO portal_bucket AS b (portal_key, level, at) VALUES ($1, 1, clock_timestamp())
  ON CONFLICT (portal_key) DO UPDATE
    SET level = greatest(0, b.level - $2::float8 * greatest(0, extract(epoch FROM EXCLUDED.at - b.at)::float8)) + 1,
        at = greatest(b.at, EXCLUDED.at)
    WHERE greatest(0, b.level - $2::float8 * greatest(0, extract(epoch FROM EXCLUDED.at - b.at)::float8)) <= $3::float8 - 1 + ${EPS}
  RETURNING level, extract(epoch FROM at)::float8 * 1000 AS at_ms
)
SELECT t.level AS taken, t.at_ms AS at_ms,
  (SELECT greatest(0, p.level - $2::float8 * greatest(0, extract(epoch FROM clock_timestamp() - p.at)::float8))
     FROM portal_bucket p WHERE p.portal_key = $1) AS level
FROM (SELECT 1) one LEFT JOIN taken t ON true`;

// The portal said 503: fill the bucket to the brim (never lower it), so every replica waits for a slot to drain.
const FILL = `
INSERT INTO portal_bucket AS b (portal_key, level, at) VALUES ($1, $3::float8, clock_timestamp())
ON CONFLICT (portal_key) DO UPDATE
  SET level = greatest($3::float8, b.level - $2::float8 * greatest(0, extract(epoch FROM EXCLUDED.at - b.at)::float8)),
      at = greatest(b.at, EXCLUDED.at)`;

// A request answered: what the row drained while it was in flight is put back, at most its own slot ($4 = the grant's
// database time, epoch ms). The portal counts a request when it arrives, somewhere between our grant and the answer;
// draining a slot from the grant alone lets two replicas' requests that arrive late bunch up beyond the burst (the
// sandbox test saw 503s). With this the row drains a request's slot from its answer, like the in-process bucket.
const SETTLE = `
UPDATE portal_bucket b
   SET level = least($3::float8, greatest(0, b.level - $2::float8 * greatest(0, extract(epoch FROM clock_timestamp() - b.at)::float8))
                 + least(1, $2::float8 * greatest(0, extract(epoch FROM clock_timestamp() - to_timestamp($4::float8 / 1000))::float8))),
       at = greatest(b.at, clock_timestamp())
 WHERE b.portal_key = $1`;

const READ = `
SELECT greatest(0, level - $2::float8 * greatest(0, extract(epoch FROM clock_timestamp() - at)::float8)) AS level
  FROM portal_bucket WHERE portal_key = $1`;

interface TakeRow {
  taken: number | null;
  at_ms: number | null;
  level: number | null;
}

export class SharedBucket {
  readonly portalKey: string;
  readonly burst: number;
  readonly leakPerSec: number;
  private readonly store: SharedBucketStore;

  constructor(o: SharedBucketOptions) {
    if (!(o.burst >= 1) || !(o.leakPerSec > 0)) throw new Error('shared bucket burst must be ≥ 1 and leakPerSec > 0');
    if (!o.portalKey) throw new Error('shared bucket needs a portal key (member_id or host)');
    this.store = o.store;
    this.portalKey = o.portalKey;
    this.burst = o.burst;
    this.leakPerSec = o.leakPerSec;
  }

  /** One attempt at a slot: one statement, one round trip. */
  async tryTake(): Promise<TakeResult> {
    const rows: TakeRow[] = await this.store.dataSource.query(TAKE, [this.portalKey, this.leakPerSec, this.burst]);
    const r = rows[0];
    if (r && r.taken !== null && r.at_ms !== null) return { granted: true, level: Number(r.taken), atMs: Number(r.at_ms) };
    // No row in our snapshot yet (another replica inserted it concurrently): try again at once, nearly.
    if (r?.level === null || r?.level === undefined) return { granted: false, level: this.burst, waitMs: 1 };
    const level = Number(r.level);
    return { granted: false, level, waitMs: Math.max(1, Math.ceil(((level - (this.burst - 1)) / this.leakPerSec) * 1000)) };
  }

  /** The portal answered 503 QUERY_LIMIT_EXCEEDED: someone outside the bus uses it too; every replica backs off. */
  async fill(): Promise<void> {
    await this.store.dataSource.query(FILL, [this.portalKey, this.leakPerSec, this.burst]);
  }

  /** The request granted at `grantedAtMs` (the database time tryTake returned) has its answer. */
  async settle(grantedAtMs: number): Promise<void> {
    await this.store.dataSource.query(SETTLE, [this.portalKey, this.leakPerSec, this.burst, grantedAtMs]);
  }

  /** The drained level now (0 when the portal has no row yet), for logs and tests. */
  async level(): Promise<number> {
    const rows: Array<{ level: number }> = await this.store.dataSource.query(READ, [this.portalKey, this.leakPerSec]);
    return rows[0] ? Number(rows[0].level) : 0;
  }
}
