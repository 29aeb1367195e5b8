// What every poller of the source side shares: the connector, the base's names (profile), raw access for virtual
// tables and print forms, the canonical ids of 1C orders and invoices (the origin the sink stored, else born in
// 1C), our legal entity of an organisation, and emitting with an exchange-log line in the same transaction.
import { PrintFormLinks } from './files.ts';
import { documentId, legalCounterpartyId, type Meta } from '@esb/canonical';
import type { Connector } from '@esb/connector-kit';
import { getProfile, type OneCClient, type OneCEntity, type Profile } from '@esb/onec-client';
import type { StoreTx } from '@esb/store';
import { onecConfig, type OneCConfig } from '../config.ts';
import { instantToNaive, naiveToInstant, refOf, text } from '../mapping/inbound.ts';
import { mapCounterparty } from '../mapping/counterparty-in.ts';
import { nomenclatureProductId } from '../mapping/product.ts';
import { Lookups } from './lookups.ts';

export interface SourceOptions {
  /**
   * Where a document poller's first run starts (a naive 1C date `YYYY-MM-DDTHH:MM:SS` or an instant). Default: 30
   * days before the first run — older documents are history the CRM already has, not news.
   */
  since?: Date | string;
  /** How far behind its cursor a document poller re-reads, for backdated documents and re-postings. Default 7 days. */
  lookbackMs?: number;
  /** The base's wall-clock zone (1C dates are naive). Default Europe/Moscow. */
  timeZone?: string;
  /** Objects per OData page. Default 200. */
  pageSize?: number;
  /** Path of the invoice print form under the publication's `/hs/` (bespoke per configuration). */
  printFormPath?: string;
  /** PUBLIC_URL (this connector's address in print-form links) and ESB_FILE_KEY (their signing key). */
  env?: NodeJS.ProcessEnv;
}

const DAY = 86_400_000;

// The sink writes `ESB:<kind>:<canonical id>` into the document's comment (mapping/order.ts originMarker).
const MARKER = (kind: string) => new RegExp(`ESB:${kind}:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`, 'i');

export class SourceContext {
  readonly since: Date | string;
  readonly lookbackMs: number;
  readonly timeZone: string;
  readonly pageSize: number;
  readonly printFormPath: string;
  /** Signed links to this connector's print-form endpoint (source/files.ts). */
  readonly links: PrintFormLinks;

  constructor(
    readonly c: Connector,
    readonly client: () => OneCClient,
    o: SourceOptions = {},
  ) {
    this.since = o.since ?? new Date(Date.now() - 30 * DAY);
    this.lookbackMs = o.lookbackMs ?? 7 * DAY;
    this.timeZone = o.timeZone ?? 'Europe/Moscow';
    this.pageSize = o.pageSize ?? 200;
    this.printFormPath = o.printFormPath ?? 'printforms/invoice';
    this.links = new PrintFormLinks(c, client, this.printFormPath, o.env);
  }

  get systemId(): string {
    return this.c.systemId;
  }
  get cfg(): OneCConfig {
    return onecConfig(this.c);
  }
  get profile(): Profile {
    return getProfile(this.cfg.profile);
  }

  /** The entity set a logical name maps to in this base, or undefined when the configuration has none. */
  entity(logical: string): string | undefined {
    return this.profile.entities[logical];
  }

  /** Same as entity(), for names a poller cannot run without (checked when the poller is registered). */
  need(logical: string): string {
    const s = this.entity(logical);
    if (!s) throw new Error(`profile ${this.profile.id} has no "${logical}"`);
    return s;
  }

  lookups(): Lookups {
    return new Lookups(this.client());
  }

  /** The naive 1C date a first run starts from. */
  sinceNaive(): string {
    return typeof this.since === 'string' ? this.since : instantToNaive(this.since, this.timeZone);
  }

  nowNaive(): string {
    return instantToNaive(Date.now(), this.timeZone);
  }

  instant(naive: unknown): string {
    const s = text(naive);
    return s ? naiveToInstant(s, this.timeZone) : new Date().toISOString();
  }

