// Moves events from a service's outbox table to Kafka: oldest first, marked published only after the brokers
// acked. When Kafka is down the relay keeps the events and retries with backoff; nothing is dropped.
import { relayOutboxBatch, outboxBacklog, type Store, type StoreTx, type OutboxMessage } from '@esb/store';
import { schemaByName } from '@esb/canonical';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BusProducer } from './producer.ts';
import type { Logger } from './logger.ts';
import { EsbError, backoffDelay, DEFAULT_RETRY } from './errors.ts';

export interface OutboxRelayOptions {
  store: Store;
  producer: BusProducer;
  logger: Logger;
  batchSize?: number;
  /** Idle poll interval; `notify()` wakes the relay at once after an in-process write. */
  pollMs?: number;
}

export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private failures = 0;
  published = 0;

  constructor(private readonly o: OutboxRelayOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  notify(): void {
    this.wake?.();
  }

  private async idle(ms: number): Promise<void> {
    const ac = new AbortController();
    this.wake = () => ac.abort();
    await sleep(ms, undefined, { signal: ac.signal }).catch(() => undefined);
    this.wake = undefined;
  }

  /** Publishes everything pending now; used by the loop and by tests/tools that want a synchronous drain. */
  async drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const r = await relayOutboxBatch(this.o.store, this.o.batchSize ?? 200, (rows) =>
        this.o.producer.send(rows.map((row) => ({ topic: row.topic, key: row.key, recordType: row.recordType, value: row.payload, headers: row.headers }))),
      );
      total += r.published;
      if (r.claimed === 0 || !r.locked) return total;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const n = await this.drainOnce();
        this.published += n;
        if (this.failures > 0) {
          this.o.logger.info('outbox relay recovered', { afterFailures: this.failures });
          this.failures = 0;
        }
        if (n === 0) await this.idle(this.o.pollMs ?? 250);
      } catch (e) {
        this.failures++;
        const delay = backoffDelay({ ...DEFAULT_RETRY, maxDelayMs: 5000 }, this.failures);
        const backlog = await outboxBacklog(this.o.store).catch(() => undefined);
        this.o.logger.warn('outbox relay cannot publish; will retry', { error: (e as Error).message, attempt: this.failures, retryInMs: delay, pending: backlog?.pending });
        await this.idle(delay);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}

/**
 * Writes a canonical event into the outbox inside the caller's transaction, after checking it against its
 * schema: a bad record is refused at the edge with the field named, instead of blocking the relay later.
 */
export async function publishToOutbox(tx: StoreTx, m: Omit<OutboxMessage, 'eventId' | 'topic'> & { topic?: string; eventId?: string }): Promise<boolean> {
  const s = schemaByName(m.recordType);
  if (!s) throw new EsbError('ESB_ENCODE', `unknown record type ${m.recordType}`);
  const errors: string[] = [];
  if (!s.type.isValid(m.payload, { errorHook: (path) => errors.push(path.join('.') || '(root)') })) {
    throw new EsbError('ESB_ENCODE', `${m.recordType} is not valid against its schema at: ${errors.join(', ')}`);
  }
  const eventId = m.eventId ?? (m.payload as { meta?: { eventId?: string } }).meta?.eventId;
  if (!eventId) throw new EsbError('ESB_NO_EVENT_ID', `${m.recordType} has no meta.eventId`);
  return tx.outboxAdd({ ...m, eventId, topic: m.topic ?? s.topic });
}
