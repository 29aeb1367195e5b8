// The CRM catalog from 1C (F6). Delivered Product, Price and StockLevel records are staged, inside their inbox
// transaction, as the desired state of each product (table b24_catalog in the connector's schema); a pusher sends
// what differs from the last pushed state in `batch` calls of 50 commands, composed at the moment the portal's
// limiter lets the next request go, so a bulk load runs at the portal's ceiling (lessons §4: ≈100 writes/s at 2/s).
//
// Why staged: the consumer handles one record per partition at a time, each in its own database transaction, so
// writing from the handler would send one command per HTTP call — a fiftieth of the ceiling.
// Why it is still exactly-once towards the portal: a staged record is committed with its inbox row; a product
// without a known portal ID is looked up by XML_ID (= its 1C id) before it is created, so a crash between the
// portal's `add` and our commit finds the product instead of creating a second one.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyError, type Logger } from '@esb/bus';
import { Bitrix24Error, type BatchCommand, type Bitrix24Client } from '@esb/bitrix24-client';
import type { Price, Product, StockLevel } from '@esb/canonical';
import type { Connector } from '@esb/connector-kit';
import type { StoreTx } from '@esb/store';
import { b24Config } from '../config.ts';
import { catalogChanges, desiredState, isEmptyChange, mergeStock, priceFields, productFields, type CatalogState, type StockEntry } from '../mapping/catalog.ts';
import { trace, type RecordRef } from './context.ts';
import type { Portal } from './portal.ts';

const TABLE = 'b24_catalog';
/** Commands per HTTP call (the portal's batch limit) and XML_IDs per lookup (a list page holds 50 rows). */
const SLOTS = 50;
const LOOKUP_CHUNK = 49;
const LEASE = 'sink:catalog:pusher';

interface Row {
  product_id: string;
  xml_id: string | null;
  article: string | null;
  product: Record<string, string> | null;
  product_at: Date | null;
  price: Record<string, string> | null;
  price_at: Date | null;
  stock: Record<string, StockEntry> | null;
  b24_id: string | null;
  pushed: CatalogState | null;
  version: string;
  attempts: number;
}

export interface CatalogStats {
  requests: number;
  created: number;
  updated: number;
  failed: number;
  lookedUp: number;
}


function stateOf(r: Pick<Row, 'product' | 'price' | 'stock'>): CatalogState {
  return desiredState(r.product, r.price, r.stock);
}

type Staged = 'staged' | 'unchanged' | 'stale';

