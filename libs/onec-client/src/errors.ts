// 1C's OData errors (reference §1.10) as one error type that is also an EsbError, so the bus's consumer retries or
// dead-letters it without knowing 1C: the HTTP status, 1C's own code (a string, "-1" for business logic), 1C's
// message verbatim (it names the reason a person must fix), and the entity set and key the call concerned.
import { EsbError, type EsbErrorCode } from '@esb/bus';

export interface OneCErrorInit {
  /** 0 when no HTTP answer arrived (network failure, timeout). */
  status: number;
  onecCode?: string;
  onecMessage: string;
  method: string;
  entitySet?: string;
  key?: string;
  cause?: unknown;
}

export class OneCError extends EsbError {
  readonly status: number;
  readonly onecCode?: string;
  readonly onecMessage: string;
  readonly method: string;
  readonly entitySet?: string;
  readonly key?: string;

  constructor(code: EsbErrorCode, init: OneCErrorInit) {
    const where = `${init.entitySet ?? '(service)'}${init.key ? `(${init.key})` : ''}`;
    const status = init.status ? `HTTP ${init.status}` : 'no answer';
    const onec = init.onecCode !== undefined ? `, 1C code ${init.onecCode}` : '';
    super(code, `1C ${init.method} ${where}: ${status}${onec}: ${init.onecMessage}`, {
      system: '1c',
      ...(init.key ? { businessKey: init.key } : {}),
      ...(init.cause !== undefined ? { cause: init.cause } : {}),
    });
    this.name = 'OneCError';
    this.status = init.status;
    this.onecCode = init.onecCode;
    this.onecMessage = init.onecMessage;
    this.method = init.method;
    this.entitySet = init.entitySet;
    this.key = init.key;
  }
}

// Lock conflicts surface as 500 / -1 with a platform message; retrying after the other session commits succeeds.
const LOCK = /блокиров(к|ок)|конфликт блокиров|взаимоблокиров|lock conflict|deadlock/i;

/**
 * The classification (architecture §4): retriable = 5xx without a 1C code (proxy, crash), 502/503/504 (503 = the
 * publication's session pool is exhausted), 429, lock conflicts, 412 (re-read and retry); permanent = 4xx, posting
 * and business errors (500 with code -1 — 1C's message says what to fix), every other 1C code (validation).
 */
export function classifyOneC(status: number, onecCode: string | undefined, message: string): EsbErrorCode {
  if (status === 0) return 'ESB_TARGET_UNAVAILABLE';
  if (status === 429) return 'ESB_RATE_LIMITED';
  if (status === 412) return 'ESB_CONFLICT';
  if (status === 502 || status === 503 || status === 504) return 'ESB_TARGET_UNAVAILABLE';
  if (LOCK.test(message)) return 'ESB_CONFLICT';
  if (status >= 500) return onecCode === undefined ? 'ESB_TARGET_UNAVAILABLE' : 'ESB_TARGET_REJECTED';
  if (status === 400 || status === 422) return 'ESB_VALIDATION';
  return 'ESB_TARGET_REJECTED';
}

/** `{"odata.error":{"code":"9","message":{"lang":"ru","value":"…"}}}` or `<m:error><m:code>…</m:code><m:message>…`. */
export function parseErrorBody(body: string): { code?: string; message?: string } {
  const text = body.replace(/^\uFEFF/, '');
  try {
    const j = JSON.parse(text) as { 'odata.error'?: { code?: unknown; message?: { value?: unknown } | string } };
    const e = j['odata.error'];
    if (e) {
      const msg = typeof e.message === 'string' ? e.message : e.message?.value;
      return { ...(e.code !== undefined ? { code: String(e.code) } : {}), ...(typeof msg === 'string' ? { message: msg } : {}) };
    }
  } catch {
    // not JSON: maybe the Atom form or a proxy's page
  }
  const code = /<(?:m:)?code>([^<]*)<\/(?:m:)?code>/.exec(text)?.[1];
  const message = /<(?:m:)?message[^>]*>([^<]*)<\/(?:m:)?message>/.exec(text)?.[1];
  return { ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message } : {}) };
}
