// Vitest global setup for integration tests: real Kafka, Apicurio Registry and PostgreSQL, started once per run
// (or reused from `npm run infra:up`, or taken from KAFKA_BROKERS / SCHEMA_REGISTRY_URL / DATABASE_URL).
import type { TestProject } from 'vitest/node';
import { up, describe, rssMb, type Stack } from '@esb/infra';

let stack: Stack | undefined;

export async function setup(project: TestProject): Promise<void> {
  const t0 = Date.now();
  stack = await up({ detached: false, defaultDatabaseUrl: 'postgres://postgres@127.0.0.1:5432/esb_test', log: (l) => process.stderr.write(`[infra] ${l}\n`) });
  process.stderr.write(`[infra] ready in ${((Date.now() - t0) / 1000).toFixed(1)} s\n${describe(stack)}\n`);
  for (const p of stack.started) process.stderr.write(`[infra] ${p.what}: pid ${p.pid}, RSS ${rssMb(p.pid) ?? '?'} MB\n`);
  project.provide('esb', {
    kafkaBrokers: stack.kafkaBrokers,
    schemaRegistryUrl: stack.schemaRegistryUrl,
    databaseUrl: stack.databaseUrl,
  });
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    esb: { kafkaBrokers: string[]; schemaRegistryUrl: string; databaseUrl: string };
  }
}
