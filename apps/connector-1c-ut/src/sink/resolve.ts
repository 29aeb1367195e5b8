// Finding (or creating) what a document references in the base: our organisation from the legal entity, the buyer
// (partner + counterparty) by INN/KPP, the nomenclature of each line, the VAT rate and the currency. Every lookup
// tries the xref first, then 1C by natural key, and creates only under a lock, so concurrent deliveries of two orders
// of one new company create one counterparty.
import type { CounterpartyRef, Order, OrderLine, VatRate } from '@esb/canonical';
import type { LegalEntity } from '@esb/config';
import { eq, Filter, guid, str as lit, substringof, OneCError, type OneCClient, type OneCEntity } from '@esb/onec-client';
import { buyerKeys, buyerText, counterpartyBody, counterpartySearches, partnerBody } from '../mapping/counterparty-out.ts';
import { lineText, nomenclatureBody, normalizeArticle, okeiCode, pickNomenclature } from '../mapping/nomenclature.ts';
import { onecRefFor, originMarker } from '../mapping/order.ts';
import { vatToOneC } from '../mapping/vat.ts';
import type { Job } from './job.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const live = (rows: OneCEntity[]) => rows.filter((r) => r['DeletionMark'] !== true);

// ---- legal entity → organisation -----------------------------------------------------------------------------------

/**
 * The legal entity a document belongs to: the first id given (the record's seller, then meta.legalEntityId), else the
 * only entity keeping its trade in this base, else the topology's default when it is one of them.
 */
export function legalEntityOf(job: Job, ids: Array<string | null | undefined>): LegalEntity {
  const topo = job.c.topology;
  const id = ids.find((x): x is string => typeof x === 'string' && x !== '');
  let entity: LegalEntity | undefined;
  if (id) {
    entity = topo.legalEntities.find((e) => e.canonicalId === id.toLowerCase() || e.id === id);
    if (!entity) throw job.reject(`legal entity ${id} is not in the topology's legalEntities; add it, or fix the seller on the record`);
  } else if (job.cfg.entities.length === 1) entity = job.cfg.entities[0]!;
  else {
    const fallback = topo.legalEntities.find((e) => e.id === topo.defaultLegalEntity);
    if (fallback && fallback.tradeSystem === job.systemId) entity = fallback;
    else throw job.reject(`the record names no legal entity and this base keeps ${job.cfg.entities.length} (${job.cfg.entities.map((e) => e.id).join(', ')}): set the seller on the record or defaultLegalEntity in the topology`);
  }
  if (entity.tradeSystem !== job.systemId) {
    throw job.reject(`legal entity "${entity.id}" (INN ${entity.inn}) keeps its trade in "${entity.tradeSystem}", not in this base: the delivery was routed to the wrong database`);
  }
  return entity;
}

/** Catalog_Организации item of the entity: `organisationRef` from config, else by INN (+ KPP). */
export async function organisationOf(job: Job, entity: LegalEntity): Promise<string> {
  const set = job.shape.organisation;
  if (entity.organisationRef) return entity.organisationRef.toLowerCase();
  const byInn = live(await job.read((c) => c.list(set, { filter: eq('ИНН', entity.inn), select: ['Ref_Key', 'КПП', 'DeletionMark', 'Description'] })));
  const exact = entity.kpp ? byInn.filter((o) => str(o['КПП']) === entity.kpp) : byInn;
  const pick = exact[0] ?? (byInn.length === 1 ? byInn[0] : undefined);
  if (!pick) {
    throw job.reject(
      `no organisation with INN ${entity.inn}${entity.kpp ? ` KPP ${entity.kpp}` : ''} (legal entity "${entity.id}") in ${set}: enter it in 1C, or set legalEntities[].organisationRef to its Ref_Key`,
      'ESB_TARGET_REJECTED',
    );
  }
  return String(pick['Ref_Key']);
}

// ---- buyer ---------------------------------------------------------------------------------------------------------

export interface Buyer {
  counterparty: string;
  partner?: string;
}

