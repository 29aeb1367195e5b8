// OAuth against the sandbox's OAuth server with tokens in real PostgreSQL: installation by code, encryption at
// rest, a token expiring under 20 concurrent calls (exactly one refresh), two processes sharing the row (still one
// refresh), and a forged or already-used refresh token turning into a permanent error that names the portal.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from '@esb/sandbox-bitrix24';
import { Store } from '@esb/store';
import { endpoints, uniqueName } from '@esb/testing';
import { Bitrix24AuthError, Bitrix24Client, OAuthAuth, SingleFlight, type OAuthOptions, type TokenResponse } from './index.ts';
import { admin } from './test-helpers.ts';

const CLIENT = { clientId: 'local.sandbox.app', clientSecret: 'sandbox-client-secret' };
let sb: Bitrix24Sandbox;
let store: Store;
let memberId: string;
const schema = uniqueName('b24client');
const key = randomBytes(32).toString('base64');
const opts = (): Omit<OAuthOptions, 'memberId'> => ({ ...CLIENT, oauthServer: sb.url, store, key });

interface TokenLog {
  log: Array<{ grant: string; ok: boolean; error?: string }>;
}
const refreshes = async () => (await admin<TokenLog>(sb.url, '/_admin/tokens')).log.filter((l) => l.grant === 'refresh_token');
const issue = () => admin<TokenResponse>(sb.url, '/_admin/tokens/issue', { clientId: CLIENT.clientId, userId: 1 });

beforeAll(async () => {
  sb = await startBitrix24Sandbox({ port: 0 });
  store = await Store.open({ url: endpoints().databaseUrl, schema });
  memberId = (await admin<{ memberId: string }>(sb.url, '/_admin/settings')).memberId;
});
afterAll(async () => {
  await store.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await store.close();
  await sb.close();
});

describe('OAuth application', () => {
  it('installs by exchanging an authorization code and calls the portal', async () => {
    const { code } = await admin<{ code: string }>(sb.url, `/_admin/apps/${CLIENT.clientId}/code`, { userId: 1 });
    const auth = await OAuthAuth.install(opts(), { code });
    expect(auth.portalKey).toBe(memberId);
    const me = await new Bitrix24Client({ auth }).call<Record<string, unknown>>('user.current');
    expect(String(me.ID)).toBe('1');
  });

  it('stores tokens encrypted: the raw row does not contain the token text', async () => {
    const t = await issue();
    await OAuthAuth.install(opts(), { tokens: t });
    const [row] = (await store.dataSource.query(`SELECT *, row_to_json(oauth_token)::text AS raw FROM oauth_token WHERE member_id = $1`, [memberId])) as Array<Record<string, unknown>>;
    expect(row).toBeDefined();
    const raw = `${String(row!.raw)} ${Buffer.from(row!.access_token as Buffer).toString('latin1')} ${Buffer.from(row!.refresh_token as Buffer).toString('latin1')}`;
    expect(raw).not.toContain(t.access_token);
    expect(raw).not.toContain(t.refresh_token);
    expect(raw).not.toContain(Buffer.from(t.access_token).toString('hex'));
    // A different key cannot read them.
    const wrong = new OAuthAuth({ ...opts(), memberId, key: randomBytes(32) });
    await expect(wrong.credentials()).rejects.toThrow();
  });

  it('refreshes once, transparently, when the token expires under 20 concurrent calls', async () => {
    await OAuthAuth.install(opts(), { tokens: await issue() });
    const client = new Bitrix24Client({ auth: new OAuthAuth({ ...opts(), memberId }) });
    await client.call('user.current');
    const before = (await refreshes()).length;
    // Slow lists, so the expiry lands while the calls are in flight.
    const fault = await admin<{ id: string }>(sb.url, '/_admin/faults', { op: '^crm\\.deal\\.list$', latencyMs: 300 });
    const calls = Array.from({ length: 20 }, () => client.call<unknown[]>('crm.deal.list', { select: ['ID'] }));
    await new Promise((r) => setTimeout(r, 100));
    await admin(sb.url, '/_admin/tokens/expire', {});
    const results = await Promise.all(calls);
    await admin(sb.url, `/_admin/faults/${fault.id}`, undefined, 'DELETE');
    expect(results).toHaveLength(20);
    const after = await refreshes();
    expect(after.slice(before)).toEqual([expect.objectContaining({ ok: true })]);
    const log = (await admin<Array<{ op?: string; status: number }>>(sb.url, '/_admin/requests')).filter((r) => r.op === 'crm.deal.list');
    expect(log.filter((r) => r.status === 401).length).toBeGreaterThan(0);
  });

  it('two processes sharing the token row do not both refresh', async () => {
    await OAuthAuth.install(opts(), { tokens: await issue() });
    const other = await Store.open({ url: endpoints().databaseUrl, schema });
    try {
      // Separate stores and single-flights: nothing is shared but the database row.
      const a = new Bitrix24Client({ auth: new OAuthAuth({ ...opts(), memberId, singleFlight: new SingleFlight() }) });
      const b = new Bitrix24Client({ auth: new OAuthAuth({ ...opts(), store: other, memberId, singleFlight: new SingleFlight() }) });
      await Promise.all([a.call('user.current'), b.call('user.current')]);
      const before = (await refreshes()).length;
      await admin(sb.url, '/_admin/tokens/expire', {});
      await Promise.all([...Array.from({ length: 10 }, () => a.call('user.current')), ...Array.from({ length: 10 }, () => b.call('user.current'))]);
      expect((await refreshes()).slice(before)).toEqual([expect.objectContaining({ ok: true })]);
    } finally {
      await other.close();
    }
  });

  it('a forged or already-used refresh token is a permanent error naming the portal', async () => {
    const domain = new URL(sb.url).host;
    const t = await issue();
    await OAuthAuth.install(opts(), { tokens: { ...t, refresh_token: 'forged-refresh-token' } });
    await admin(sb.url, '/_admin/tokens/expire', {});
    const forged = await new Bitrix24Client({ auth: new OAuthAuth({ ...opts(), memberId }) }).call('user.current').catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(Bitrix24AuthError);
    expect(forged).toMatchObject({ retriable: false, system: 'bitrix24' });
    expect((forged as Error).message).toContain(domain);
    expect((forged as Error).message).toMatch(/reinstall/);

    // An old one: refresh with t (rotating it), then put t back as if a stale copy were restored.
    await OAuthAuth.install(opts(), { tokens: t });
    await new Bitrix24Client({ auth: new OAuthAuth({ ...opts(), memberId }) }).call('user.current');
    await OAuthAuth.install(opts(), { tokens: t });
    await admin(sb.url, '/_admin/tokens/expire', {});
    const old = await new Bitrix24Client({ auth: new OAuthAuth({ ...opts(), memberId }) }).call('user.current').catch((e: unknown) => e);
    expect(old).toBeInstanceOf(Bitrix24AuthError);
    expect((old as Error).message).toContain(domain);
  });
});
