import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { harness, ping, PING, endpoints, type Harness } from '@esb/testing';
import { runScript } from '@esb/testing/processes';
import { BusProducer, readConsumerLag } from '@esb/bus';

const script = new URL('../../testing/src/crash-consumer.ts', import.meta.url).pathname;

const runConsumer = (env: Record<string, string>) => runScript(script, env);

describe('a consumer killed mid-batch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('crash');
    await h.store.dataSource.query(`CREATE TABLE applied (event_id uuid, n int)`);
  });
  afterAll(() => h.close());

  it('does not apply any message twice after SIGKILL and restart', async () => {
    const topic = await h.topic('crash');
    const group = `${h.name}-g`;
    const N = 300;
    const producer = new BusProducer(h.kafka, h.serde);
    const values = Array.from({ length: N }, (_, i) => ping(i));
    await producer.send(values.map((v) => ({ topic, key: `k${v.n % 7}`, recordType: PING, value: v })));
    await producer.disconnect();

    const e = endpoints();
    const env = {
      KAFKA_BROKERS: e.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: e.schemaRegistryUrl,
      DATABASE_URL: e.databaseUrl,
      STORE_SCHEMA: h.store.schema,
      TOPIC: topic,
      GROUP: group,
    };
    const first = await runConsumer({ ...env, CRASH_AFTER: '120' });
    expect(first.signal).toBe('SIGKILL');
    const afterCrash: Array<{ c: string }> = await h.store.dataSource.query(`SELECT count(*)::text AS c FROM applied`);
    // The 120th message was in its transaction when the process died: it rolled back with it.
    expect(Number(afterCrash[0]!.c)).toBe(119);

    const lag = await readConsumerLag(h.kafka, group, [topic]);
    const committed = Number(lag[0]?.committed ?? 0);
    expect(committed).toBeLessThan(119);

    const second = await runConsumer(env);
    expect(second.code, second.stderr.slice(-2000)).toBe(0);
    const stats = JSON.parse(second.stdout.trim().split('\n').pop()!) as { applied: number; duplicates: number };

    const rows: Array<{ event_id: string; c: string }> = await h.store.dataSource.query(`SELECT event_id, count(*)::text AS c FROM applied GROUP BY event_id`);
    expect(rows).toHaveLength(N);
    expect(rows.filter((r) => r.c !== '1')).toEqual([]);
    // The restart really saw the uncommitted messages again, and the inbox turned them away.
    expect(stats.duplicates).toBe(119 - committed);
    expect(stats.duplicates).toBeGreaterThan(0);
    expect(stats.applied).toBe(N - 119);
  });
});
