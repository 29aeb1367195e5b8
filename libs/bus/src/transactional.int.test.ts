import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { harness, ping, PING, endpoints, type Harness, type Ping } from '@esb/testing';
import { runScript } from '@esb/testing/processes';
import { BusProducer, topics, headersToStrings, DLQ_HEADERS } from '@esb/bus';

const script = new URL('../../testing/src/eos-worker.ts', import.meta.url).pathname;

const runWorker = (env: Record<string, string>) => runScript(script, env);

async function readAll(h: Harness, topic: string, readUncommitted: boolean, expectAtLeast: number): Promise<Ping[]> {
  const c = h.kafka.consumer({ groupId: `${h.name}-${readUncommitted ? 'ru' : 'rc'}-${Date.now()}`, readUncommitted });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  const out: Ping[] = [];
  let lastAt = Date.now();
  void c.run({
    eachMessage: async ({ message }) => {
      out.push((await h.serde.decode<Ping>(message.value)).value);
      lastAt = Date.now();
    },
  });
  // Read until at least the expected count arrived and nothing new came for a second.
  while (out.length < expectAtLeast || Date.now() - lastAt < 1500) await new Promise((r) => setTimeout(r, 100));
  await c.disconnect();
  return out;
}

describe('exactly-once consume–transform–produce', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('eos');
  });
  afterAll(() => h.close());

  it('publishes each output once across a SIGKILL between send and commit', async () => {
    const inTopic = await h.topic('in');
    const outTopic = await h.topic('out');
    const N = 100;
    const producer = new BusProducer(h.kafka, h.serde);
    await producer.send(Array.from({ length: N }, (_, i) => ({ topic: inTopic, key: `k${i}`, recordType: PING, value: ping(i) })));
    await producer.disconnect();
    // A poison message in the input: it must go to the DLQ inside a transaction, once.
    const raw = h.kafka.producer();
    await raw.connect();
    await raw.send({ topic: inTopic, messages: [{ key: 'poison', value: Buffer.from('not avro') }] });
    await raw.disconnect();
    const e = endpoints();
    const env = {
      KAFKA_BROKERS: e.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: e.schemaRegistryUrl,
      IN_TOPIC: inTopic,
      OUT_TOPIC: outTopic,
      GROUP: `${h.name}-router`,
      TX_ID: `${h.name}-router-0`,
      PER_TX: '25',
    };
    const crashed = await runWorker({ ...env, CRASH_ON_TX: '2' });
    expect(crashed.signal).toBe('SIGKILL');
    // Killed again just after a commit: the offsets went with the outputs, so nothing is produced twice.
    const crashedAfterCommit = await runWorker({ ...env, CRASH_AFTER_TX: '1' });
    expect(crashedAfterCommit.signal).toBe('SIGKILL');
    const done = await runWorker(env);
    expect(done.code, done.stderr.slice(-2000)).toBe(0);

    const committed = await readAll(h, outTopic, false, N);
    expect(committed.map((v) => v.n).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i * 10));
    // The killed transaction really wrote records to the log; only read_committed hides them.
    const everything = await readAll(h, outTopic, true, N + 1);
    expect(everything.length).toBeGreaterThan(N);
    const dlq = h.kafka.consumer({ groupId: `${h.name}-dlq-reader`, readUncommitted: false });
    await dlq.connect();
    await dlq.subscribe({ topic: topics.dlq(env.GROUP), fromBeginning: true });
    const dead: Array<{ key: string; code: string | undefined }> = [];
    let lastAt = Date.now();
    void dlq.run({
      eachMessage: async ({ message }) => {
        dead.push({ key: message.key!.toString(), code: headersToStrings(message.headers)[DLQ_HEADERS.code] });
        lastAt = Date.now();
      },
    });
    while (dead.length < 1 || Date.now() - lastAt < 1500) await new Promise((r) => setTimeout(r, 100));
    await dlq.disconnect();
    expect(dead).toEqual([{ key: 'poison', code: 'ESB_DECODE' }]);
  });
});
