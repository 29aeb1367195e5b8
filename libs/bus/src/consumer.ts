// The bus consumer: decode, dedupe by eventId in the inbox, run the handler in the same database transaction,
// retry retriable failures with bounded exponential backoff, send permanent ones to the DLQ before the offset
// moves, and stop gracefully. Offsets are committed only for messages that were applied or dead-lettered.
import type { Kafka, Consumer, EachBatchPayload, KafkaMessage, IHeaders } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store, StoreTx, ExchangeEntry } from '@esb/store';
import type { AvroSerde } from './serde.ts';
import type { Logger } from './logger.ts';
import { classifyError, backoffDelay, DEFAULT_RETRY, EsbError, type RetryPolicy, type Classified } from './errors.ts';
import { topics as topicNames, ensureTopics, HEADERS } from './kafka.ts';

export interface BusMessage<T = Record<string, unknown>> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  recordType: string;
  schemaId: number;
  eventId: string;
  value: T;
}

export interface HandlerContext {
  /** The transaction the inbox row is written in: database effects here commit or roll back with it. */
  tx: StoreTx;
  attempt: number;
  log: Logger;
}

export type Handler = (msg: BusMessage, ctx: HandlerContext) => Promise<void>;

export interface BusConsumerOptions {
  kafka: Kafka;
  serde: AvroSerde;
  store: Store;
  groupId: string;
  topics: string[];
  /** The service name written to the exchange log. */
  service: string;
  handler: Handler;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  fromBeginning?: boolean;
  /** Business keys for the exchange log (INN, order number...) from a decoded record. */
  businessKeys?: (msg: BusMessage) => Record<string, string>;
  /** Commit offsets at least every this many messages inside a batch (besides at the end of each batch). */
  commitEvery?: number;
  sessionTimeout?: number;
  /** Partitions handled at the same time (order is kept within each partition). */
  concurrency?: number;
}

export const DLQ_HEADERS = {
  reason: 'esb.error.reason',
  code: 'esb.error.code',
  class: 'esb.error.class',
  attempts: 'esb.error.attempts',
  firstFailure: 'esb.error.first-failure',
  lastFailure: 'esb.error.last-failure',
  stack: 'esb.error.stack',
  topic: 'esb.original.topic',
  partition: 'esb.original.partition',
  offset: 'esb.original.offset',
  group: 'esb.original.consumer-group',
} as const;

export function headersToStrings(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}

/** The failure context a DLQ record carries next to the original headers (architecture §2). */
export function dlqHeaders(c: Classified, err: unknown, where: { topic: string; partition: number; offset: string; group: string; attempts: number; firstFailure: Date }): Record<string, string> {
  return {
    [DLQ_HEADERS.reason]: c.message.slice(0, 4000),
    [DLQ_HEADERS.code]: c.code,
    [DLQ_HEADERS.class]: c.retriable ? 'retriable-exhausted' : 'permanent',
    [DLQ_HEADERS.attempts]: String(where.attempts),
    [DLQ_HEADERS.firstFailure]: where.firstFailure.toISOString(),
    [DLQ_HEADERS.lastFailure]: new Date().toISOString(),
    [DLQ_HEADERS.stack]: (err instanceof Error && err.stack ? err.stack : String(err)).slice(0, 8000),
    [DLQ_HEADERS.topic]: where.topic,
    [DLQ_HEADERS.partition]: String(where.partition),
    [DLQ_HEADERS.offset]: where.offset,
    [DLQ_HEADERS.group]: where.group,
  };
}

class Stopping extends Error {}

export class BusConsumer {
  readonly consumer: Consumer;
  private readonly retry: RetryPolicy;
  private readonly dlqTopic: string;
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private readonly dlqProducer;
  stats = { applied: 0, duplicates: 0, deadLettered: 0, retries: 0 };

