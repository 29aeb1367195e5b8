// The success envelope (`result`, `next`, `total`, `time`) and the error envelope, serialized the way the portal's
// PHP does it: keys in the server's order, `time` with microsecond floats and `date('c')` strings, `[]` for empty maps.
import { json, type SandboxResponse } from '@esb/sandbox-kit';
import { isoDateTime, microtime } from '../portal/format.ts';
import { RestError } from './errors.ts';

export interface TimeBlock {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at?: number;
  operating?: number;
}

export interface Operating {
  operating: number;
  resetAt: number;
}

/** Wall-clock milliseconds with sub-millisecond precision (PHP's microtime). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export function timeBlock(startMs: number, finishMs: number, processingMs: number, offsetMin: number, op?: Operating): TimeBlock {
  const t: TimeBlock = {
    start: microtime(startMs),
    finish: microtime(finishMs),
    duration: (finishMs - startMs) / 1000,
    processing: processingMs / 1000,
    date_start: isoDateTime(startMs, offsetMin),
    date_finish: isoDateTime(finishMs, offsetMin),
  };
  if (op) {
    t.operating_reset_at = op.resetAt;
    t.operating = Math.round(op.operating * 1e6) / 1e6;
  }
  return t;
}

/** What a method handler returns; list methods set `total` and, when more rows remain, `next`. */
export interface MethodOutput {
  result: unknown;
  next?: number;
  total?: number;
}

/** PHP json_encode prints an empty array as `[]`, whether it was meant as a list or a map. */
export function phpEmpty<T extends object>(map: T): T | [] {
  return Object.keys(map).length === 0 ? [] : map;
}

export function successBody(out: MethodOutput, time: TimeBlock): Record<string, unknown> {
  const body: Record<string, unknown> = { result: out.result };
  if (out.next !== undefined) body.next = out.next;
  if (out.total !== undefined) body.total = out.total;
  body.time = time;
  return body;
}

/** Headers the cloud portal adds to every REST answer (reference §1.3). */
export function restHeaders(time: TimeBlock, clientId: string | undefined): Record<string, string> {
  const h: Record<string, string> = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'origin, content-type, accept',
    'x-bitrix-rest-time': String(time.duration),
    'x-bitrix-rest-user-time': String(time.processing),
    'x-bitrix-rest-system-time': '0',
  };
  if (clientId) h['x-bitrix-rest-application'] = clientId;
  return h;
}

export function errorResponse(e: RestError, headers: Record<string, string> = {}): SandboxResponse {
  return json(e.status, e.body(), { 'access-control-allow-origin': '*', ...headers });
}
