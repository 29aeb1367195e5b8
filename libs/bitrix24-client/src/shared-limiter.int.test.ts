// The portal bucket shared by replicas, against real PostgreSQL: two limiters with their own connection pools stand
// for two processes on one portal. Together they never take more than burst + leak × elapsed slots (checked over every
// window of the recorded grant times), the same two without the store do (so the check can fail), a 503 seen by one
// makes the other wait, and two clients on one sandbox portal get no 503 from it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startBitrix24Sandbox } from '@esb/sandbox-bitrix24';
import { Store } from '@esb/store';
import { endpoints, uniqueName } from '@esb/testing';
import { Bitrix24Client, PortalLimiter, WebhookAuth, type LimiterSettings } from './index.ts';
import { admin, requests } from './test-helpers.ts';

const schema = uniqueName('b24limiter');
// Two pools on one schema: what two replicas of one connector deployment have.
let storeA: Store;
let storeB: Store;

beforeAll(async () => {
  storeA = await Store.open({ url: endpoints().databaseUrl, schema, poolSize: 2 });
  storeB = await Store.open({ url: endpoints().databaseUrl, schema, poolSize: 2 });
});
afterAll(async () => {
  await storeA.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await storeA.close();
  await storeB.close();
});

const LIMITS: LimiterSettings = { burst: 5, leakPerSec: 20, operatingLimitSec: 480 };
const N = 30;

/** Each limiter takes N permits as fast as it can (all requested at once, released as soon as granted). */
async function race(limiters: PortalLimiter[]): Promise<number[]> {
  const grants: number[] = [];
  const t0 = Date.now();
  await Promise.all(
    limiters.flatMap((l) =>
      Array.from({ length: N }, async () => {
        const p = await l.acquire(['user.current']);
        grants.push(p.grantedAt);
        p.release();
      }),
    ),
  );
  grants.sort((a, b) => a - b);
  const span = (grants.at(-1)! - grants[0]!) / 1000;
  console.log(`[shared-limiter] ${grants.length} grants in ${span.toFixed(3)} s of grant time (${((Date.now() - t0) / 1000).toFixed(3)} s wall)`);
  return grants;
}

/**
 * The worst excess over the bucket's allowance: max over windows [i, j] of (grants in it) − burst − leak × (t_j − t_i).
 * A leaky bucket that starts empty keeps it ≤ 0; rounding may add up to 1.
 */
function worstExcess(grants: number[], s: LimiterSettings): number {
  let worst = -Infinity;
  for (let i = 0; i < grants.length; i++) {
    for (let j = i; j < grants.length; j++) {
      worst = Math.max(worst, j - i + 1 - s.burst - (s.leakPerSec * (grants[j]! - grants[i]!)) / 1000);
    }
  }
  return worst;
}

describe('a portal bucket shared through PostgreSQL', () => {
  it('keeps two processes together within burst + leak × elapsed', async () => {
    const portalKey = uniqueName('portal');
    const a = new PortalLimiter(LIMITS, { store: storeA, portalKey });
    const b = new PortalLimiter(LIMITS, { store: storeB, portalKey });
    const grants = await race([a, b]);
    const excess = worstExcess(grants, LIMITS);
    console.log(`[shared-limiter] shared: worst excess ${excess.toFixed(3)} slots; waits a=${a.stats.sharedWaits} b=${b.stats.sharedWaits}; errors ${a.stats.sharedErrors + b.stats.sharedErrors}`);
    expect(grants).toHaveLength(2 * N);
    expect(a.stats.sharedErrors + b.stats.sharedErrors).toBe(0);
    expect(excess).toBeLessThanOrEqual(1);
    // 60 requests through a 5-slot bucket draining 20/s cannot take less than (60 − 5) / 20 = 2.75 s.
    expect(grants.at(-1)! - grants[0]!).toBeGreaterThanOrEqual(((2 * N - LIMITS.burst - 1) / LIMITS.leakPerSec) * 1000);
    // Both processes were held back by the other, not just by their own bucket.
    expect(a.stats.sharedWaits).toBeGreaterThan(0);
    expect(b.stats.sharedWaits).toBeGreaterThan(0);
    expect(await a.shared!.level()).toBeLessThanOrEqual(LIMITS.burst);
  }, 60_000);

  it('without the store the same two overrun the portal bucket', async () => {
    const a = new PortalLimiter(LIMITS);
    const b = new PortalLimiter(LIMITS);
    const grants = await race([a, b]);
    const excess = worstExcess(grants, LIMITS);
    console.log(`[shared-limiter] in-process only: worst excess ${excess.toFixed(3)} slots`);
    expect(grants).toHaveLength(2 * N);
    expect(excess).toBeGreaterThan(1);
  }, 60_000);

  it('a 503 seen by one process makes the other wait for a slot to drain', async () => {
    const portalKey = uniqueName('portal');
    const slow: LimiterSettings = { burst: 5, leakPerSec: 2, operatingLimitSec: 480 };
    const a = new PortalLimiter(slow, { store: storeA, portalKey });
    const b = new PortalLimiter(slow, { store: storeB, portalKey });
    // An empty bucket lets B straight through.
    (await b.acquire(['crm.deal.get'])).release();
    expect(b.stats.sharedWaits).toBe(0);

    await a.bucketFull();
    expect(await b.shared!.level()).toBeGreaterThan(slow.burst - 0.1);
    const t0 = Date.now();
    const p = await b.acquire(['crm.deal.get']);
    const waited = Date.now() - t0;
    p.release();
    console.log(`[shared-limiter] after A's 503, B waited ${waited} ms (one slot drains in ${1000 / slow.leakPerSec} ms)`);
    expect(b.stats.sharedWaits).toBe(1);
    // B's own bucket holds one finished request, far from full: the wait came from the shared row (a slot at 2/s).
    expect(waited).toBeGreaterThanOrEqual(450);
    expect(b.snapshot().level).toBeLessThan(slow.burst - 1);
  }, 30_000);

  it('two clients on one sandbox portal get no 503 from it', async () => {
    const sb = await startBitrix24Sandbox({ port: 0 });
    try {
      await admin(sb.url, '/_admin/limits', { burst: 5, leakPerSec: 10 });
      const hook = `${sb.url}/rest/1/sandbox/`;
      const limits = { burst: 5, leakPerSec: 10 };
      // Explicit limiters: the process-wide one (limiterFor) would make the two clients one process.
      const portalKey = new WebhookAuth(hook).portalKey;
      const c1 = new Bitrix24Client({ auth: new WebhookAuth(hook), limiter: new PortalLimiter(limits, { store: storeA, portalKey }), retry: { maxAttempts: 1 } });
      const c2 = new Bitrix24Client({ auth: new WebhookAuth(hook), limiter: new PortalLimiter(limits, { store: storeB, portalKey }), retry: { maxAttempts: 1 } });
      const t0 = Date.now();
      await Promise.all([c1, c2].flatMap((c) => Array.from({ length: 15 }, () => c.call('user.current'))));
      const log = (await requests(sb.url)).filter((r) => r.op === 'user.current');
      console.log(`[shared-limiter] sandbox: ${log.length} calls in ${Date.now() - t0} ms, statuses ${JSON.stringify(countBy(log.map((r) => r.status)))}`);
      expect(log).toHaveLength(30);
      expect(log.filter((r) => r.status !== 200)).toEqual([]);
    } finally {
      await sb.close();
    }
  }, 60_000);
});

function countBy(xs: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
