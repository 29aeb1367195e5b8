// The whole local stack: Kafka, the schema registry and PostgreSQL, each either started here or taken from
// the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL) when the user runs their own.
import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startKafka, waitForKafka } from './kafka.ts';
import { startRegistry, waitForRegistry, ccompatUrl } from './registry.ts';
import { startContainers } from './containers.ts';
import { ensureDatabase, redactUrl } from './postgres.ts';
import { isAlive, stopProcess, portInUse } from './proc.ts';
import { DEFAULT_DATABASE_URL, DEFAULT_PORTS, apicurioVersion, kafkaVersion, runDir } from './settings.ts';

export interface Endpoints {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
}

interface ProcInfo {
  pid: number;
  log: string;
  what: string;
  startupMs: number;
  rssMb?: number;
}

export interface StackState extends Endpoints {
  startedAt: string;
  processes: ProcInfo[];
  kafkaVersion?: string;
  registryVersion?: string;
}

const stateFile = () => join(runDir(), 'state.json');

export function readState(): StackState | undefined {
  if (!existsSync(stateFile())) return undefined;
  const s = JSON.parse(readFileSync(stateFile(), 'utf8')) as StackState;
  return s.processes.every((p) => isAlive(p.pid)) ? s : undefined;
}

/** A recorded stack of which some process died is stopped entirely, so a fresh start finds its ports free. */
async function clearBrokenState(log: (l: string) => void): Promise<void> {
  if (!existsSync(stateFile()) || readState()) return;
  const s = JSON.parse(readFileSync(stateFile(), 'utf8')) as StackState;
  for (const p of s.processes) {
    if (isAlive(p.pid)) {
      log(`stopping ${p.what} (pid ${p.pid}) left from an infra whose other processes died`);
      await stopProcess(p.pid, 20_000);
    }
  }
  rmSync(stateFile(), { force: true });
}

export function rssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export interface UpOptions {
  /** Processes outlive this Node process (npm run infra:up) and are recorded in the state file. */
  detached: boolean;
  kafkaNodes?: 1 | 3;
  /** Database when DATABASE_URL is not set (tests use their own database, not the demo's). */
  defaultDatabaseUrl?: string;
  log?: (line: string) => void;
}

export interface Stack extends Endpoints {
  started: ProcInfo[];
  /** Stops what this call started (nothing when everything came from the environment or a running infra:up). */
  stop(): Promise<void>;
}

