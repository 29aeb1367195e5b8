import { describe, it, expect } from 'vitest';
import { classifyError, backoffDelay, EsbError, DEFAULT_RETRY } from './errors.ts';
import { createLogger } from './logger.ts';

describe('error classification', () => {
  it('honours EsbError codes and overrides', () => {
    expect(classifyError(new EsbError('ESB_VALIDATION', 'bad INN'))).toMatchObject({ retriable: false, code: 'ESB_VALIDATION' });
    expect(classifyError(new EsbError('ESB_RATE_LIMITED', 'QUERY_LIMIT_EXCEEDED'))).toMatchObject({ retriable: true });
    expect(classifyError(new EsbError('ESB_VALIDATION', 'locked', { retriable: true })).retriable).toBe(true);
  });

  it('treats network and transient database failures as retriable, everything unknown as permanent', () => {
    expect(classifyError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })).retriable).toBe(true);
    expect(classifyError(Object.assign(new Error('deadlock'), { code: '40P01' }))).toMatchObject({ retriable: true, code: 'PG_40P01' });
    expect(classifyError(Object.assign(new Error('conn'), { code: '08006' })).retriable).toBe(true);
    expect(classifyError(Object.assign(new Error('unique'), { code: '23505' })).retriable).toBe(false);
    expect(classifyError(new TypeError('x is undefined'))).toMatchObject({ retriable: false, code: 'ESB_INTERNAL' });
    expect(classifyError(new Error('wrapped', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) })).retriable).toBe(true);
    expect(classifyError('a string').retriable).toBe(false);
    expect(classifyError(Object.assign(new Error('INN 2500000000: check digit'), { code: 'ESB_ID_CHECKSUM', retriable: false }))).toMatchObject({ retriable: false, code: 'ESB_ID_CHECKSUM' });
  });
});

describe('backoff', () => {
  it('grows exponentially, stays within the jitter band and the cap', () => {
    const p = { ...DEFAULT_RETRY, initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 0.2 };
    expect(backoffDelay(p, 1, () => 0.5)).toBe(100);
    expect(backoffDelay(p, 2, () => 0.5)).toBe(200);
    expect(backoffDelay(p, 3, () => 0.5)).toBe(400);
    expect(backoffDelay(p, 10, () => 0.5)).toBe(1000);
    expect(backoffDelay(p, 3, () => 0)).toBe(320);
    expect(backoffDelay(p, 3, () => 0.999999)).toBe(480);
    const samples = Array.from({ length: 200 }, () => backoffDelay(p, 2));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(160);
    expect(Math.max(...samples)).toBeLessThanOrEqual(240);
    expect(new Set(samples).size).toBeGreaterThan(10);
  });
});

describe('logger', () => {
  it('writes JSON lines and redacts secrets at any depth', () => {
    const lines: string[] = [];
    const log = createLogger('svc', { correlationId: 'c1' }, (l) => lines.push(l)).child({ systemId: 'b24' });
    log.info('call', { url: 'https://x', auth: { access_token: 'abc', application_token: 'def' }, password: 'p', nested: [{ refresh_token: 'r' }] });
    const e = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(e).toMatchObject({ level: 'info', service: 'svc', msg: 'call', correlationId: 'c1', systemId: 'b24', url: 'https://x', password: '[redacted]' });
    expect(JSON.stringify(e)).not.toMatch(/abc|def|"r"/);
  });
});
