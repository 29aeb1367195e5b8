// Router process: ESB_CONFIG (topology), KAFKA_BROKERS, SCHEMA_REGISTRY_URL, ROUTER_INSTANCE (default router-0).
import { createKafka, createLogger, onShutdown } from '@esb/bus';
import { watchTopology } from '@esb/config';
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
  const watcher = watchTopology(file, {
    onChange: (t) => logger.info('topology reloaded', { file, legalEntities: t.legalEntities.length, systems: Object.keys(t.systems).length }),
    onRejected: (e) => logger.error('topology change rejected; the running one stays', { file, problems: e.problems }),
  });
  const kafka = createKafka({ brokers: need('KAFKA_BROKERS').split(','), clientId: 'esb-router', logger });
  const router = new Router({ kafka, registryUrl: need('SCHEMA_REGISTRY_URL'), logger, topology: watcher.current, instanceId: process.env.ROUTER_INSTANCE ?? 'router-0' });
  await router.start();
  onShutdown(logger, [async () => watcher.close(), () => router.stop()]);
} catch (e) {
  logger.error('router failed to start', { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}
