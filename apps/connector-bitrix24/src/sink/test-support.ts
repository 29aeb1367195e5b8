// Shared by the sink's integration tests: a topology for one sandbox portal, a connector with the sink started
// against it, records produced into esb.deliver.<systemId>, and reads of the sandbox's admin API.
import { BITRIX24_MIGRATIONS } from './catalog-migration.ts';
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { BusProducer, createLogger, topics } from '@esb/bus';
import type { CanonicalRecordByName, Meta } from '@esb/canonical';
import { Connector } from '@esb/connector-kit';
import type { Topology } from '@esb/config';
import { Store } from '@esb/store';
import { endpoints, eventually, uniqueName } from '@esb/testing';
import { AppModule, sinkBusinessKeys } from '../app.module.ts';
import type { SinkOptions } from './sink.ts';

export { topologyFor } from './test-topology.ts';

export function testSystemId(prefix: string): string {
  return uniqueName(prefix).toLowerCase().replace(/_/g, '-');
}

export async function openSink(systemId: string, topology: Topology, sink: SinkOptions = {}, logs: string[] = []): Promise<Connector> {
  const e = endpoints();
  return Connector.open({
    service: 'connector-bitrix24',
    systemId,
    kinds: ['bitrix24'],
    topology: () => topology,
    endpoints: { kafkaBrokers: e.kafkaBrokers, schemaRegistryUrl: e.schemaRegistryUrl, databaseUrl: e.databaseUrl },
    logger: createLogger('connector-bitrix24', { systemId }, (l) => {
      logs.push(l);
      if (process.env.ESB_TEST_LOGS) process.stderr.write(`${l}\n`);
    }),
    sink: { module: AppModule.with(sink), retry: { maxAttempts: 2, initialDelayMs: 50 }, businessKeys: sinkBusinessKeys },
    partitions: 1,
    storeMigrations: BITRIX24_MIGRATIONS,
  });
}

export async function dropStore(c: Connector): Promise<void> {
  const schema = c.store.schema;
  await c.stop();
  const s = await Store.open({ url: endpoints().databaseUrl, schema });
  await s.dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await s.close();
}

/** A meta as 1C would send it: a fresh eventId unless one is given. */
export function metaFrom1C(externalId: string, over: Partial<Meta> = {}): Meta {
  const eventId = randomUUID();
  return { eventId, occurredAt: new Date().toISOString(), source: { system: 'ut-main', kind: '1c-ut', externalId }, legalEntityId: null, correlationId: eventId, causationId: null, ...over };
}

/** The same content under a new eventId: what a re-publication of an unchanged 1C object looks like. */
export function republished<T extends { meta: Meta }>(r: T): T {
  const eventId = randomUUID();
  return { ...r, meta: { ...r.meta, eventId, correlationId: eventId } };
}

export type Delivery = { [K in keyof CanonicalRecordByName]: { recordType: K; key: string; value: CanonicalRecordByName[K] } }[keyof CanonicalRecordByName];

export async function deliver(c: Connector, records: Delivery[]): Promise<void> {
  const producer = new BusProducer(c.kafka, c.serde);
  try {
    await producer.send(records.map((r) => ({ topic: topics.deliver(c.systemId), key: r.key, recordType: r.recordType, value: r.value })));
  } finally {
    await producer.disconnect();
  }
}

/** Waits until the sink has handled `n` messages in all (applied, duplicates and dead letters). */
export async function handled(c: Connector, n: number, timeoutMs = 30_000): Promise<void> {
  await eventually(`${n} deliveries handled`, async () => {
    const s = c.sinkConsumer?.stats;
    return s !== undefined && s.applied + s.duplicates + s.deadLettered >= n;
  }, timeoutMs);
}

export async function admin<T = Record<string, unknown>>(url: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/_admin/${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`admin ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface LoggedRequest {
  at: string;
  op?: string;
  status: number;
}