/** An object by Ref_Key, or undefined when 1C no longer has it (deleted physically) or it is marked for deletion. */
export async function liveByRef(job: Job, set: string, ref: string, select: string[]): Promise<OneCEntity | undefined> {
  try {
    const e = await job.read((c) => c.get(set, ref, { select: [...new Set(['Ref_Key', 'DeletionMark', ...select])] }));
    return e['DeletionMark'] === true ? undefined : e;
  } catch (e) {
    if (e instanceof OneCError && e.status === 404) return undefined;
    throw e;
  }
}

/**
 * The buyer's counterparty (and partner in УТ): xref, else Catalog_Контрагенты by INN/KPP (persons by phone or
 * e-mail), else created — the partner first, found again by the marker in its comment if a crash separated the two.
 */
export async function buyerOf(job: Job, ref: CounterpartyRef): Promise<Buyer> {
  const set = job.shape.counterparty;
  const withPartner = !!job.shape.partner;
  if (ref.kind !== 'INDIVIDUAL' && !ref.inn) throw job.reject(`buyer ${buyerText(ref)} has no INN; a company or sole proprietor is found and created in 1C by its INN`);
  if (ref.kind === 'INDIVIDUAL' && !ref.inn && !ref.phone && !ref.email) throw job.reject(`buyer ${buyerText(ref)} has no INN, phone or e-mail to find it by in 1C`);
  await job.lock(`counterparty:${ref.counterpartyId}`);
  const toBuyer = (e: OneCEntity): Buyer => ({ counterparty: String(e['Ref_Key']), ...(withPartner && str(e['Партнер_Key']) ? { partner: String(e['Партнер_Key']) } : {}) });

  const x = await job.tx.xrefByCanonical('counterparty', ref.counterpartyId, job.systemId);
  if (x) {
    const e = await liveByRef(job, set, x.externalId, withPartner ? ['Партнер_Key'] : []);
    if (e) return toBuyer(e);
  }
  const select = ['Ref_Key', 'DeletionMark', 'КПП', 'Description', ...(withPartner ? ['Партнер_Key'] : [])];
  for (const s of counterpartySearches(ref)) {
    const found = live(await job.read((c) => c.list(set, { filter: s.filter, select }))).filter((r) => s.accept?.(r) ?? true);
    const pick = found[0];
    if (pick) {
      if (withPartner && !str(pick['Партнер_Key'])) throw job.reject(`counterparty «${String(pick['Description'])}» (${s.by}) in ${set} has no partner; fill Партнер in 1C`, 'ESB_TARGET_REJECTED');
      await job.tx.xrefPut({ entityType: 'counterparty', canonicalId: ref.counterpartyId, systemId: job.systemId, externalId: String(pick['Ref_Key']) });
      job.c.logger.info('buyer found in 1C', { systemId: job.systemId, by: s.by, ref: pick['Ref_Key'], eventId: job.rec.eventId });
      return toBuyer(pick);
    }
  }

  let partner: string | undefined;
  if (withPartner) {
    const pset = job.shape.partner!;
    const marker = originMarker('counterparty', ref.counterpartyId);
    const orphan = live(await job.read((c) => c.list(pset, { filter: substringof(marker, 'Комментарий'), select: ['Ref_Key', 'DeletionMark'] })))[0];
    if (orphan) partner = String(orphan['Ref_Key']);
    else {
      const { entity } = await job.createOnce(pset, onecRefFor('partner', ref.counterpartyId), partnerBody(ref), { keys: buyerKeys(ref) });
      await job.remember(pset, entity);
      partner = String(entity['Ref_Key']);
    }
  }
  const body = counterpartyBody(ref, { ...(partner ? { partner } : {}), contactInfo: ref.kind === 'INDIVIDUAL' });
  const { entity: created } = await job.createOnce(set, onecRefFor('counterparty', ref.counterpartyId), body, { keys: buyerKeys(ref) });
  await job.remember(set, created);
  await job.tx.xrefPut({ entityType: 'counterparty', canonicalId: ref.counterpartyId, systemId: job.systemId, externalId: String(created['Ref_Key']) });
  job.c.logger.info('buyer created in 1C', { systemId: job.systemId, buyer: buyerText(ref), ref: created['Ref_Key'], eventId: job.rec.eventId });
  return { counterparty: String(created['Ref_Key']), ...(partner ? { partner } : {}) };
}

// ---- VAT and currency ------------------------------------------------------------------------------------------

