// Helpers for integration tests: where the real services are, and unique names so test files never collide.
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import './global-setup.ts';

export function endpoints(): { kafkaBrokers: string[]; schemaRegistryUrl: string; databaseUrl: string } {
  return inject('esb');
}

/** A name unique to this test run: for topics, consumer groups, subjects and database schemas. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`.replace(/-/g, '_');
}
