// What the source side last published per portal object, kept in the cursor table next to the outbox rows it
// explains. It is the echo suppression of the source side (architecture §4): when the sink writes UF_CRM_1C_ORDER_ID
// the portal fires ONCRMDEALUPDATE, the deal still maps to the same Order, and nothing is published again. A real
// change gets the next version; its eventId is uuidv5(system, object, version, content), so a replay of the same
// version after a crash derives the same id and the outbox refuses the copy.
import { createHash } from 'node:crypto';
import { ESB_NAMESPACE, uuidv5 } from '@esb/canonical';
import type { Connector } from '@esb/connector-kit';
import type { StoreTx } from '@esb/store';

export interface Published {
  /** SHA-256 of the record without `meta`. */
  fp: string;
  /** 1, 2, … per object and record type. */
  seq: number;
  eventId: string;
  at: string;
}

const stateKey = (recordType: string, objectKey: string): string => `b24src:${recordType.slice(recordType.lastIndexOf('.') + 1).toLowerCase()}:${objectKey}`;

/** JSON with sorted keys: the fingerprint must not depend on how a mapper ordered its fields. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export const fingerprint = (body: unknown): string => createHash('sha256').update(stable(body)).digest('hex');

/**
 * Serialises work on one portal object across the connector's instances until `tx` ends: two workers reading the
 * same deal one after the other must not publish the older state last.
 */
export async function lockObject(tx: StoreTx, systemId: string, objectKey: string): Promise<void> {
  await tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`b24src:${systemId}:${objectKey}`]);
}

export async function lastPublished(tx: StoreTx, recordType: string, objectKey: string): Promise<Published | undefined> {
  const raw = await tx.cursorGet(stateKey(recordType, objectKey));
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Published;
  } catch {
    return undefined;
  }
}

export interface PublishRequest<B extends object> {
  recordType: string;
  /** The portal object, e.g. `deal:394`, `company:9`. */
  objectKey: string;
  body: B;
  /** Kafka key: the aggregate's canonical id. */
  key: string;
  /** meta.source.externalId. */
  externalId: string;
  occurredAt: string | null;
}

export interface PublishResult {
  published: boolean;
  eventId: string;
  seq: number;
}

/** Puts the record into the outbox unless it equals the last one published for the object; records the new state. */
export async function publishIfChanged<B extends object>(c: Connector, tx: StoreTx, r: PublishRequest<B>): Promise<PublishResult> {
  const fp = fingerprint(r.body);
  const prev = await lastPublished(tx, r.recordType, r.objectKey);
  if (prev && prev.fp === fp) return { published: false, eventId: prev.eventId, seq: prev.seq };
  const seq = (prev?.seq ?? 0) + 1;
  const eventId = uuidv5(`b24-source:${c.systemId}:${r.recordType}:${r.objectKey}:${seq}:${fp}`, ESB_NAMESPACE);
  const meta = c.meta({ eventId, externalId: r.externalId, ...(r.occurredAt ? { occurredAt: r.occurredAt } : {}) });
  await c.emit(tx, r.recordType, { meta, ...r.body }, r.key);
  const state: Published = { fp, seq, eventId, at: meta.occurredAt };
  await tx.cursorSet(stateKey(r.recordType, r.objectKey), JSON.stringify(state));
  return { published: true, eventId, seq };
}
