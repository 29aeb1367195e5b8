// Shared by the source side's integration tests: a Bitrix24 sandbox, a connector with only the source side
// registered (real Kafka, registry, PostgreSQL), calls to the portal as a person would make them, and a reader of the
// canonical topics that keeps what this test's system published. Not a test itself; no production code imports it.
import { randomUUID } from 'node:crypto';
import { AvroSerde, createKafka, createLogger, topics } from '@esb/bus';
import type { Meta } from '@esb/canonical';
import { parseTopology, type Topology } from '@esb/config';
import { Connector } from '@esb/connector-kit';
import { startBitrix24Sandbox, type Bitrix24Sandbox, type Bitrix24SandboxOptions } from '@esb/sandbox-bitrix24';
import { Store } from '@esb/store';
import { endpoints, eventually, uniqueName } from '@esb/testing';
import { Bitrix24Client } from '@esb/bitrix24-client';
import { portalAuth } from '../client.ts';
import { registerSource, SOURCE_EMITS } from './index.ts';

export const APP_TOKEN = 'test-application-token';
export const CLIENT = { clientId: 'local.esb.source', clientSecret: 'esb-source-secret' };

export const newSystemId = (prefix: string): string => uniqueName(prefix).toLowerCase().replace(/_/g, '-');

export function topologyYaml(systemId: string, sandboxUrl: string, mode: 'webhook' | 'oauth'): string {
  const auth = mode === 'webhook' ? '{ mode: webhook, userId: 1, code: { env: B24_CODE } }' : `{ mode: oauth, clientId: ${CLIENT.clientId}, clientSecret: { env: B24_SECRET } }`;
  return `
version: 1
legalEntities:
  - { id: trade, name: ООО «Ромашка-Трейд», inn: "7707083893", kpp: "770701001", tradeSystem: ut, portal: { system: ${systemId}, categoryId: 0, triggerStage: PREPAYMENT_INVOICE } }
  - { id: opt, name: ООО «Ромашка-Опт», inn: "7736050003", kpp: "773601001", tradeSystem: ut, portal: { system: ${systemId}, categoryId: 5, triggerStage: "C5:PREPAYMENT_INVOICE" } }
systems:
  ${systemId}:
    kind: bitrix24
    url: ${sandboxUrl}
    auth: ${auth}
    applicationToken: { env: B24_APP_TOKEN }
    sellerEntityField: UF_CRM_SELLER
  ut:
    kind: 1c-ut
    url: http://127.0.0.1:1/odata/standard.odata/
    profile: ut11.5
    auth: { user: esb, password: { env: UT_PASSWORD } }
`;
}

