// Shared set-up of the sink's integration tests: a 1C sandbox, a topology naming its infobases as systems, a real
// Connector per system (store in PostgreSQL, sink on esb.deliver.<id> over Kafka and the registry), a producer for
// deliveries, a reader of esb.events.link and of the DLQ, and canonical records built the way the Bitrix24 side does.
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { AvroSerde, BusProducer, createKafka, createLogger, topics, DLQ_HEADERS, headersToStrings, type Logger } from '@esb/bus';
import { documentId, legalCounterpartyId, productId, type CounterpartyRef, type Link, type Order, type OrderLine, type VatRate } from '@esb/canonical';
import { parseTopology, type Topology } from '@esb/config';
import { Connector } from '@esb/connector-kit';
import { OneCClient } from '@esb/onec-client';
import type { OneCSandbox } from '@esb/sandbox-1c';
import { Store } from '@esb/store';
import { endpoints, eventually, uniqueName } from '@esb/testing';
import { onecSink, SINK_EMITS } from '../app.module.ts';
import { fromMinor, toMinor } from '../mapping/order.ts';
import { vatPercent } from '../mapping/vat.ts';
import { checkMetadata } from './metadata.ts';
import { sharedOneCClient, useOneCClient } from './clients.ts';

export const sysId = (prefix: string) => uniqueName(prefix).toLowerCase().replace(/_/g, '-');

export interface SystemSpec {
  id: string;
  kind: '1c-ut' | '1c-retail';
  infobase: string;
  profile: string;
  postDocuments?: boolean;
  createMissingProducts?: boolean;
}

export interface EntitySpec {
  id: string;
  name: string;
  inn: string;
  kpp: string;
  tradeSystem: string;
  organisationRef?: string;
}

export function topologyOf(sb: OneCSandbox, systems: SystemSpec[], entities: EntitySpec[]): Topology {
  const yaml = [
    'version: 1',
    'legalEntities:',
    ...entities.map(
      (e) => `  - { id: ${e.id}, name: "${e.name}", inn: "${e.inn}", kpp: "${e.kpp}", tradeSystem: ${e.tradeSystem}${e.organisationRef ? `, organisationRef: ${e.organisationRef}` : ''} }`,
    ),
    'systems:',
    ...systems.flatMap((s) => [
      `  ${s.id}:`,
      `    kind: ${s.kind}`,
      `    url: ${sb.odataUrl(s.infobase)}`,
      `    profile: ${s.profile}`,
      '    auth: { user: odata, password: { env: ONEC_PASSWORD } }',
      `    postDocuments: ${s.postDocuments ?? true}`,
      `    createMissingProducts: ${s.createMissingProducts ?? false}`,
    ]),
  ].join('\n');
  return parseTopology(yaml, 'sink-test.yaml', { ONEC_PASSWORD: 'odata' });
}

export interface SinkUnderTest {
  c: Connector;
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Opens, checks and starts a connector for one system, with a short 1C request timeout (so a test can make 1C slower
 * than it) and quick retries. The store schema is dropped on stop.
 */
export async function startSink(topology: () => Topology, systemId: string, opts: { service?: string; kinds?: Array<'1c-ut' | '1c-retail'>; timeoutMs?: number; concurrency?: number; maxAttempts?: number } = {}): Promise<SinkUnderTest> {
  const e = endpoints();
  const logs: string[] = [];
  const service = opts.service ?? 'connector-1c-ut';
  const logger: Logger = createLogger(service, { systemId }, (l) => logs.push(l));
  const c = await Connector.open({
    service,
    systemId,
    kinds: opts.kinds ?? ['1c-ut'],
    topology,
    endpoints: { kafkaBrokers: e.kafkaBrokers, schemaRegistryUrl: e.schemaRegistryUrl, databaseUrl: e.databaseUrl },
    logger,
    emits: SINK_EMITS,
    sink: onecSink({ retry: { maxAttempts: opts.maxAttempts ?? 5, initialDelayMs: 150, maxDelayMs: 1000, factor: 2, jitter: 0.2 }, concurrency: opts.concurrency ?? 3 }),
    partitions: 3,
  });
  const sys = topology().systems[systemId]!;
  if (!('url' in sys) || sys.kind === 'bitrix24' || sys.kind === 'bitrix-site' || sys.kind === '1c-dm') throw new Error('not a 1C trade system');
  useOneCClient(c, new OneCClient({ baseUrl: sys.url, user: 'odata', password: 'odata', timeoutMs: opts.timeoutMs ?? 1500, maxConcurrency: 4, logger }));
  try {
    await checkMetadata(c, sharedOneCClient(c));
    await c.start({ pollers: false });
  } catch (err) {
    await c.stop().catch(() => undefined);
    throw err;
  }
  return {
    c,
    logs,
    stop: async () => {
      const schema = c.store.schema;
      await c.stop();
      const s = await Store.open({ url: e.databaseUrl, schema });
      await s.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
      await s.close();
    },
  };
}

/** Sends canonical records to a system's delivery topic, as the router does. */
export async function deliver(c: Connector, systemId: string, records: Array<{ recordType: string; key: string; value: { meta: { eventId: string } } }>): Promise<void> {
  const p = new BusProducer(c.kafka, c.serde);
  try {
    await p.send(records.map((r) => ({ topic: topics.deliver(systemId), key: r.key, recordType: r.recordType, value: r.value })));
  } finally {
    await p.disconnect();
  }
}

/** Reads a topic from the beginning into memory: esb.events.link, or a DLQ with its error headers. */
export class TopicReader<T> {
  readonly seen: Array<{ value: T; headers: Record<string, string> }> = [];
  private consumer?: Consumer;

