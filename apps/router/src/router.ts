// The router service: consumes esb.events.*, routes each event to esb.deliver.<systemId> in Kafka transactions
// (outputs, order-table changes and offsets commit together), reloads the topology without a restart.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { TransactionalProcessor, AvroSerde, ensureTopics, topics, type Logger } from '@esb/bus';
import { loadSchemas, schemaByName } from '@esb/canonical';
import type { Topology } from '@esb/config';
import type { Store, ExchangeEntry } from '@esb/store';
import { OrderStateTable, followOrderState, type OrderStateFollower, ORDER_STATE_TOPIC, ORDER_ROUTE, orderRouteSchema } from './order-state.ts';
import { route, type EventRecord } from './route.ts';

export interface RouterOptions {
  kafka: Kafka;
  registryUrl: string;
  logger: Logger;
  topology: () => Topology;
  /** Stable per instance, e.g. `router-0`. */
  instanceId: string;
  groupId?: string;
  partitions?: number;
  /** Where routing decisions are traced (exchange_log); written after each transaction commits. */
  store?: Store;
}

/** The deal an event is about, under the key the connectors use, so one query traces a deal across services. */
function dealKey(v: EventRecord): Record<string, string> {
  const origin = v.origin as { entityType?: string; externalId?: string } | undefined;
  return origin?.entityType === 'deal' && origin.externalId ? { deal: origin.externalId } : {};
}

export function routerSerde(registryUrl: string): AvroSerde {
  return new AvroSerde(registryUrl, (name) => (name === ORDER_ROUTE ? orderRouteSchema : schemaByName(name)?.schema));
}

export class Router {
  readonly orders = new OrderStateTable();
  private processor?: TransactionalProcessor;
  readonly serde: AvroSerde;
  readonly groupId: string;
  private traced: ExchangeEntry[] = [];
  private follower?: OrderStateFollower;

  constructor(private readonly o: RouterOptions) {
    this.serde = routerSerde(o.registryUrl);
    this.groupId = o.groupId ?? 'esb-router';
  }

  /** Topics the router reads and writes; a system added to the config gets its delivery topic here. */
  async ensureTopics(): Promise<void> {
    const partitions = this.o.partitions ?? 3;
    const t = this.o.topology();
    await ensureTopics(
      this.o.kafka,
      [
        ...[...loadSchemas().values()].map((s) => ({ topic: s.topic, partitions })),
        ...Object.keys(t.systems).map((id) => ({ topic: topics.deliver(id), partitions })),
        { topic: ORDER_STATE_TOPIC, partitions, configs: { 'cleanup.policy': 'compact' } },
      ],
      this.o.logger,
    );
  }

  async start(): Promise<void> {
    await this.ensureTopics();
    this.follower = await followOrderState(this.o.kafka, this.serde, this.orders, `${this.groupId}-state-${randomUUID()}`);
    this.o.logger.info('order table loaded; following it', { orders: this.orders.size, records: this.follower.loaded });
    this.processor = new TransactionalProcessor({
      kafka: this.o.kafka,
      serde: this.serde,
      groupId: this.groupId,
      topics: [...loadSchemas().values()].map((s) => s.topic),
      transactionalId: `${this.groupId}-${this.o.instanceId}`,
      logger: this.o.logger,
      transform: async (m) => {
        const t0 = performance.now();
        const v = m.value as EventRecord;
        const out = route(this.o.topology(), this.orders, m.recordType, v, m.key ?? m.eventId);
        this.o.logger.info('routed', { eventId: m.eventId, recordType: m.recordType, ...out.decision });
        this.traced.push({
          service: 'router',
          direction: 'internal',
          operation: `route ${m.topic}`,
          status: 'ok',
          systemId: v.meta.source.system,
          recordType: m.recordType,
          eventId: m.eventId,
          correlationId: v.meta.correlationId,
          businessKeys: { sourceExternalId: v.meta.source.externalId, legalEntity: out.decision.entity, ...(typeof v.orderId === 'string' ? { orderId: v.orderId } : {}), ...dealKey(v) },
          latencyMs: performance.now() - t0,
          details: { ...out.decision },
        });
        return out.records;
      },
      afterCommit: async () => {
        this.orders.commit();
        const entries = this.traced;
        this.traced = [];
        // The trace follows the commit; losing it in a crash loses no data, the Kafka transaction is the truth.
        if (this.o.store) for (const e of entries) await this.o.store.log(e).catch((err: unknown) => this.o.logger.warn('exchange log write failed', { error: (err as Error).message }));
      },
      onDeadLetter: (d) =>
        this.traced.push({
          service: 'router',
          direction: 'internal',
          operation: `route ${d.topic}`,
          status: 'dlq',
          recordType: d.recordType ?? null,
          eventId: d.eventId ?? null,
          errorCode: d.code,
          error: d.reason,
          details: { partition: d.partition, offset: d.offset, dlq: topics.dlq(this.groupId) },
        }),
      onAbort: () => {
        this.orders.abort();
        this.traced = [];
      },
    });
    await this.processor.start();
  }

  get stats() {
    return this.processor?.stats;
  }

  async stop(): Promise<void> {
    await this.processor?.stop();
    await this.follower?.stop();
    this.follower = undefined;
  }
}
