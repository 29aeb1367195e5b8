import { describe, it, expect } from 'vitest';
import { onShutdown } from './shutdown.ts';
import { createLogger } from './logger.ts';

describe('graceful shutdown', () => {
  it('closes in reverse start order once, then exits 0', async () => {
    const order: string[] = [];
    const codes: number[] = [];
    const logger = createLogger('t', {}, () => undefined);
    const run = onShutdown(
      logger,
      [async () => void order.push('store'), async () => Promise.reject(new Error('kafka gone')), async () => void order.push('consumer')],
      { exit: (c) => codes.push(c) },
    );
    process.emit('SIGTERM', 'SIGTERM');
    await run();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['consumer', 'store']);
    expect(codes).toEqual([0]);
  });
});
