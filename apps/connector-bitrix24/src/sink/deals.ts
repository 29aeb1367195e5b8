// Deals as the sink sees them: finding the deal of a canonical order, reading it, writing only the fields that
// differ, and adding a timeline comment at most once.
//
// Finding the deal: an order born from a deal of this portal has the id documentId('order', <this system>, <deal
// ID>). The source side records that pair in the xref when it publishes the order (entity `order`); this side also
// keeps a lookup table of derived ids (xref entity `deal`), filled by scanning deal IDs above the last one scanned,
// so a deal is found even when the order was published before the xref existed or by another deployment.
import { documentId } from '@esb/canonical';
import type { Connector } from '@esb/connector-kit';
import { diffFields, type UfValue } from './fields.ts';
import { invalid, rethrow, trace, type RecordRef } from './context.ts';
import { isNotFound, type Portal } from './portal.ts';

export interface DealRecord {
  id: number;
  categoryId: string;
  stageId: string;
  /** P in progress, S won, F lost. */
  stageSemantic: string;
  /** The portal's UTC offset in minutes, read off the deal's own dates. */
  offsetMin: number;
  raw: Record<string, unknown>;
}

const SCAN_CURSOR = 'sink:deal-scan:max-id';

function offsetOf(iso: unknown): number {
  const m = typeof iso === 'string' ? /([+-])(\d{2}):?(\d{2})$/.exec(iso) : null;
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

export class Deals {
  constructor(
    private readonly c: Connector,
    private readonly portal: Portal,
  ) {}

  /** The deal id of a canonical order; a permanent error when no deal of this portal is that order. */
  async dealOfOrder(ref: RecordRef, orderId: string): Promise<number> {
    const sys = this.c.systemId;
    const x = (await ref.tx.xrefByCanonical('order', orderId, sys)) ?? (await ref.tx.xrefByCanonical('deal', orderId, sys));
    if (x && /^\d+$/.test(x.externalId)) return Number(x.externalId);
    const found = await this.scan(ref, orderId);
    if (found !== undefined) return found;
    throw invalid(
      this.c,
      ref,
      `order ${orderId} is not a deal of portal ${sys} (no xref, and no deal ID gives documentId('order', '${sys}', ID) = ${orderId}); ` +
        'the order was not born on this portal or its deal was deleted — check the route of this record or replay it once the deal exists',
      orderId,
    );
  }

  /**
   * Scans deal IDs above the last scanned one, recording each derived order id; stops at the one sought. The table
   * is written outside the record's transaction: it stays valid when the record itself fails (an unknown order),
   * so the next search starts where this one ended instead of scanning the portal again.
   */
  private async scan(ref: RecordRef, orderId: string): Promise<number | undefined> {
    const sys = this.c.systemId;
    const table = this.c.store;
    const from = Number((await table.cursorGet(SCAN_CURSOR)) ?? '0') || 0;
    const client = await this.portal.get();
    let max = from;
    let found: number | undefined;
    try {
      for await (const d of client.listAll<{ ID: string }>('crm.deal.list', { select: ['ID'], filter: { '>=ID': from + 1 } })) {
        const id = Number(d.ID);
        const derived = documentId('order', sys, String(id));
        await table.xrefPut({ entityType: 'deal', canonicalId: derived, systemId: sys, externalId: String(id) });
        max = Math.max(max, id);
        if (derived === orderId) {
          found = id;
          break;
        }
      }
    } catch (e) {
      rethrow(this.c, ref, `looking for the deal of order ${orderId}`, e, orderId);
    }
    if (max > from) await table.cursorSet(SCAN_CURSOR, String(max));
    return found;
  }

  async get(ref: RecordRef, id: number): Promise<DealRecord> {
    let raw: Record<string, unknown>;
    try {
      raw = await this.portal.call<Record<string, unknown>>('crm.deal.get', { id });
    } catch (e) {
      if (isNotFound(e)) throw invalid(this.c, ref, `deal ${id} no longer exists on portal ${this.c.systemId}; nothing to update (restore the deal and replay the record from the DLQ)`, String(id));
      rethrow(this.c, ref, `reading deal ${id}`, e, String(id));
    }
    return {
      id,
      categoryId: String(raw.CATEGORY_ID ?? '0'),
      stageId: String(raw.STAGE_ID ?? ''),
      stageSemantic: String(raw.STAGE_SEMANTIC_ID ?? 'P'),
      offsetMin: offsetOf(raw.DATE_CREATE),
      raw,
    };
  }

  /**
   * Writes the desired custom fields and stage when they differ from the deal as read; returns the fields sent
   * (empty when the deal already shows everything, which is what a replay finds).
   */
  async apply(ref: RecordRef, deal: DealRecord, desired: Record<string, UfValue>, opts: { stage?: string; keys?: Record<string, string> } = {}): Promise<Record<string, string>> {
    const defs = await this.portal.fieldDefs('deal', Object.keys(desired));
    const absent = Object.keys(desired).filter((n) => !defs[n]);
    if (absent.length) {
      throw invalid(this.c, ref, `deal field(s) ${absent.join(', ')} do not exist on portal ${this.c.systemId}; restart the connector (it creates its fields at start-up) or fix \`fields:\` in the topology`, String(deal.id));
    }
    const { fields, missing } = diffFields(deal.raw, desired, defs);
    if (missing.length) {
      throw invalid(this.c, ref, `enumeration field(s) ${missing.join(', ')} of the deals have no item for the value to write; add the item (XML_ID as the status code) on the portal`, String(deal.id));
    }
    if (opts.stage && opts.stage !== deal.stageId) fields.STAGE_ID = opts.stage;
    const keys = { deal: String(deal.id), ...opts.keys };
    if (Object.keys(fields).length === 0) {
      await trace(this.c, ref, 'crm.deal.update', 'skipped', keys, { details: { reason: 'the deal already shows these values' } });
      return fields;
    }
    const t0 = performance.now();
    try {
      await this.portal.write('crm.deal.update', { id: deal.id, fields, params: { REGISTER_SONET_EVENT: 'N' } });
    } catch (e) {
      rethrow(this.c, ref, `updating deal ${deal.id} (${Object.keys(fields).join(', ')})`, e, String(deal.id));
    }
    await trace(this.c, ref, 'crm.deal.update', 'ok', keys, { latencyMs: performance.now() - t0, details: { fields: Object.keys(fields) } });
    Object.assign(deal.raw, fields);
    if (fields.STAGE_ID) deal.stageId = fields.STAGE_ID;
    return fields;
  }

  /**
   * Adds a timeline comment unless the deal already has one with exactly this text (a replay, or a crash after the
   * portal wrote it). Returns whether it was added.
   */
  async commentOnce(ref: RecordRef, dealId: number, text: string, opts: { files?: () => Promise<Array<[string, string]>>; keys?: Record<string, string> } = {}): Promise<boolean> {
    const keys = { deal: String(dealId), ...opts.keys };
    const client = await this.portal.get();
    try {
      for await (const cm of client.listAll<{ ID: string; COMMENT?: string }>('crm.timeline.comment.list', { filter: { ENTITY_ID: dealId, ENTITY_TYPE: 'deal' }, select: ['ID', 'COMMENT'] })) {
        if (String(cm.COMMENT ?? '').trim() === text.trim()) {
          await trace(this.c, ref, 'crm.timeline.comment.add', 'skipped', { ...keys, comment: String(cm.ID) }, { details: { reason: 'the deal already has this comment' } });
          return false;
        }
      }
      const files = opts.files ? await opts.files() : [];
      const t0 = performance.now();
      const id = await this.portal.write<number>('crm.timeline.comment.add', { fields: { ENTITY_ID: dealId, ENTITY_TYPE: 'deal', COMMENT: text, ...(files.length ? { FILES: files } : {}) } });
      await trace(this.c, ref, 'crm.timeline.comment.add', 'ok', { ...keys, comment: String(id) }, { latencyMs: performance.now() - t0 });
      return true;
    } catch (e) {
      rethrow(this.c, ref, `commenting on deal ${dealId}`, e, String(dealId));
    }
  }
}
