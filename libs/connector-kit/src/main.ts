// What every connector's main.ts does: read its environment, load and watch the topology, build the connector
// (routes, pollers, sink), start it, and stop it gracefully on SIGTERM/SIGINT. Start-up problems exit non-zero
// with a message that names the missing setting.
import { createLogger, onShutdown, type Logger } from '@esb/bus';
import { watchTopology, type SystemKind, type Topology } from '@esb/config';
import { Connector, type ConnectorOptions, type Endpoints } from './connector.ts';

export interface ConnectorEnv {
  systemId: string;
  configFile: string;
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
  port: number;
  host: string;
}

export class EnvError extends Error {}

/** SYSTEM_ID, ESB_CONFIG, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL; PORT (default 0 = any), HOST. */
export function connectorEnv(env: NodeJS.ProcessEnv = process.env): ConnectorEnv {
  const need = (k: string, what: string): string => {
    const v = env[k];
    if (!v) throw new EnvError(`${k} is not set: ${what}`);
    return v;
  };
  const port = Number(env.PORT ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EnvError(`PORT=${env.PORT} is not a TCP port`);
  return {
    systemId: need('SYSTEM_ID', 'the id of the system this deployment serves (a key of systems: in the topology)'),
    configFile: need('ESB_CONFIG', 'the topology YAML (see config/esb.example.yaml)'),
    kafkaBrokers: need('KAFKA_BROKERS', 'host:port of the Kafka brokers, comma-separated').split(','),
    schemaRegistryUrl: need('SCHEMA_REGISTRY_URL', 'the Confluent-compatible registry API, e.g. http://localhost:8081/apis/ccompat/v7'),
    databaseUrl: need('DATABASE_URL', 'postgres://user@host:5432/db'),
    port,
    host: env.HOST ?? '127.0.0.1',
  };
}

export interface RunSpec {
  service: string;
  kinds: readonly SystemKind[];
  options?: Partial<Omit<ConnectorOptions, 'service' | 'kinds' | 'systemId' | 'topology' | 'endpoints' | 'logger'>>;
  /** Registers routes and pollers, and prepares the system (e.g. user fields) before start. */
  build: (c: Connector) => Promise<void> | void;
}

/** Opens and builds (not starts) a connector from its spec: what main.ts does, and what tests and the demo reuse. */
export async function openConnector(
  spec: RunSpec,
  at: { systemId: string; topology: () => Topology; endpoints: Endpoints; logger?: Logger; http?: ConnectorOptions['http']; storeSchema?: string },
): Promise<Connector> {
  const c = await Connector.open({
    ...spec.options,
    service: spec.service,
    kinds: spec.kinds,
    systemId: at.systemId,
    topology: at.topology,
    endpoints: at.endpoints,
    ...(at.logger ? { logger: at.logger } : {}),
    ...(at.storeSchema ? { storeSchema: at.storeSchema } : {}),
    http: { ...spec.options?.http, ...at.http },
  });
  try {
    await spec.build(c);
  } catch (e) {
    await c.stop();
    throw e;
  }
  return c;
}

export async function runConnector(spec: RunSpec, env: NodeJS.ProcessEnv = process.env): Promise<Connector> {
  let logger: Logger = createLogger(spec.service);
  try {
    const e = connectorEnv(env);
    logger = createLogger(spec.service, { systemId: e.systemId });
    const watcher = watchTopology(e.configFile, {
      onChange: () => logger.info('topology reloaded', { file: e.configFile }),
      onRejected: (err) => logger.error('topology change rejected; the running one stays', { file: e.configFile, problems: err.problems }),
    }, { env });
    const c = await openConnector(spec, {
      systemId: e.systemId,
      topology: () => watcher.current(),
      endpoints: { kafkaBrokers: e.kafkaBrokers, schemaRegistryUrl: e.schemaRegistryUrl, databaseUrl: e.databaseUrl },
      logger,
      http: { port: e.port, host: e.host },
    });
    await c.start();
    onShutdown(logger, [async () => watcher.close(), () => c.stop()]);
    return c;
  } catch (err) {
    logger.error(`${spec.service} failed to start`, { error: err instanceof Error ? err.message : String(err), ...(err && typeof err === 'object' && 'problems' in err ? { problems: (err as { problems: unknown }).problems } : {}) });
    process.exit(err instanceof EnvError ? 2 : 1);
  }
}
