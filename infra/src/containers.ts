// Optional: Kafka and Apicurio in Docker through testcontainers, for users who have a Docker engine and prefer it
// to JVM processes (ESB_INFRA=testcontainers). The package is not a dependency: `npm i -D testcontainers` first.
// Not exercised by CI here (no Docker engine on the build machines); the process mode is the tested path.
import { DEFAULT_PORTS, apicurioVersion, kafkaVersion } from './settings.ts';

interface StartedContainer {
  stop(): Promise<unknown>;
}
interface ContainerBuilder {
  withEnvironment(env: Record<string, string>): ContainerBuilder;
  withExposedPorts(...ports: Array<{ container: number; host: number }>): ContainerBuilder;
  withWaitStrategy(w: unknown): ContainerBuilder;
  withStartupTimeout(ms: number): ContainerBuilder;
  start(): Promise<StartedContainer>;
}
interface TestcontainersModule {
  GenericContainer: new (image: string) => ContainerBuilder;
  Wait: { forLogMessage(msg: string | RegExp): unknown; forHttp(path: string, port: number): unknown };
}

export async function startContainers(): Promise<{ kafkaBrokers: string[]; schemaRegistryUrl: string; stop(): Promise<void> }> {
  const name = 'testcontainers';
  let tc: TestcontainersModule;
  try {
    tc = (await import(name)) as TestcontainersModule;
  } catch {
    throw new Error('ESB_INFRA=testcontainers needs the testcontainers package (npm i -D testcontainers) and a running Docker engine');
  }
  const kport = DEFAULT_PORTS.kafka;
  // The host port is fixed so the advertised listener is known before the container starts.
  const kafka = await new tc.GenericContainer(`apache/kafka:${kafkaVersion()}`)
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_LISTENERS: `PLAINTEXT://:${kport},CONTROLLER://:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kport}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withExposedPorts({ container: kport, host: kport })
    .withWaitStrategy(tc.Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  const registry = await new tc.GenericContainer(`apicurio/apicurio-registry:${apicurioVersion()}`)
    .withEnvironment({ APICURIO_RULES_GLOBAL_COMPATIBILITY: 'BACKWARD', APICURIO_CCOMPAT_USE_CANONICAL_HASH: 'true' })
    .withExposedPorts({ container: 8080, host: DEFAULT_PORTS.registry })
    .withWaitStrategy(tc.Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .withStartupTimeout(120_000)
    .start();
  return {
    kafkaBrokers: [`127.0.0.1:${kport}`],
    schemaRegistryUrl: `http://127.0.0.1:${DEFAULT_PORTS.registry}/apis/ccompat/v7`,
    async stop() {
      await registry.stop();
      await kafka.stop();
    },
  };
}
