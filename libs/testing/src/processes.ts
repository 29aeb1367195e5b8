// Crash tests run bus components in child processes they can SIGKILL. These are the shared pieces of both sides:
// the parent starts a worker script under the same Node with tsx; the worker reads its settings from the environment
// and, when not told to crash, exits once its consumer group has caught up.
import { spawn } from 'node:child_process';
import type { Kafka } from 'kafkajs';
import { readConsumerLag, totalLag } from '@esb/bus';

export function requiredEnv(k: string): string {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
}

export async function waitForNoLag(kafka: Kafka, group: string, topic: string): Promise<void> {
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const lag = await readConsumerLag(kafka, group, [topic]).catch(() => undefined);
    if (lag && lag.length > 0 && totalLag(lag) === 0n) return;
  }
}

export interface ScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runScript(script: string, env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
