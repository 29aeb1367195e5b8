// Router process: ESB_CONFIG (topology), KAFKA_BROKERS, SCHEMA_REGISTRY_URL, ROUTER_INSTANCE (default router-0);
// DATABASE_URL, when set, is where routing decisions are traced (exchange_log in schema esb_router).
import { createKafka, createLogger, onShutdown } from '@esb/bus';
import { watchTopology } from '@esb/config';
import { Store } from '@esb/store';
import { Router } from './router.ts';

const logger = createLogger('router');
const file = process.env.ESB_CONFIG;
if (!file) {
  logger.error('ESB_CONFIG is not set: point it at the topology YAML (see config/esb.example.yaml)');
  process.exit(2);
}
const need = (k: string): string => {
  const v = process.env[k];
  if (!v) {
    logger.error(`${k} is not set`);
    process.exit(2);
  }
  return v;
};
try {
  // Set once the router exists; a reload before that needs no topics (start() creates them).
  const running: { router?: Router } = {};
  const watcher = watchTopology(file, {
    onChange: (t) => {
      logger.info('topology reloaded', { file, legalEntities: t.legalEntities.length, systems: Object.keys(t.systems).length });
      // A system added to the config gets its delivery topic now, before the first event is routed to it.
      running.router?.ensureTopics().catch((e: unknown) => logger.error('creating topics for the reloaded topology failed', { error: (e as Error).message }));
    },
    onRejected: (e) => logger.error('topology change rejected; the running one stays', { file, problems: e.problems }),
  });
  const kafka = createKafka({ brokers: need('KAFKA_BROKERS').split(','), clientId: 'esb-router', logger });
  const store = process.env.DATABASE_URL ? await Store.open({ url: process.env.DATABASE_URL, schema: 'esb_router' }) : undefined;
  const r = new Router({ kafka, registryUrl: need('SCHEMA_REGISTRY_URL'), logger, topology: watcher.current, instanceId: process.env.ROUTER_INSTANCE ?? 'router-0', ...(store ? { store } : {}) });
  running.router = r;
  await r.start();
  onShutdown(logger, [async () => watcher.close(), async () => store?.close(), () => r.stop()]);
} catch (e) {
  logger.error('router failed to start', { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