/** Customers, goods and deals most tests start from. Company 9 is valid; company 11 has a wrong INN (check digit). */
export const SEED = {
  categories: [{ entityTypeId: 2, id: 5, name: 'Опт' }],
  userfields: [
    { entityId: 'CRM_DEAL', FIELD_NAME: '1C_ORDER_ID', USER_TYPE_ID: 'string', LABEL: '1C order' },
    { entityId: 'CRM_DEAL', FIELD_NAME: 'SELLER', USER_TYPE_ID: 'string', LABEL: 'Seller legal entity' },
  ],
  companies: [
    { ID: 9, TITLE: 'Ромашка', PHONE: [{ VALUE: '+7 495 123-45-67', VALUE_TYPE: 'WORK' }] },
    { ID: 11, TITLE: 'Лютик', PHONE: [{ VALUE: '+7 495 765-43-21', VALUE_TYPE: 'WORK' }] },
  ],
  contacts: [{ ID: 3, NAME: 'Иван', LAST_NAME: 'Петров', COMPANY_ID: 9, POST: 'Снабженец', EMAIL: [{ VALUE: 'ivan@romashka.ru', VALUE_TYPE: 'WORK' }] }],
  requisites: [
    { ENTITY_TYPE_ID: 4, ENTITY_ID: 9, PRESET_ID: 1, NAME: 'Организация', RQ_INN: '7728168971', RQ_KPP: '772801001', RQ_COMPANY_NAME: 'ООО «Ромашка»' },
    { ENTITY_TYPE_ID: 4, ENTITY_ID: 11, PRESET_ID: 1, NAME: 'Организация', RQ_INN: '7701234567', RQ_KPP: '770101001' },
  ],
  products: [
    { ID: 100, NAME: 'Стул', PRICE: 4900, XML_ID: 'chair-1c' },
    { ID: 101, NAME: 'Стол', PRICE: 12000, XML_ID: 'table-1c' },
  ],
  deals: [
    {
      ID: 394, TITLE: 'Заказ 42', CATEGORY_ID: 5, STAGE_ID: 'C5:NEW', COMPANY_ID: 9, CONTACT_ID: 3, UF_CRM_1C_ORDER_ID: '',
      PRODUCT_ROWS: [
        { PRODUCT_ID: 100, PRICE: 4900, QUANTITY: 2, TAX_RATE: 20, TAX_INCLUDED: 'Y' },
        { PRODUCT_ID: 101, PRICE: 12000, QUANTITY: 1, TAX_RATE: 20, TAX_INCLUDED: 'Y' },
      ],
    },
    { ID: 395, TITLE: 'Заказ 43', CATEGORY_ID: 5, STAGE_ID: 'C5:NEW', COMPANY_ID: 11, PRODUCT_ROWS: [{ PRODUCT_ID: 100, PRICE: 4900, QUANTITY: 1, TAX_RATE: 20, TAX_INCLUDED: 'Y' }] },
    { ID: 396, TITLE: 'Заказ 44', CATEGORY_ID: 0, STAGE_ID: 'NEW', COMPANY_ID: 9, PRODUCT_ROWS: [{ PRODUCT_ID: 101, PRICE: 12000, QUANTITY: 5, TAX_RATE: 20, TAX_INCLUDED: 'Y' }] },
  ],
};

export interface Published<T = Record<string, unknown>> {
  topic: string;
  key: string;
  value: T & { meta: Meta };
}

/** Reads esb.events.{order,counterparty,invoice} from the beginning and keeps what `systemId` published. */
export class EventsReader {
  readonly seen: Published[] = [];
  private consumer?: ReturnType<ReturnType<typeof createKafka>['consumer']>;

  constructor(
    private readonly systemId: string,
    private readonly brokers: string[] = endpoints().kafkaBrokers,
  ) {}