const caches = new WeakMap<OneCClient, Map<string, string>>();
function cacheOf(client: OneCClient): Map<string, string> {
  let m = caches.get(client);
  if (!m) caches.set(client, (m = new Map()));
  return m;
}

/** The row VAT value per rate used: a Catalog_СтавкиНДС Ref_Key (УТ 11.5) or the enum string. */
export async function vatValues(job: Job, rates: readonly VatRate[]): Promise<Partial<Record<VatRate, string>>> {
  const out: Partial<Record<VatRate, string>> = {};
  const cat = job.shape.vatCatalog;
  for (const rate of new Set(rates)) {
    const onec = vatToOneC(rate);
    if (!cat) {
      out[rate] = onec;
      continue;
    }
    const cache = cacheOf(job.client);
    const key = `vat:${onec}`;
    let ref = cache.get(key);
    if (!ref) {
      const found = live(await job.read((c) => c.list(cat, { filter: eq('ПеречислениеСтавкаНДС', onec), select: ['Ref_Key', 'DeletionMark'] })))[0];
      if (!found) throw job.reject(`${cat} has no item with ПеречислениеСтавкаНДС = ${onec} (${rate}): add the rate in 1C (НСИ → Ставки НДС)`, 'ESB_TARGET_REJECTED');
      ref = String(found['Ref_Key']);
      cache.set(key, ref);
    }
    out[rate] = ref;
  }
  return out;
}

const ISO_NUMERIC: Record<string, string> = { RUB: '643', RUR: '643', USD: '840', EUR: '978', CNY: '156', KZT: '398', BYN: '933', GBP: '826', TRY: '949', AED: '784', UZS: '860', AMD: '051', KGS: '417' };

/** Catalog_Валюты item of an ISO 4217 code; 1C keys currencies by the numeric code ("643"). */
export async function currencyOf(job: Job, iso: string): Promise<string | undefined> {
  const set = job.shape.currency;
  if (!set) return undefined;
  const code = ISO_NUMERIC[iso.toUpperCase()];
  if (!code) throw job.reject(`currency ${iso} has no numeric code known to the bus (${Object.keys(ISO_NUMERIC).join(', ')})`);
  const cache = cacheOf(job.client);
  const cached = cache.get(`currency:${code}`);
  if (cached) return cached;
  const found = live(await job.read((c) => c.list(set, { filter: eq('Code', code), select: ['Ref_Key', 'DeletionMark'] })))[0];
  if (!found) throw job.reject(`${set} has no currency with code ${code} (${iso}): add it in 1C`, 'ESB_TARGET_REJECTED');
  cache.set(`currency:${code}`, String(found['Ref_Key']));
  return String(found['Ref_Key']);
}

/** Розница: the organisation's store, when it has exactly one (an order is taken in a store). */
export async function storeOf(job: Job, organisation: string): Promise<string | undefined> {
  const set = job.shape.store;
  if (!set) return undefined;
  const stores = live(await job.read((c) => c.list(set, { filter: eq('Организация_Key', guid(organisation)), select: ['Ref_Key', 'DeletionMark'] })));
  return stores.length === 1 ? String(stores[0]!['Ref_Key']) : undefined;
}

// ---- nomenclature ----------------------------------------------------------------------------------------------

async function unitOf(job: Job, okei: string): Promise<string | undefined> {
  const set = job.shape.unit;
  if (!set) return undefined;
  const cache = cacheOf(job.client);
  const cached = cache.get(`unit:${okei}`);
  if (cached) return cached;
  // Code is fixed-length and padded («796 »): search by prefix, then compare trimmed.
  const all = live(await job.read((c) => c.list(set, { filter: Filter.raw(`startswith(Code, ${lit(okei).text}) eq true`), select: ['Ref_Key', 'Code', 'DeletionMark'] })));
  const hit = all.find((u) => okeiCode(u['Code']) === okei);
  if (hit) cache.set(`unit:${okei}`, String(hit['Ref_Key']));
  return hit ? String(hit['Ref_Key']) : undefined;
}

type Line = Pick<OrderLine, 'lineNo' | 'name' | 'article' | 'productId'>;

