// The inbound queue: events a service accepted from outside (webhook POSTs, drained offline queues, reconcile hits)
// kept durably before the sender gets its 200, and worked off by a poller that commits the resulting outbox rows in
// the same transaction as marking the row done. `dedupe_key` folds a new event into one still waiting for the same
// object (the worker reads the current state anyway); rows being worked on are locked and never merged into.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Inbound1763900000000 implements MigrationInterface {
  name = 'Inbound1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbound (
        id bigserial PRIMARY KEY,
        source text NOT NULL,
        kind text NOT NULL,
        dedupe_key text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        received_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz
      )`);
    await q.query(`CREATE INDEX inbound_due ON inbound (next_attempt_at, id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX inbound_pending_key ON inbound (dedupe_key) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX inbound_done_at ON inbound (done_at) WHERE status = 'done'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS inbound`);
  }
}
