// The connector runtime (architecture §4), one per deployed system instance (SYSTEM_ID):
//   source side: webhook / poller → mapping → outbox (same DB transaction as the cursor) → relay → esb.events.*
//   sink side:   esb.deliver.<id> → inbox check → handler (NestJS @EventPattern) → xref + inbox in one transaction
// plus the HTTP server with health and metrics. Connectors bring their routes, pollers and sink controllers.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Global, Module, type DynamicModule, type Type, type INestMicroservice, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { Admin, Kafka } from 'kafkajs';
import {
  AvroSerde,
  BusProducer,
  EsbTransport,
  OutboxRelay,
  PassThroughRpcFilter,
  createKafka,
  createLogger,
  ensureTopics,
  publishToOutbox,
  readConsumerLag,
  topics,
  type BusConsumer,
  type BusMessage,
  type Logger,
  type RetryPolicy,
} from '@esb/bus';
import { schemaByName, type Meta } from '@esb/canonical';
import type { SystemKind, Topology } from '@esb/config';
import { Store, outboxBacklog, schemaNameFor, type ExchangeEntry, type StoreOptions, type StoreTx } from '@esb/store';
import { ConnectorHttp, type HttpHandler, type RunningHttp } from './http.ts';
import { Metrics } from './metrics.ts';
import { Poller, type PollJob } from './poller.ts';

/** Injection token of the running Connector inside the sink's Nest module. */
export const CONNECTOR = Symbol.for('esb.connector');

export interface Endpoints {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
}

export type SystemOf<K extends SystemKind> = Extract<Topology['systems'][string], { kind: K }>;

export interface ConnectorOptions {
  /** Service name: `connector-bitrix24`, `connector-1c-ut`... (logs, exchange log, metrics). */
  service: string;
  systemId: string;
  /** Kinds of system this connector can serve; the topology's entry for systemId must be one of them. */
  kinds: readonly SystemKind[];
  /** The current topology; a function so a reloaded one is seen by the next event. */
  topology: () => Topology;
  endpoints: Endpoints;
  logger?: Logger;
  http?: { port?: number; host?: string; maxBodyBytes?: number };
  /** PostgreSQL schema of this deployment (default: service + system id). */
  storeSchema?: string;
  /** The connector's own tables (TypeORM migrations), applied after the shared ones at start-up. */
  storeMigrations?: NonNullable<StoreOptions['migrations']>;
  /** Record types the source side publishes: their topics are created at start-up. */
  emits?: string[];
  /** The external system's own readiness probe for /health/ready. */
  probe?: (c: Connector) => Promise<void>;
  sink?: {
    /** The connector's Nest module: controllers with `@EventPattern('<record full name>')` handlers. */
    module: Type | DynamicModule;
    retry?: Partial<RetryPolicy>;
    concurrency?: number;
    /** Consumer group (default `esb-sink-<systemId>`). */
    groupId?: string;
    businessKeys?: (msg: BusMessage) => Record<string, string>;
  };
  partitions?: number;
  /** Days processed inbox ids and published outbox rows are kept (the dedup window); default 14. */
  retentionDays?: number;
  /** Outbox relay idle poll. */
  relayPollMs?: number;
}

export interface MetaInit {
  externalId: string;
  occurredAt?: Date | string;
  legalEntityId?: string | null;
  correlationId?: string;
  causationId?: string | null;
  eventId?: string;
}

export class Connector {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly kafka: Kafka;
  readonly serde: AvroSerde;
  readonly producer: BusProducer;
  readonly relay: OutboxRelay;
  readonly http: ConnectorHttp;
  readonly deliverTopic: string;
  readonly groupId: string;
  private readonly pollers = new Map<string, Poller>();
  private admin?: Admin;
  private running?: { http: RunningHttp; sink?: INestMicroservice; transport?: EsbTransport };

  private constructor(
    readonly o: ConnectorOptions,
    readonly store: Store,
  ) {
    this.logger = o.logger ?? createLogger(o.service, { systemId: o.systemId });
    this.metrics = new Metrics({ service: o.service, system: o.systemId });
    this.kafka = createKafka({ brokers: o.endpoints.kafkaBrokers, clientId: `${o.service}-${o.systemId}`, logger: this.logger });
    this.serde = new AvroSerde(o.endpoints.schemaRegistryUrl);
    this.producer = new BusProducer(this.kafka, this.serde);
    this.relay = new OutboxRelay({ store, producer: this.producer, logger: this.logger, pollMs: o.relayPollMs ?? 200 });
    this.deliverTopic = topics.deliver(o.systemId);
    this.groupId = o.sink?.groupId ?? `esb-sink-${o.systemId}`;
    this.http = new ConnectorHttp({
      ...o.http,
      logger: this.logger,
      metrics: this.metrics,
      readiness: [
        { name: 'database', check: async () => void (await store.dataSource.query('SELECT 1')) },
        { name: 'kafka', check: () => this.kafkaReady() },
        { name: 'registry', check: () => this.registryReady() },
        ...(o.probe ? [{ name: o.systemId, check: () => o.probe!(this) }] : []),
      ],
    });
    this.registerGauges();
    // The inbox is the dedup window (architecture §6: pruned by age); published outbox rows are history.
    const days = o.retentionDays ?? 14;
    this.every('store-prune', 6 * 3_600_000, async () => {
      const r = await store.prune(days);
      if (r.inbox + r.outbox > 0) this.logger.info('store pruned', { olderThanDays: days, ...r });
    });
  }

