// The error catalogue of the bus: every error says whether retrying can help, which system and which record it
// concerns, and what a person can do about it. Codes are never reused.
export const ESB_ERRORS = {
  ESB_DECODE: { retriable: false, text: 'the message is not valid Confluent-framed Avro for a known schema' },
  ESB_ENCODE: { retriable: false, text: 'the record does not match its Avro schema' },
  ESB_NO_EVENT_ID: { retriable: false, text: 'the record has no meta.eventId, so it cannot be deduplicated' },
  ESB_NO_HANDLER: { retriable: false, text: 'no handler is registered for this record type' },
  ESB_VALIDATION: { retriable: false, text: 'the record is invalid for the target system' },
  ESB_UNROUTABLE: { retriable: false, text: 'no destination could be resolved for the record' },
  ESB_TARGET_REJECTED: { retriable: false, text: 'the target system rejected the write' },
  ESB_TARGET_UNAVAILABLE: { retriable: true, text: 'the target system is unreachable or overloaded' },
  ESB_RATE_LIMITED: { retriable: true, text: 'the target system asked us to slow down' },
  ESB_CONFLICT: { retriable: true, text: 'a concurrent change or lock conflict; retrying usually succeeds' },
  ESB_UNAUTHORIZED: { retriable: false, text: 'the caller could not prove who it is (token, signature or credentials wrong or missing)' },
  ESB_INTERNAL: { retriable: false, text: 'an unexpected error (a bug): fix it, then replay from the DLQ' },
} as const;

export type EsbErrorCode = keyof typeof ESB_ERRORS;

export interface EsbErrorInit {
  system?: string;
  /** The business key the error concerns: an INN, an order number, a deal id. */
  businessKey?: string;
  cause?: unknown;
  /** Overrides the code's default, e.g. a validation error that is known to be transient. */
  retriable?: boolean;
}

export class EsbError extends Error {
  readonly code: EsbErrorCode;
  readonly retriable: boolean;
  readonly system?: string;
  readonly businessKey?: string;

  constructor(code: EsbErrorCode, message: string, init: EsbErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'EsbError';
    this.code = code;
    this.retriable = init.retriable ?? ESB_ERRORS[code].retriable;
    this.system = init.system;
    this.businessKey = init.businessKey;
  }
}

export interface Classified {
  retriable: boolean;
  code: string;
  message: string;
}

const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** Retriable or permanent, for any thrown value. Unknown errors are permanent: retrying a bug does not fix it. */
export function classifyError(e: unknown): Classified {
  if (e instanceof EsbError) return { retriable: e.retriable, code: e.code, message: e.message };
  if (e instanceof Error) {
    const anyE = e as Error & { code?: unknown; retriable?: unknown; cause?: unknown };
    const code = typeof anyE.code === 'string' ? anyE.code : undefined;
    // KafkaJS and the canonical library mark their own errors.
    if (typeof anyE.retriable === 'boolean') return { retriable: anyE.retriable, code: e.name.startsWith('KafkaJS') ? e.name : (code ?? e.name), message: e.message };
    if (code && NET_CODES.has(code)) return { retriable: true, code, message: e.message };
    // PostgreSQL: serialization failure, deadlock, connection exceptions, too many connections, shutdown.
    if (code && (/^(40001|40P01|53300|57P0[1-3])$/.test(code) || code.startsWith('08'))) return { retriable: true, code: `PG_${code}`, message: e.message };
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return { retriable: true, code: e.name, message: e.message };
    if (anyE.cause !== undefined && anyE.cause !== e) {
      const inner = classifyError(anyE.cause);
      if (inner.retriable) return { ...inner, message: e.message };
    }
    return { retriable: false, code: 'ESB_INTERNAL', message: e.message };
  }
  return { retriable: false, code: 'ESB_INTERNAL', message: String(e) };
}

export interface RetryPolicy {
  /** Attempts in total, the first included. `Infinity` blocks the partition until the target recovers. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** 0..1: the share of the delay that is randomised, so many consumers do not retry in step. */
  jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, initialDelayMs: 200, maxDelayMs: 30_000, factor: 2, jitter: 0.3 };

/** Delay before attempt `attempt + 1` (attempt counts from 1): exponential, capped, with jitter. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1));
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}
