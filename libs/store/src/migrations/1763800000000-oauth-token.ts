// OAuth tokens of Bitrix24 server applications, one row per portal keyed by member_id (a portal's domain can
// change, its member_id cannot). The tokens are AES-256-GCM ciphertext + nonce: encryption and the key live in
// @esb/bitrix24-client, so a database dump alone does not reveal a working token. `version` lets several processes
// of one connector refresh without sending a single-use refresh token twice (compare-and-swap / SELECT … FOR UPDATE).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OauthToken1763800000000 implements MigrationInterface {
  name = 'OauthToken1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oauth_token (
        member_id text PRIMARY KEY,
        domain text NOT NULL,
        client_id text NOT NULL,
        client_endpoint text NOT NULL,
        scope text,
        access_token bytea NOT NULL,
        access_nonce bytea NOT NULL,
        refresh_token bytea NOT NULL,
        refresh_nonce bytea NOT NULL,
        expires_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        version bigint NOT NULL DEFAULT 1
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS oauth_token`);
  }
}
