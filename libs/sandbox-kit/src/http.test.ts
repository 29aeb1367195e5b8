import { describe, it, expect, afterEach } from 'vitest';
import { Router, json, startSandboxServer, type RunningSandbox } from './index.ts';

describe('sandbox HTTP skeleton', () => {
  let sb: RunningSandbox;
  let state: Record<string, number> = {};
  afterEach(() => sb?.close());

  async function start(maxBodyBytes?: number) {
    const router = new Router()
      .on('GET', '/items/:id', (r) => json(200, { id: r.params.id, v: state[r.params.id!] ?? null }))
      .on('POST', '/rest/*', (r) => json(200, { rest: r.params['*'], body: r.body.toString() }));
    sb = await startSandboxServer({
      name: 't',
      router,
      maxBodyBytes,
      opOf: (r) => (r.path.startsWith('/rest/') ? r.path.slice(6) : undefined),
      admin: {
        state: () => state,
        reset: () => (state = {}),
        seed: (b) => Object.assign(state, b as Record<string, number>),
      },
      notFound: () => json(404, { error: 'NOT_FOUND' }),
    });
    return sb.url;
  }

  it('routes, seeds, inspects and resets through the admin API', async () => {
    const url = await start();
    await fetch(`${url}/_admin/seed`, { method: 'POST', body: JSON.stringify({ a: 1 }) });
    expect(await (await fetch(`${url}/items/a`)).json()).toEqual({ id: 'a', v: 1 });
    expect(await (await fetch(`${url}/_admin/state`)).json()).toEqual({ a: 1 });
    const r = await fetch(`${url}/rest/crm.deal.get`, { method: 'POST', body: 'id=1' });
    expect(await r.json()).toEqual({ rest: 'crm.deal.get', body: 'id=1' });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const log = (await (await fetch(`${url}/_admin/requests`)).json()) as Array<{ path: string; op?: string; status: number }>;
    expect(log.map((l) => [l.path, l.op ?? null, l.status])).toEqual([
      ['/items/a', null, 200],
      ['/rest/crm.deal.get', 'crm.deal.get', 200],
      ['/nope', null, 404],
    ]);
    await fetch(`${url}/_admin/reset`, { method: 'POST' });
    expect(await (await fetch(`${url}/_admin/state`)).json()).toEqual({});
  });

  it('injects errors for the next N matching operations, latency, and dropped connections', async () => {
    const url = await start();
    await fetch(`${url}/_admin/faults`, { method: 'POST', body: JSON.stringify({ op: '^crm\\.deal\\.', count: 2, response: { status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED' } } }) });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${url}/rest/crm.deal.get`, { method: 'POST' })).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect((await fetch(`${url}/rest/crm.company.get`, { method: 'POST' })).status).toBe(200);

    await fetch(`${url}/_admin/faults`, { method: 'POST', body: JSON.stringify({ path: '^/items/', latencyMs: 300, count: 1 }) });
    const t0 = Date.now();
    expect((await fetch(`${url}/items/x`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);

    await fetch(`${url}/_admin/faults`, { method: 'POST', body: JSON.stringify({ path: '^/items/', drop: true }) });
    await expect(fetch(`${url}/items/x`)).rejects.toThrow();
    await fetch(`${url}/_admin/faults`, { method: 'DELETE' });
    expect((await fetch(`${url}/items/x`)).status).toBe(200);
  });

  it('refuses oversized bodies with 413 before any route sees them', async () => {
    const url = await start(10);
    const r = await fetch(`${url}/rest/x`, { method: 'POST', body: 'x'.repeat(11) });
    expect(r.status).toBe(413);
  });
});
