// The catalog sink's staging table (sink/catalog.ts): the desired state of each product, price and stock level as
// delivered, marked dirty until the pusher has written it to the portal. The connector's own migration, applied at
// start-up after the shared tables (Connector.open's storeMigrations).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class B24Catalog1764100000000 implements MigrationInterface {
  name = 'B24Catalog1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE b24_catalog (
        product_id uuid PRIMARY KEY,
        xml_id text,
        article text,
        product jsonb,
        product_at timestamptz,
        price jsonb,
        price_at timestamptz,
        stock jsonb,
        b24_id bigint,
        pushed jsonb,
        dirty boolean NOT NULL DEFAULT true,
        version bigint NOT NULL DEFAULT 1,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_error text,
        event_id uuid,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX b24_catalog_dirty ON b24_catalog (updated_at) WHERE dirty`);
    await q.query(`CREATE INDEX b24_catalog_xml ON b24_catalog (xml_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE b24_catalog`);
  }
}

/** What Connector.open needs for the Bitrix24 connector's own tables. */
export const BITRIX24_MIGRATIONS = [B24Catalog1764100000000];
