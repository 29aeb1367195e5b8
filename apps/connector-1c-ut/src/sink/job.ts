// One delivery being written to 1C: the record it came from (for messages and the exchange log), the inbox
// transaction, and the three things every write needs — a lock against concurrent deliveries, a trace in the exchange
// log of every call that changes 1C, and errors that name the record and keep 1C's retriable/permanent verdict.
import { classifyError, EsbError, ESB_ERRORS, type EsbErrorCode } from '@esb/bus';
import type { Connector } from '@esb/connector-kit';
import { OneCError, type OneCClient, type OneCEntity } from '@esb/onec-client';
import type { StoreTx } from '@esb/store';
import { rememberOwnWrite } from '../echo.ts';
import type { OneCConfig } from '../config.ts';
import type { SinkShape } from './shape.ts';

export interface RecordInfo {
  recordType: string;
  eventId: string;
  correlationId: string;
  /** How people name the record: "Order 4512 (Битрикс24, сделка 4512)". */
  what: string;
  /** INN, deal, order number… for the exchange log. */
  keys: Record<string, string>;
}

export class Job {
  constructor(
    readonly c: Connector,
    readonly client: OneCClient,
    readonly cfg: OneCConfig,
    readonly shape: SinkShape,
    readonly tx: StoreTx,
    readonly rec: RecordInfo,
  ) {}

  get systemId(): string {
    return this.c.systemId;
  }

  /**
   * Serialises deliveries that could create the same object (two orders of one new company on two partitions, or two
   * instances of this deployment): a PostgreSQL advisory lock held until the inbox transaction ends, so the second
   * delivery sees the first one's xref, or finds its object in 1C, instead of creating a twin.
   */
  async lock(what: string): Promise<void> {
    await this.tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`esb-1c:${this.systemId}:${what}`]);
  }

  /** A read from 1C; failures keep 1C's classification and name the record. */
  async read<T>(fn: (client: OneCClient) => Promise<T>): Promise<T> {
    return fn(this.client);
  }

  /**
   * A call that changes 1C, traced in the exchange log outside the inbox transaction: the write happened in 1C even
   * if this delivery later rolls back, and the log must say so (the next attempt finds the object by its marker).
   */
  async write<T>(operation: string, fn: (client: OneCClient) => Promise<T>, extra: { keys?: Record<string, string>; details?: Record<string, unknown> } = {}): Promise<T> {
    const t0 = performance.now();
    const keys = { ...this.rec.keys, ...extra.keys };
    try {
      const r = await fn(this.client);
      const ref = r && typeof r === 'object' && 'Ref_Key' in r ? String((r as OneCEntity)['Ref_Key']) : undefined;
      const number = r && typeof r === 'object' && 'Number' in r ? String((r as OneCEntity)['Number']) : undefined;
      await this.c.log({
        direction: 'out',
        operation,
        status: 'ok',
        recordType: this.rec.recordType,
        eventId: this.rec.eventId,
        correlationId: this.rec.correlationId,
        businessKeys: { ...keys, ...(number ? { onecNumber: number } : {}) },
        latencyMs: performance.now() - t0,
        details: { ...extra.details, ...(ref ? { ref } : {}) },
      });
      return r;
    } catch (e) {
      const c = classifyError(e);
      await this.c
        .log({
          direction: 'out',
          operation,
          status: 'error',
          recordType: this.rec.recordType,
          eventId: this.rec.eventId,
          correlationId: this.rec.correlationId,
          businessKeys: keys,
          latencyMs: performance.now() - t0,
          errorCode: c.code,
          error: c.message,
          details: { ...extra.details, retriable: c.retriable },
        })
        .catch(() => undefined);
      throw e;
    }
  }

  /**
   * Creates an object under the Ref_Key the bus chose for it (mapping onecRefFor); when 1C already has that key —
   * an earlier attempt whose answer was lost — the existing object is returned with `existed`.
   */
  async createOnce(set: string, ref: string, body: Record<string, unknown>, extra: { keys?: Record<string, string>; details?: Record<string, unknown> } = {}): Promise<{ entity: OneCEntity; existed: boolean }> {
    let existed = false;
    const details: Record<string, unknown> = { ...extra.details };
    const entity = await this.write(
      `create ${set}`,
      async (c) => {
        try {
          return await c.create(set, { ...(body as Record<string, never>), Ref_Key: ref });
        } catch (e) {
          if (!(e instanceof OneCError && e.onecCode === '15')) throw e;
          existed = true;
          details['existed'] = true;
          return c.get(set, ref);
        }
      },
      { ...extra, details },
    );
    return { entity, existed };
  }

  /** After every write: the DataVersion 1C gave the object, so the source side does not publish our own change back. */
  async remember(set: string, entity: OneCEntity): Promise<void> {
    const ref = entity['Ref_Key'];
    const version = entity['DataVersion'];
    if (typeof ref === 'string') await rememberOwnWrite(this.tx, set, ref, typeof version === 'string' ? version : undefined);
  }

  /** A permanent error about this record. */
  reject(message: string, code: EsbErrorCode = 'ESB_VALIDATION'): EsbError {
    return new EsbError(code, `${this.rec.what} → ${this.systemId}: ${message}`, { system: this.systemId, businessKey: this.businessKey() });
  }

  businessKey(): string {
    return Object.entries(this.rec.keys)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  }
}

/**
 * Any failure as an EsbError whose message names the record (the DLQ reason a person reads), keeping whether a
 * retry can help: 1C's own classification for OneCError, RangeError/TypeError from mapping as validation errors,
 * database and network failures as the bus classifies them.
 */
export function namedError(e: unknown, what: string, systemId: string, businessKey: string): EsbError {
  if (e instanceof EsbError && e.message.startsWith(what)) return e;
  const prefix = `${what} → ${systemId}: `;
  if (e instanceof OneCError) return new EsbError(e.code, `${prefix}${e.message}`, { system: systemId, businessKey, retriable: e.retriable, cause: e });
  if (e instanceof EsbError) return new EsbError(e.code, `${prefix}${e.message}`, { system: systemId, businessKey, retriable: e.retriable, cause: e });
  if (e instanceof RangeError || e instanceof TypeError) return new EsbError('ESB_VALIDATION', `${prefix}${e.message}`, { system: systemId, businessKey, cause: e });
  const c = classifyError(e);
  const code: EsbErrorCode = c.code in ESB_ERRORS ? (c.code as EsbErrorCode) : c.retriable ? (c.code.startsWith('PG_') ? 'ESB_CONFLICT' : 'ESB_TARGET_UNAVAILABLE') : 'ESB_INTERNAL';
  return new EsbError(code, `${prefix}${c.message}`, { system: systemId, businessKey, retriable: c.retriable, cause: e });
}
