// A service's PostgreSQL store: one schema per service, migrations at start-up, and small repositories over
// the bus tables that work inside the caller's transaction (outbox + cursor, inbox + xref commit together).
import { DataSource, type EntityManager, type MigrationInterface } from 'typeorm';
import { entities, type ExchangeDirection, type ExchangeStatus } from './entities.ts';
import { Init1763700000000 } from './migrations/1763700000000-init.ts';
import { OauthToken1763800000000 } from './migrations/1763800000000-oauth-token.ts';
import { Inbound1763900000000 } from './migrations/1763900000000-inbound.ts';
import { PortalBucket1764000000000 } from './migrations/1764000000000-portal-bucket.ts';

export const migrations = [Init1763700000000, OauthToken1763800000000, Inbound1763900000000, PortalBucket1764000000000];

export interface StoreOptions {
  /** postgres://user:pass@host:port/db */
  url: string;
  /** The service's own schema (e.g. `connector_bitrix24_main`); created when missing. */
  schema: string;
  poolSize?: number;
  logging?: boolean;
  /** The service's own tables, applied after the shared ones (in timestamp order like them). */
  migrations?: Array<new () => MigrationInterface>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function schemaNameFor(service: string): string {
  return service.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^([^a-z_])/, '_$1').slice(0, 63);
}

export function createDataSource(opts: StoreOptions): DataSource {
  if (!SCHEMA_NAME.test(opts.schema)) throw new Error(`store schema "${opts.schema}" must match ${SCHEMA_NAME}`);
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    schema: opts.schema,
    entities,
    migrations: [...migrations, ...(opts.migrations ?? [])],
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: opts.logging ?? false,
    poolSize: opts.poolSize ?? 10,
    // Unqualified names in migrations and queries resolve to the service's schema.
    extra: { options: `-c search_path=${opts.schema},public`, application_name: `esb:${opts.schema}` },
  });
}

export interface OutboxMessage {
  eventId: string;
  topic: string;
  key: string;
  recordType: string;
  payload: object;
  headers?: Record<string, string>;
}

export interface ExchangeEntry {
  service: string;
  direction: ExchangeDirection;
  operation: string;
  status: ExchangeStatus;
  systemId?: string | null;
  recordType?: string | null;
  eventId?: string | null;
  correlationId?: string | null;
  businessKeys?: Record<string, string>;
  latencyMs?: number | null;
  errorCode?: string | null;
  error?: string | null;
  details?: Record<string, unknown> | null;
}

export interface XrefLink {
  entityType: string;
  canonicalId: string;
  systemId: string;
  externalId: string;
  number?: string | null;
  url?: string | null;
}

type Q = Pick<EntityManager, 'query'>;

const XREF_SELECT = `SELECT entity_type AS "entityType", canonical_id AS "canonicalId", system_id AS "systemId", external_id AS "externalId", number, url FROM xref`;

/** Repositories bound to one query executor: the data source, or a transaction's entity manager. */
export class StoreTx {
  constructor(readonly manager: EntityManager) {}

  private get q(): Q {
    return this.manager;
  }

  /** Adds an event to the outbox; a second add of the same eventId is ignored (returns false). */
  async outboxAdd(m: OutboxMessage): Promise<boolean> {
    const r: unknown[] = await this.q.query(
      `INSERT INTO outbox (event_id, topic, message_key, record_type, payload, headers)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING RETURNING id`,
      [m.eventId, m.topic, m.key, m.recordType, JSON.stringify(m.payload), JSON.stringify(m.headers ?? {})],
    );
    return r.length > 0;
  }

