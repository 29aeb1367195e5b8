// What the router remembers about each order: where it came from and which legal entity's database has it. Needed
// to send a payment back to the site an order came from, and to notice a deal moving to another entity's funnel.
// The table lives in a compacted Kafka topic written in the same transaction as the deliveries, so it can never
// disagree with what was delivered; every instance reads it whole at start-up and follows it.
import type { Kafka } from 'kafkajs';
import type { AvroSerde } from '@esb/bus';

export const ORDER_STATE_TOPIC = 'esb.router.order-state';
export const ORDER_ROUTE = 'esb.router.OrderRoute';

export const orderRouteSchema = {
  type: 'record',
  name: 'OrderRoute',
  namespace: 'esb.router',
  doc: 'Router state of one order (compacted topic esb.router.order-state, key = orderId).',
  fields: [
    { name: 'orderId', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'orderNumber', type: ['null', 'string'], default: null },
    { name: 'originSystem', type: 'string' },
    { name: 'originKind', type: 'string' },
    { name: 'legalEntityId', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'tradeSystem', type: 'string' },
    { name: 'updatedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

export interface OrderRoute {
  orderId: string;
  orderNumber: string | null;
  originSystem: string;
  originKind: string;
  legalEntityId: string;
  tradeSystem: string;
  updatedAt: string;
}

/**
 * Committed state plus the changes of the transaction in progress: a transaction sees its own writes, an aborted
 * one leaves no trace, a committed one becomes the state.
 */
export class OrderStateTable {
  private readonly committed = new Map<string, OrderRoute>();
  private pending = new Map<string, OrderRoute>();

  get(orderId: string): OrderRoute | undefined {
    return this.pending.get(orderId) ?? this.committed.get(orderId);
  }

  stage(r: OrderRoute): void {
    this.pending.set(r.orderId, r);
  }

  commit(): void {
    for (const [k, v] of this.pending) this.committed.set(k, v);
    this.pending = new Map();
  }

  abort(): void {
    this.pending = new Map();
  }

  /** Applies a record read from the changelog (start-up, or another instance's writes). */
  applyCommitted(r: OrderRoute): void {
    this.committed.set(r.orderId, r);
  }

  get size(): number {
    return this.committed.size;
  }
}

export interface OrderStateFollower {
  /** Records read while loading (up to the end offsets seen at start). */
  loaded: number;
  /** Records applied since, written by this or another instance. */
  followed(): number;
  stop(): Promise<void>;
}

/**
 * Reads the changelog from the beginning to its end (read_committed) into the table, then keeps following it, so
 * an order routed by another instance is known here when its partition moves to this instance. A partition is
 * loaded when a processed batch leaves no lag; KafkaJS reports batches that are empty after filtering too, so a tail
 * of transaction markers or aborted records still counts as read.
 */
export async function followOrderState(kafka: Kafka, serde: AvroSerde, table: OrderStateTable, groupId: string, timeoutMs = 120_000): Promise<OrderStateFollower> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Awaited<ReturnType<typeof admin.fetchTopicOffsets>>;
  try {
    // Right after the topic was created a broker may still answer NOT_LEADER for a moment.
    for (let attempt = 1; ; attempt++) {
      try {
        ends = await admin.fetchTopicOffsets(ORDER_STATE_TOPIC);
        break;
      } catch (e) {
        if (!(e as { retriable?: boolean }).retriable || attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const pending = new Set(ends.filter((e) => e.high !== e.low).map((e) => e.partition));
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: ORDER_STATE_TOPIC, fromBeginning: true });
  let n = 0;
  let loaded = -1;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`order table not loaded from ${ORDER_STATE_TOPIC} within ${timeoutMs} ms (partitions left: ${[...pending].join(',')})`)), timeoutMs);
      const done = () => {
        if (pending.size > 0 || loaded >= 0) return;
        loaded = n;
        clearTimeout(timer);
        resolve();
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, (e: { payload: { partition: number; offsetLag: string } }) => {
        if (e.payload.offsetLag === '0') pending.delete(e.payload.partition);
        done();
      });
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            if (!message.value) return;
            table.applyCommitted((await serde.decode<OrderRoute>(message.value)).value);
            n++;
          },
        })
        .then(done, reject);
    });
  } catch (e) {
    await consumer.disconnect();
    throw e;
  }
  return { loaded, followed: () => n - loaded, stop: () => consumer.disconnect() };
}

/** Loads the table once (tools, tests) without following. */
export async function loadOrderState(kafka: Kafka, serde: AvroSerde, table: OrderStateTable, groupId: string, timeoutMs = 120_000): Promise<number> {
  const f = await followOrderState(kafka, serde, table, groupId, timeoutMs);
  await f.stop();
  return f.loaded;
}
