// The idempotent producer (acks=all, one in-flight request per connection so retries keep order).
import type { Kafka, Producer, IHeaders } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import type { AvroSerde } from './serde.ts';
import { HEADERS } from './kafka.ts';

export interface OutgoingRecord {
  topic: string;
  key: string;
  recordType: string;
  value: unknown;
  headers?: Record<string, string>;
}

/** Standard headers from the record's `meta`, plus any the caller adds. */
export function busHeaders(recordType: string, value: unknown, extra: Record<string, string> = {}): IHeaders {
  const meta = (value as { meta?: { eventId?: string; correlationId?: string; source?: { system?: string } } } | null)?.meta;
  const h: Record<string, string> = { [HEADERS.recordType]: recordType, ...extra };
  if (meta?.eventId) h[HEADERS.eventId] = meta.eventId;
  if (meta?.correlationId) h[HEADERS.correlationId] = meta.correlationId;
  if (meta?.source?.system) h[HEADERS.sourceSystem] = meta.source.system;
  return h;
}

export class BusProducer {
  readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly serde: AvroSerde,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
  }

  /** Encodes and sends records (grouped per topic in one request), resolving once every broker acked. */
  async send(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, Array<{ key: string; value: Buffer; headers: IHeaders }>>();
    for (const r of records) {
      const value = await this.serde.encode(r.topic, r.recordType, r.value);
      const list = byTopic.get(r.topic) ?? [];
      list.push({ key: r.key, value, headers: busHeaders(r.recordType, r.value, r.headers) });
      byTopic.set(r.topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  async disconnect(): Promise<void> {
    if (this.connected) {
      this.connected = false;
      await this.producer.disconnect();
    }
  }
}