/** One line's item: the product's xref, else the article, else (free-text row) the marker of an item we created, else the exact name. */
async function findItem(job: Job, line: Line): Promise<string | undefined> {
  const set = job.shape.nomenclature;
  const select = ['Ref_Key', 'DeletionMark', 'IsFolder', 'Description'];
  if (line.productId) {
    const x = await job.tx.xrefByCanonical('product', line.productId, job.systemId);
    const e = x ? await liveByRef(job, set, x.externalId, ['IsFolder']) : undefined;
    if (e && e['IsFolder'] !== true) return String(e['Ref_Key']);
  }
  const article = normalizeArticle(line.article);
  const searches = article
    ? [eq('Артикул', article)]
    : [...(line.productId ? [substringof(originMarker('product', line.productId), 'Описание')] : []), eq('Description', line.name.slice(0, 100))];
  for (const filter of searches) {
    const found = await job.read((c) => c.list(set, { filter, select }));
    const pick = pickNomenclature(found.map((f) => ({ Ref_Key: String(f['Ref_Key']), DeletionMark: f['DeletionMark'] === true, IsFolder: f['IsFolder'] === true, Description: str(f['Description']) ?? null })));
    if (pick.ambiguous.length) throw job.reject(`${lineText(line)}: ${pick.ambiguous.length} items in ${set} match (${pick.ambiguous.join('; ')}); make the article unique in 1C`, 'ESB_TARGET_REJECTED');
    if (pick.ref) {
      if (line.productId) await job.tx.xrefPut({ entityType: 'product', canonicalId: line.productId, systemId: job.systemId, externalId: pick.ref });
      return pick.ref;
    }
  }
  return undefined;
}

/**
 * Nomenclature for every line, in order. Unknown products are created only with createMissingProducts (under a lock
 * per article, searching again once it is held); otherwise the error names every missing row and article.
 */
export async function nomenclatureOf(job: Job, order: Pick<Order, 'lines'>, vat: Partial<Record<VatRate, string>>): Promise<string[]> {
  const set = job.shape.nomenclature;
  const out: Array<string | undefined> = [];
  for (const line of order.lines) out.push(await findItem(job, line));
  const missing = order.lines.filter((_, i) => !out[i]);
  if (missing.length && !job.cfg.system.createMissingProducts) {
    throw job.reject(
      `unknown product${missing.length > 1 ? 's' : ''}: ${missing.map(lineText).join('; ')} — no such item in ${set}; enter ${missing.length > 1 ? 'them' : 'it'} in 1C (Артикул) or set createMissingProducts: true for system "${job.systemId}"`,
      'ESB_TARGET_REJECTED',
    );
  }
  // Locks in one global order (by article or name) so two orders creating the same items cannot deadlock.
  const keyOf = (l: OrderLine) => normalizeArticle(l.article)?.toUpperCase() ?? `name:${l.name}`;
  for (const line of [...missing].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) {
    const i = order.lines.indexOf(line);
    await job.lock(`product:${keyOf(line)}`);
    const again = await findItem(job, line);
    if (again) {
      out[i] = again;
      continue;
    }
    const unit = await unitOf(job, line.unit.okei);
    const v = vat[line.vatRate];
    const body = nomenclatureBody(line, { vatField: job.shape.nomenclatureVat, ...(unit ? { unit } : {}), ...(v ? { vat: v } : {}) });
    const key = onecRefFor('product', line.productId ?? `${normalizeArticle(line.article) ?? ''}|${line.name}`);
    const { entity: created } = await job.createOnce(set, key, body, { keys: { article: normalizeArticle(line.article) ?? line.name } });
    await job.remember(set, created);
    if (line.productId) await job.tx.xrefPut({ entityType: 'product', canonicalId: line.productId, systemId: job.systemId, externalId: String(created['Ref_Key']) });
    out[i] = String(created['Ref_Key']);
  }
  return out.map((r) => r!);
}

/** xref first, then the marker the bus writes into documents: the 1C documents this canonical id may be. */
export async function documentsByMarker(job: Job, set: string, marker: string, select: string[]): Promise<OneCEntity[]> {
  return job.read((c) => c.list(set, { filter: substringof(marker, 'Комментарий'), select, orderby: ['Date', 'Number'] }));
}