  static async open<T>(topic: string): Promise<TopicReader<T>> {
    const r = new TopicReader<T>();
    const e = endpoints();
    const kafka = createKafka({ brokers: e.kafkaBrokers, clientId: `sink-test-read-${randomUUID().slice(0, 8)}` });
    const serde = new AvroSerde(e.schemaRegistryUrl);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: topic.startsWith('esb.dlq.') ? 1 : 3, replicationFactor: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    r.consumer = kafka.consumer({ groupId: `sink-test-read-${randomUUID()}` });
    await r.consumer.connect();
    await r.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await r.consumer.run({ eachMessage: async ({ message }) => void r.seen.push({ value: (await serde.decode<T>(message.value)).value, headers: headersToStrings(message.headers) }) });
    return r;
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export const linkTopic = () => topics.events('link');
export const dlqTopic = (systemId: string) => topics.dlq(`esb-sink-${systemId}`);
export const reasonOf = (h: Record<string, string>) => h[DLQ_HEADERS.reason] ?? '';
export type { Link };

// ---- canonical records ---------------------------------------------------------------------------------------

export interface LineSpec {
  article: string | null;
  name: string;
  qty: string;
  price: string;
  discount?: string;
  vat: VatRate;
  okei?: string;
}

/** An order line with amount and VAT computed as 1C does: per row, VAT included, rounded half up to kopecks. */
export function line(no: number, s: LineSpec): OrderLine {
  const qty = toMinor(s.qty, 3);
  const price = toMinor(s.price, 2);
  const discount = toMinor(s.discount ?? '0', 2);
  const amount = (qty * price + 500n) / 1000n - discount;
  const pct = vatPercent(s.vat);
  const vat = pct === null ? 0n : (amount * BigInt(pct) * 2n + BigInt(100 + pct)) / (BigInt(100 + pct) * 2n);
  return {
    lineNo: no,
    productId: s.article ? productId({ article: s.article }) : null,
    article: s.article,
    name: s.name,
    quantity: fromMinor(qty, 3),
    unit: { okei: s.okei ?? '796', name: 'шт' },
    price: fromMinor(price, 2),
    discount: fromMinor(discount, 2),
    vatRate: s.vat,
    vatAmount: fromMinor(vat, 2),
    amount: fromMinor(amount, 2),
  };
}

export function company(name: string, inn: string, kpp: string): CounterpartyRef {
  return { counterpartyId: legalCounterpartyId(inn, kpp), kind: 'LEGAL_ENTITY', name, inn, kpp, phone: null, email: null };
}

/** A deal's order as the Bitrix24 side publishes it (origin b24 / deal), seller given by INN/KPP of our entity. */
export function dealOrder(deal: string, buyer: CounterpartyRef, lines: LineSpec[], seller: { inn: string; kpp: string } | null, over: Partial<Order> = {}): Order {
  const ls = lines.map((l, i) => line(i + 1, l));
  const total = ls.reduce((s, l) => s + toMinor(l.amount, 2), 0n);
  const vatTotal = ls.reduce((s, l) => s + toMinor(l.vatAmount, 2), 0n);
  const eventId = randomUUID();
  return {
    meta: { eventId, occurredAt: new Date().toISOString(), source: { system: 'b24', kind: 'bitrix24', externalId: deal }, legalEntityId: null, correlationId: eventId, causationId: null },
    orderId: documentId('order', 'b24', deal),
    number: deal,
    date: '2026-11-20T10:00:00.000Z',
    origin: { system: 'b24', kind: 'bitrix24', entityType: 'deal', externalId: deal, categoryId: '0' },
    buyer,
    sellerLegalEntityId: seller ? legalCounterpartyId(seller.inn, seller.kpp) : null,
    currency: 'RUB',
    vatIncluded: true,
    lines: ls,
    total: fromMinor(total, 2),
    vatTotal: fromMinor(vatTotal, 2),
    comment: null,
    ...over,
  };
}

/** The same record as a new event (a redelivery: new eventId, same order). */
export function again<T extends { meta: Order['meta'] }>(r: T): T {
  const eventId = randomUUID();
  return { ...r, meta: { ...r.meta, eventId, correlationId: eventId } };
}

export { eventually };