  async start(types = ['order', 'counterparty', 'invoice']): Promise<this> {
    const kafka = createKafka({ brokers: this.brokers, clientId: `reader-${this.systemId}` });
    const serde = new AvroSerde(endpoints().schemaRegistryUrl);
    this.consumer = kafka.consumer({ groupId: `reader-${this.systemId}-${randomUUID()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: types.map((t) => topics.events(t)), fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const v = (await serde.decode<Record<string, unknown> & { meta: Meta }>(message.value)).value;
        if (v.meta.source.system === this.systemId) this.seen.push({ topic, key: message.key?.toString() ?? '', value: v });
      },
    });
    return this;
  }

  of<T = Record<string, unknown>>(type: string, pred: (v: T & { meta: Meta }) => boolean = () => true): Array<T & { meta: Meta }> {
    return this.seen.filter((p) => p.topic === topics.events(type)).map((p) => p.value as T & { meta: Meta }).filter(pred);
  }

  async waitFor<T = Record<string, unknown>>(type: string, what: string, pred: (v: T & { meta: Meta }) => boolean, timeoutMs = 30_000): Promise<T & { meta: Meta }> {
    return eventually(what, async () => this.of<T>(type, pred)[0], timeoutMs);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export interface SourceRig {
  systemId: string;
  sb: Bitrix24Sandbox;
  topology: Topology;
  env: NodeJS.ProcessEnv;
  storeSchema: string;
  logs: string[];
  c: Connector;
  /** Opens and starts another connector on the same store (a restart); the old one must be stopped first. */
  restart(opts?: { brokers?: string[] }): Promise<Connector>;
  close(): Promise<void>;
}

export async function startRig(o: { prefix: string; mode: 'webhook' | 'oauth'; brokers?: string[]; seed?: Record<string, unknown> }): Promise<SourceRig> {
  const systemId = newSystemId(o.prefix);
  // The seed is JSON the sandbox validates like REST input; its PHP-value type is internal to the sandbox.
  const sb = await startBitrix24Sandbox({ seed: { ...SEED, ...o.seed } as unknown as Bitrix24SandboxOptions['seed'] });
  const env: NodeJS.ProcessEnv = {
    B24_CODE: 'sandbox',
    B24_SECRET: CLIENT.clientSecret,
    B24_APP_TOKEN: APP_TOKEN,
    UT_PASSWORD: 'x',
    B24_OAUTH_SERVER: sb.url,
    ESB_TOKEN_KEY: Buffer.alloc(32, 7).toString('base64'),
  };
  // OAuthAuth instances built by portalClient read the key from the process environment.
  process.env.ESB_TOKEN_KEY = env.ESB_TOKEN_KEY;
  const topology = parseTopology(topologyYaml(systemId, sb.url, o.mode), `${systemId}.yaml`, env);
  const storeSchema = uniqueName('b24src').toLowerCase();
  const logs: string[] = [];

  const open = async (brokers?: string[]): Promise<Connector> => {
    const e = endpoints();
    const c = await Connector.open({
      service: 'connector-bitrix24',
      systemId,
      kinds: ['bitrix24'],
      topology: () => topology,
      endpoints: { kafkaBrokers: brokers ?? o.brokers ?? e.kafkaBrokers, schemaRegistryUrl: e.schemaRegistryUrl, databaseUrl: e.databaseUrl },
      logger: createLogger('connector-bitrix24', { systemId }, (l) => {
        logs.push(l);
        if (process.env.ESB_TEST_LOGS) process.stderr.write(`${l}\n`);
      }),
      emits: [...SOURCE_EMITS],
      storeSchema,
      partitions: 1,
      relayPollMs: 100,
    });
    // portalClient's retry budget (six attempts, up to 30 s apart) is right for production; tests want a failing portal fast.
    registerSource(c, async () => new Bitrix24Client({ auth: await portalAuth(c, env), retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 100 }, logger: c.logger }), { env });
    await c.start({ pollers: false });
    return c;
  };

  const rig: SourceRig = {
    systemId,
    sb,
    topology,
    env,
    storeSchema,
    logs,
    c: await open(),
    async restart(r = {}) {
      rig.c = await open(r.brokers);
      return rig.c;
    },
    async close() {
      await rig.c.stop().catch(() => undefined);
      await sb.close();
      const s = await Store.open({ url: endpoints().databaseUrl, schema: storeSchema });
      await s.dataSource.query(`DROP SCHEMA "${storeSchema}" CASCADE`);
      await s.close();
    },
  };
  return rig;
}

/** A REST call through the sandbox's incoming webhook, as an integrator's script or a person in the UI would do. */
export async function rest<T = unknown>(sb: Bitrix24Sandbox, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${sb.url}/rest/1/sandbox/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  const body = (await res.json()) as { result?: T; error?: string; error_description?: string };
  if (!res.ok || body.error !== undefined) throw new Error(`${method}: ${res.status} ${body.error} ${body.error_description}`);
  return body.result as T;
}

export async function admin<T = unknown>(sb: Bitrix24Sandbox, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(`${sb.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every POST the sandbox made so far has finished (delivered or failed). */
export const eventsSettled = (sb: Bitrix24Sandbox) => admin<{ deliveries: Array<{ event: string; url: string; status: string; httpStatus?: number }> }>(sb, '/_admin/events?wait=1');

export interface LogRow {
  operation: string;
  status: string;
  error: string | null;
  error_code: string | null;
  business_keys: Record<string, string>;
  details: Record<string, unknown> | null;
  event_id: string | null;
}

export async function exchangeLog(c: Connector, where = 'true', params: unknown[] = []): Promise<LogRow[]> {
  return c.store.dataSource.query(`SELECT operation, status, error, error_code, business_keys, details, event_id FROM exchange_log WHERE ${where} ORDER BY id`, params);
}

export async function outboxRows(c: Connector, recordType: string, key: string): Promise<Array<{ event_id: string; published_at: Date | null; payload: Record<string, unknown> }>> {
  return c.store.dataSource.query(`SELECT event_id, published_at, payload FROM outbox WHERE record_type = $1 AND message_key = $2 ORDER BY id`, [recordType, key]);
}
