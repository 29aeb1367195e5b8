// The whole bus on one machine: the sandboxes seeded as the example holding (config/esb.example.yaml), the router and
// every connector, on real Kafka, the real registry and real PostgreSQL. The end-to-end suites and `npm run demo`
// both start it; system ids get a suffix so several stacks (test files) never share topics or consumer groups.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { createKafka, createLogger, type Logger } from '@esb/bus';
import { parseTopology, type Topology } from '@esb/config';
import { openConnector, type Connector, type Endpoints, type RunSpec } from '@esb/connector-kit';
import { Router } from '@esb/router';
import { Store } from '@esb/store';
import { startBitrix24Sandbox, type Bitrix24Sandbox } from '@esb/sandbox-bitrix24';
import { startOneCSandbox, type OneCSandbox } from '@esb/sandbox-1c';

export const EXAMPLE_CONFIG = fileURLToPath(new URL('../config/esb.example.yaml', import.meta.url));

/** The example's secrets, as the sandboxes know them. */
export const SANDBOX_SECRETS: Record<string, string> = {
  B24_CLIENT_SECRET: 'sandbox-client-secret',
  B24_APPLICATION_TOKEN: 'sandbox-application-token',
  UT_PASSWORD: 'odata',
  RETAIL_PASSWORD: 'odata',
  SITE_EXCHANGE_PASSWORD: 'admin',
  SITE_PUSH_TOKEN: 'sandbox-push-token',
  DM_PASSWORD: 'odata',
  SMTP_PASSWORD: 'unused',
  INGEST_TOKEN: 'sandbox-ingest-token',
};

/** The bus's OAuth application in the sandbox portal (installed by startStack, which sends ONAPPINSTALL). */
export const ESB_APP = { clientId: 'local.esb.app', clientSecret: SANDBOX_SECRETS.B24_CLIENT_SECRET!, applicationToken: SANDBOX_SECRETS.B24_APPLICATION_TOKEN! };

export interface SystemIds {
  b24: string;
  ut: string;
  retail: string;
  site: string;
  dm: string;
}

/**
 * The example topology pointed at the sandboxes: system ids with `suffix`, URLs of the running sandboxes, the OAuth
 * application of the sandbox portal. `extra` may add systems (a second UT database) and move legal entities.
 */
export function sandboxTopology(
  urls: { b24: string; onec: (infobase: string) => string; site?: string },
  suffix = '',
  edit?: (doc: Record<string, unknown>, ids: SystemIds) => void,
): { topology: Topology; ids: SystemIds; yaml: string } {
  const ids: SystemIds = { b24: `b24${suffix}`, ut: `ut-main${suffix}`, retail: `retail${suffix}`, site: `site${suffix}`, dm: `dm${suffix}` };
  const rename: Record<string, string> = { b24: ids.b24, 'ut-main': ids.ut, retail: ids.retail, site: ids.site, dm: ids.dm };
  const doc = parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as {
    legalEntities: Array<{ tradeSystem: string; portal?: { system: string }; sites?: string[] }>;
    systems: Record<string, Record<string, unknown>>;
    routes: Array<{ to: string[] }>;
    alerts?: { bitrix24?: { system: string } };
  };
  for (const e of doc.legalEntities) {
    e.tradeSystem = rename[e.tradeSystem] ?? e.tradeSystem;
    if (e.portal) e.portal.system = rename[e.portal.system] ?? e.portal.system;
    if (e.sites) e.sites = e.sites.map((s) => rename[s] ?? s);
  }
  for (const r of doc.routes) r.to = r.to.map((t) => rename[t] ?? t);
  if (doc.alerts?.bitrix24) doc.alerts.bitrix24.system = ids.b24;
  const systems: Record<string, Record<string, unknown>> = {};
  for (const [id, s] of Object.entries(doc.systems)) {
    const nid = rename[id] ?? id;
    if (id === 'b24') s.url = urls.b24;
    if (id === 'ut-main') {
      s.url = urls.onec('ut-main');
      s.profile = 'ut11.5';
      s.auth = { user: 'odata', password: { env: 'UT_PASSWORD' } };
      s.ingestToken = { env: 'INGEST_TOKEN' };
    }
    if (id === 'retail') {
      s.url = urls.onec('retail');
      s.auth = { user: 'odata', password: { env: 'RETAIL_PASSWORD' } };
      s.ingestToken = { env: 'INGEST_TOKEN' };
    }
    if (id === 'site' && urls.site) s.url = urls.site;
    if (id === 'dm') {
      s.url = urls.onec('dm').replace(/odata\/standard\.odata\/?$/, '');
      s.portal = ids.b24;
    }
    if (s.auth && typeof s.auth === 'object' && (s.auth as { mode?: string }).mode === 'oauth') (s.auth as { clientId: string }).clientId = ESB_APP.clientId;
    systems[nid] = s;
  }
  (doc as { systems: unknown }).systems = systems;
  edit?.(doc as unknown as Record<string, unknown>, ids);
  const yaml = stringify(doc);
  return { topology: parseTopology(yaml, EXAMPLE_CONFIG, { ...process.env, ...SANDBOX_SECRETS }), ids, yaml };
}

