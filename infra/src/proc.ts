// Child-process helpers: start a JVM with its output in a log file, wait on a probe, stop it politely then firmly.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Started {
  pid: number;
  log: string;
}

export function startProcess(cmd: string, args: string[], log: string, opts: { detached: boolean; env?: NodeJS.ProcessEnv; cwd?: string }): Started {
  const fd = openSync(log, 'a');
  const child = spawn(cmd, args, {
    stdio: ['ignore', fd, fd],
    detached: opts.detached,
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  if (opts.detached) child.unref();
  return { pid: child.pid, log };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopProcess(pid: number, graceMs = 15_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  while (isAlive(pid)) await sleep(50);
}

export function killHard(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Last lines of a log, for error messages that let a person see why a process did not come up. */
export function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/**
 * Polls `probe` until it resolves true. Fails with the probe's last error and the log tail when the process
 * dies or the deadline passes.
 */
export async function waitUntil(what: string, probe: () => Promise<boolean>, opts: { timeoutMs: number; pid?: number; log?: string }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (opts.pid !== undefined && !isAlive(opts.pid)) {
      throw new Error(`${what} exited during start-up.${opts.log ? `\n--- ${opts.log} ---\n${tail(opts.log)}` : ''}`);
    }
    try {
      if (await probe()) return;
    } catch (e) {
      last = e;
    }
    await sleep(250);
  }
  const reason = last instanceof Error ? last.message : String(last ?? 'not ready');
  throw new Error(`${what} did not become ready in ${opts.timeoutMs} ms (${reason}).${opts.log ? `\n--- ${opts.log} ---\n${tail(opts.log)}` : ''}`);
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function portInUse(port: number): Promise<boolean> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
