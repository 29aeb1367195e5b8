// The store side of the outbox relay: hands pending rows, oldest first, to a publisher and marks them published
// only after the publisher succeeded, under a lock so one relay per schema keeps per-key order.
import type { Store } from './store.ts';

export interface PendingOutboxRow {
  id: string;
  eventId: string;
  topic: string;
  key: string;
  recordType: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  createdAt: Date;
  attempts: number;
}

export type OutboxBatchResult = { claimed: number; published: number; locked: boolean };

/**
 * Takes up to `limit` unpublished rows and calls `publish`. Rows are marked published in the same transaction
 * after `publish` resolves; if it throws, nothing is marked and the failure is recorded on the rows.
 * A crash between the broker's ack and the commit re-sends those rows: consumers dedupe by eventId.
 */
export async function relayOutboxBatch(store: Store, limit: number, publish: (rows: PendingOutboxRow[]) => Promise<void>): Promise<OutboxBatchResult> {
  let failure: unknown;
  let failedIds: string[] = [];
  const result = await store.dataSource.transaction(async (m): Promise<OutboxBatchResult> => {
    const lock: Array<{ ok: boolean }> = await m.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok`, [`esb-outbox:${store.schema}`]);
    if (!lock[0]?.ok) return { claimed: 0, published: 0, locked: false };
    const rows: PendingOutboxRow[] = await m.query(
      `SELECT id::text AS id, event_id AS "eventId", topic, message_key AS key, record_type AS "recordType", payload, headers,
              created_at AS "createdAt", attempts
       FROM outbox WHERE published_at IS NULL ORDER BY outbox.id LIMIT $1`,
      [limit],
    );
    if (rows.length === 0) return { claimed: 0, published: 0, locked: true };
    try {
      await publish(rows);
    } catch (e) {
      failure = e;
      failedIds = rows.map((r) => r.id);
      return { claimed: rows.length, published: 0, locked: true };
    }
    await m.query(`UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
    return { claimed: rows.length, published: rows.length, locked: true };
  });
  if (failure !== undefined) {
    const msg = failure instanceof Error ? failure.message : String(failure);
    await store.dataSource.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`, [failedIds, msg.slice(0, 2000)]);
    throw failure;
  }
  return result;
}

export async function outboxBacklog(store: Store): Promise<{ pending: number; oldest: Date | null }> {
  const r: Array<{ pending: string; oldest: Date | null }> = await store.dataSource.query(
    `SELECT count(*)::text AS pending, min(created_at) AS oldest FROM outbox WHERE published_at IS NULL`,
  );
  return { pending: Number(r[0]?.pending ?? 0), oldest: r[0]?.oldest ?? null };
}
