// The inbound queue of a service (migration 1763900000000): what a webhook or a drained queue accepted is stored here
// before the sender gets its answer, then a worker claims rows (FOR UPDATE SKIP LOCKED, so several instances share
// the work) and marks each done in the transaction that wrote its outbox events — a crash at any point leaves the row
// pending, never half-done. Functions take a StoreTx so they join the caller's transaction.
import type { Store, StoreTx } from './store.ts';

export type InboundStatus = 'pending' | 'done' | 'failed';

export interface InboundNew {
  /** Where it came from: `webhook`, `offline`, `reconcile`… (exchange log, console). */
  source: string;
  /** What it is about, e.g. `deal`; the worker dispatches on it. */
  kind: string;
  /**
   * The object it concerns, e.g. `deal:394`. A new row is not added while another row with this key is still waiting
   * (pending and not being worked on): the worker reads the object's current state, so one visit serves both.
   */
  dedupeKey: string;
  payload: Record<string, unknown>;
}

export interface InboundItem {
  id: string;
  source: string;
  kind: string;
  dedupeKey: string;
  payload: Record<string, unknown>;
  /** Failed attempts so far (retriable failures only; a permanent failure ends the row). */
  attempts: number;
  receivedAt: Date;
}

export interface InboundAdded {
  /** The row that will carry the event: the new one, or the waiting one it was folded into. */
  id: string;
  added: boolean;
}

/**
 * Stores an inbound event, or folds it into a row with the same key that is still waiting. A row locked by a worker
 * (being processed right now) does not count as waiting: its worker may already have read the old state.
 */
export async function inboundAdd(tx: StoreTx, m: InboundNew): Promise<InboundAdded> {
  const r: Array<{ inserted: string | null; waiting: string | null }> = await tx.manager.query(
    `WITH waiting AS (
       SELECT id FROM inbound WHERE dedupe_key = $3 AND status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
     ), ins AS (
       INSERT INTO inbound (source, kind, dedupe_key, payload)
       SELECT $1, $2, $3, $4::jsonb WHERE NOT EXISTS (SELECT 1 FROM waiting)
       RETURNING id
     )
     SELECT (SELECT id::text FROM ins) AS inserted, (SELECT id::text FROM waiting) AS waiting`,
    [m.source, m.kind, m.dedupeKey, JSON.stringify(m.payload)],
  );
  const row = r[0];
  if (row?.inserted) return { id: row.inserted, added: true };
  if (row?.waiting) return { id: row.waiting, added: false };
  throw new Error(`inbound: neither inserted nor found a waiting row for ${m.dedupeKey}`);
}

/**
 * Locks up to `limit` due pending rows, oldest first, for the caller's transaction; rows other workers hold are
 * skipped. Mark each one with inboundDone / inboundFailed before the transaction commits, or it stays pending.
 */
export async function inboundClaim(tx: StoreTx, limit: number, kinds?: string[]): Promise<InboundItem[]> {
  const rows: Array<Omit<InboundItem, 'attempts'> & { attempts: number | string }> = await tx.manager.query(
    `SELECT id::text AS id, source, kind, dedupe_key AS "dedupeKey", payload, attempts, received_at AS "receivedAt"
     FROM inbound
     WHERE status = 'pending' AND next_attempt_at <= now() AND ($2::text[] IS NULL OR kind = ANY($2::text[]))
     ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit, kinds ?? null],
  );
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
}

export async function inboundDone(tx: StoreTx, id: string): Promise<void> {
  await tx.manager.query(`UPDATE inbound SET status = 'done', done_at = now(), last_error = NULL WHERE id = $1`, [id]);
}

/**
 * Records a failed attempt. With `retryAt` the row stays pending until then (a retriable failure); without it the row
 * is finished as `failed` and waits for a person (inboundRequeue after the cause is fixed).
 */
export async function inboundFailed(tx: StoreTx, id: string, f: { error: string; retryAt?: Date | null }): Promise<void> {
  await tx.manager.query(
    `UPDATE inbound SET attempts = attempts + 1, last_error = $2,
       status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
       next_attempt_at = COALESCE($3::timestamptz, next_attempt_at)
     WHERE id = $1`,
    [id, f.error.slice(0, 4000), f.retryAt ?? null],
  );
}

/** Puts failed rows (all, or the given ids) back in the queue, due now. Returns how many. */
export async function inboundRequeue(tx: StoreTx, ids?: string[]): Promise<number> {
  const r: [unknown[], number] = await tx.manager.query(
    `UPDATE inbound SET status = 'pending', next_attempt_at = now() WHERE status = 'failed' AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))`,
    [ids ?? null],
  );
  return r[1];
}

export async function inboundBacklog(store: Store): Promise<{ pending: number; failed: number; oldestPending: Date | null }> {
  const r: Array<{ pending: string; failed: string; oldest: Date | null }> = await store.dataSource.query(
    `SELECT count(*) FILTER (WHERE status = 'pending')::text AS pending, count(*) FILTER (WHERE status = 'failed')::text AS failed,
            min(received_at) FILTER (WHERE status = 'pending') AS oldest
     FROM inbound`,
  );
  return { pending: Number(r[0]?.pending ?? 0), failed: Number(r[0]?.failed ?? 0), oldestPending: r[0]?.oldest ?? null };
}

/** Deletes rows finished (done) more than `days` ago. */
export async function inboundPrune(store: Store, days: number): Promise<number> {
  const r: [unknown[], number] = await store.dataSource.query(`DELETE FROM inbound WHERE status = 'done' AND done_at < now() - make_interval(days => $1)`, [days]);
  return r[1];
}
