// An independent client against the sandbox, unmodified: the official @bitrix24/b24jssdk in OAuth mode (B24OAuth)
// makes real calls — a plain call, the cursor list helper (start=-1 + >ID), a named batch with a $result reference —
// and refreshes its token by itself when the sandbox answers 401 expired_token.
import { B24OAuth } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from './server.ts';
import { Client, pick } from './test-support.ts';

let sb: Bitrix24Sandbox;
let c: Client;

beforeAll(async () => {
  sb = await startBitrix24Sandbox();
  c = new Client(sb.url);
});
afterAll(() => sb.close());
beforeEach(async () => {
  await c.admin('reset', {});
});

/** What an app has after installation: tokens, endpoints and the application token, as B24OAuth takes them. */
async function sdk(): Promise<{ b24: B24OAuth; refreshToken: string; refreshed: string[] }> {
  const t = await c.tokens(1);
  const b24 = new B24OAuth(
    {
      applicationToken: 'sandbox-application-token',
      userId: 1,
      memberId: t.member_id,
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      expires: t.expires,
      expiresIn: 3600,
      scope: 'crm,disk,task,bizproc,user,im,catalog',
      domain: new URL(sb.url).host,
      // The SDK takes the REST base from client_endpoint and the token endpoint from server_endpoint minus /rest/:
      // plain http://127.0.0.1:<port>/rest/ works for both, no https or bitrix24 domain required.
      clientEndpoint: `${sb.url}/rest/`,
      serverEndpoint: `${sb.url}/rest/`,
      status: 'L',
    },
    { clientId: 'local.sandbox.app', clientSecret: 'sandbox-client-secret' },
  );
  const refreshed: string[] = [];
  b24.setCallbackRefreshAuth(async ({ b24OAuthParams }) => {
    refreshed.push(b24OAuthParams.refreshToken);
  });
  return { b24, refreshToken: t.refresh_token, refreshed };
}

describe('@bitrix24/b24jssdk (B24OAuth) against the sandbox', () => {
  it('calls crm.deal.list and walks 120 deals with callList (start=-1 and a >ID cursor)', async () => {
    await c.admin('seed', { deals: Array.from({ length: 120 }, (_, i) => ({ TITLE: `Deal ${i + 1}`, OPPORTUNITY: i })) });
    const { b24 } = await sdk();
    const page = await b24.actions.v2.call.make<Array<{ ID: string; TITLE: string }>>({ method: 'crm.deal.list', params: { order: { ID: 'ASC' }, select: ['ID', 'TITLE'] } });
    expect(page.isSuccess).toBe(true);
    expect(page.getData()!.result).toHaveLength(50);
    expect(page.isMore()).toBe(true);
    expect(page.getTotal()).toBe(120);
    expect(page.getData()!.result[0]).toEqual({ ID: '1', TITLE: 'Deal 1' });
    const all = await b24.actions.v2.callList.make<{ ID: string }>({ method: 'crm.deal.list', params: { select: ['ID'] }, idKey: 'ID' });
    expect(all.isSuccess).toBe(true);
    expect(all.getData()!.map((d) => d.ID)).toEqual(Array.from({ length: 120 }, (_, i) => String(i + 1)));
    const requests = (await c.admin('requests')) as Array<{ op: string; status: number }>;
    expect(requests.filter((r) => r.op === 'crm.deal.list')).toHaveLength(4);
  });

  it('runs a named batch whose second command uses $result of the first', async () => {
    await c.admin('seed', { companies: [{ ID: 9, TITLE: 'Romashka LLC' }], deals: [{ ID: 394, TITLE: 'Order 42', COMPANY_ID: 9 }] });
    const { b24 } = await sdk();
    const r = await b24.actions.v2.batch.make({
      calls: {
        deal: { method: 'crm.deal.get', params: { id: 394 } },
        company: { method: 'crm.company.get', params: { id: '$result[deal][COMPANY_ID]' } },
      },
      options: { isHaltOnError: true, returnAjaxResult: true },
    });
    expect(r.isSuccess).toBe(true);
    const data = r.getData()! as unknown as Record<string, { getData(): { result: Record<string, string> } }>;
    expect(data.deal!.getData().result.TITLE).toBe('Order 42');
    expect(data.company!.getData().result.TITLE).toBe('Romashka LLC');
  });

  it('refreshes the token on 401 expired_token, retries, and the old refresh token is then rejected', async () => {
    const { b24, refreshToken, refreshed } = await sdk();
    expect((await b24.actions.v2.call.make({ method: 'crm.deal.add', params: { fields: { TITLE: 'before' } } })).isSuccess).toBe(true);
    await c.admin('tokens/expire', {});
    const after = await b24.actions.v2.call.make<number>({ method: 'crm.deal.add', params: { fields: { TITLE: 'after' } } });
    expect(after.isSuccess).toBe(true);
    expect(after.getData()!.result).toBe(2);
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]).not.toBe(refreshToken);
    const log = (await c.admin('tokens')) as { log: Array<{ grant: string; ok: boolean }> };
    expect(log.log).toEqual([expect.objectContaining({ grant: 'refresh_token', ok: true })]);
    // Rotation: the refresh token the SDK started with is spent.
    const reuse = await fetch(`${sb.url}/oauth/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'local.sandbox.app', client_secret: 'sandbox-client-secret', refresh_token: refreshToken }),
    });
    expect(reuse.status).toBe(400);
    expect(pick(await reuse.json(), 'error')).toBe('invalid_grant');
    const requests = (await c.admin('requests')) as Array<{ op: string; status: number }>;
    expect(requests.filter((r) => r.op === 'crm.deal.add').map((r) => r.status)).toEqual([200, 401, 200]);
  });
});
