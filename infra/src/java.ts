// Finds a Java runtime of at least a given major version: env override, JAVA_HOME, PATH, then /usr/lib/jvm.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function majorOf(javaBin: string): number {
  const r = spawnSync(javaBin, ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 0;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr + r.stdout);
  if (!m) return 0;
  const first = Number(m[1]);
  return first === 1 ? Number(m[2]) : first;
}

export interface JavaRuntime {
  bin: string;
  major: number;
}

export function findJava(minMajor: number, envOverride?: string): JavaRuntime {
  const candidates: string[] = [];
  const override = envOverride ? process.env[envOverride] : undefined;
  if (override) candidates.push(join(override, 'bin', 'java'));
  if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  candidates.push('java');
  if (existsSync('/usr/lib/jvm')) {
    for (const d of readdirSync('/usr/lib/jvm').sort().reverse()) candidates.push(join('/usr/lib/jvm', d, 'bin', 'java'));
  }
  const seen: string[] = [];
  for (const bin of candidates) {
    if (bin !== 'java' && !existsSync(bin)) continue;
    const major = majorOf(bin);
    seen.push(`${bin} → ${major || 'unusable'}`);
    if (major >= minMajor) return { bin, major };
  }
  throw new Error(
    `No Java ${minMajor}+ runtime found${envOverride ? ` (set ${envOverride} to a JDK home)` : ''}. Looked at: ${seen.join('; ') || 'nothing'}`,
  );
}