  /** Checks the topology entry, opens the store (migrations run) and returns a connector not yet started. */
  static async open(o: ConnectorOptions): Promise<Connector> {
    const sys = o.topology().systems[o.systemId];
    if (!sys) throw new Error(`SYSTEM_ID "${o.systemId}" is not in the topology's systems (${Object.keys(o.topology().systems).join(', ')})`);
    if (!o.kinds.includes(sys.kind)) throw new Error(`system "${o.systemId}" is a ${sys.kind} system; ${o.service} serves ${o.kinds.join(', ')}`);
    const store = await Store.open({ url: o.endpoints.databaseUrl, schema: o.storeSchema ?? schemaNameFor(`${o.service}_${o.systemId}`), ...(o.storeMigrations ? { migrations: o.storeMigrations } : {}) });
    return new Connector(o, store);
  }

  get service(): string {
    return this.o.service;
  }
  get systemId(): string {
    return this.o.systemId;
  }
  get topology(): Topology {
    return this.o.topology();
  }
  /** This deployment's entry of the topology, typed by its kind. */
  system<K extends SystemKind>(kind: K): SystemOf<K> {
    const s = this.topology.systems[this.o.systemId];
    if (!s || s.kind !== kind) throw new Error(`system "${this.o.systemId}" is not a ${kind} system`);
    return s as SystemOf<K>;
  }
  get kind(): SystemKind {
    const s = this.topology.systems[this.o.systemId];
    if (!s) throw new Error(`system "${this.o.systemId}" left the topology`);
    return s.kind;
  }
  get url(): string | undefined {
    return this.running?.http.url;
  }
  /** The sink's consumer (stats, tests). */
  get sinkConsumer(): BusConsumer | undefined {
    return this.running?.transport?.unwrap<BusConsumer>();
  }

  /** The envelope of an event born in this system. */
  meta(m: MetaInit): Meta {
    const eventId = m.eventId ?? randomUUID();
    const at = m.occurredAt === undefined ? new Date() : new Date(m.occurredAt);
    return {
      eventId,
      occurredAt: (Number.isNaN(at.getTime()) ? new Date() : at).toISOString(),
      source: { system: this.o.systemId, kind: this.kind, externalId: m.externalId },
      legalEntityId: m.legalEntityId ?? null,
      correlationId: m.correlationId ?? eventId,
      causationId: m.causationId ?? null,
    };
  }

  /** The envelope of an event a sink emits in reaction to a delivered one (a Link, say): same correlation. */
  metaCausedBy(cause: { meta: Meta }, m: Omit<MetaInit, 'correlationId' | 'causationId'>): Meta {
    return this.meta({ ...m, legalEntityId: m.legalEntityId ?? cause.meta.legalEntityId, correlationId: cause.meta.correlationId, causationId: cause.meta.eventId });
  }

  /**
   * Puts a canonical event into the outbox inside `tx` (checked against its schema first). `key` is the
   * aggregate's canonical id. Returns false when the same eventId was already there.
   */
  async emit(tx: StoreTx, recordType: string, payload: { meta: Meta }, key: string, headers?: Record<string, string>): Promise<boolean> {
    const added = await publishToOutbox(tx, { recordType, payload, key, ...(headers ? { headers } : {}) });
    if (added) this.metrics.inc('esb_events_emitted_total', 'Canonical events put into the outbox by record type', { record: recordType });
    return added;
  }

