// `npm run demo`: brings up Kafka, the schema registry and PostgreSQL (or uses KAFKA_BROKERS / SCHEMA_REGISTRY_URL /
// DATABASE_URL), registers the canonical schemas, starts the services that exist, drives the flows they can carry
// and prints per flow what happened and how long it took. `--once` exits afterwards (non-zero if a step failed).
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { up, describe as describeStack, rssMb } from '@esb/infra';
import { loadSchemas, type Order } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import { createKafka, BusProducer, OutboxRelay, ensureTopics, createLogger, publishToOutbox, topics, headersToStrings } from '@esb/bus';
import { Store } from '@esb/store';
import { loadTopology } from '@esb/config';
import { Router } from '@esb/router';
import { startBitrix24Sandbox } from '@esb/sandbox-bitrix24';
import { startOneCSandbox } from '@esb/sandbox-1c';
import { startSiteSandbox } from '@esb/sandbox-bitrix-site';

const once = process.argv.includes('--once');
const say = (s: string) => process.stdout.write(`${s}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const configFile = fileURLToPath(new URL('../config/esb.example.yaml', import.meta.url));

// The example topology references its secrets by environment variable; the demo talks to no real system.
for (const k of ['B24_CLIENT_SECRET', 'B24_APPLICATION_TOKEN', 'UT_PASSWORD', 'RETAIL_PASSWORD', 'SITE_EXCHANGE_PASSWORD', 'SITE_PUSH_TOKEN', 'DM_PASSWORD', 'SMTP_PASSWORD']) {
  process.env[k] ??= `demo-${k.toLowerCase()}`;
}

type Seen = { topic: string; recordType: string; value: Record<string, unknown>; headers: Record<string, string>; at: number };

async function main(): Promise<void> {
  const failures: string[] = [];
  const t0 = Date.now();
  say('ESB demo: starting the infrastructure (the first run downloads Kafka and Apicurio Registry from Maven Central)');
  // A standing demo keeps its infrastructure up for exploring; `--once` stops what it started.
  const stack = await up({ detached: !once });
  say(`\nInfrastructure ready in ${secs(Date.now() - t0)}:\n${describeStack(stack)}`);
  for (const p of stack.started) say(`  ${p.what}: pid ${p.pid}, RSS ${rssMb(p.pid) ?? '?'} MB, log ${p.log}`);

  const logger = createLogger('demo', {}, () => undefined);
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'esb-demo', logger });
  const topology = loadTopology(configFile);
  const store = await Store.open({ url: stack.databaseUrl, schema: 'esb_demo' });
  const router = new Router({ kafka, registryUrl: stack.schemaRegistryUrl, logger: createLogger('router', {}, () => undefined), topology: () => topology, instanceId: 'demo-0', store });
  const serde = router.serde;
  const catalog = loadSchemas();
  const t1 = Date.now();
  await ensureTopics(kafka, [...catalog.values()].map((s) => ({ topic: s.topic, partitions: 3 })), logger);
  for (const s of catalog.values()) await serde.schemaId(s.topic, s.fullName);
  say(`\nCanonical schemas: ${catalog.size} registered (BACKWARD) and their topics created in ${secs(Date.now() - t1)}`);

  // The sandboxes stand in for the holding's systems (architecture §10): one 1C process with its databases,
  // the portal and the site. A standing demo uses their usual ports; `--once` takes free ones.
  const port = (usual: number) => (once ? 0 : usual);
  const t2 = Date.now();
  const onec = await startOneCSandbox({
    port: port(8091),
    infobases: [
      { name: 'ut-main', profile: 'ut11', demo: true },
      { name: 'retail', profile: 'retail', demo: true },
      { name: 'dm', profile: 'dm', demo: true },
    ],
  });
  const b24 = await startBitrix24Sandbox({ port: port(8124) });
  const site = await startSiteSandbox({ port: port(8090) });
  say(`\nSandboxes started in ${secs(Date.now() - t2)}:`);
  for (const ib of onec.infobases.keys()) say(`  ${`1C ${ib}`.padEnd(16)} ${onec.odataUrl(ib)}  (odata / odata)`);
  say(`  ${'Bitrix24 b24'.padEnd(16)} ${b24.url}/rest/1/sandbox/  (incoming webhook; OAuth app local.sandbox.app)`);
  say(`  ${'site'.padEnd(16)} ${site.url}/bitrix/admin/1c_exchange.php  (admin / admin)`);
  say(`  each has an admin API: <url>/_admin/state, /_admin/faults, /_admin/requests`);

  await router.start();
  say(`Router: started with ${configFile} — ${topology.legalEntities.length} legal entities, systems ${Object.keys(topology.systems).join(', ')}`);

  // Everything delivered to the systems, as the sinks of the connectors will read it.
  const seen: Seen[] = [];
  const reader = kafka.consumer({ groupId: `esb-demo-reader-${randomUUID()}`, readUncommitted: false });
  await reader.connect();
  await reader.subscribe({ topics: Object.keys(topology.systems).map(topics.deliver), fromBeginning: false });
  let assigned = false;
  reader.on(reader.events.GROUP_JOIN, () => (assigned = true));
  await reader.run({
    eachMessage: async ({ topic, message }) => {
      const d = await serde.decode(message.value);
      seen.push({ topic, recordType: d.recordType, value: d.value, headers: headersToStrings(message.headers), at: Date.now() });
    },
  });
  while (!assigned) await new Promise((r) => setTimeout(r, 50));

  const producer = new BusProducer(kafka, serde);
  const relay = new OutboxRelay({ store, producer, logger });
  const waitFor = async (what: string, pred: (s: Seen) => boolean, since: number): Promise<Seen | undefined> => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const hit = seen.find((s) => s.at >= since && pred(s));
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    failures.push(what);
    return undefined;
  };

  // A deal in the funnel of ООО «Ромашка-Опт» reaches the trigger stage: the Bitrix24 connector publishes an Order.
  const sample = canonicalSamples['esb.canonical.Order'];
  const orderId = randomUUID();
  const deal = (categoryId: string): Order => ({
    ...sample,
    orderId,
    sellerLegalEntityId: null,
    meta: { ...sample.meta, eventId: randomUUID(), occurredAt: new Date().toISOString(), legalEntityId: null, source: { system: 'b24', kind: 'bitrix24', externalId: sample.number } },
    origin: { system: 'b24', kind: 'bitrix24', entityType: 'deal', externalId: sample.number, categoryId },
  });
  const publish = async (o: Order) => {
    await store.transaction(async (tx) => {
      await publishToOutbox(tx, { recordType: 'esb.canonical.Order', key: o.orderId, payload: o });
      await tx.log({ service: 'demo', direction: 'out', operation: 'publish esb.events.order', status: 'ok', recordType: 'esb.canonical.Order', eventId: o.meta.eventId, businessKeys: { deal: o.origin.externalId, orderId: o.orderId } });
    });
    await relay.drainOnce();
  };

  say(`\nF10 — deal ${sample.number} (${sample.lines.length} lines, ${sample.total} ${sample.currency}) in funnel 2 of b24:`);
  let t = Date.now();
  await publish(deal('2'));
  const toUt = await waitFor('order to ut-main', (s) => s.topic === 'esb.deliver.ut-main' && s.value.orderId === orderId, t);
  if (toUt) say(`  ✓ routed to esb.deliver.ut-main for ${toUt.headers['esb.legal-entity']} in ${secs(toUt.at - t)} (outbox → relay → Kafka → router, one transaction)`);

  say(`F10 — the deal moves to funnel 4 (ООО «Ромашка-Розница», on 1C:Розница):`);
  t = Date.now();
  await publish(deal('4'));
  const rev = await waitFor('reversal to ut-main', (s) => s.recordType === 'esb.canonical.OrderReversal' && s.value.orderId === orderId, t);
  const toRetail = await waitFor('order to retail', (s) => s.topic === 'esb.deliver.retail' && s.value.orderId === orderId, t);
  if (rev) say(`  ✓ OrderReversal to ${rev.topic} (${String(rev.value.reason)}) in ${secs(rev.at - t)}`);
  if (toRetail) say(`  ✓ Order to ${toRetail.topic} for ${toRetail.headers['esb.legal-entity']} in ${secs(toRetail.at - t)}`);

  await reader.disconnect();
  await producer.disconnect();
  const trace: Array<{ n: string }> = await store.dataSource.query(`SELECT count(*)::text AS n FROM exchange_log WHERE business_keys->>'orderId' = $1`, [orderId]);
  say(`\nExchange log: ${trace[0]?.n ?? 0} entries for this deal (the demo's publishes and the router's decisions)`);
  say(`Inspect it: psql ${stack.databaseUrl} -c 'SELECT at, operation, status, business_keys FROM esb_demo.exchange_log ORDER BY id DESC LIMIT 10'`);
  say('Not yet in the demo: the connectors between the sandboxes and the bus — later issues add them and flows F1–F9.');
  if (failures.length > 0) say(`\nFAILED: ${failures.join('; ')}`);
  if (once) {
    await router.stop();
    await Promise.all([onec.close(), b24.close(), site.close()]);
    await store.close();
    await stack.stop();
    say(`\n--once: ${failures.length === 0 ? 'every step passed' : `${failures.length} step(s) FAILED`}; stopped what the demo started`);
    process.exit(failures.length === 0 ? 0 : 1);
  }
  say('\nThe router, the sandboxes and the infrastructure stay up (Ctrl-C stops the router and the sandboxes; npm run infra:down stops Kafka and the registry).');
  process.once('SIGINT', () => void router.stop().then(() => process.exit(0)));
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
