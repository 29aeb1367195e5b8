// A TransactionalProcessor in its own process for exactly-once tests: maps Ping n → Ping n*10 on OUT_TOPIC.
// With CRASH_ON_TX=k it SIGKILLs itself inside the k-th transaction, after the outputs were sent and before commit.
// Without it, it exits 0 once the group has no lag left.
import { createKafka, AvroSerde, createLogger, TransactionalProcessor } from '@esb/bus';
import { requiredEnv, waitForNoLag } from './processes.ts';
import { testLookup, PING, type Ping } from './fixtures.ts';

const env = requiredEnv;
const crashOn = process.env.CRASH_ON_TX ? Number(process.env.CRASH_ON_TX) : undefined;
// CRASH_AFTER_TX=k: SIGKILL right after the k-th transaction committed (outputs and offsets are in it together).
const crashAfter = process.env.CRASH_AFTER_TX ? Number(process.env.CRASH_AFTER_TX) : undefined;
let committed = 0;
const logger = createLogger('eos-worker', {}, (l) => process.stderr.write(`${l}\n`));
const kafka = createKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: 'eos-worker', logger });
let txs = 0;
const p = new TransactionalProcessor({
  kafka,
  serde: new AvroSerde(env('SCHEMA_REGISTRY_URL'), testLookup),
  groupId: env('GROUP'),
  topics: [env('IN_TOPIC')],
  transactionalId: env('TX_ID'),
  logger,
  // A killed predecessor stays a group member until its session times out: keep that short here.
  sessionTimeout: 6000,
  maxPerTransaction: Number(process.env.PER_TX ?? 25),
  transform: async (m) => {
    const v = m.value as unknown as Ping;
    return [{ topic: env('OUT_TOPIC'), key: m.key ?? '', recordType: PING, value: { ...v, n: v.n * 10 } }];
  },
  beforeCommit: () => {
    txs++;
    if (crashOn !== undefined && txs === crashOn) process.kill(process.pid, 'SIGKILL');
  },
  afterCommit: () => {
    committed++;
    if (crashAfter !== undefined && committed === crashAfter) process.kill(process.pid, 'SIGKILL');
  },
});
await p.start();
if (crashOn !== undefined || crashAfter !== undefined) await new Promise(() => undefined); // runs until it kills itself
await waitForNoLag(kafka, env('GROUP'), env('IN_TOPIC'));
await p.stop();
process.stdout.write(`${JSON.stringify(p.stats)}\n`);
process.exit(0);
