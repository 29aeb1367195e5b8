// Versions, ports and folders of the development/test infrastructure, all overridable by environment.
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Kafka versions we know how to assemble from Maven Central, with the logging jars each needs. */
export const KAFKA_VERSIONS = {
  '4.1.2': { log4j2: '2.24.3' },
  '4.1.1': { log4j2: '2.24.3' },
  '3.9.2': { reload4j: '1.2.25', slf4jReload4j: '1.7.36' },
  '3.9.1': { reload4j: '1.2.25', slf4jReload4j: '1.7.36' },
} as const;
export type KafkaVersion = keyof typeof KAFKA_VERSIONS;

export function kafkaVersion(): KafkaVersion {
  const v = process.env.KAFKA_VERSION ?? '4.1.2';
  if (!(v in KAFKA_VERSIONS)) {
    throw new Error(`KAFKA_VERSION=${v} is not supported; choose one of ${Object.keys(KAFKA_VERSIONS).join(', ')}`);
  }
  return v as KafkaVersion;
}

export function apicurioVersion(): string {
  return process.env.APICURIO_VERSION ?? '3.3.3';
}

/** Where downloaded jars live (git-ignored, reused across runs). */
export function cacheDir(): string {
  return resolve(process.env.ESB_INFRA_CACHE ?? resolve(repoRoot, '.infra', 'cache'));
}

/** Where running processes keep data, logs and the state file of `infra:up`. */
export function runDir(): string {
  return resolve(process.env.ESB_INFRA_RUN ?? resolve(repoRoot, '.infra', 'run'));
}

export const DEFAULT_PORTS = {
  kafka: Number(process.env.ESB_KAFKA_PORT ?? 19092),
  registry: Number(process.env.ESB_REGISTRY_PORT ?? 18081),
  registryManagement: Number(process.env.ESB_REGISTRY_MANAGEMENT_PORT ?? 19000),
};

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/esb';
