// The shared leaky bucket of a Bitrix24 portal (architecture §4, §11): one row per portal, read and written only by
// @esb/bitrix24-client's SharedBucket in single atomic statements, so every replica of a connector paces one bucket.
// `level` is the bucket's fill at `at` (database clock); readers drain it by leak × elapsed themselves.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PortalBucket1764000000000 implements MigrationInterface {
  name = 'PortalBucket1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE portal_bucket (
        portal_key text PRIMARY KEY,
        level double precision NOT NULL CHECK (level >= 0),
        at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS portal_bucket`);
  }
}
