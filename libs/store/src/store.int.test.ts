import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { endpoints, uniqueName } from '@esb/testing';
import { Store, relayOutboxBatch, migrations } from '@esb/store';

describe('store on real PostgreSQL', () => {
  let store: Store;
  const schema = uniqueName('store_test');

  beforeAll(async () => {
    store = await Store.open({ url: endpoints().databaseUrl, schema });
  });
  afterAll(async () => {
    await store.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
    await store.close();
  });

  it('applies its migrations into the service schema and is idempotent on reopen', async () => {
    const tables: Array<{ table_name: string }> = await store.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(['cursor', 'exchange_log', 'inbound', 'inbox', 'migrations', 'oauth_token', 'outbox', 'portal_bucket', 'xref']);
    const again = await Store.open({ url: endpoints().databaseUrl, schema });
    const applied: unknown[] = await again.dataSource.query(`SELECT * FROM migrations`);
    expect(applied).toHaveLength(migrations.length);
    await again.close();
  });

  it('dedupes inbox claims per consumer group', async () => {
    const id = randomUUID();
    expect(await store.inboxClaim('g1', id)).toBe(true);
    expect(await store.inboxClaim('g1', id)).toBe(false);
    expect(await store.inboxClaim('g2', id)).toBe(true);
  });

  it('rolls back the outbox write and the cursor together', async () => {
    const eventId = randomUUID();
    await expect(
      store.transaction(async (tx) => {
        await tx.outboxAdd({ eventId, topic: 't', key: 'k', recordType: 'r', payload: { a: 1 } });
        await tx.cursorSet('c1', '42');
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect(await store.cursorGet('c1')).toBeUndefined();
    const rows: unknown[] = await store.dataSource.query(`SELECT * FROM outbox WHERE event_id = $1`, [eventId]);
    expect(rows).toHaveLength(0);
  });

  it('keeps xref unique both ways and updates number/url on re-link', async () => {
    const canonicalId = randomUUID();
    await store.xrefPut({ entityType: 'order', canonicalId, systemId: 'ut', externalId: 'ref-1' });
    await store.xrefPut({ entityType: 'order', canonicalId, systemId: 'ut', externalId: 'ref-1', number: 'ЗК-1' });
    expect(await store.xrefByExternal('order', 'ut', 'ref-1')).toMatchObject({ canonicalId, number: 'ЗК-1' });
    await expect(store.xrefPut({ entityType: 'order', canonicalId: randomUUID(), systemId: 'ut', externalId: 'ref-1' })).rejects.toThrow(/xref_external/);
  });

  it('refuses to rewrite the exchange log', async () => {
    await store.log({ service: 's', direction: 'in', operation: 'op', status: 'ok', businessKeys: { inn: '7707083893' } });
    await expect(store.dataSource.query(`UPDATE exchange_log SET status = 'error'`)).rejects.toThrow(/append-only/);
    const r: Array<{ business_keys: Record<string, string> }> = await store.dataSource.query(`SELECT business_keys FROM exchange_log WHERE business_keys @> '{"inn":"7707083893"}'`);
    expect(r).toHaveLength(1);
  });

  it('marks outbox rows published only when the publisher succeeds', async () => {
    const ids = [randomUUID(), randomUUID()];
    for (const eventId of ids) await store.outboxAdd({ eventId, topic: 't', key: 'k', recordType: 'r', payload: { eventId } });
    await expect(relayOutboxBatch(store, 10, async () => Promise.reject(new Error('broker down')))).rejects.toThrow('broker down');
    const failed: Array<{ attempts: number; last_error: string; published_at: Date | null }> = await store.dataSource.query(
      `SELECT attempts, last_error, published_at FROM outbox WHERE event_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(failed.every((r) => r.attempts === 1 && r.last_error === 'broker down' && r.published_at === null)).toBe(true);
    const seen: string[] = [];
    const res = await relayOutboxBatch(store, 10, async (rows) => {
      seen.push(...rows.map((r) => r.eventId));
    });
    expect(res.published).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual(expect.arrayContaining(ids));
    const again = await relayOutboxBatch(store, 10, async () => undefined);
    expect(again.claimed).toBe(0);
  });

  it('hands pending rows to the publisher in write order (ids compared as numbers, not text)', async () => {
    await relayOutboxBatch(store, 1000, async () => undefined);
    const ids = Array.from({ length: 25 }, () => randomUUID());
    for (const eventId of ids) await store.outboxAdd({ eventId, topic: 't', key: 'k', recordType: 'r', payload: {} });
    const seen: string[] = [];
    await relayOutboxBatch(store, 1000, async (rows) => {
      seen.push(...rows.map((r) => r.eventId));
    });
    expect(seen).toEqual(ids);
  });
});
