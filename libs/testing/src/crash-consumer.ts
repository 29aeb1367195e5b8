// A BusConsumer in its own process for crash tests: applies Ping records into `applied` and, when CRASH_AFTER is
// set, SIGKILLs itself in the middle of handling that message (no cleanup, no commit: like a power cut).
// Without CRASH_AFTER it exits 0 once the group has no lag left, printing its stats as JSON.
import { createKafka, AvroSerde, createLogger, BusConsumer } from '@esb/bus';
import { requiredEnv, waitForNoLag } from './processes.ts';
import { Store } from '@esb/store';
import { testLookup, type Ping } from './fixtures.ts';

const env = requiredEnv;

const crashAfter = process.env.CRASH_AFTER ? Number(process.env.CRASH_AFTER) : undefined;
const logger = createLogger('crash-consumer', {}, (l) => process.stderr.write(`${l}\n`));
const kafka = createKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: 'crash-consumer' });
const store = await Store.open({ url: env('DATABASE_URL'), schema: env('STORE_SCHEMA') });
let handled = 0;
const consumer = new BusConsumer({
  kafka,
  serde: new AvroSerde(env('SCHEMA_REGISTRY_URL'), testLookup),
  store,
  groupId: env('GROUP'),
  topics: [env('TOPIC')],
  // A killed predecessor stays a group member until its session times out: keep that short here.
  sessionTimeout: 6000,
  service: 'crash-consumer',
  logger,
  handler: async (m, { tx }) => {
    await tx.manager.query(`INSERT INTO applied VALUES ($1, $2)`, [m.eventId, (m.value as unknown as Ping).n]);
    handled++;
    if (crashAfter !== undefined && handled === crashAfter) process.kill(process.pid, 'SIGKILL');
  },
});
await consumer.start();
if (crashAfter !== undefined) await new Promise(() => undefined); // runs until it kills itself
await waitForNoLag(kafka, env('GROUP'), env('TOPIC'));
await consumer.stop();
await store.close();
process.stdout.write(`${JSON.stringify(consumer.stats)}\n`);
process.exit(0);
