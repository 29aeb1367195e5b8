// A poller runs one job at a fixed interval, never two runs of the same job at once; a failing run is logged,
// counted and retried with backoff, and never stops the others. `runNow()` lets tests and admin tools force a run.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, classifyError, DEFAULT_RETRY, type Logger } from '@esb/bus';
import type { Metrics } from './metrics.ts';

export type PollJob = (signal: AbortSignal) => Promise<void>;

export class Poller {
  private running = false;
  private loop?: Promise<void>;
  private current: Promise<void> = Promise.resolve();
  private wake?: AbortController;
  private readonly stopSignal = new AbortController();
  private failures = 0;
  lastSuccess?: Date;

  constructor(
    readonly name: string,
    readonly intervalMs: number,
    private readonly job: PollJob,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Runs the job (after any run in progress) and resolves when it finished; rejects with its error. */
  runNow(): Promise<void> {
    const next = this.current.catch(() => undefined).then(() => this.once());
    this.current = next.catch(() => undefined);
    return next;
  }

  private async once(): Promise<void> {
    const t0 = performance.now();
    try {
      await this.job(this.stopSignal.signal);
      this.lastSuccess = new Date();
      this.metrics.inc('esb_poll_runs_total', 'Poller runs by job and result', { job: this.name, result: 'ok' });
      this.metrics.set('esb_poll_last_success_seconds', 'Unix time of the last successful run of a poller', this.lastSuccess.getTime() / 1000, { job: this.name });
    } catch (e) {
      this.metrics.inc('esb_poll_runs_total', 'Poller runs by job and result', { job: this.name, result: 'error' });
      throw e;
    } finally {
      this.metrics.inc('esb_poll_seconds_sum', 'Time spent in poller runs', { job: this.name }, (performance.now() - t0) / 1000);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.intervalMs;
      try {
        await this.runNow();
        if (this.failures > 0) this.logger.info('poller recovered', { job: this.name, afterFailures: this.failures });
        this.failures = 0;
      } catch (e) {
        if (!this.running) break;
        this.failures++;
        const c = classifyError(e);
        delay = Math.min(this.intervalMs, backoffDelay({ ...DEFAULT_RETRY, maxDelayMs: this.intervalMs }, this.failures));
        this.logger.warn('poll failed; will retry', { job: this.name, code: c.code, error: c.message, attempt: this.failures, retryInMs: delay });
      }
      if (!this.running) break;
      this.wake = new AbortController();
      await sleep(delay, undefined, { signal: this.wake.signal }).catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopSignal.abort();
    this.wake?.abort();
    await this.loop;
    await this.current;
  }
}
