// The inbound queue (libs/store inbound.ts) as the source side relies on it, against real PostgreSQL: folding a
// new event into a waiting one but never into one a worker holds, claiming with SKIP LOCKED, retry and failure.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Store, inboundAdd, inboundBacklog, inboundClaim, inboundDone, inboundFailed, inboundPrune, inboundRequeue } from '@esb/store';
import { endpoints, uniqueName } from '@esb/testing';

let store: Store;
const schema = uniqueName('inbound').toLowerCase();

beforeAll(async () => {
  store = await Store.open({ url: endpoints().databaseUrl, schema });
});
afterAll(async () => {
  await store.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await store.close();
});

const add = (key: string, n = 1) => store.transaction((tx) => inboundAdd(tx, { source: 'webhook', kind: 'deal', dedupeKey: key, payload: { event: 'ONCRMDEALUPDATE', id: key, n } }));

describe('inbound queue', () => {
  it('folds an event into one still waiting for the same object, and keeps the first payload', async () => {
    const a = await add('deal:1', 1);
    const b = await add('deal:1', 2);
    expect(a.added).toBe(true);
    expect(b).toEqual({ id: a.id, added: false });
    expect((await add('deal:2')).added).toBe(true);
    expect(await inboundBacklog(store)).toMatchObject({ pending: 2, failed: 0 });
  });

  it('never folds into a row a worker holds: its worker may have read the old state already', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let claimed: Array<{ id: string; dedupeKey: string }> = [];
    const worker = store.transaction(async (tx) => {
      claimed = await inboundClaim(tx, 10);
      await held;
      for (const i of claimed) await inboundDone(tx, i.id);
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(claimed.map((i) => i.dedupeKey)).toEqual(['deal:1', 'deal:2']);
    // A webhook for deal 1 while its row is being worked on: a new row, not lost in the one about to be done.
    const during = await add('deal:1', 3);
    expect(during.added).toBe(true);
    // A second worker skips the locked rows and gets only the new one.
    const other = await store.transaction((tx) => inboundClaim(tx, 10));
    expect(other.map((i) => [i.id, i.payload.n])).toEqual([[during.id, 3]]);
    release();
    await worker;
    expect(await inboundBacklog(store)).toMatchObject({ pending: 1 });
  });

  it('retries a retriable failure at its time, finishes a permanent one as failed, and requeues on request', async () => {
    const r = await add('deal:3');
    await store.transaction(async (tx) => {
      const items = await inboundClaim(tx, 10);
      for (const i of items) {
        if (i.id === r.id) await inboundFailed(tx, i.id, { error: 'ESB_TARGET_UNAVAILABLE: portal down', retryAt: new Date(Date.now() + 60_000) });
        else await inboundFailed(tx, i.id, { error: 'ESB_VALIDATION: bad INN' });
      }
    });
    expect(await store.transaction((tx) => inboundClaim(tx, 10))).toEqual([]);
    const rows: Array<{ dedupe_key: string; status: string; attempts: number; last_error: string }> = await store.dataSource.query(`SELECT dedupe_key, status, attempts, last_error FROM inbound WHERE status <> 'done' ORDER BY id`);
    expect(rows).toEqual([
      { dedupe_key: 'deal:1', status: 'failed', attempts: 1, last_error: 'ESB_VALIDATION: bad INN' },
      { dedupe_key: 'deal:3', status: 'pending', attempts: 1, last_error: 'ESB_TARGET_UNAVAILABLE: portal down' },
    ]);
    // A waiting row in backoff still absorbs new events for its object; a failed one does not.
    expect((await add('deal:3')).added).toBe(false);
    expect(await store.transaction((tx) => inboundRequeue(tx))).toBe(1);
    expect((await store.transaction((tx) => inboundClaim(tx, 10))).map((i) => i.dedupeKey)).toEqual(['deal:1']);
    expect(await inboundBacklog(store)).toMatchObject({ pending: 2, failed: 0 });
  });

  it('prunes only finished rows older than the retention', async () => {
    await store.dataSource.query(`UPDATE inbound SET done_at = now() - interval '40 days' WHERE status = 'done'`);
    const done = Number(((await store.dataSource.query(`SELECT count(*)::int AS n FROM inbound WHERE status = 'done'`)) as Array<{ n: number }>)[0]!.n);
    expect(await inboundPrune(store, 30)).toBe(done);
    expect(await inboundBacklog(store)).toMatchObject({ pending: 2 });
  });
});
