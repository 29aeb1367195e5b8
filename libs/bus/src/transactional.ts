// Exactly-once consume–transform–produce (the router's engine): the outputs of a batch and the consumer offsets
// are committed in one Kafka transaction, so a crash either publishes both or neither. Records that cannot be
// transformed go to the DLQ inside the same transaction.
import type { Kafka, Consumer, Producer, EachBatchPayload, IHeaders, Transaction } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AvroSerde } from './serde.ts';
import type { Logger } from './logger.ts';
import { busHeaders, type OutgoingRecord } from './producer.ts';
import { classifyError, backoffDelay, DEFAULT_RETRY, type RetryPolicy } from './errors.ts';
import { topics as topicNames, ensureTopics, HEADERS } from './kafka.ts';
import { dlqHeaders, headersToStrings, type BusMessage } from './consumer.ts';

export type Transform = (msg: BusMessage) => Promise<OutgoingRecord[]>;

export interface TransactionalProcessorOptions {
  kafka: Kafka;
  serde: AvroSerde;
  groupId: string;
  topics: string[];
  /** Stable per instance (e.g. `router-0`): a restarted instance fences its zombie predecessor. */
  transactionalId: string;
  transform: Transform;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  /** Messages per transaction at most (a batch may be split). */
  maxPerTransaction?: number;
  fromBeginning?: boolean;
  sessionTimeout?: number;
  /** Called after the outputs were sent inside the transaction, before it commits (tests use it to crash there). */
  beforeCommit?: (count: number) => Promise<void> | void;
  /** Called once a transaction committed: state derived from its outputs may now be considered durable. */
  afterCommit?: (count: number) => Promise<void> | void;
  /** Called when a transaction was aborted: state staged for it must be dropped (the batch will be re-read). */
  onAbort?: () => void;
  /** Called for each message put in the DLQ (inside the transaction in progress). */
  onDeadLetter?: (info: { topic: string; partition: number; offset: string; eventId: string | undefined; recordType: string | undefined; code: string; reason: string }) => void;
}

export class TransactionalProcessor {
  readonly consumer: Consumer;
  readonly producer: Producer;
  private readonly retry: RetryPolicy;
  private readonly dlqTopic: string;
  private stopping = false;
  stats = { transactions: 0, processed: 0, produced: 0, deadLettered: 0, aborted: 0 };

  constructor(private readonly o: TransactionalProcessorOptions) {
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.dlqTopic = topicNames.dlq(o.groupId);
    this.consumer = o.kafka.consumer({ groupId: o.groupId, readUncommitted: false, allowAutoTopicCreation: false, sessionTimeout: o.sessionTimeout ?? 30_000, heartbeatInterval: Math.min(3000, Math.floor((o.sessionTimeout ?? 30_000) / 3)) });
    this.producer = o.kafka.producer({ transactionalId: o.transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async start(): Promise<void> {
    await ensureTopics(this.o.kafka, [{ topic: this.dlqTopic }], this.o.logger);
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.o.topics, fromBeginning: this.o.fromBeginning ?? true });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.batch(p) });
    this.o.logger.info('transactional processor started', { group: this.o.groupId, topics: this.o.topics, transactionalId: this.o.transactionalId });
  }

  private async batch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const max = this.o.maxPerTransaction ?? 200;
    for (let i = 0; i < batch.messages.length && !this.stopping && p.isRunning() && !p.isStale(); i += max) {
      const chunk = batch.messages.slice(i, i + max);
      const outputs: Array<{ topic: string; key: string | Buffer | null; value: Buffer | null; headers: IHeaders }> = [];
      for (const m of chunk) {
        const headers = headersToStrings(m.headers);
        const out = await this.transformWithRetry(batch.topic, batch.partition, m.offset, m.key, m.value, headers, p.heartbeat);
        outputs.push(...out);
        this.stats.processed++;
      }
      const last = chunk[chunk.length - 1]!;
      let tx: Transaction | undefined;
      try {
        tx = await this.producer.transaction();
        const byTopic = new Map<string, typeof outputs>();
        for (const o of outputs) {
          const list = byTopic.get(o.topic);
          if (list) list.push(o);
          else byTopic.set(o.topic, [o]);
        }
        for (const [topic, messages] of byTopic) await tx.send({ topic, acks: -1, messages: messages.map(({ key, value, headers }) => ({ key, value, headers })) });
        await tx.sendOffsets({
          consumerGroupId: this.o.groupId,
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] }],
        });
        await this.o.beforeCommit?.(outputs.length);
        await tx.commit();
      } catch (e) {
        this.stats.aborted++;
        if (tx?.isActive()) await tx.abort().catch(() => undefined);
        this.o.onAbort?.();
        throw e; // KafkaJS re-delivers the uncommitted part of the batch
      }
      this.stats.transactions++;
      this.stats.produced += outputs.length;
      await this.o.afterCommit?.(outputs.length);
      p.resolveOffset(last.offset);
      await p.heartbeat();
    }
  }

  private async transformWithRetry(
    topic: string,
    partition: number,
    offset: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: Record<string, string>,
    heartbeat: () => Promise<void>,
  ): Promise<Array<{ topic: string; key: string | Buffer | null; value: Buffer | null; headers: IHeaders }>> {
    const first = new Date();
    for (let attempt = 1; ; attempt++) {
      try {
        const d = await this.o.serde.decode(value);
        const eventId = (d.value as { meta?: { eventId?: string } }).meta?.eventId ?? headers[HEADERS.eventId] ?? '';
        const msg: BusMessage = { topic, partition, offset, key: key?.toString('utf8') ?? null, headers, recordType: d.recordType, schemaId: d.schemaId, eventId, value: d.value };
        const records = await this.o.transform(msg);
        const out = [];
        for (const r of records) {
          out.push({ topic: r.topic, key: r.key, value: await this.o.serde.encode(r.topic, r.recordType, r.value), headers: busHeaders(r.recordType, r.value, r.headers) });
        }
        return out;
      } catch (e) {
        const c = classifyError(e);
        if (!c.retriable || attempt >= this.retry.maxAttempts) {
          this.stats.deadLettered++;
          this.o.logger.error('message sent to the DLQ', { topic, partition, offset, code: c.code, error: c.message });
          this.o.onDeadLetter?.({ topic, partition, offset, eventId: headers[HEADERS.eventId], recordType: headers[HEADERS.recordType], code: c.code, reason: c.message });
          return [
            {
              topic: this.dlqTopic,
              key,
              value,
              headers: { ...headers, ...dlqHeaders(c, e, { topic, partition, offset, group: this.o.groupId, attempts: attempt, firstFailure: first }) },
            },
          ];
        }
        const delay = backoffDelay(this.retry, attempt);
        this.o.logger.warn('retriable failure; backing off', { topic, partition, offset, attempt, retryInMs: delay, error: c.message });
        const until = Date.now() + delay;
        while (Date.now() < until) {
          await sleep(Math.min(1000, until - Date.now()));
          await heartbeat().catch(() => undefined);
        }
      }
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.consumer.disconnect();
    await this.producer.disconnect();
    this.o.logger.info('transactional processor stopped', { group: this.o.groupId, ...this.stats });
  }
}
