// KafkaJS client construction with the bus's logging, and the topic names of architecture §2.
import { Kafka, logLevel, type KafkaConfig, type ITopicConfig } from 'kafkajs';
import { silenceKafkaJsTimeoutWarning } from '@esb/infra/quirks';
import type { Logger } from './logger.ts';

silenceKafkaJsTimeoutWarning();

export const topics = {
  events: (type: string) => `esb.events.${type}`,
  deliver: (systemId: string) => `esb.deliver.${systemId}`,
  dlq: (consumerGroup: string) => `esb.dlq.${consumerGroup}`,
};

/** Headers every bus message carries, so tools can route and trace without decoding the Avro body. */
export const HEADERS = {
  eventId: 'esb.event-id',
  recordType: 'esb.record-type',
  correlationId: 'esb.correlation-id',
  sourceSystem: 'esb.source-system',
} as const;

export function createKafka(opts: { brokers: string[]; clientId: string; logger?: Logger } & Omit<KafkaConfig, 'brokers' | 'clientId' | 'logCreator'>): Kafka {
  const { logger, ...rest } = opts;
  return new Kafka({
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
    ...rest,
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log }) => {
      if (!logger) return;
      const { message, ...fields } = log;
      const f = { kafka: log.namespace ?? '', ...fields };
      if (level === logLevel.ERROR) logger.error(String(message), f);
      else if (level === logLevel.WARN) logger.warn(String(message), f);
      else logger.debug(String(message), f);
    },
  });
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

/**
 * Creates missing topics and waits for their leaders; never relies on broker auto-creation.
 * An existing topic with fewer partitions than asked is reported, not changed: adding partitions moves keys.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[], logger?: Logger): Promise<{ created: string[] }> {
  // A broker that just started, or just created a topic, may answer "unknown topic" / "not leader" for a moment
  // (KRaft metadata propagation); those answers are retriable, so the whole check is retried with backoff.
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureTopicsOnce(kafka, specs, logger);
    } catch (e) {
      if (!(e as { retriable?: boolean }).retriable || attempt >= 10) throw e;
      logger?.warn('topic creation not settled yet; retrying', { attempt, error: (e as Error).message });
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function ensureTopicsOnce(kafka: Kafka, specs: TopicSpec[], logger?: Logger): Promise<{ created: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      const defs: ITopicConfig[] = missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions ?? 1,
        replicationFactor: s.replicationFactor ?? -1,
        configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
      }));
      try {
        await admin.createTopics({ topics: defs, waitForLeaders: true, timeout: 30_000 });
      } catch (e) {
        // Another instance created some of them at the same moment.
        if (!(e instanceof Error && /already exists/i.test(e.message))) throw e;
      }
      logger?.info('topics created', { topics: missing.map((m) => m.topic) });
    }
    const present = specs.filter((s) => existing.has(s.topic) && s.partitions !== undefined);
    if (present.length > 0) {
      const md = await admin.fetchTopicMetadata({ topics: present.map((p) => p.topic) });
      for (const t of md.topics) {
        const want = present.find((p) => p.topic === t.name)?.partitions ?? 0;
        if (t.partitions.length < want) logger?.warn('topic has fewer partitions than configured', { topic: t.name, has: t.partitions.length, configured: want });
      }
    }
    return { created: missing.map((m) => m.topic) };
  } finally {
    await admin.disconnect();
  }
}
