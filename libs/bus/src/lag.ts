// Consumer lag as ops see it: per group, topic and partition, the committed offset against the high watermark.
import type { Kafka } from 'kafkajs';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** null when the group never committed on this partition. */
  committed: string | null;
  highWatermark: string;
  lowWatermark: string;
  lag: string;
}

export async function readConsumerLag(kafka: Kafka, group: string, topicList?: string[]): Promise<PartitionLag[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId: group, topics: topicList });
    const out: PartitionLag[] = [];
    for (const t of committed) {
      const ends = await admin.fetchTopicOffsets(t.topic);
      for (const e of ends) {
        const c = t.partitions.find((p) => p.partition === e.partition)?.offset;
        const has = c !== undefined && c !== '-1';
        // Without a commit the whole retained log is still to be read.
        const from = has ? BigInt(c) : BigInt(e.low);
        const lag = BigInt(e.high) - from;
        out.push({ group, topic: t.topic, partition: e.partition, committed: has ? c : null, highWatermark: e.high, lowWatermark: e.low, lag: (lag < 0n ? 0n : lag).toString() });
      }
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

export function totalLag(rows: PartitionLag[]): bigint {
  return rows.reduce((s, r) => s + BigInt(r.lag), 0n);
}
