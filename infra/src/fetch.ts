// Brings Kafka and Apicurio Registry from Maven Central into the cache folder once; later runs reuse it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readdirSync, rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { KAFKA_VERSIONS, type KafkaVersion, cacheDir } from './settings.ts';

const DEP_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

function log(msg: string): void {
  process.stderr.write(`[infra] ${msg}\n`);
}

function mvn(args: string[], what: string): void {
  const repo = process.env.ESB_MAVEN_REPO ? [`-Dmaven.repo.local=${process.env.ESB_MAVEN_REPO}`] : [];
  // A scratch working directory: without a POM, Maven's stub project writes `${project.basedir}/target` into the cwd.
  const cwd = mkdtempSync(join(tmpdir(), 'esb-mvn-'));
  const r = spawnSync('mvn', ['-B', '-q', '-ntp', ...repo, ...args], { encoding: 'utf8', cwd });
  rmSync(cwd, { recursive: true, force: true });
  if (r.error) throw new Error(`${what}: could not run mvn (${r.error.message}); install Maven 3.8+ or point KAFKA_BROKERS / SCHEMA_REGISTRY_URL at running services`);
  if (r.status !== 0) throw new Error(`${what}: mvn exited with ${r.status}\n${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}`);
}

function kafkaPom(version: KafkaVersion): string {
  const v = KAFKA_VERSIONS[version];
  const dep = (g: string, a: string, ver: string) =>
    `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${ver}</version></dependency>`;
  const deps = [dep('org.apache.kafka', 'kafka_2.13', version)];
  // The logging backend is packaged only in Kafka's tarball, never in a POM, so it is added here.
  if ('log4j2' in v) {
    for (const a of ['log4j-slf4j-impl', 'log4j-core', 'log4j-api', 'log4j-1.2-api']) deps.push(dep('org.apache.logging.log4j', a, v.log4j2));
  } else {
    deps.push(dep('org.slf4j', 'slf4j-reload4j', v.slf4jReload4j), dep('ch.qos.reload4j', 'reload4j', v.reload4j));
  }
  return `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.esb.infra</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>${deps.join('')}</dependencies></project>\n`;
}

/** Returns the folder holding Kafka's jars, downloading them when absent. */
export function ensureKafka(version: KafkaVersion): string {
  const home = join(cacheDir(), `kafka-${version}`);
  const libs = join(home, 'libs');
  if (existsSync(join(home, '.complete'))) return libs;
  const t0 = Date.now();
  log(`fetching Apache Kafka ${version} jars from Maven Central into ${libs} ...`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(libs, { recursive: true });
  writeFileSync(join(home, 'pom.xml'), kafkaPom(version));
  mvn(['-f', join(home, 'pom.xml'), `${DEP_PLUGIN}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${libs}`], `Kafka ${version}`);
  const jars = readdirSync(libs).filter((f) => f.endsWith('.jar'));
  if (!jars.some((j) => j.startsWith(`kafka_2.13-${version}`))) throw new Error(`Kafka ${version}: kafka_2.13 jar missing after download`);
  writeFileSync(join(home, '.complete'), `${new Date().toISOString()}\n`);
  log(`Kafka ${version}: ${jars.length} jars in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return libs;
}

/** Returns the Apicurio Registry folder (holding quarkus-run.jar), downloading and unpacking when absent. */
export function ensureApicurio(version: string): string {
  const home = join(cacheDir(), `apicurio-${version}`);
  const app = join(home, 'app');
  if (existsSync(join(home, '.complete'))) return app;
  const t0 = Date.now();
  log(`fetching Apicurio Registry ${version} from Maven Central into ${home} ...`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  mvn([`${DEP_PLUGIN}:copy`, `-Dartifact=io.apicurio:apicurio-registry-app:${version}:tar.gz:all`, `-DoutputDirectory=${home}`], `Apicurio Registry ${version}`);
  const archive = join(home, `apicurio-registry-app-${version}-all.tar.gz`);
  const t = spawnSync('tar', ['-xzf', archive, '-C', app], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`Apicurio Registry ${version}: cannot unpack ${archive}: ${t.stderr || t.error?.message}`);
  rmSync(archive, { force: true });
  if (!existsSync(join(app, 'quarkus-run.jar'))) {
    throw new Error(`Apicurio Registry ${version}: quarkus-run.jar not found in the archive (layouts before 3.3 are not supported)`);
  }
  writeFileSync(join(home, '.complete'), `${new Date().toISOString()}\n`);
  log(`Apicurio Registry ${version}: unpacked in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return app;
}
