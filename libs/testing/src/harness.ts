// One place that wires a test to the real services: a Kafka client, the serde on the real registry, a store in
// its own PostgreSQL schema (dropped afterwards), and quiet JSON logs kept in memory for assertions.
import { createKafka, AvroSerde, createLogger, ensureTopics, type Logger, type SchemaLookup } from '@esb/bus';
import { Store } from '@esb/store';
import type { Kafka, RetryOptions } from 'kafkajs';
import { endpoints, uniqueName } from './index.ts';
import { testLookup } from './fixtures.ts';

export interface Harness {
  name: string;
  kafka: Kafka;
  serde: AvroSerde;
  store: Store;
  logger: Logger;
  logs: string[];
  topic(prefix: string, partitions?: number): Promise<string>;
  close(): Promise<void>;
}

export async function harness(prefix: string, opts: { lookup?: SchemaLookup; brokers?: string[]; retry?: RetryOptions } = {}): Promise<Harness> {
  const e = endpoints();
  const name = uniqueName(prefix);
  const logs: string[] = [];
  const logger = createLogger(name, {}, (l) => {
    logs.push(l);
    if (process.env.ESB_TEST_LOGS) process.stderr.write(`${l}\n`);
  });
  const kafka = createKafka({ brokers: opts.brokers ?? e.kafkaBrokers, clientId: name, logger, ...(opts.retry ? { retry: opts.retry } : {}) });
  const serde = new AvroSerde(e.schemaRegistryUrl, opts.lookup ?? testLookup);
  const store = await Store.open({ url: e.databaseUrl, schema: name.toLowerCase() });
  return {
    name,
    kafka,
    serde,
    store,
    logger,
    logs,
    async topic(p, partitions = 1) {
      const t = `test.${p}.${name}`;
      await ensureTopics(kafka, [{ topic: t, partitions }]);
      return t;
    },
    async close() {
      await store.dataSource.query(`DROP SCHEMA IF EXISTS "${store.schema}" CASCADE`);
      await store.close();
    },
  };
}
