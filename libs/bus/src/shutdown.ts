// Graceful shutdown for services: on SIGTERM/SIGINT, stop taking work, finish what is in hand, close in reverse
// order of start; a second signal or a deadline forces the exit (work not committed is redelivered anyway).
import type { Logger } from './logger.ts';

export function onShutdown(logger: Logger, closers: Array<() => Promise<void>>, opts: { deadlineMs?: number; exit?: (code: number) => void } = {}): () => Promise<void> {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let closing: Promise<void> | undefined;
  const run = (): Promise<void> => {
    closing ??= (async () => {
      const timer = setTimeout(() => {
        logger.error('shutdown deadline passed; exiting with work in hand (it will be redelivered)', { deadlineMs: opts.deadlineMs ?? 30_000 });
        exit(1);
      }, opts.deadlineMs ?? 30_000);
      timer.unref();
      for (const close of [...closers].reverse()) {
        try {
          await close();
        } catch (e) {
          logger.error('error while shutting down', { error: (e as Error).message });
        }
      }
      clearTimeout(timer);
    })();
    return closing;
  };
  const handler = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn('second signal: exiting now', { signal });
      exit(1);
      return;
    }
    logger.info('shutting down', { signal });
    void run().then(() => exit(0));
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
  return run;
}
