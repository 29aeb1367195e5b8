// The three ways the pollers find what changed in 1C, each committing its events and its memory of what it saw in
// one store transaction per page — a kill at any moment leaves either the whole page (events + states) or none of
// it, and the re-read dedupes by DataVersion and by deterministic event ids:
//   documents — by document Date from a persisted cursor, re-reading a look-back window (backdated documents,
//               re-postings), each document published once per DataVersion;
//   catalogs  — every item paged by Ref_Key, published when its DataVersion differs from the one last seen (1C's
//               OData has no modification date and no change feed short of exchange plans, reference §1.13);
//   snapshots — a register virtual table diffed against the balances published before.
import { and, anyOf, ge, datetime, guid, type Filter, type OneCEntity } from '@esb/onec-client';
import type { StoreTx } from '@esb/store';
import { diffSnapshot, parseSnapshotState, refOf, shiftNaive, text, type SnapshotChange, type SnapshotState } from '../mapping/inbound.ts';
import type { SourceContext } from './context.ts';
import { setState, statesByName, statesByPrefix } from './state.ts';

/** The state name under which a poller remembers one object (its DataVersion, or JSON with it as `v`). */
export const versionStateName = (job: string, ref: string): string => `${job}:v:${ref}`;
const ver = versionStateName;

export interface DocumentScan {
  /** Cursor and state names start with it (unique per poller and entity set). */
  job: string;
  set: string;
  select?: string[];
  filter?: Filter;
}

/**
 * Pages through the documents dated from (cursor − look-back) on, ordered by Date and Ref_Key. For each page, in
 * one transaction: `handle` gets the documents whose DataVersion is not the one seen (with what was stored for
 * them), then the cursor moves to the page's latest date. The handler stores per-document state with `remember`.
 */
export async function scanDocuments(
  sc: SourceContext,
  spec: DocumentScan,
  handle: (tx: StoreTx, changed: Array<{ doc: OneCEntity; ref: string; version: string; seen: string | undefined }>, remember: (ref: string, value: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  const cursorName = `${spec.job}:date`;
  const cursor = (await sc.c.store.cursorGet(cursorName)) ?? sc.sinceNaive();
  const from = shiftNaive(cursor, -sc.lookbackMs);
  const dateFilter = ge('Date', datetime(from));
  const filter = spec.filter ? and(dateFilter, spec.filter) : dateFilter;
  const client = sc.client();
  for await (const page of client.pages(spec.set, { filter, orderby: ['Date', 'Ref_Key'], ...(spec.select ? { select: spec.select } : {}) }, sc.pageSize)) {
    await sc.c.transaction(async (tx) => {
      const refs = page.map((d) => refOf(d['Ref_Key'])).filter((r): r is string => r !== null);
      const seen = await statesByName(tx, refs.map((r) => ver(spec.job, r)));
      const changed = page.flatMap((doc) => {
        const ref = refOf(doc['Ref_Key']);
        const version = text(doc['DataVersion']);
        if (!ref) return [];
        const s = seen.get(ver(spec.job, ref));
        // The stored value is the DataVersion, or JSON whose `v` is it (pollers that remember more).
        const seenVersion = s?.startsWith('{') ? (JSON.parse(s) as { v?: string }).v : s;
        return seenVersion === version ? [] : [{ doc, ref, version, seen: s }];
      });
      if (changed.length) await handle(tx, changed, (ref, value) => setState(tx, ver(spec.job, ref), value));
      const latest = page.reduce((m, d) => (text(d['Date']) > m ? text(d['Date']) : m), '');
      const stored = await tx.cursorGet(cursorName);
      const next = [stored ?? cursor, latest].filter(Boolean).sort().at(-1)!;
      await tx.cursorSet(cursorName, next);
    });
  }
  // An empty window still fixes the first run's start, so "since" does not slide forward with the clock.
  if (!(await sc.c.store.cursorGet(cursorName))) await sc.c.store.cursorSet(cursorName, cursor);
}

export interface CatalogScan {
  job: string;
  set: string;
  filter?: Filter;
}

/** Ref_Keys per request when fetching changed items (1C has no `in`; long `or` chains hit URL limits). */
const FETCH_BATCH = 25;

/**
 * Pages through a whole catalog by Ref_Key reading only Ref_Key and DataVersion (cheap even for 100 000 items),
 * then fetches the items whose DataVersion differs from the one last seen. Per page, in one transaction, `handle`
 * gets those items, and their new versions are stored after it returns. An item deleted between the two reads is
 * simply not seen this time.
 */
export async function scanCatalog(sc: SourceContext, spec: CatalogScan, handle: (tx: StoreTx, changed: OneCEntity[]) => Promise<void>): Promise<void> {
  const client = sc.client();
  for await (const page of client.pages(spec.set, { orderby: 'Ref_Key', select: ['Ref_Key', 'DataVersion'], ...(spec.filter ? { filter: spec.filter } : {}) }, sc.pageSize)) {
    await sc.c.transaction(async (tx) => {
      const seen = await statesByName(tx, page.map((e) => ver(spec.job, String(refOf(e['Ref_Key'])))));
      const stale = page.flatMap((e) => {
        const ref = refOf(e['Ref_Key']);
        return ref && seen.get(ver(spec.job, ref)) !== text(e['DataVersion']) ? [ref] : [];
      });
      if (!stale.length) return;
      const changed: OneCEntity[] = [];
      for (let i = 0; i < stale.length; i += FETCH_BATCH) {
        changed.push(...(await client.list(spec.set, { filter: anyOf('Ref_Key', stale.slice(i, i + FETCH_BATCH).map((r) => guid(r))), orderby: 'Ref_Key' })));
      }
      if (!changed.length) return;
      await handle(tx, changed);
      for (const e of changed) await setState(tx, ver(spec.job, refOf(e['Ref_Key'])!), text(e['DataVersion']));
    });
  }
}

/**
 * Diffs a register read against what was published (states under `<job>:s:`), in one transaction: `handle` gets
 * each change and publishes it (or not), then the new values are stored with their change counts.
 */
export async function scanSnapshot(
  sc: SourceContext,
  job: string,
  current: ReadonlyMap<string, string>,
  zero: string,
  handle: (tx: StoreTx, change: SnapshotChange) => Promise<void>,
): Promise<number> {
  const prefix = `${job}:s:`;
  return sc.c.transaction(async (tx) => {
    const raw = await statesByPrefix(tx, prefix);
    const previous = new Map<string, SnapshotState>();
    for (const [k, v] of raw) {
      const s = parseSnapshotState(v);
      if (s) previous.set(k, s);
    }
    const changes = diffSnapshot(previous, current, zero);
    for (const ch of changes) {
      await handle(tx, ch);
      await setState(tx, `${prefix}${ch.key}`, JSON.stringify({ value: ch.value, seq: ch.seq } satisfies SnapshotState));
    }
    return changes.length;
  });
}