  /** A store transaction whose outbox writes are relayed as soon as it commits. */
  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const r = await this.store.transaction(fn);
    this.relay.notify();
    return r;
  }

  /** An exchange-log entry of this service and system. */
  async log(e: Omit<ExchangeEntry, 'service'>, tx: StoreTx = this.store): Promise<void> {
    await tx.log({ systemId: this.o.systemId, ...e, service: this.o.service });
  }

  route(method: string, pattern: string | RegExp, handler: HttpHandler): this {
    this.http.on(method, pattern, handler);
    return this;
  }

  every(name: string, intervalMs: number, job: PollJob): Poller {
    if (this.pollers.has(name)) throw new Error(`poller ${name} is already registered`);
    const p = new Poller(name, intervalMs, job, this.logger, this.metrics);
    this.pollers.set(name, p);
    if (this.running) p.start();
    return p;
  }

  /** Runs a poller now and waits for it (tests, admin). */
  poll(name: string): Promise<void> {
    const p = this.pollers.get(name);
    if (!p) throw new Error(`no poller ${name}; known: ${[...this.pollers.keys()].join(', ')}`);
    return p.runNow();
  }

  async start(opts: { pollers?: boolean } = {}): Promise<void> {
    const eventTopics = (this.o.emits ?? []).map((r) => {
      const s = schemaByName(r);
      if (!s) throw new Error(`${this.o.service} emits ${r}, which is not a canonical record`);
      return s.topic;
    });
    const partitions = this.o.partitions ?? 3;
    await ensureTopics(
      this.kafka,
      [...new Set([...eventTopics, ...(this.o.sink ? [this.deliverTopic] : [])])].map((topic) => ({ topic, partitions })),
      this.logger,
    );
    await this.producer.connect();
    this.relay.start();
    const http = await this.http.listen();
    this.running = { http };
    if (this.o.sink) {
      const transport = new EsbTransport({
        kafka: this.kafka,
        serde: this.serde,
        store: this.store,
        groupId: this.groupId,
        topics: [this.deliverTopic],
        service: this.o.service,
        logger: this.logger,
        ...(this.o.sink.retry ? { retry: this.o.sink.retry } : {}),
        ...(this.o.sink.concurrency ? { concurrency: this.o.sink.concurrency } : {}),
        ...(this.o.sink.businessKeys ? { businessKeys: this.o.sink.businessKeys } : {}),
      });
      const root: DynamicModule = { module: ConnectorRootModule, imports: [this.o.sink.module], providers: [{ provide: CONNECTOR, useValue: this } as Provider], exports: [CONNECTOR], global: true };
      // The root must be global before the connector's module is scanned, so its controllers can inject CONNECTOR.
      const app = await NestFactory.createMicroservice<MicroserviceOptions>(
        { module: ConnectorKitModule, imports: [root] },
        { strategy: transport, logger: false },
      );
      // Handler errors reach the consumer as thrown: retriable ones are retried, permanent ones dead-lettered with their reason.
      app.useGlobalFilters(new PassThroughRpcFilter());
      await app.listen();
      this.running = { http, sink: app, transport };
    }
    if (opts.pollers ?? true) for (const p of this.pollers.values()) p.start();
    this.logger.info('connector started', { service: this.o.service, systemId: this.o.systemId, http: http.url, sink: this.o.sink ? this.deliverTopic : null, pollers: [...this.pollers.keys()] });
  }

  async stop(): Promise<void> {
    const r = this.running;
    this.running = undefined;
    await Promise.all([...this.pollers.values()].map((p) => p.stop()));
    await r?.sink?.close();
    await r?.http.close();
    await this.relay.stop();
    await this.producer.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    await this.store.close();
    this.logger.info('connector stopped', { service: this.o.service, systemId: this.o.systemId });
  }

  private async kafkaReady(): Promise<void> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    await this.admin.describeCluster();
  }

  private async registryReady(): Promise<void> {
    const res = await fetch(`${this.o.endpoints.schemaRegistryUrl.replace(/\/$/, '')}/subjects`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`schema registry answered HTTP ${res.status}`);
  }

  private registerGauges(): void {
    this.metrics.gauge('esb_outbox_pending', 'Events in the outbox not yet published to Kafka', async () => [{ value: (await outboxBacklog(this.store)).pending }]);
    this.metrics.gauge('esb_outbox_published', 'Events this process published from the outbox', async () => [{ value: this.relay.published }]);
    this.metrics.gauge('esb_sink_messages', 'Delivered messages handled by the sink, by outcome', async () => {
      const s = this.sinkConsumer?.stats;
      return s ? Object.entries(s).map(([outcome, value]) => ({ labels: { outcome }, value })) : [];
    });
    this.metrics.gauge('esb_consumer_lag', 'Consumer lag of the sink per topic and partition', async () => {
      if (!this.o.sink || !this.running) return [];
      const rows = await readConsumerLag(this.kafka, this.groupId, [this.deliverTopic]);
      return rows.map((r) => ({ labels: { group: r.group, topic: r.topic, partition: String(r.partition) }, value: Number(r.lag) }));
    });
  }
}

@Global()
@Module({})
class ConnectorRootModule {}

@Module({})
class ConnectorKitModule {}
