// Apicurio Registry 3.x (Confluent-compatible API at /apis/ccompat/v7) as a local JVM process.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureApicurio } from './fetch.ts';
import { findJava } from './java.ts';
import { startProcess, stopProcess, killHard, waitUntil } from './proc.ts';

export interface RunningRegistry {
  url: string;
  pid: number;
  log: string;
  java: string;
  startupMs: number;
  stop(): Promise<void>;
}

export function ccompatUrl(base: string): string {
  return base.includes('/apis/ccompat/') ? base : `${base.replace(/\/$/, '')}/apis/ccompat/v7`;
}

export async function waitForRegistry(url: string, opts: { timeoutMs?: number; pid?: number; log?: string } = {}): Promise<void> {
  await waitUntil(
    `Schema registry at ${url}`,
    async () => {
      const r = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
      return r.status === 200 && Array.isArray(await r.json());
    },
    { timeoutMs: opts.timeoutMs ?? 120_000, pid: opts.pid, log: opts.log },
  );
}

export async function startRegistry(opts: { version: string; dataDir: string; port: number; managementPort: number; detached?: boolean }): Promise<RunningRegistry> {
  const t0 = Date.now();
  mkdirSync(opts.dataDir, { recursive: true });
  const app = ensureApicurio(opts.version);
  // Apicurio 3.3 is compiled for Java 21 (class file 65): Java 17 fails with UnsupportedClassVersionError.
  const java = findJava(21, 'REGISTRY_JAVA_HOME');
  const log = join(opts.dataDir, 'registry.log');
  const args = [
    '-Xms64m',
    '-Xmx384m',
    `-Dquarkus.http.host=127.0.0.1`,
    `-Dquarkus.http.port=${opts.port}`,
    `-Dquarkus.management.host=127.0.0.1`,
    `-Dquarkus.management.port=${opts.managementPort}`,
    // Confluent's default, and what @kafkajs/confluent-schema-registry expects to find for a new subject.
    '-Dapicurio.rules.global.compatibility=BACKWARD',
    // Re-registering the same schema written differently returns the existing id, as in Confluent.
    '-Dapicurio.ccompat.use-canonical-hash=true',
    '-Dapicurio.datasource.jdbc.initial-size=2',
    '-Dapicurio.datasource.jdbc.min-size=2',
    '-Dapicurio.datasource.jdbc.max-size=10',
    '-Dquarkus.log.level=WARN',
    '-Dquarkus.log.category."io.apicurio".level=INFO',
    '-jar',
    join(app, 'quarkus-run.jar'),
  ];
  const p = startProcess(java.bin, args, log, { detached: opts.detached ?? false, cwd: opts.dataDir });
  const url = `http://127.0.0.1:${opts.port}/apis/ccompat/v7`;
  try {
    await waitForRegistry(url, { pid: p.pid, log });
  } catch (e) {
    killHard(p.pid);
    throw e;
  }
  return {
    url,
    pid: p.pid,
    log,
    java: `${java.bin} (Java ${java.major})`,
    startupMs: Date.now() - t0,
    stop: () => stopProcess(p.pid, 15_000),
  };
}
