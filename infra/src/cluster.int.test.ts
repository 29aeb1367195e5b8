import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startKafka, kafkaVersion, type RunningKafka } from '@esb/infra';

describe('three-broker KRaft cluster on one machine', () => {
  let cluster: RunningKafka;
  const dir = mkdtempSync(join(tmpdir(), 'esb-cluster-'));
  beforeAll(async () => {
    cluster = await startKafka({ version: kafkaVersion(), dataDir: dir, nodes: 3, heap: '384m' });
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps acknowledged writes when the partition leader is killed', async () => {
    expect(cluster.brokers).toHaveLength(3);
    const kafka = new Kafka({ clientId: 'failover', brokers: cluster.brokers, logLevel: logLevel.NOTHING, retry: { retries: 15, initialRetryTime: 200 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'failover', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
    const leaderOf = async () => (await admin.fetchTopicMetadata({ topics: ['failover'] })).topics[0]!.partitions[0]!.leader;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // Only what the cluster acknowledged is promised; a send that failed during the election is sent again
    // (which may duplicate it: the guarantee checked below is "no acknowledged write lost, order kept").
    const acked: number[] = [];
    const send = async (from: number, to: number) => {
      for (let i = from; i < to; i += 10) {
        const values = Array.from({ length: 10 }, (_, j) => i + j);
        for (let attempt = 1; ; attempt++) {
          try {
            await producer.send({ topic: 'failover', acks: -1, messages: values.map((v) => ({ key: 'k', value: String(v) })) });
            acked.push(...values);
            break;
          } catch (e) {
            if (attempt >= 5) throw e;
            await new Promise((r) => setTimeout(r, 1000));
          }
        }
      }
    };
    await send(0, 200);
    const leader = await leaderOf();
    cluster.killNode(leader);
    await send(200, 400);
    // Metadata from a surviving broker may lag the election by a moment.
    let newLeader = await leaderOf();
    for (let i = 0; i < 100 && newLeader === leader; i++) {
      await new Promise((r) => setTimeout(r, 200));
      newLeader = await leaderOf();
    }
    expect(newLeader).not.toBe(leader);
    await cluster.restartNode(leader);
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'failover-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'failover', fromBeginning: true });
    const got: number[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          got.push(Number(message.value!.toString()));
          if (new Set(got).size >= 400) resolve();
        },
      });
    });
    await consumer.disconnect();
    await admin.disconnect();
    // Every acknowledged write survived the leader's death, in the order it was written.
    expect(acked).toEqual(Array.from({ length: 400 }, (_, i) => i));
    const firsts = got.filter((v, i) => got.indexOf(v) === i);
    expect(firsts).toEqual(acked);
  });
});
