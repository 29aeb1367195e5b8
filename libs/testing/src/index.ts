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
export * from './fixtures.ts';

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
export * from './harness.ts';