export class CatalogSync {
  readonly stats: CatalogStats = { requests: 0, created: 0, updated: 0, failed: 0, lookedUp: 0 };
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastNotify = 0;
  /** Products looked up in this process and not on the portal: created without a second lookup. In memory only. */
  private readonly absent = new Set<string>();
  /** Products whose lookup came back with a full page: looked up one by one next time. */
  private readonly single = new Set<string>();
  private readonly log: Logger;
  private readonly instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly c: Connector,
    private readonly portal: Portal,
    private readonly opts: { lingerMs?: number; maxLingerMs?: number; idlePollMs?: number } = {},
  ) {
    this.log = c.logger.child({ component: 'catalog-sync' });
  }

  // ---- staging (inside the delivery's transaction) -------------------------------------------------------------

  async stageProduct(ref: RecordRef, p: Product): Promise<Staged> {
    const xmlId = p.meta.source.externalId;
    return this.stage(ref, p.productId, (r) => {
      if (r.product_at && r.product_at.getTime() > Date.parse(p.meta.occurredAt)) return undefined;
      return { ...r, xml_id: xmlId, article: p.article, product: productFields(p, xmlId), product_at: new Date(p.meta.occurredAt) };
    }, { xmlId, ...(p.article ? { article: p.article } : {}) });
  }

  async stagePrice(ref: RecordRef, price: Price): Promise<Staged | { skip: string }> {
    const d = priceFields(price, b24Config(this.c).priceTypes);
    if ('skip' in d) return d;
    return this.stage(ref, price.productId, (r) => {
      if (r.price_at && r.price_at.getTime() > Date.parse(price.validFrom)) return undefined;
      return { ...r, article: r.article ?? price.article, price: d.fields, price_at: new Date(price.validFrom) };
    }, { priceType: price.priceType, ...(price.article ? { article: price.article } : {}) });
  }

  async stageStock(ref: RecordRef, s: StockLevel): Promise<Staged> {
    return this.stage(ref, s.productId, (r) => {
      const stock = mergeStock(r.stock ?? {}, s);
      if (stock === r.stock) return undefined;
      return { ...r, article: r.article ?? s.article, stock };
    }, { warehouse: s.warehouse.name, ...(s.article ? { article: s.article } : {}) });
  }

  private async stage(ref: RecordRef, productId: string, change: (r: Row) => Row | undefined, keys: Record<string, string>): Promise<Staged> {
    const tx: StoreTx = ref.tx;
    const rows: Row[] = await tx.manager.query(`SELECT * FROM ${TABLE} WHERE product_id = $1 FOR UPDATE`, [productId]);
    const cur: Row = rows[0] ?? { product_id: productId, xml_id: null, article: null, product: null, product_at: null, price: null, price_at: null, stock: null, b24_id: null, pushed: null, version: '0', attempts: 0 };
    const next = change(cur);
    if (!next) {
      await trace(this.c, ref, 'catalog.stage', 'skipped', { product: productId, ...keys }, { details: { reason: 'a newer state of this product is already staged' } });
      return 'stale';
    }
    const dirty = !isEmptyChange(catalogChanges(next.pushed, stateOf(next))) || next.b24_id === null;
    await tx.manager.query(
      `INSERT INTO ${TABLE} (product_id, xml_id, article, product, product_at, price, price_at, stock, dirty, event_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
       ON CONFLICT (product_id) DO UPDATE SET xml_id = EXCLUDED.xml_id, article = EXCLUDED.article, product = EXCLUDED.product,
         product_at = EXCLUDED.product_at, price = EXCLUDED.price, price_at = EXCLUDED.price_at, stock = EXCLUDED.stock,
         dirty = EXCLUDED.dirty, event_id = EXCLUDED.event_id, updated_at = now(), version = ${TABLE}.version + 1,
         attempts = CASE WHEN EXCLUDED.dirty THEN 0 ELSE ${TABLE}.attempts END, next_attempt_at = NULL`,
      [productId, next.xml_id, next.article, json(next.product), next.product_at, json(next.price), next.price_at, json(next.stock), dirty, ref.eventId],
    );
    await trace(this.c, ref, 'catalog.stage', dirty ? 'ok' : 'skipped', { product: productId, ...keys, ...(next.b24_id ? { b24: String(next.b24_id) } : {}) }, dirty ? {} : { details: { reason: 'the portal already has this state' } });
    if (dirty) this.notify();
    return dirty ? 'staged' : 'unchanged';
  }

  // ---- pushing ---------------------------------------------------------------------------------------------------

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    // Hand the lease over now rather than after it times out.
    await this.c.store.dataSource.query(`DELETE FROM cursor WHERE name = $1 AND value = $2`, [LEASE, this.instance]).catch(() => undefined);
  }

  /** New work is staged (or about to commit). */
  notify(): void {
    this.lastNotify = Date.now();
    this.wake?.();
  }

  /** Products waiting to be pushed (tests, health). */
  async pending(): Promise<number> {
    const r: Array<{ n: string }> = await this.c.store.dataSource.query(`SELECT count(*) AS n FROM ${TABLE} WHERE dirty`);
    return Number(r[0]?.n ?? 0);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let worked: boolean;
      try {
        worked = await this.round();
        failures = 0;
      } catch (e) {
        failures++;
        const c = classifyError(e);
        const delay = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        this.log.warn('catalog push failed; retrying', { code: c.code, error: c.message, retryInMs: delay });
        await this.c.log({ direction: 'out', operation: 'catalog.push', status: 'retry', errorCode: c.code, error: c.message, details: { retryInMs: delay } }).catch(() => undefined);
        await this.idle(delay);
        continue;
      }
      if (!worked) await this.idle(this.opts.idlePollMs ?? 1000);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        // A notifying handler has not committed yet: look a moment later.
        setTimeout(done, 20);
      };
    });
  }

  /**
   * Takes or renews this instance's lease on pushing (30 s, in the cursor table of the deployment's schema); false
   * while another live instance holds it.
   */
  private async lease(): Promise<boolean> {
    const rows: unknown[] = await this.c.store.dataSource.query(
      `INSERT INTO cursor (name, value, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
       WHERE cursor.value = EXCLUDED.value OR cursor.updated_at < now() - interval '30 seconds'
       RETURNING name`,
      [LEASE, this.instance],
    );
    return rows.length > 0;
  }

  private async select(limit = SLOTS * LOOKUP_CHUNK): Promise<Row[]> {
    return this.c.store.dataSource.query(
      `SELECT product_id, xml_id, article, product, product_at, price, price_at, stock, b24_id, pushed, version, attempts FROM ${TABLE}
       WHERE dirty AND (product IS NOT NULL OR b24_id IS NOT NULL) AND (next_attempt_at IS NULL OR next_attempt_at <= now())
       ORDER BY updated_at, product_id LIMIT $1`,
      [limit],
    );
  }

  /** Waits until the portal's bucket has room for one more request, so the batch is composed as late as possible. */
  private async bucketRoom(client: Bitrix24Client): Promise<void> {
    for (;;) {
      const s = client.limiter.snapshot();
      const over = s.level + s.inflight + s.queued + 1 - client.limiter.settings.burst;
      if (over <= 0 || !this.running) return;
      await sleep(Math.max(5, Math.ceil((over / client.limiter.settings.leakPerSec) * 1000)));
    }
  }

  /** One HTTP call's worth of work; false when there was nothing to do. */
  private async round(): Promise<boolean> {
    // No portal call (and no client: in OAuth mode there may be no tokens yet) while there is nothing to push.
    if ((await this.select(1)).length === 0) return false;
    // One pusher per portal: two instances looking up the same new product would both create it.
    if (!(await this.lease())) return false;
    const client = await this.portal.get();
    await this.bucketRoom(client);
    let rows = await this.select();
    if (rows.length === 0) return false;
    // Nagle: while records are still arriving and the call would not be full, wait for more (at most maxLingerMs):
    // a half-empty call spends a slot of the portal's bucket as much as a full one does.
    const linger = this.opts.lingerMs ?? 200;
    const until = Date.now() + (this.opts.maxLingerMs ?? 2000);
    while (this.running && this.slotsNeeded(rows) < SLOTS && Date.now() - this.lastNotify < linger && Date.now() < until) {
      await sleep(Math.max(10, linger / 4));
      rows = await this.select();
    }
    const plan = this.plan(rows);
    if (plan.clean.length) await this.markClean(plan.clean);
    if (plan.commands.size === 0) return plan.clean.length > 0;
    const t0 = performance.now();
    const cmds = Object.fromEntries([...plan.commands].map(([k, v]) => [k, v.command]));
    const res = await this.portal.writeBatch(cmds);
    this.stats.requests++;
    await this.apply(plan, res, performance.now() - t0);
    return true;
  }

  /** Commands the rows would take: a write each (two with stock), and one lookup per 49 unknown products. */
  private slotsNeeded(rows: Row[]): number {
    let n = 0;
    let lookups = 0;
    for (const r of rows) {
      if (r.b24_id !== null || this.absent.has(r.product_id)) n += r.stock ? 2 : 1;
      else lookups++;
    }
    return n + Math.ceil(lookups / LOOKUP_CHUNK);
  }

  private plan(rows: Row[]): Plan {
    const commands = new Map<string, PlannedCommand>();
    const clean: Array<{ id: string; version: string }> = [];
    const lookups: Row[] = [];
    const singles: Row[] = [];
    let w = 0;
    for (const r of rows) {
      const desired = stateOf(r);
      const known = r.b24_id !== null;
      if (!known && !this.absent.has(r.product_id)) {
        if (r.xml_id) (this.single.has(r.product_id) ? singles : lookups).push(r);
        continue;
      }
      if (!known && !r.product) continue; // a price or stock of a product the portal does not have yet
      const change = known ? catalogChanges(r.pushed, desired) : desired;
      if (known && isEmptyChange(change)) {
        clean.push({ id: r.product_id, version: r.version });
        continue;
      }
      const need = (Object.keys(change.fields).length > 0 || !known ? 1 : 0) + (change.quantity !== undefined ? 1 : 0);
      if (commands.size + need > SLOTS) break;
      const k = `w${w++}`;
      if (!known) {
        commands.set(k, { kind: 'add', row: r, desired, command: { method: 'crm.product.add', params: { fields: change.fields } } });
      } else if (Object.keys(change.fields).length > 0) {
        commands.set(k, { kind: 'update', row: r, desired, command: { method: 'crm.product.update', params: { id: Number(r.b24_id), fields: change.fields } } });
      }
      if (change.quantity !== undefined) {
        // Stock lives in the catalog module; a new product's id comes from the add in this same call.
        const id = known ? Number(r.b24_id) : `$result[${k}]`;
        commands.set(`${k}q`, { kind: 'quantity', row: r, desired, command: { method: 'catalog.product.update', params: { id, fields: { quantity: change.quantity } } } });
      }
    }
    // Lookups fill the slots the writes left: each finds up to 49 products by XML_ID in one command.
    let l = 0;
    const chunks: Row[][] = [...singles.map((r) => [r])];
    for (let i = 0; i < lookups.length; i += LOOKUP_CHUNK) chunks.push(lookups.slice(i, i + LOOKUP_CHUNK));
    for (const chunk of chunks) {
      if (commands.size >= SLOTS) break;
      commands.set(`l${l++}`, { kind: 'lookup', rows: chunk, command: { method: 'crm.product.list', params: { filter: { '@XML_ID': chunk.map((r) => r.xml_id) }, select: ['ID', 'XML_ID'], order: { ID: 'ASC' }, start: -1 } } });
    }
    return { commands, clean };
  }

  private async markClean(rows: Array<{ id: string; version: string }>): Promise<void> {
    await this.c.store.dataSource.query(
      `UPDATE ${TABLE} t SET dirty = false FROM unnest($1::uuid[], $2::bigint[]) AS u(id, version) WHERE t.product_id = u.id AND t.version = u.version`,
      [rows.map((r) => r.id), rows.map((r) => r.version)],
    );
  }

  private async apply(plan: Plan, res: Awaited<ReturnType<Portal['writeBatch']>>, latencyMs: number): Promise<void> {
    const done: Array<{ row: Row; id: number; pushed: CatalogState; op: string }> = [];
    const failed: Array<{ row: Row; error: Bitrix24Error; op: string }> = [];
    const found: Array<{ row: Row; id: number }> = [];
    for (const [k, p] of plan.commands) {
      if (p.kind === 'lookup') {
        const err = res.errors[k];
        if (err) {
          this.log.warn('catalog lookup failed', { error: err.message });
          continue;
        }
        const list = (Array.isArray(res.result[k]) ? res.result[k] : []) as Array<{ ID: string; XML_ID: string }>;
        const byXml = new Map<string, number>();
        for (const it of list) if (!byXml.has(String(it.XML_ID))) byXml.set(String(it.XML_ID), Number(it.ID));
        const full = list.length >= SLOTS && p.rows.length > 1;
        for (const r of p.rows) {
          this.stats.lookedUp++;
          const id = byXml.get(String(r.xml_id));
          this.single.delete(r.product_id);
          if (id !== undefined) found.push({ row: r, id });
          else if (full) this.single.add(r.product_id);
          else this.absent.add(r.product_id);
        }
        continue;
      }
      if (p.kind === 'quantity') continue; // settled with its product below
      const err = res.errors[k];
      const q = plan.commands.get(`${k}q`);
      const qErr = q ? res.errors[`${k}q`] : undefined;
      // Whatever happened, the next attempt looks the product up again unless its id is stored below.
      this.absent.delete(p.row.product_id);
      if (err) {
        failed.push({ row: p.row, error: err, op: p.command.method });
        continue;
      }
      const id = p.kind === 'add' ? Number(res.result[k]) : Number(p.row.b24_id);
      const base: CatalogState = p.row.pushed ?? { fields: {} };
      const pushed: CatalogState = { fields: { ...base.fields, ...p.desired.fields }, ...(q && !qErr ? { quantity: p.desired.quantity } : base.quantity !== undefined ? { quantity: base.quantity } : {}) };
      done.push({ row: p.row, id, pushed, op: p.command.method });
      if (qErr) failed.push({ row: { ...p.row, b24_id: String(id), pushed }, error: qErr, op: 'catalog.product.update' });
    }
    // Quantity-only updates (product fields unchanged).
    for (const [k, p] of plan.commands) {
      if (p.kind !== 'quantity' || plan.commands.has(k.slice(0, -1))) continue;
      const err = res.errors[k];
      if (err) failed.push({ row: p.row, error: err, op: 'catalog.product.update' });
      else done.push({ row: p.row, id: Number(p.row.b24_id), pushed: { fields: { ...(p.row.pushed?.fields ?? {}) }, quantity: p.desired.quantity }, op: 'catalog.product.update' });
    }
    await this.persist(done, failed, found, latencyMs);
  }

  private async persist(done: Array<{ row: Row; id: number; pushed: CatalogState; op: string }>, failed: Array<{ row: Row; error: Bitrix24Error; op: string }>, found: Array<{ row: Row; id: number }>, latencyMs: number): Promise<void> {
    const sys = this.c.systemId;
    await this.c.transaction(async (tx) => {
      for (const f of found) {
        await tx.manager.query(`UPDATE ${TABLE} SET b24_id = $2 WHERE product_id = $1`, [f.row.product_id, f.id]);
        await this.xref(tx, f.row.product_id, f.id, f.row.article);
      }
      for (const d of done) {
        // A record staged meanwhile (version moved) stays dirty; the next round compares it with what was pushed.
        await tx.manager.query(
          `UPDATE ${TABLE} SET b24_id = $2, pushed = $3, dirty = (version <> $4), attempts = 0, last_error = NULL, next_attempt_at = NULL WHERE product_id = $1`,
          [d.row.product_id, d.id, json(d.pushed), d.row.version],
        );
        if (d.op === 'crm.product.add') {
          this.stats.created++;
          await this.xref(tx, d.row.product_id, d.id, d.row.article);
        } else this.stats.updated++;
        await tx.log({ service: this.c.service, systemId: sys, direction: 'out', operation: d.op, status: 'ok', recordType: 'esb.canonical.Product', businessKeys: keysOf(d.row, d.id), latencyMs });
      }
      for (const f of failed) {
        this.stats.failed++;
        // A rejected write waits for new data; a retriable one is tried again with backoff.
        const retry = f.error.retriable;
        const delaySec = Math.min(600, 5 * 2 ** Math.min(f.row.attempts, 7));
        await tx.manager.query(
          `UPDATE ${TABLE} SET attempts = attempts + 1, last_error = $2, dirty = CASE WHEN $3 THEN dirty ELSE (version <> $4) END,
             next_attempt_at = CASE WHEN $3 THEN now() + make_interval(secs => $5) ELSE NULL END WHERE product_id = $1`,
          [f.row.product_id, f.error.message.slice(0, 2000), retry, f.row.version, delaySec],
        );
        await tx.log({ service: this.c.service, systemId: sys, direction: 'out', operation: f.op, status: 'error', recordType: 'esb.canonical.Product', businessKeys: keysOf(f.row, f.row.b24_id ? Number(f.row.b24_id) : undefined), errorCode: f.error.code, error: f.error.message });
      }
    });
    if (done.length || failed.length || found.length) {
      this.log.info('catalog push progress', { requests: this.stats.requests, created: this.stats.created, updated: this.stats.updated, failed: this.stats.failed, lookedUp: this.stats.lookedUp, thisCall: { written: done.length, failed: failed.length, found: found.length } });
    }
  }

  /** The xref of a product; a portal product already linked to another canonical id is left as it is. */
  private async xref(tx: StoreTx, productId: string, b24Id: number, article: string | null): Promise<void> {
    const other = await tx.xrefByExternal('product', this.c.systemId, String(b24Id));
    if (other && other.canonicalId !== productId) {
      this.log.warn('portal product already linked to another canonical product', { b24Id, productId, linked: other.canonicalId });
      return;
    }
    await tx.xrefPut({ entityType: 'product', canonicalId: productId, systemId: this.c.systemId, externalId: String(b24Id), number: article });
  }
}

interface PlannedWrite {
  kind: 'add' | 'update' | 'quantity';
  row: Row;
  desired: CatalogState;
  command: BatchCommand;
}

interface PlannedLookup {
  kind: 'lookup';
  rows: Row[];
  command: BatchCommand;
}

type PlannedCommand = PlannedWrite | PlannedLookup;

interface Plan {
  commands: Map<string, PlannedCommand>;
  clean: Array<{ id: string; version: string }>;
}

function keysOf(r: Row, id?: number): Record<string, string> {
  return { product: r.product_id, ...(r.xml_id ? { xmlId: r.xml_id } : {}), ...(r.article ? { article: r.article } : {}), ...(id !== undefined ? { b24: String(id) } : {}) };
}

function json(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}
