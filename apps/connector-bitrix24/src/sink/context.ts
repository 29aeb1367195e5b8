// What every sink write carries along: which delivered record it serves (for the exchange log and error messages) and
// how a failure of the portal is reported — same code and retriability as the client decided, with the record and
// its business key in the message so a DLQ entry says what to fix.
import { EsbError } from '@esb/bus';
import type { Connector } from '@esb/connector-kit';
import type { StoreTx } from '@esb/store';

export interface RecordRef {
  recordType: string;
  eventId: string;
  correlationId?: string;
  /** "Payment 2c3d… for order 0a1b…": how messages name the record. */
  what: string;
  tx: StoreTx;
}

export function refOf(recordType: string, meta: { eventId: string; correlationId: string }, what: string, tx: StoreTx): RecordRef {
  return { recordType: `esb.canonical.${recordType}`, eventId: meta.eventId, correlationId: meta.correlationId, what, tx };
}

/** A permanent error about the record itself (DLQ): names it, the field, and what to do. */
export function invalid(c: Connector, ref: RecordRef, message: string, businessKey?: string): EsbError {
  return new EsbError('ESB_VALIDATION', `${ref.what}: ${message}`, { system: c.systemId, ...(businessKey ? { businessKey } : {}) });
}

/** Re-throws a failure with the record named; EsbErrors keep their code and retriability. */
export function rethrow(c: Connector, ref: RecordRef, doing: string, e: unknown, businessKey?: string): never {
  if (e instanceof EsbError) {
    // Already about this record (thrown by our own checks): as it is.
    if (e.message.startsWith(`${ref.what}:`)) throw e;
    const key = businessKey ?? e.businessKey;
    throw new EsbError(e.code, `${ref.what}: ${doing}: ${e.message}`, { system: e.system ?? c.systemId, retriable: e.retriable, cause: e, ...(key ? { businessKey: key } : {}) });
  }
  throw e;
}

/** One exchange-log line for a write (or a write found unnecessary), in the delivery's transaction. */
export async function trace(
  c: Connector,
  ref: RecordRef,
  operation: string,
  status: 'ok' | 'skipped' | 'error',
  businessKeys: Record<string, string>,
  extra: { latencyMs?: number; details?: Record<string, unknown>; error?: string; errorCode?: string } = {},
): Promise<void> {
  await c.log(
    {
      direction: 'out',
      operation,
      status,
      recordType: ref.recordType,
      eventId: ref.eventId,
      correlationId: ref.correlationId ?? null,
      businessKeys,
      ...(extra.latencyMs !== undefined ? { latencyMs: extra.latencyMs } : {}),
      ...(extra.details ? { details: extra.details } : {}),
      ...(extra.error ? { error: extra.error } : {}),
      ...(extra.errorCode ? { errorCode: extra.errorCode } : {}),
    },
    ref.tx,
  );
}