  /** Records an event as processed by a consumer group; false when it already was (a duplicate). */
  async inboxClaim(group: string, eventId: string, where?: { topic: string; partition: number; offset: string }): Promise<boolean> {
    const r: unknown[] = await this.q.query(
      `INSERT INTO inbox (consumer_group, event_id, topic, partition, "offset") VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [group, eventId, where?.topic ?? null, where?.partition ?? null, where?.offset ?? null],
    );
    return r.length > 0;
  }

  async inboxHas(group: string, eventId: string): Promise<boolean> {
    const r: unknown[] = await this.q.query(`SELECT 1 FROM inbox WHERE consumer_group = $1 AND event_id = $2`, [group, eventId]);
    return r.length > 0;
  }

  async cursorGet(name: string): Promise<string | undefined> {
    const r: Array<{ value: string }> = await this.q.query(`SELECT value FROM cursor WHERE name = $1`, [name]);
    return r[0]?.value;
  }

  async cursorSet(name: string, value: string): Promise<void> {
    await this.q.query(
      `INSERT INTO cursor (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [name, value],
    );
  }

  /** Links a canonical id to a system's record; re-linking the same pair updates number/url. */
  async xrefPut(l: XrefLink): Promise<void> {
    await this.q.query(
      `INSERT INTO xref (entity_type, canonical_id, system_id, external_id, number, url) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT xref_canonical DO UPDATE
         SET external_id = EXCLUDED.external_id, number = COALESCE(EXCLUDED.number, xref.number),
             url = COALESCE(EXCLUDED.url, xref.url), updated_at = now()`,
      [l.entityType, l.canonicalId, l.systemId, l.externalId, l.number ?? null, l.url ?? null],
    );
  }

  async xrefByCanonical(entityType: string, canonicalId: string, systemId: string): Promise<XrefLink | undefined> {
    const r: XrefLink[] = await this.q.query(
      `${XREF_SELECT} WHERE entity_type = $1 AND canonical_id = $2 AND system_id = $3`,
      [entityType, canonicalId, systemId],
    );
    return r[0];
  }

  async xrefByExternal(entityType: string, systemId: string, externalId: string): Promise<XrefLink | undefined> {
    const r: XrefLink[] = await this.q.query(
      `${XREF_SELECT} WHERE entity_type = $1 AND system_id = $2 AND external_id = $3`,
      [entityType, systemId, externalId],
    );
    return r[0];
  }

  async log(e: ExchangeEntry): Promise<void> {
    await this.q.query(
      `INSERT INTO exchange_log (service, direction, system_id, operation, record_type, event_id, correlation_id, business_keys, status, latency_ms, error_code, error, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        e.service,
        e.direction,
        e.systemId ?? null,
        e.operation,
        e.recordType ?? null,
        e.eventId ?? null,
        e.correlationId ?? null,
        JSON.stringify(e.businessKeys ?? {}),
        e.status,
        e.latencyMs === undefined || e.latencyMs === null ? null : Math.round(e.latencyMs),
        e.errorCode ?? null,
        e.error ?? null,
        e.details ? JSON.stringify(e.details) : null,
      ],
    );
  }
}

export class Store extends StoreTx {
  private constructor(
    readonly dataSource: DataSource,
    readonly schema: string,
  ) {
    super(dataSource.manager);
  }

  /** Connects, creates the schema when missing and applies pending migrations. */
  static async open(opts: StoreOptions): Promise<Store> {
    const ds = createDataSource(opts);
    await ds.initialize();
    try {
      await ds.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema}"`);
      // Two instances of one service starting together must not both run the migrations.
      await ds.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`esb-migrate:${opts.schema}`]);
      });
      await ds.runMigrations({ transaction: 'all' });
    } catch (e) {
      await ds.destroy();
      throw e;
    }
    return new Store(ds, opts.schema);
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((m) => fn(new StoreTx(m)));
  }

  /** Deletes inbox entries older than `days` (the dedup window) and published outbox rows older than `days`. */
  async prune(days: number): Promise<{ inbox: number; outbox: number }> {
    const inbox: [unknown[], number] = await this.dataSource.query(`DELETE FROM inbox WHERE processed_at < now() - make_interval(days => $1)`, [days]);
    const outbox: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - make_interval(days => $1)`,
      [days],
    );
    return { inbox: inbox[1], outbox: outbox[1] };
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
