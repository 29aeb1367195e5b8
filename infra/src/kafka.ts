// A real Apache Kafka broker (KRaft, combined broker+controller) as local JVM processes: one node or three.
import { silenceKafkaJsTimeoutWarning } from './quirks.ts';
silenceKafkaJsTimeoutWarning();
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ensureKafka } from './fetch.ts';
import { findJava } from './java.ts';
import { startProcess, stopProcess, killHard, waitUntil, freePort, isAlive } from './proc.ts';
import { repoRoot, type KafkaVersion } from './settings.ts';

export interface KafkaNodeSpec {
  id: number;
  port: number;
  controllerPort: number;
}

export interface KafkaClusterSpec {
  version: KafkaVersion;
  dataDir: string;
  nodes: KafkaNodeSpec[];
  clusterId: string;
  heap: string;
}

export interface KafkaNodeState extends KafkaNodeSpec {
  pid: number;
  log: string;
}

function kafkaKeyBase(spec: KafkaClusterSpec, n: KafkaNodeSpec): Record<string, string | number> {
  const count = spec.nodes.length;
  const rf = Math.min(3, count);
  const minIsr = count >= 3 ? 2 : 1;
  return {
    'process.roles': 'broker,controller',
    'node.id': n.id,
    'controller.quorum.voters': spec.nodes.map((x) => `${x.id}@127.0.0.1:${x.controllerPort}`).join(','),
    listeners: `PLAINTEXT://127.0.0.1:${n.port},CONTROLLER://127.0.0.1:${n.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${n.port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': join(spec.dataDir, `node-${n.id}`),
    'num.partitions': 1,
    'default.replication.factor': rf,
    'min.insync.replicas': minIsr,
    'offsets.topic.replication.factor': rf,
    // One partition for the internal topics makes the first group join and first transaction fast.
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': rf,
    'share.coordinator.state.topic.min.isr': minIsr,
    'group.initial.rebalance.delay.ms': 0,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    // The bus creates its topics itself (waitForLeaders); auto-creation would hide a missing topic.
    'auto.create.topics.enable': 'false',
    'log.segment.bytes': 16 * 1024 * 1024,
    'transaction.max.timeout.ms': 900000,
  };
}

function propsFile(spec: KafkaClusterSpec, n: KafkaNodeSpec): string {
  const file = join(spec.dataDir, `server-${n.id}.properties`);
  const body = Object.entries(kafkaKeyBase(spec, n))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  writeFileSync(file, `${body}\n`);
  return file;
}

function loggingArgs(version: KafkaVersion): string[] {
  return version.startsWith('3.')
    ? [`-Dlog4j.configuration=file:${join(repoRoot, 'infra', 'kafka', 'log4j.properties')}`]
    : [`-Dlog4j2.configurationFile=${join(repoRoot, 'infra', 'kafka', 'log4j2.properties')}`];
}

/**
 * Random base64url cluster id of 16 bytes, the shape StorageTool's random-uuid prints. Like Kafka's Uuid, never
 * one starting with '-': the storage tool's argument parser would read it as an option.
 */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (id[0] !== '-') return id;
  }
}

export async function planCluster(opts: { version: KafkaVersion; dataDir: string; nodes: 1 | 3; basePort?: number; heap?: string }): Promise<KafkaClusterSpec> {
  const nodes: KafkaNodeSpec[] = [];
  for (let i = 1; i <= opts.nodes; i++) {
    // With a base port P: node i listens on P+(i-1)*10000 and its controller one port above (19092/19093, 29092/29093, ...).
    const port = opts.basePort !== undefined ? opts.basePort + (i - 1) * 10000 : await freePort();
    const controllerPort = opts.basePort !== undefined ? port + 1 : await freePort();
    nodes.push({ id: i, port, controllerPort });
  }
  return { version: opts.version, dataDir: opts.dataDir, nodes, clusterId: newClusterId(), heap: opts.heap ?? '512m' };
}

function format(spec: KafkaClusterSpec, libs: string, java: string): void {
  for (const n of spec.nodes) {
    const props = propsFile(spec, n);
    if (existsSync(join(spec.dataDir, `node-${n.id}`, 'meta.properties'))) continue;
    const r = spawnSync(java, ['-cp', `${libs}/*`, ...loggingArgs(spec.version), 'kafka.tools.StorageTool', 'format', '-t', spec.clusterId, '-c', props, '--ignore-formatted'], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`Kafka storage format failed for node ${n.id}: ${r.stderr || r.stdout}`);
  }
}

export function brokersOf(spec: { nodes: KafkaNodeSpec[] }): string[] {
  return spec.nodes.map((n) => `127.0.0.1:${n.port}`);
}

/** Starts one node with the runtime resolved once by the caller (`java -version` probes are not free). */
export function startNode(spec: KafkaClusterSpec, n: KafkaNodeSpec, detached: boolean, runtime: { libs: string; java: string }): KafkaNodeState {
  const { libs, java } = runtime;
  const props = propsFile(spec, n);
  const log = join(spec.dataDir, `kafka-${n.id}.log`);
  const args = [`-Xms128m`, `-Xmx${spec.heap}`, '-XX:+UseG1GC', '-Djava.awt.headless=true', ...loggingArgs(spec.version), '-cp', `${libs}/*`, 'kafka.Kafka', props];
  const p = startProcess(java, args, log, { detached });
  return { ...n, pid: p.pid, log };
}

/** Ready means: a client sees every node in the cluster metadata and a controller is elected. */
export async function waitForKafka(brokers: string[], expectedNodes: number, opts: { timeoutMs?: number; pids?: number[]; log?: string } = {}): Promise<void> {
  const kafka = new Kafka({ clientId: 'esb-infra-probe', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 });
  const admin = kafka.admin();
  try {
    await waitUntil(
      `Kafka at ${brokers.join(',')}`,
      async () => {
        if (opts.pids && opts.pids.some((p) => !isAlive(p))) throw new Error('a broker process exited');
        await admin.connect();
        const c = await admin.describeCluster();
        return c.brokers.length >= expectedNodes && c.controller !== null && c.controller >= 0;
      },
      { timeoutMs: opts.timeoutMs ?? 90_000, log: opts.log },
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface RunningKafka {
  spec: KafkaClusterSpec;
  nodes: KafkaNodeState[];
  brokers: string[];
  startupMs: number;
  /** Stops a node politely (controlled shutdown). */
  stopNode(id: number): Promise<void>;
  /** Kills a node like a power cut. */
  killNode(id: number): void;
  /** Starts a stopped node again and waits until the cluster sees it. */
  restartNode(id: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startKafka(opts: { version: KafkaVersion; dataDir: string; nodes?: 1 | 3; basePort?: number; detached?: boolean; heap?: string }): Promise<RunningKafka> {
  const t0 = Date.now();
  mkdirSync(opts.dataDir, { recursive: true });
  const spec = await planCluster({ version: opts.version, dataDir: opts.dataDir, nodes: opts.nodes ?? 1, basePort: opts.basePort, heap: opts.heap });
  const libs = ensureKafka(spec.version);
  const java = findJava(17, 'KAFKA_JAVA_HOME').bin;
  format(spec, libs, java);
  const detached = opts.detached ?? false;
  const nodes = spec.nodes.map((n) => startNode(spec, n, detached, { libs, java }));
  const brokers = brokersOf(spec);
  try {
    await waitForKafka(brokers, nodes.length, { pids: nodes.map((n) => n.pid), log: nodes[0]?.log });
  } catch (e) {
    for (const n of nodes) killHard(n.pid);
    throw e;
  }
  const byId = (id: number): KafkaNodeState => {
    const n = nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no Kafka node ${id}`);
    return n;
  };
  return {
    spec,
    nodes,
    brokers,
    startupMs: Date.now() - t0,
    async stopNode(id) {
      await stopProcess(byId(id).pid, 30_000);
    },
    killNode(id) {
      killHard(byId(id).pid);
    },
    async restartNode(id) {
      const n = byId(id);
      if (isAlive(n.pid)) await stopProcess(n.pid, 30_000);
      const fresh = startNode(spec, n, detached, { libs, java });
      n.pid = fresh.pid;
      await waitForKafka(brokers, nodes.length, { pids: [n.pid], log: n.log });
    },
    async stop() {
      await Promise.all(nodes.map((n) => stopProcess(n.pid, 20_000)));
    },
  };
}
