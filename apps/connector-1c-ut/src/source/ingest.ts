// `POST /ingest/1c/:systemId`: a 1C handler (event subscription, scheduled job) pushes the same canonical events
// the pollers make, as JSON — `{ "recordType": "Payment", "event": { …canonical record… } }` with
// `Authorization: Bearer <ingestToken>`. The answer is 200 only once the event is in the outbox (so 1C may retry
// anything else); the same eventId twice is 200 with `duplicate: true` and is published once. See docs/ingest.md.
import { createHash, timingSafeEqual } from 'node:crypto';
import { schemaByName, type Meta } from '@esb/canonical';
import { json, type Connector, type HttpRequest, type HttpResponse } from '@esb/connector-kit';
import { onecConfig } from '../config.ts';

/** Records a 1C base may push, with the field that is their aggregate key on the bus. */
const INGESTIBLE: Record<string, (e: Record<string, unknown>) => unknown> = {
  'esb.canonical.Payment': (e) => e['orderId'] ?? e['invoiceId'] ?? e['paymentId'],
  'esb.canonical.Shipment': (e) => e['orderId'],
  'esb.canonical.Invoice': (e) => e['invoiceId'],
  'esb.canonical.Counterparty': (e) => e['counterpartyId'],
  'esb.canonical.Product': (e) => e['productId'],
  'esb.canonical.Price': (e) => e['productId'],
  'esb.canonical.StockLevel': (e) => e['productId'],
  'esb.canonical.Debt': (e) => e['counterpartyId'],
  'esb.canonical.EdoStatus': (e) => e['orderId'],
};

export const INGEST_RECORDS = Object.keys(INGESTIBLE);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

class IngestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: string[] = [],
  ) {
    super(message);
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time token check (hashing first makes the lengths equal, so the comparison leaks nothing). */
function tokenOk(header: unknown, expected: string): boolean {
  const m = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return !!m && timingSafeEqual(digest(m[1]!), digest(expected));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The full record name from `Payment` or `esb.canonical.Payment`. */
function recordTypeOf(v: unknown): string {
  const name = typeof v === 'string' ? (v.startsWith('esb.canonical.') ? v : `esb.canonical.${v}`) : '';
  if (!INGESTIBLE[name]) throw new IngestError(400, 'ESB_VALIDATION', `recordType ${JSON.stringify(v ?? null)} is not one a 1C base publishes; use one of ${INGEST_RECORDS.map((r) => r.replace('esb.canonical.', '')).join(', ')}`, ['recordType']);
  return name;
}

/**
 * The event's envelope as the bus needs it: `eventId` (the dedup key) from 1C, the source forced to this system,
 * the rest defaulted (occurredAt now, correlationId = eventId). A source naming another system is refused.
 */
function envelope(c: Connector, raw: unknown): Meta {
  if (!isRecord(raw)) throw new IngestError(400, 'ESB_VALIDATION', 'event.meta is missing: it needs at least eventId (a UUID) and source.externalId (the 1C Ref_Key)', ['event.meta']);
  const eventId = raw['eventId'];
  if (typeof eventId !== 'string' || !UUID.test(eventId)) throw new IngestError(400, 'ESB_VALIDATION', 'event.meta.eventId must be a lower-case UUID (1C: Строка(Новый УникальныйИдентификатор))', ['event.meta.eventId']);
  const source = isRecord(raw['source']) ? raw['source'] : {};
  if (source['system'] !== undefined && source['system'] !== c.systemId) {
    throw new IngestError(400, 'ESB_VALIDATION', `event.meta.source.system is ${JSON.stringify(source['system'])}, but this endpoint belongs to ${c.systemId}`, ['event.meta.source.system']);
  }
  const externalId = source['externalId'];
  if (typeof externalId !== 'string' || externalId.trim() === '') throw new IngestError(400, 'ESB_VALIDATION', 'event.meta.source.externalId must name the 1C object (its Ref_Key)', ['event.meta.source.externalId']);
  return {
    eventId,
    occurredAt: typeof raw['occurredAt'] === 'string' ? raw['occurredAt'] : new Date().toISOString(),
    source: { system: c.systemId, kind: c.kind, externalId },
    legalEntityId: (raw['legalEntityId'] as string | null | undefined) ?? null,
    correlationId: typeof raw['correlationId'] === 'string' ? raw['correlationId'] : eventId,
    causationId: (raw['causationId'] as string | null | undefined) ?? null,
  };
}

/** Checks the record against its Avro schema and names every field that does not fit. */
function validate(recordType: string, event: Record<string, unknown>): void {
  const schema = schemaByName(recordType)!;
  const bad: string[] = [];
  if (!schema.type.isValid(event, { errorHook: (path) => bad.push(path.join('.') || '(root)') })) {
    const fields = [...new Set(bad)].map((p) => `event.${p}`);
    throw new IngestError(400, 'ESB_VALIDATION', `${recordType.replace('esb.canonical.', '')} does not match the canonical schema at ${fields.join(', ')} (see schemas/${schema.name}.avsc)`, fields);
  }
}

export function ingestHandler(c: Connector): (req: HttpRequest) => Promise<HttpResponse> {
  return async (req) => {
    const t0 = performance.now();
    const operation = 'ingest';
    let recordType: string | undefined;
    let eventId: string | undefined;
    try {
      if (req.params['systemId'] !== c.systemId) throw new IngestError(404, 'ESB_NOT_FOUND', `this connector serves ${c.systemId}, not ${req.params['systemId'] ?? '(none)'}`);
      const expected = onecConfig(c).system.ingestToken?.reveal();
      if (!expected) throw new IngestError(401, 'ESB_UNAUTHORIZED', `ingest is off for ${c.systemId}: set ingestToken in its topology entry`);
      if (!tokenOk(req.headers['authorization'], expected)) throw new IngestError(401, 'ESB_UNAUTHORIZED', 'missing or wrong bearer token (Authorization: Bearer <ingestToken>)');
      let body: unknown;
      try {
        body = JSON.parse(req.body.toString('utf8').replace(/^\uFEFF/, ''));
      } catch {
        throw new IngestError(400, 'ESB_VALIDATION', 'the body is not JSON (1C: ЗаписатьJSON into a string, sent as UTF-8)', ['(body)']);
      }
      if (!isRecord(body)) throw new IngestError(400, 'ESB_VALIDATION', 'the body must be an object { recordType, event }', ['(body)']);
      recordType = recordTypeOf(body['recordType']);
      const raw = body['event'];
      if (!isRecord(raw)) throw new IngestError(400, 'ESB_VALIDATION', 'event is missing: put the canonical record under "event"', ['event']);
      const event = { ...raw, meta: envelope(c, raw['meta']) };
      eventId = event.meta.eventId;
      validate(recordType, event);
      const key = String(INGESTIBLE[recordType]!(event));
      const type = recordType;
      const added = await c.transaction(async (tx) => {
        const a = await c.emit(tx, type, event, key);
        await c.log({ direction: 'in', operation, status: a ? 'ok' : 'duplicate', recordType: type, eventId: event.meta.eventId, correlationId: event.meta.correlationId, businessKeys: { externalId: event.meta.source.externalId }, latencyMs: performance.now() - t0 }, tx);
        return a;
      });
      return json(200, { eventId: event.meta.eventId, duplicate: !added });
    } catch (e) {
      if (!(e instanceof IngestError)) throw e;
      // Never the token or the body in the log: the reason and the fields are enough to fix the 1C side.
      await c.log({ direction: 'in', operation, status: 'error', ...(recordType ? { recordType } : {}), ...(eventId ? { eventId } : {}), error: e.message, errorCode: e.code, latencyMs: performance.now() - t0, details: { status: e.status, fields: e.fields } });
      c.logger.warn('1C ingest refused', { status: e.status, error: e.message, fields: e.fields });
      return json(e.status, { error: e.code, message: e.message, ...(e.fields.length ? { fields: e.fields } : {}) });
    }
  };
}
