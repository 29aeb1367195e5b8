// Bitrix24 answers mapped onto the bus's error catalogue (architecture §4): retriable when waiting can help (the two
// rate limits, 5xx, network, timeouts), permanent otherwise (validation, unknown method, access, a lost OAuth grant).
// Every message names the portal, the method and the (redacted, truncated) params, so a DLQ entry is actionable.
import { EsbError, redact, type EsbErrorCode } from '@esb/bus';

export const SYSTEM = 'bitrix24';

/** Codes whose request certainly did not run: retrying them can never duplicate a write. */
const REJECTED_BEFORE_RUN = new Set(['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT', 'OVERLOAD_LIMIT']);
/** Module-level validation errors of the legacy CRM and crm.item (reference §2.4). */
const VALIDATION = new Set(['', 'ERROR_CORE', 'ERROR_ARGUMENT', 'CRM_FIELD_ERROR_VALUE_NOT_VALID', 'ERROR_NOT_FOUND', 'NOT_FOUND', '0', '100']);

export interface Bitrix24ErrorInit {
  portal: string;
  method: string;
  params?: unknown;
  /** HTTP status; 0 for network failures and timeouts, 200 for a command inside a batch. */
  status: number;
  /** Bitrix's `error` code (may be the empty string for legacy CRM errors) or a network error code. */
  error: string;
  description: string;
  cause?: unknown;
}

function describeParams(params: unknown): string {
  if (params === undefined) return '';
  let s: string;
  try {
    s = JSON.stringify(redact(params));
  } catch {
    s = String(params);
  }
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

function codeFor(status: number, error: string): EsbErrorCode {
  if (REJECTED_BEFORE_RUN.has(error) || status === 429) return 'ESB_RATE_LIMITED';
  if (status === 0 || status >= 500) return 'ESB_TARGET_UNAVAILABLE';
  if (status === 400 && VALIDATION.has(error)) return 'ESB_VALIDATION';
  return 'ESB_TARGET_REJECTED';
}

/** A failed Bitrix24 call: an error envelope, a batch command's `result_error`, or a transport failure. */
export class Bitrix24Error extends EsbError {
  readonly portal: string;
  readonly method: string;
  readonly params: unknown;
  readonly status: number;
  /** Bitrix's error code as sent ("" for legacy CRM errors). */
  readonly error: string;
  readonly description: string;

  constructor(i: Bitrix24ErrorInit, retriable?: boolean) {
    const code = codeFor(i.status, i.error);
    const p = describeParams(i.params);
    super(code, `Bitrix24 ${i.portal}: ${i.method}${p ? ` ${p}` : ''} failed: ${i.status || 'no answer'} ${i.error ? `${i.error}: ` : ''}${i.description}`, {
      system: SYSTEM,
      cause: i.cause,
      ...(retriable === undefined ? {} : { retriable }),
    });
    this.name = 'Bitrix24Error';
    this.portal = i.portal;
    this.method = i.method;
    this.params = redact(i.params);
    this.status = i.status;
    this.error = i.error;
    this.description = i.description;
  }

  /** True when the portal rejected the request before running it: safe to resend even for a write. */
  get rejectedBeforeRun(): boolean {
    return REJECTED_BEFORE_RUN.has(this.error) || this.error === 'ECONNREFUSED';
  }

  get isRateLimit(): boolean {
    return this.error === 'QUERY_LIMIT_EXCEEDED' || this.error === 'OVERLOAD_LIMIT' || this.status === 503;
  }

  get isOperatingLimit(): boolean {
    return this.error === 'OPERATION_TIME_LIMIT' || this.status === 429;
  }

  /** 401 expired_token / invalid_token: the access token must be refreshed (OAuth) before retrying. */
  get isTokenExpired(): boolean {
    return this.status === 401 && (this.error === 'expired_token' || this.error === 'invalid_token');
  }
}

/**
 * The application's authorization on a portal is gone (invalid_grant: a used, forged or expired refresh token, or
 * the app was uninstalled). Retrying cannot help; a person must reinstall or re-authorize the application.
 */
export class Bitrix24AuthError extends EsbError {
  constructor(
    readonly portal: string,
    readonly memberId: string,
    readonly error: string,
    description: string,
    cause?: unknown,
  ) {
    super(
      'ESB_TARGET_REJECTED',
      `Bitrix24 portal ${portal} (member_id ${memberId}): the OAuth server rejected our refresh token (${error}: ${description}). ` +
        `The application's authorization is lost: reinstall the application on the portal or re-authorize it (OAuth code flow) so new tokens are stored.`,
      { system: SYSTEM, retriable: false, cause },
    );
    this.name = 'Bitrix24AuthError';
  }
}