  constructor(private readonly o: BusConsumerOptions) {
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.dlqTopic = topicNames.dlq(o.groupId);
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: o.sessionTimeout ?? 30_000,
      heartbeatInterval: Math.min(3000, Math.floor((o.sessionTimeout ?? 30_000) / 3)),
      readUncommitted: false,
    });
    this.dlqProducer = o.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async start(): Promise<void> {
    await ensureTopics(this.o.kafka, [{ topic: this.dlqTopic }], this.o.logger);
    await this.dlqProducer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.o.topics, fromBeginning: this.o.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.o.concurrency ?? 1,
      eachBatch: (p) => this.batch(p),
    });
    this.o.logger.info('consumer started', { group: this.o.groupId, topics: this.o.topics });
  }

  private async batch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    let sinceCommit = 0;
    const commit = async (offset: string) => {
      await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(offset) + 1n).toString() }]);
      sinceCommit = 0;
    };
    let lastDone: string | undefined;
    for (const m of batch.messages) {
      if (this.stopping || !p.isRunning() || p.isStale()) break;
      try {
        await this.process(batch.topic, batch.partition, m, p.heartbeat);
      } catch (e) {
        if (e instanceof Stopping) break;
        throw e;
      }
      p.resolveOffset(m.offset);
      lastDone = m.offset;
      if (++sinceCommit >= (this.o.commitEvery ?? 500)) await commit(m.offset);
      await p.heartbeat();
    }
    if (lastDone !== undefined && sinceCommit > 0) await commit(lastDone);
  }

  private async process(topic: string, partition: number, m: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> {
    const headers = headersToStrings(m.headers);
    const key = m.key?.toString('utf8') ?? null;
    const where = { topic, partition, offset: m.offset };
    const firstFailure = new Date();
    let msg: BusMessage | undefined;
    let last: Classified | undefined;
    let lastErr: unknown;

    for (let attempt = 1; ; attempt++) {
      const t0 = performance.now();
      try {
        if (!msg) {
          const d = await this.o.serde.decode(m.value);
          const eventId = (d.value as { meta?: { eventId?: string } }).meta?.eventId ?? headers[HEADERS.eventId];
          if (!eventId) throw new EsbError('ESB_NO_EVENT_ID', `${d.recordType} at ${topic}/${partition}@${m.offset} has no meta.eventId`);
          msg = { topic, partition, offset: m.offset, key, headers, recordType: d.recordType, schemaId: d.schemaId, eventId, value: d.value };
        }
        const current = msg;
        const log = this.o.logger.child({ eventId: current.eventId, recordType: current.recordType, correlationId: headers[HEADERS.correlationId] });
        const applied = await this.o.store.transaction(async (tx) => {
          if (!(await tx.inboxClaim(this.o.groupId, current.eventId, where))) return false;
          await this.o.handler(current, { tx, attempt, log });
          await tx.log(this.entry(current, 'ok', { latencyMs: performance.now() - t0, details: { partition, offset: m.offset, attempt } }));
          return true;
        });
        if (applied) this.stats.applied++;
        else {
          this.stats.duplicates++;
          log.info('duplicate event skipped', { topic, partition, offset: m.offset });
          await this.o.store.log(this.entry(current, 'duplicate', { details: { partition, offset: m.offset } }));
        }
        return;
      } catch (e) {
        lastErr = e;
        last = classifyError(e);
        const exhausted = attempt >= this.retry.maxAttempts;
        if (!last.retriable || exhausted) break;
        this.stats.retries++;
        const delay = backoffDelay(this.retry, attempt);
        this.o.logger.warn('retriable failure; backing off', { topic, partition, offset: m.offset, eventId: msg?.eventId, attempt, retryInMs: delay, code: last.code, error: last.message });
        await this.o.store
          .log({ service: this.o.service, direction: 'in', operation: `consume ${topic}`, status: 'retry', recordType: msg?.recordType ?? null, eventId: msg?.eventId ?? null, errorCode: last.code, error: last.message, details: { attempt, retryInMs: delay } })
          .catch(() => undefined);
        await this.backoff(delay, heartbeat);
      }
    }
    await this.deadLetter(topic, partition, m, headers, msg, last!, lastErr, firstFailure);
  }

  /** Waits `ms` while keeping the group membership alive; a stop request ends the wait and leaves the offset. */
  private async backoff(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (this.stopping) throw new Stopping();
      await sleep(Math.min(1000, until - Date.now()), undefined, { signal: this.stopSignal.signal }).catch(() => undefined);
      await heartbeat().catch(() => undefined);
    }
    if (this.stopping) throw new Stopping();
  }

  /** An exchange-log entry about a decoded message. */
  private entry(msg: BusMessage, status: ExchangeEntry['status'], extra: Partial<ExchangeEntry>): ExchangeEntry {
    return {
      service: this.o.service,
      direction: 'in',
      operation: `consume ${msg.topic}`,
      status,
      recordType: msg.recordType,
      eventId: msg.eventId,
      correlationId: msg.headers[HEADERS.correlationId] ?? null,
      businessKeys: this.keys(msg),
      ...extra,
    };
  }

  private keys(msg: BusMessage): Record<string, string> {
    try {
      return this.o.businessKeys?.(msg) ?? {};
    } catch {
      return {};
    }
  }

  private async deadLetter(topic: string, partition: number, m: KafkaMessage, headers: Record<string, string>, msg: BusMessage | undefined, c: Classified, err: unknown, firstFailure: Date): Promise<void> {
    const errorHeaders = dlqHeaders(c, err, { topic, partition, offset: m.offset, group: this.o.groupId, attempts: c.retriable ? this.retry.maxAttempts : 1, firstFailure });
    // The original bytes and headers travel unchanged, so a replay is the very message that failed.
    await this.dlqProducer.send({
      topic: this.dlqTopic,
      acks: -1,
      messages: [{ key: m.key, value: m.value, headers: { ...headers, ...errorHeaders } }],
    });
    this.stats.deadLettered++;
    this.o.logger.error('message sent to the DLQ', { topic, partition, offset: m.offset, dlq: this.dlqTopic, eventId: msg?.eventId, recordType: msg?.recordType, code: c.code, error: c.message });
    await this.o.store
      .log({
        service: this.o.service,
        direction: 'in',
        operation: `consume ${topic}`,
        status: 'dlq',
        recordType: msg?.recordType ?? headers[HEADERS.recordType] ?? null,
        eventId: msg?.eventId ?? null,
        correlationId: headers[HEADERS.correlationId] ?? null,
        businessKeys: msg ? this.keys(msg) : {},
        errorCode: c.code,
        error: c.message,
        details: { partition, offset: m.offset, dlq: this.dlqTopic },
      })
      .catch((e: unknown) => this.o.logger.warn('exchange log write failed', { error: (e as Error).message }));
  }

  /** Finishes the message in hand, commits what was done, leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopSignal.abort();
    await this.consumer.disconnect();
    await this.dlqProducer.disconnect();
    this.o.logger.info('consumer stopped', { group: this.o.groupId, ...this.stats });
  }
}