/** Customers, products and the second wholesale organisation the example holding needs in its UT database. */
export const UT_ORGANISATION_OPT = {
  Ref_Key: '6f1c2b3a-0000-4000-8000-00000000e0f7',
  Description: 'Ромашка-Опт',
  НаименованиеПолное: 'ООО «Ромашка-Опт»',
  ИНН: '7736050003',
  КПП: '773601001',
  ЮрФизЛицо: 'ЮрЛицо',
};

export interface StackOptions {
  endpoints: Endpoints;
  /** Appended to the system ids (test isolation); '' for the demo. */
  suffix?: string;
  /** Fixed ports for a standing demo; 0 (any) by default. */
  ports?: { onec?: number; b24?: number; connectors?: Partial<Record<keyof SystemIds, number>> };
  /** Where the services' JSON log lines go (default: dropped). */
  log?: (line: string) => void;
  specs: Partial<Record<'bitrix24' | 'ut' | 'retail', RunSpec>>;
  editTopology?: (doc: Record<string, unknown>, ids: SystemIds) => void;
  /** Extra 1C infobases (a second UT database). */
  extraInfobases?: Array<{ name: string; profile: 'ut11' | 'ut11.4' | 'retail' | 'bp30' | 'dm' }>;
}

export interface Stack {
  ids: SystemIds;
  topology: Topology;
  setTopology(t: Topology): void;
  yaml: string;
  onec: OneCSandbox;
  b24: Bitrix24Sandbox;
  router: Router;
  routerStore: Store;
  connectors: Map<string, Connector>;
  logger: (name: string) => Logger;
  /** Starts one more connector for a system of the topology (e.g. a second UT database). */
  startConnector(spec: RunSpec, systemId: string, port?: number): Promise<Connector>;
  /** Every exchange-log entry of every service whose business keys contain `key: value`, oldest first. */
  trace(key: string, value: string): Promise<Array<{ schema: string; service: string; operation: string; status: string; at: Date; error: string | null }>>;
  stop(): Promise<void>;
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const suffix = o.suffix ?? '';
  const sink = o.log ?? (() => undefined);
  const logger = (name: string) => createLogger(name, {}, sink);
  const onec = await startOneCSandbox({
    port: o.ports?.onec ?? 0,
    infobases: [
      { name: 'ut-main', profile: 'ut11', demo: true },
      { name: 'retail', profile: 'retail', demo: true },
      { name: 'dm', profile: 'dm', demo: true },
      ...(o.extraInfobases ?? []).map((i) => ({ ...i, demo: true })),
    ],
  });
  const b24 = await startBitrix24Sandbox({ port: o.ports?.b24 ?? 0 });
  const { topology: t0, ids, yaml } = sandboxTopology({ b24: b24.url, onec: (ib) => onec.odataUrl(ib) }, suffix, o.editTopology);
  let topology = t0;
  await seedExampleHolding(onec, b24);

  const schemaOf = (name: string) => `${name}${suffix}`.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  const routerStore = await Store.open({ url: o.endpoints.databaseUrl, schema: schemaOf('esb_router') });
  const kafka = createKafka({ brokers: o.endpoints.kafkaBrokers, clientId: `esb-router${suffix}`, logger: logger('router') });
  const router = new Router({
    kafka,
    registryUrl: o.endpoints.schemaRegistryUrl,
    logger: logger('router'),
    topology: () => topology,
    instanceId: `router${suffix}-0`,
    groupId: `esb-router${suffix}`,
    store: routerStore,
  });
  await router.start();

