// The sink in OAuth mode, as a deployed connector runs it: the tokens are in PostgreSQL (stored at installation,
// after the connector started), the client is built on first use, and the access token expires in the middle of a
// catalog load. The load does not notice: every product lands, the portal saw exactly one refresh, nothing failed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthAuth, type TokenResponse } from '@esb/bitrix24-client';
import { productId, type Product } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import type { Connector } from '@esb/connector-kit';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from '@esb/sandbox-bitrix24';
import { eventually } from '@esb/testing';
import { admin, deliver, dropStore, handled, metaFrom1C, openSink, testSystemId, topologyFor } from './test-support.ts';

const N = 1000;
const systemId = testSystemId('b24oauth');
let sb: Bitrix24Sandbox;
let c: Connector;

interface TokenLog {
  log: Array<{ grant: string; ok: boolean; error?: string }>;
}

beforeAll(async () => {
  process.env.ESB_TOKEN_KEY = randomBytes(32).toString('hex');
  sb = await startBitrix24Sandbox();
  process.env.B24_OAUTH_SERVER = sb.url;
  await admin(sb.url, 'limits', { burst: 10, leakPerSec: 5 });
  c = await openSink(systemId, topologyFor(systemId, sb.url, { auth: 'oauth', limits: { burst: 10, perSecond: 5 } }), { catalog: { lingerMs: 100, idlePollMs: 200 } });
  await c.start();
  // Installation after start-up: the sink must pick the tokens up when it first needs the portal.
  const tokens = await admin<TokenResponse>(sb.url, 'tokens/issue', { clientId: 'local.sandbox.app', userId: 1 });
  await OAuthAuth.install({ clientId: 'local.sandbox.app', clientSecret: 'sandbox-client-secret', oauthServer: sb.url, store: c.store }, { tokens });
}, 120_000);

afterAll(async () => {
  await dropStore(c);
  await sb.close();
});

describe('OAuth mode', () => {
  it('keeps pushing through an access token that expires mid-run, with exactly one refresh', async () => {
    const items: Product[] = Array.from({ length: N }, (_, i) => {
      const article = `OA-${i}`;
      return { ...canonicalSamples['esb.canonical.Product'], meta: metaFrom1C(`oauth-${i}`), productId: productId({ article }), article, name: `Продукт ${i}` };
    });
    await deliver(
      c,
      items.map((p) => ({ recordType: 'esb.canonical.Product' as const, key: p.productId, value: p })),
    );
    const count = async () => (await admin<{ products: unknown[] }>(sb.url, 'state')).products.length;
    await eventually('a first part of the load on the portal', async () => (await count()) >= N / 4, 60_000, 50);
    const expired = await admin<{ expired: number }>(sb.url, 'tokens/expire', {});
    expect(expired.expired).toBeGreaterThan(0);
    const landed = await count();
    expect(landed).toBeLessThan(N);

    await eventually('the whole load on the portal', async () => (await count()) === N, 60_000, 250);
    await handled(c, N);
    const refreshes = (await admin<TokenLog>(sb.url, 'tokens')).log.filter((l) => l.grant === 'refresh_token');
    expect(refreshes).toEqual([expect.objectContaining({ grant: 'refresh_token', ok: true })]);
    const requests = await admin<Array<{ op?: string; status: number }>>(sb.url, 'requests');
    expect(requests.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);
    const failures: unknown[] = await c.store.dataSource.query(`SELECT operation, error FROM exchange_log WHERE status IN ('error', 'dlq', 'retry')`);
    expect(failures).toEqual([]);
    expect(c.sinkConsumer?.stats.deadLettered).toBe(0);
  }, 90_000);
});
