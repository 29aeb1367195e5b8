// First schema of a service's store: outbox, inbox, xref, cursor and the append-only exchange log.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1763700000000 implements MigrationInterface {
  name = 'Init1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        topic text NOT NULL,
        message_key text NOT NULL,
        record_type text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        last_error text
      )`);
    await q.query(`CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL`);
    await q.query(`
      CREATE TABLE inbox (
        consumer_group text NOT NULL,
        event_id uuid NOT NULL,
        topic text,
        partition int,
        "offset" bigint,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, event_id)
      )`);
    await q.query(`CREATE INDEX inbox_processed_at ON inbox (processed_at)`);
    await q.query(`
      CREATE TABLE xref (
        id bigserial PRIMARY KEY,
        entity_type text NOT NULL,
        canonical_id uuid NOT NULL,
        system_id text NOT NULL,
        external_id text NOT NULL,
        number text,
        url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT xref_canonical UNIQUE (entity_type, canonical_id, system_id),
        CONSTRAINT xref_external UNIQUE (entity_type, system_id, external_id)
      )`);
    await q.query(`
      CREATE TABLE cursor (
        name text PRIMARY KEY,
        value text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE exchange_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        service text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('in', 'out', 'internal')),
        system_id text,
        operation text NOT NULL,
        record_type text,
        event_id uuid,
        correlation_id text,
        business_keys jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('ok', 'error', 'duplicate', 'skipped', 'retry', 'dlq')),
        latency_ms int,
        error_code text,
        error text,
        details jsonb
      )`);
    await q.query(`CREATE INDEX exchange_log_at ON exchange_log (at)`);
    await q.query(`CREATE INDEX exchange_log_event ON exchange_log (event_id)`);
    await q.query(`CREATE INDEX exchange_log_correlation ON exchange_log (correlation_id)`);
    await q.query(`CREATE INDEX exchange_log_keys ON exchange_log USING gin (business_keys jsonb_path_ops)`);
    // Append-only: the log is evidence; nothing may rewrite it (pruning goes through a dedicated role/job).
    await q.query(`
      CREATE FUNCTION exchange_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'exchange_log is append-only'; END $$`);
    await q.query(`CREATE TRIGGER exchange_log_no_update BEFORE UPDATE ON exchange_log FOR EACH ROW EXECUTE FUNCTION exchange_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['exchange_log', 'cursor', 'xref', 'inbox', 'outbox']) await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query(`DROP FUNCTION IF EXISTS exchange_log_append_only()`);
  }
}