  const connectors = new Map<string, Connector>();
  const startConnector = async (spec: RunSpec, systemId: string, port?: number): Promise<Connector> => {
    const c = await openConnector(spec, {
      systemId,
      topology: () => topology,
      endpoints: o.endpoints,
      logger: logger(`${spec.service}:${systemId}`),
      http: { port: port ?? 0 },
      storeSchema: `${spec.service}_${systemId}`.toLowerCase().replace(/[^a-z0-9_]+/g, '_'),
    });
    await c.start();
    connectors.set(systemId, c);
    return c;
  };
  const cp = o.ports?.connectors ?? {};
  if (o.specs.ut) await startConnector(o.specs.ut, ids.ut, cp.ut);
  if (o.specs.retail) await startConnector(o.specs.retail, ids.retail, cp.retail);
  if (o.specs.bitrix24) {
    // The connector talks OAuth to the sandbox's token endpoint and keeps the tokens encrypted.
    process.env.B24_OAUTH_SERVER = b24.url;
    process.env.ESB_TOKEN_KEY ??= randomBytes(32).toString('base64');
    const c = await startConnector(o.specs.bitrix24, ids.b24, cp.b24);
    // Installing the application posts ONAPPINSTALL with the first tokens; the connector then binds its events.
    const res = await fetch(`${b24.url}/_admin/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ESB_APP, scope: ['crm', 'disk', 'task', 'bizproc', 'user', 'catalog', 'im'], installUrl: `${c.url}/webhooks/bitrix24/${ids.b24}`, userId: 1 }),
    });
    if (!res.ok) throw new Error(`installing the application in the portal sandbox failed: HTTP ${res.status} ${await res.text()}`);
    await waitFor('the portal application installed and its events bound', async () => {
      const tokens: unknown[] = await c.store.dataSource.query(`SELECT 1 FROM oauth_token`);
      const ev = (await (await fetch(`${b24.url}/_admin/events`)).json()) as { bindings: Array<{ clientId: string | null; event: string }> };
      return tokens.length > 0 && ev.bindings.some((b) => b.clientId === ESB_APP.clientId && b.event === 'ONCRMDEALUPDATE');
    });
    // The custom fields the sink writes, created now that the portal can be called.
    await c.poll('b24-userfields');
  }

  return {
    ids,
    get topology() {
      return topology;
    },
    setTopology: (t) => (topology = t),
    yaml,
    onec,
    b24,
    router,
    routerStore,
    connectors,
    logger,
    startConnector,
    async trace(key, value) {
      const schemas = [routerStore.schema, ...[...connectors.values()].map((c) => c.store.schema)];
      const rows: Array<{ schema: string; service: string; operation: string; status: string; at: Date; error: string | null }> = await routerStore.dataSource.query(
        schemas.map((s) => `SELECT '${s}' AS schema, service, operation, status, at, error FROM "${s}".exchange_log WHERE business_keys->>$1 = $2`).join(' UNION ALL ') + ' ORDER BY at',
        [key, value],
      );
      return rows;
    },
    async stop() {
      for (const c of [...connectors.values()].reverse()) await c.stop().catch(() => undefined);
      await router.stop().catch(() => undefined);
      await routerStore.close();
      await Promise.all([onec.close(), b24.close()]);
    },
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the example holding has beyond the sandboxes' demo data: the second wholesale organisation in UT. */
async function seedExampleHolding(onec: OneCSandbox, b24: Bitrix24Sandbox): Promise<void> {
  // The portal has a deal funnel per legal entity (config: categoryId 0, 2, 4).
  const seeded = await fetch(`${b24.url}/_admin/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ categories: [{ entityTypeId: 2, id: 2, name: 'Опт (ООО «Ромашка-Опт»)' }, { entityTypeId: 2, id: 4, name: 'Розница (ООО «Ромашка-Розница»)' }] }),
  });
  if (!seeded.ok) throw new Error(`seeding the portal sandbox failed: HTTP ${seeded.status} ${await seeded.text()}`);
  const res = await fetch(`${onec.url}/_admin/infobases/ut-main/data`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Catalog_Организации: [UT_ORGANISATION_OPT] }),
  });
  if (!res.ok) throw new Error(`seeding the UT sandbox failed: HTTP ${res.status} ${await res.text()}`);
}
