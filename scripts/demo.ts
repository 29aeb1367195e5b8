// `npm run demo`: brings up Kafka, the schema registry and PostgreSQL (or uses KAFKA_BROKERS / SCHEMA_REGISTRY_URL /
// DATABASE_URL), starts the sandboxes seeded as the example holding, the router and every connector, drives each flow
// from the outside and prints per flow what happened and how long it took end to end. Then it stays up with the
// addresses printed; `--once` exits afterwards (non-zero if a flow failed) and stops what it started.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { up, describe as describeStack, rssMb } from '@esb/infra';
import { bitrix24Connector } from '@esb/connector-bitrix24';
import { onecUtConnector } from '@esb/connector-1c-ut';
import { onecRetailConnector } from '@esb/connector-1c-retail';
import { startStack } from '../test/stack.ts';
import { allFlows } from '../test/flows.ts';

const once = process.argv.includes('--once');
const say = (s: string) => process.stdout.write(`${s}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const t0 = Date.now();
  say('ESB demo: starting the infrastructure (the first run downloads Kafka and Apicurio Registry from Maven Central)');
  // A standing demo keeps its infrastructure up for exploring; `--once` stops what it started.
  const infra = await up({ detached: !once });
  say(`\nInfrastructure ready in ${secs(Date.now() - t0)}:\n${describeStack(infra)}`);
  for (const p of infra.started) say(`  ${p.what}: pid ${p.pid}, RSS ${rssMb(p.pid) ?? '?'} MB, log ${p.log}`);

  // The services log JSON lines; the demo keeps them in a file and prints the flows.
  const logDir = fileURLToPath(new URL('../.infra/run/', import.meta.url));
  mkdirSync(logDir, { recursive: true });
  const logFile = `${logDir}demo-services.log`;
  writeFileSync(logFile, '');
  const t1 = Date.now();
  // The sandboxes start empty each run, so each run gets its own system ids (topics, consumer groups, store schemas):
  // nothing a previous run left in Kafka or PostgreSQL can meet this one. A standing demo uses the usual ports.
  const s = await startStack({
    endpoints: { kafkaBrokers: infra.kafkaBrokers, schemaRegistryUrl: infra.schemaRegistryUrl, databaseUrl: infra.databaseUrl },
    suffix: `-demo${randomUUID().slice(0, 6)}`,
    ports: once ? {} : { onec: 8091, b24: 8124, connectors: { b24: 8101, ut: 8102, retail: 8103 } },
    specs: { bitrix24: bitrix24Connector, ut: onecUtConnector, retail: onecRetailConnector },
    log: (line) => appendFileSync(logFile, `${line}\n`),
  });
  say(`\nThe bus is up in ${secs(Date.now() - t1)} (sandboxes, router, ${s.connectors.size} connectors; service logs in ${logFile}):`);
  for (const ib of ['ut-main', 'retail', 'dm']) say(`  ${`1C ${ib}`.padEnd(22)} ${s.onec.odataUrl(ib)}  (odata / odata)`);
  say(`  ${'Bitrix24 portal'.padEnd(22)} ${s.b24.url}/rest/1/sandbox/  (incoming webhook; the bus is installed as OAuth app local.esb.app)`);
  for (const [id, c] of s.connectors) say(`  ${`${c.service}`.padEnd(22)} ${c.url}  (${id}: /health/ready, /metrics)`);
  say('  every sandbox: <url>/_admin/state, /_admin/requests, /_admin/faults');

  say('\nFlows (each driven from the outside and checked on the other side):');
  const results = await allFlows(s, (r) => {
    say(`\n${r.ok ? '✓' : '✗'} ${r.id} — ${r.title}  (${secs(r.ms)})`);
    for (const st of r.steps) say(`    ${st.what}  [${secs(st.ms)}]`);
    if (!r.ok) say(`    FAILED: ${r.error}`);
  });
  const failed = results.filter((r) => !r.ok);

  const count: Array<{ n: string }> = await s.routerStore.dataSource.query(
    [s.routerStore.schema, ...[...s.connectors.values()].map((c) => c.store.schema)].map((sch) => `SELECT count(*) AS n FROM "${sch}".exchange_log`).join(' UNION ALL '),
  );
  say(`\nExchange log: ${count.reduce((a, r) => a + Number(r.n), 0)} entries across the router and the connectors.`);
  say(`Trace a deal: psql ${infra.databaseUrl} -c "SELECT at, service, operation, status, business_keys FROM ${s.connectors.get(s.ids.b24)?.store.schema}.exchange_log WHERE business_keys->>'deal' = '1' ORDER BY at"`);
  say('Not in the demo yet: the site (F8) and 1C:DM (F9) connectors.');
  say(`\n${failed.length === 0 ? `All ${results.length} flows passed` : `${failed.length} of ${results.length} flows FAILED: ${failed.map((f) => f.id).join(', ')}`} (${secs(Date.now() - t0)} in all).`);
  if (once) {
    await s.stop();
    await infra.stop();
    say('--once: stopped what the demo started');
    process.exit(failed.length === 0 ? 0 : 1);
  }
  say('\nThe bus, the sandboxes and the infrastructure stay up. Ctrl-C stops the bus and the sandboxes; npm run infra:down stops Kafka and the registry.');
  process.once('SIGINT', () => void s.stop().then(() => process.exit(0)));
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
