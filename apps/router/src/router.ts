// The router service: consumes esb.events.*, routes each event to esb.deliver.<systemId> in Kafka transactions
// (outputs, order-table changes and offsets commit together), reloads the topology without a restart.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { TransactionalProcessor, AvroSerde, ensureTopics, topics, type Logger } from '@esb/bus';
import { loadSchemas, schemaByName } from '@esb/canonical';
import type { Topology } from '@esb/config';
import { OrderStateTable, loadOrderState, ORDER_STATE_TOPIC, ORDER_ROUTE, orderRouteSchema } from './order-state.ts';
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
}

export function routerSerde(registryUrl: string): AvroSerde {
  return new AvroSerde(registryUrl, (name) => (name === ORDER_ROUTE ? orderRouteSchema : schemaByName(name)?.schema));
}

export class Router {
  readonly orders = new OrderStateTable();
  private processor?: TransactionalProcessor;
  readonly serde: AvroSerde;
  readonly groupId: string;

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
    const loaded = await loadOrderState(this.o.kafka, this.serde, this.orders, `${this.groupId}-state-${randomUUID()}`);
    this.o.logger.info('order table loaded', { orders: this.orders.size, records: loaded });
    this.processor = new TransactionalProcessor({
      kafka: this.o.kafka,
      serde: this.serde,
      groupId: this.groupId,
      topics: [...loadSchemas().values()].map((s) => s.topic),
      transactionalId: `${this.groupId}-${this.o.instanceId}`,
      logger: this.o.logger,
      transform: async (m) => {
        const out = route(this.o.topology(), this.orders, m.recordType, m.value as EventRecord, m.key ?? m.eventId);
        this.o.logger.info('routed', { eventId: m.eventId, recordType: m.recordType, ...out.decision });
        return out.records;
      },
      afterCommit: () => this.orders.commit(),
      onAbort: () => this.orders.abort(),
    });
    await this.processor.start();
  }

  get stats() {
    return this.processor?.stats;
  }

  async stop(): Promise<void> {
    await this.processor?.stop();
  }
}