export async function up(opts: UpOptions): Promise<Stack> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`[infra] ${l}\n`));
  const started: ProcInfo[] = [];
  const stops: Array<() => Promise<void>> = [];
  await clearBrokenState(log);
  const existing = readState();
  const databaseUrl = process.env.DATABASE_URL ?? opts.defaultDatabaseUrl ?? existing?.databaseUrl ?? DEFAULT_DATABASE_URL;
  let kafkaBrokers: string[];
  let schemaRegistryUrl: string;
  let kafkaOverride = process.env.KAFKA_BROKERS;
  let registryOverride = process.env.SCHEMA_REGISTRY_URL;

  try {
    if (process.env.ESB_INFRA === 'testcontainers' && !kafkaOverride && !registryOverride && !existing) {
      if (opts.detached) throw new Error('ESB_INFRA=testcontainers is for test runs; for a standing stack use docker compose up');
      log('Kafka and the schema registry: starting Docker containers through testcontainers ...');
      const c = await startContainers();
      kafkaOverride = c.kafkaBrokers.join(',');
      registryOverride = c.schemaRegistryUrl;
      stops.push(() => c.stop());
    }
    if (kafkaOverride) {
      kafkaBrokers = kafkaOverride.split(',').map((s) => s.trim()).filter(Boolean);
      await waitForKafka(kafkaBrokers, 1, { timeoutMs: 30_000 });
      log(`Kafka: using ${kafkaBrokers.join(',')}`);
    } else if (existing) {
      kafkaBrokers = existing.kafkaBrokers;
      await waitForKafka(kafkaBrokers, 1, { timeoutMs: 30_000 });
      log(`Kafka: reusing the running infra (${kafkaBrokers.join(',')})`);
    } else {
      const version = kafkaVersion();
      const nodes = opts.kafkaNodes ?? 1;
      if (await portInUse(DEFAULT_PORTS.kafka)) {
        throw new Error(`port ${DEFAULT_PORTS.kafka} is taken but no infra state is recorded: stop that process, set ESB_KAFKA_PORT, or point KAFKA_BROKERS at it`);
      }
      const dataDir = join(runDir(), 'kafka');
      rmSync(dataDir, { recursive: true, force: true });
      log(`Kafka ${version}: starting ${nodes} KRaft node(s) ...`);
      const k = await startKafka({ version, dataDir, nodes, basePort: DEFAULT_PORTS.kafka, detached: opts.detached });
      kafkaBrokers = k.brokers;
      for (const n of k.nodes) started.push({ pid: n.pid, log: n.log, what: `kafka ${version} node ${n.id}`, startupMs: k.startupMs, rssMb: rssMb(n.pid) });
      stops.push(() => k.stop());
      log(`Kafka ${version}: ready in ${(k.startupMs / 1000).toFixed(1)} s at ${kafkaBrokers.join(',')}`);
    }

    if (registryOverride) {
      schemaRegistryUrl = ccompatUrl(registryOverride);
      await waitForRegistry(schemaRegistryUrl, { timeoutMs: 30_000 });
      log(`Schema registry: using ${schemaRegistryUrl}`);
    } else if (existing) {
      schemaRegistryUrl = existing.schemaRegistryUrl;
      await waitForRegistry(schemaRegistryUrl, { timeoutMs: 30_000 });
      log(`Schema registry: reusing the running infra (${schemaRegistryUrl})`);
    } else {
      const version = apicurioVersion();
      if (await portInUse(DEFAULT_PORTS.registry)) {
        throw new Error(`port ${DEFAULT_PORTS.registry} is taken but no infra state is recorded: stop that process, set ESB_REGISTRY_PORT, or point SCHEMA_REGISTRY_URL at it`);
      }
      log(`Apicurio Registry ${version}: starting ...`);
      const r = await startRegistry({
        version,
        dataDir: join(runDir(), 'registry'),
        port: DEFAULT_PORTS.registry,
        managementPort: DEFAULT_PORTS.registryManagement,
        detached: opts.detached,
      });
      schemaRegistryUrl = r.url;
      started.push({ pid: r.pid, log: r.log, what: `apicurio-registry ${version}`, startupMs: r.startupMs, rssMb: rssMb(r.pid) });
      stops.push(() => r.stop());
      log(`Apicurio Registry ${version}: ready in ${(r.startupMs / 1000).toFixed(1)} s at ${schemaRegistryUrl} on ${r.java}`);
    }

    const db = await ensureDatabase(databaseUrl);
    log(`PostgreSQL ${db.version}: ${redactUrl(databaseUrl)}${db.created ? ' (database created)' : ''}`);
  } catch (e) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    throw e;
  }

  if (opts.detached && started.length > 0) {
    mkdirSync(runDir(), { recursive: true });
    const state: StackState = {
      startedAt: new Date().toISOString(),
      kafkaBrokers,
      schemaRegistryUrl,
      databaseUrl,
      processes: started,
      kafkaVersion: kafkaVersion(),
      registryVersion: apicurioVersion(),
    };
    writeFileSync(stateFile(), JSON.stringify(state, null, 2));
  }

  return {
    kafkaBrokers,
    schemaRegistryUrl,
    databaseUrl,
    started,
    async stop() {
      for (const s of stops.reverse()) await s();
    },
  };
}

/** Stops what `infra:up` started, found through the state file (or by the pids it recorded). */
export async function down(log: (l: string) => void = (l) => process.stderr.write(`[infra] ${l}\n`)): Promise<void> {
  if (!existsSync(stateFile())) {
    log('nothing recorded as running');
    return;
  }
  const s = JSON.parse(readFileSync(stateFile(), 'utf8')) as StackState;
  for (const p of [...s.processes].reverse()) {
    if (isAlive(p.pid)) {
      await stopProcess(p.pid, 20_000);
      log(`stopped ${p.what} (pid ${p.pid})`);
    }
  }
  rmSync(stateFile(), { force: true });
}

export function describe(e: Endpoints): string {
  return [
    `  Kafka brokers    ${e.kafkaBrokers.join(',')}`,
    `  Schema registry  ${e.schemaRegistryUrl}`,
    `  PostgreSQL       ${redactUrl(e.databaseUrl)}`,
  ].join('\n');
}

export function javaProcesses(): string {
  try {
    return execFileSync('ps', ['-o', 'pid,rss,etime,args', '-C', 'java'], { encoding: 'utf8' });
  } catch {
    return '';
  }
}