  /**
   * Our legal entity (its canonical id) for a 1C organisation: the topology entity whose `organisationRef` is it,
   * else the one with its INN and KPP. Null for an organisation the topology does not list.
   */
  legalEntityId(org: OneCEntity | undefined): string | null {
    if (!org) return null;
    const ref = refOf(org['Ref_Key']);
    const inn = text(org['ИНН']).trim();
    const kpp = text(org['КПП']).trim();
    const e = this.c.topology.legalEntities.find((x) => (ref && x.organisationRef?.toLowerCase() === ref) || (x.inn === inn && (x.kpp ?? '') === kpp));
    return e?.canonicalId ?? null;
  }

  /** The organisation's canonical id even when the topology does not list it (Debt needs one). */
  organisationId(org: OneCEntity | undefined): string | null {
    const known = this.legalEntityId(org);
    if (known || !org) return known;
    try {
      return legalCounterpartyId(text(org['ИНН']), text(org['КПП']) || null);
    } catch {
      return null;
    }
  }

  /**
   * The canonical id of a 1C document that may have come through the bus: the xref the sink wrote, else the origin
   * marker in its comment, else an id of a document born in 1C (documentId(kind, this system, Ref_Key)).
   */
  async documentIdOf(tx: StoreTx, kind: 'order' | 'invoice', ref: string, doc?: OneCEntity): Promise<string> {
    const x = await tx.xrefByExternal(kind, this.systemId, ref);
    if (x) return x.canonicalId;
    const m = MARKER(kind).exec(text(doc?.['Комментарий']));
    if (m) return m[1]!.toLowerCase();
    return documentId(kind, this.systemId, ref);
  }

  /**
   * The canonical id of a counterparty: the one the sink linked it to (a portal contact keyed by a phone 1C does
   * not have), else its natural key (INN/KPP, or phone / e-mail of a person); null when it has none.
   */
  async counterpartyId(tx: StoreTx, L: Lookups, ref: unknown): Promise<string | null> {
    const r = refOf(ref);
    if (!r) return null;
    const x = await tx.xrefByExternal('counterparty', this.systemId, r);
    if (x) return x.canonicalId;
    const e = await L.one(this.need('counterparty'), r);
    if (!e) return null;
    const m = mapCounterparty(e as Parameters<typeof mapCounterparty>[0], await L.contactKindNames());
    return m.ok ? m.value.counterpartyId : null;
  }

  /** The canonical id of an item: the one the sink linked it to, else from its article (or this system + Ref_Key). */
  async productId(tx: StoreTx, item: OneCEntity): Promise<string> {
    const r = refOf(item['Ref_Key']);
    const x = r ? await tx.xrefByExternal('product', this.systemId, r) : undefined;
    return x?.canonicalId ?? nomenclatureProductId(this.systemId, item);
  }

  meta(m: { eventId: string; externalId: string; occurredAt?: string; legalEntityId?: string | null }): Meta {
    return this.c.meta(m);
  }

  /**
   * Puts one event into the outbox with its exchange-log line, both in `tx`. A second emit of the same eventId (a
   * re-read after a crash) is logged as a duplicate and publishes nothing.
   */
  async emit(tx: StoreTx, job: string, recordType: string, payload: { meta: Meta }, key: string, businessKeys: Record<string, string>): Promise<boolean> {
    const t0 = performance.now();
    const added = await this.c.emit(tx, recordType, payload, key);
    await this.c.log(
      { direction: 'in', operation: `poll ${job}`, status: added ? 'ok' : 'duplicate', recordType, eventId: payload.meta.eventId, correlationId: payload.meta.correlationId, businessKeys, latencyMs: performance.now() - t0 },
      tx,
    );
    return added;
  }

  /** An exchange-log line for an object the poller read and did not publish (own write, no order, invalid data). */
  async note(tx: StoreTx, job: string, status: 'skipped' | 'error', recordType: string, businessKeys: Record<string, string>, why: string, errorCode?: string): Promise<void> {
    await this.c.log({ direction: 'in', operation: `poll ${job}`, status, recordType, businessKeys, ...(status === 'error' ? { error: why, errorCode: errorCode ?? 'ESB_VALIDATION' } : { details: { reason: why } }) }, tx);
    if (status === 'error') this.c.logger.warn(`1C ${job}: ${why}`, { job, ...businessKeys });
  }
}
