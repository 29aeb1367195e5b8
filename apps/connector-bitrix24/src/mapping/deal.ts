// A Bitrix24 deal at the trigger stage of its funnel → canonical Order (F1): the deal, its product rows (crm.deal.
// productrows.get: PRICE is the final unit price with discount and tax, PRICE_BRUTTO before discount with tax,
// PRICE_NETTO/PRICE_EXCLUSIVE the same without tax; TAX_RATE is a percent, TAX_INCLUDED tells how the manager priced),
// the buyer, and the seller hint. All money is integer kopecks until it becomes a decimal string: no float sums.
// Also here: when a deal counts as an order (stage at/after the trigger stage), and who the seller is.
import { EsbError } from '@esb/bus';
import { documentId, legalCounterpartyId, productId, validateInn, validateKpp } from '@esb/canonical';
import type { Order, OrderLine, VatRate } from '@esb/canonical';
import { companyToCounterparty, contactToCounterparty, isSkip, primaryRequisite, toRef, type B24Record, type CounterpartyBody } from './counterparty-in.ts';
import { decimalString, divRound, FormError, idOf, instant, stripBbCodes, text, unscaled } from './form.ts';

export type OrderBody = Omit<Order, 'meta'>;

const SYSTEM = 'bitrix24';

function invalid(message: string, businessKey: string): EsbError {
  return new EsbError('ESB_VALIDATION', message, { system: SYSTEM, businessKey });
}

/** A portal number read as an integer at `scale`, or a validation error naming the deal, the row and the field. */
function num(v: unknown, scale: number, where: string, field: string): bigint | null {
  try {
    return unscaled(v, scale, `${where}: field ${field}`);
  } catch (e) {
    if (e instanceof FormError) throw invalid(e.message, where);
    throw e;
  }
}

// ---- when a deal is an order ------------------------------------------------------------------------------------

export interface StageOfFunnel {
  STATUS_ID: string;
  SORT: number;
}

export type TriggerDecision = { publish: true; reason: string } | { publish: false; reason: string };

/**
 * A deal becomes an order when it stands at or after its funnel's trigger stage (by stage SORT), not in a failure
 * stage. Once published, later changes are published too (the 1C order exists and must follow the deal), wherever
 * the deal stands — except in a funnel the topology does not know, or lost.
 */
export function triggerDecision(o: {
  dealId: string;
  categoryId: string;
  stageId: string;
  /** STAGE_SEMANTIC_ID: P in progress, S success, F failure. */
  semantic: string;
  triggerStage: string | undefined;
  stages: StageOfFunnel[];
  alreadyPublished: boolean;
}): TriggerDecision {
  const d = `deal ${o.dealId}`;
  if (o.triggerStage === undefined) return { publish: false, reason: `${d} is in funnel ${o.categoryId}, which has no trigger stage in the topology (legalEntities[].portal)` };
  if (o.semantic.toUpperCase() === 'F') return { publish: false, reason: `${d} is in failure stage ${o.stageId}` };
  if (o.stageId === o.triggerStage) return { publish: true, reason: `${d} is at the trigger stage ${o.triggerStage}` };
  const sortOf = (s: string) => o.stages.find((x) => x.STATUS_ID === s)?.SORT;
  const cur = sortOf(o.stageId);
  const trig = sortOf(o.triggerStage);
  if (cur !== undefined && trig !== undefined && cur >= trig) return { publish: true, reason: `${d} is at stage ${o.stageId}, after the trigger stage ${o.triggerStage}` };
  if (o.alreadyPublished) return { publish: true, reason: `${d} was published as an order before; it changed at stage ${o.stageId}` };
  if (trig === undefined) return { publish: false, reason: `${d}: trigger stage ${o.triggerStage} is not a stage of funnel ${o.categoryId}; check legalEntities[].portal.triggerStage` };
  return { publish: false, reason: `${d} is at stage ${o.stageId}, before the trigger stage ${o.triggerStage}` };
}

/** crm.dealcategory.stage.list → stages with numeric SORT. */
export function stagesOf(v: unknown): StageOfFunnel[] {
  return (Array.isArray(v) ? v : [])
    .filter((s): s is B24Record => typeof s === 'object' && s !== null)
    .map((s) => ({ STATUS_ID: text(s.STATUS_ID), SORT: Number(text(s.SORT) || 0) }))
    .filter((s) => s.STATUS_ID !== '');
}

// ---- seller ---------------------------------------------------------------------------------------------------

export interface SellerEntity {
  id: string;
  name: string;
  inn: string;
  kpp?: string | undefined;
  canonicalId: string;
}

/**
 * The seller named by the deal field `sellerEntityField`: a legal-entity id from the topology or its INN (or
 * "INN/KPP"). Empty → null (the router decides by funnel). A value naming no entity is an error: guessing would put
 * the order into another company's books.
 */
export function sellerFromField(value: unknown, entities: SellerEntity[], where: string, field: string): string | null {
  const v = text(value);
  if (v === '') return null;
  const byId = entities.find((e) => e.id.toLowerCase() === v.toLowerCase());
  if (byId) return byId.canonicalId;
  const [inn, kpp] = v.split(/[\s/]+/);
  const byInn = entities.filter((e) => e.inn === inn && (kpp === undefined || e.kpp === kpp));
  if (byInn.length === 1) return byInn[0]!.canonicalId;
  const known = entities.map((e) => `${e.id} (INN ${e.inn}${e.kpp ? `/${e.kpp}` : ''})`).join(', ');
  throw invalid(
    `${where}: field ${field} = ${JSON.stringify(v)} ${byInn.length > 1 ? 'matches several legal entities by INN; write the entity id or INN/KPP' : 'names no legal entity of the topology'}. Known: ${known || 'none'}`,
    v,
  );
}

/** The seller as the document's own company (smart invoice mycompanyId, UF_MYCOMPANY_ID): its requisite's INN/KPP. */
export function sellerFromOwnCompany(companyId: unknown, requisites: B24Record[], entities: SellerEntity[]): string | null {
  const id = idOf(companyId);
  if (!id) return null;
  const rq = primaryRequisite(requisites, 4, id);
  if (!rq) return null;
  const inn = validateInn(text(rq.RQ_INN));
  if (!inn.ok) return null;
  const kppRaw = text(rq.RQ_KPP);
  const kpp = inn.value.length === 12 ? null : validateKpp(kppRaw);
  if (kpp && !kpp.ok) return null;
  const canonical = legalCounterpartyId(inn.value, kpp ? kpp.value : null);
  return entities.find((e) => e.canonicalId === canonical)?.canonicalId ?? null;
}

// ---- buyer ----------------------------------------------------------------------------------------------------

export interface BuyerParts {
  company?: B24Record | undefined;
  companyRequisites: B24Record[];
  companyContacts: B24Record[];
  contact?: B24Record | undefined;
  contactRequisites: B24Record[];
}

/**
 * Who buys: the deal's company (by its requisites' INN/KPP), else its contact as an individual. A company that
 * cannot be keyed (no requisites) is an error here — unlike a company event, an order needs its buyer.
 */
export function documentBuyer(where: string, companyId: unknown, contactId: unknown, p: BuyerParts): CounterpartyBody {
  const co = idOf(companyId);
  if (co) {
    if (!p.company || text(p.company.ID) !== co) throw invalid(`${where}: company ${co} (COMPANY_ID) could not be read from the portal`, co);
    const cp = companyToCounterparty({ company: p.company, requisites: p.companyRequisites, contacts: p.companyContacts }, `${where}: buyer`);
    if (isSkip(cp)) throw invalid(cp.message, co);
    return cp;
  }
  const ct = idOf(contactId);
  if (ct) {
    if (!p.contact || text(p.contact.ID) !== ct) throw invalid(`${where}: contact ${ct} (CONTACT_ID) could not be read from the portal`, ct);
    const cp = contactToCounterparty({ contact: p.contact, requisites: p.contactRequisites }, `${where}: buyer`);
    if (isSkip(cp)) throw invalid(cp.message, ct);
    return cp;
  }
  throw invalid(`${where}: no buyer — the deal has neither a company (COMPANY_ID) nor a contact (CONTACT_ID). Link the customer to the deal`, where);
}

// ---- rows -----------------------------------------------------------------------------------------------------

const VAT_BY_PERCENT: Record<string, VatRate> = { '0': 'VAT_0', '5': 'VAT_5', '7': 'VAT_7', '10': 'VAT_10', '18': 'VAT_18', '20': 'VAT_20', '22': 'VAT_22' };

/** TAX_RATE (a percent; null or "" = no VAT) → the canonical rate and the integer percent for the arithmetic. */
export function vatOf(taxRate: unknown, where: string): { rate: VatRate; percent: bigint } {
  const u = num(taxRate, 2, where, 'TAX_RATE');
  if (u === null) return { rate: 'VAT_NONE', percent: 0n };
  const rate = u % 100n === 0n ? VAT_BY_PERCENT[String(u / 100n)] : undefined;
  if (!rate) throw invalid(`${where}: field TAX_RATE = ${decimalString(u, 2)}% is not a Russian VAT rate (0, 5, 7, 10, 18, 20, 22 or empty for "without VAT")`, where);
  return { rate, percent: u / 100n };
}

const taxed = (r: B24Record): boolean => text(r.TAX_RATE) !== '';

/**
 * Whether the order's prices include VAT: false only when every taxed row was priced without it (TAX_INCLUDED = N);
 * with mixed rows the gross figures, which the portal keeps for every row, are used.
 */
export function vatIncludedOf(rows: B24Record[]): boolean {
  const withTax = rows.filter(taxed);
  return !(withTax.length > 0 && withTax.every((r) => text(r.TAX_INCLUDED).toUpperCase() === 'N'));
}

function unitOf(r: B24Record): OrderLine['unit'] {
  const code = text(r.MEASURE_CODE);
  return { okei: /^\d{1,3}$/.test(code) ? code.padStart(3, '0') : '796', name: text(r.MEASURE_NAME) || 'шт' };
}

/** One product row → an order line; `productIds` are canonical ids the catalog sink recorded (portal PRODUCT_ID → id). */
export function lineOf(systemId: string, dealWhere: string, r: B24Record, lineNo: number, vatIncluded: boolean, productIds: Record<string, string>, articles: Record<string, string> = {}): OrderLine {
  return rowToLine(systemId, dealWhere, r, lineNo, vatIncluded, productIds, articles).line;
}

function rowToLine(systemId: string, dealWhere: string, r: B24Record, lineNo: number, vatIncluded: boolean, productIds: Record<string, string>, articles: Record<string, string>): { line: OrderLine; amount: bigint; vat: bigint } {
  const where = `${dealWhere}, product row ${lineNo}${text(r.ID) ? ` (ID ${text(r.ID)})` : ''}`;
  const name = text(r.PRODUCT_NAME) || text(r.ORIGINAL_PRODUCT_NAME);
  if (name === '') throw invalid(`${where}: field PRODUCT_NAME is empty`, where);
  const q = num(r.QUANTITY, 3, where, 'QUANTITY');
  if (q === null || q <= 0n) throw invalid(`${where}: field QUANTITY must be more than 0 (got ${text(r.QUANTITY) || 'nothing'})`, where);
  const { rate, percent } = vatOf(r.TAX_RATE, where);
  const final = num(r.PRICE, 2, where, 'PRICE');
  if (final === null) throw invalid(`${where}: field PRICE is empty`, where);
  // Prices of one unit: gross = with VAT, net = without; "list" = before the discount, "paid" = after it.
  let listUnit: bigint;
  let paidUnit: bigint;
  if (vatIncluded) {
    paidUnit = final;
    listUnit = num(r.PRICE_BRUTTO, 2, where, 'PRICE_BRUTTO') ?? final;
  } else {
    paidUnit = num(r.PRICE_EXCLUSIVE, 2, where, 'PRICE_EXCLUSIVE') ?? final;
    listUnit = num(r.PRICE_NETTO, 2, where, 'PRICE_NETTO') ?? paidUnit;
  }
  if (listUnit < paidUnit) listUnit = paidUnit; // a surcharge is not a negative discount: show the price paid
  const amount = divRound(paidUnit * q, 1000n);
  const discount = divRound(listUnit * q, 1000n) - amount;
  // VAT per row, rounded as 1C does: inside a gross amount rate/(100+rate), on top of a net one rate/100.
  const vat = percent === 0n ? 0n : vatIncluded ? divRound(amount * percent, 100n + percent) : divRound(amount * percent, 100n);
  const pid = idOf(r.PRODUCT_ID);
  const line: OrderLine = {
    lineNo,
    productId: pid ? (productIds[pid] ?? productId({ originSystem: systemId, externalId: pid })) : null,
    article: pid ? (articles[pid] ?? null) : null,
    name,
    quantity: decimalString(q, 3),
    unit: unitOf(r),
    price: decimalString(listUnit, 2),
    discount: decimalString(discount, 2),
    vatRate: rate,
    vatAmount: decimalString(vat, 2),
    amount: decimalString(amount, 2),
  };
  return { line, amount, vat };
}

export interface DealInput {
  systemId: string;
  /** crm.deal.get */
  deal: B24Record;
  /** crm.deal.productrows.get */
  rows: B24Record[];
  buyer: CounterpartyBody;
  sellerLegalEntityId: string | null;
  /** Canonical product ids by portal PRODUCT_ID (xref of the catalog sink); others are derived from the portal id. */
  productIds?: Record<string, string>;
  /** Articles of those products (the catalog sink keeps them with the xref), so 1C can find the item by article too. */
  articles?: Record<string, string>;
}

/** The deal → Order. Throws an ESB_VALIDATION EsbError naming the deal, the row and the field on bad data. */
export function dealToOrder(i: DealInput): OrderBody {
  const d = i.deal;
  const dealId = idOf(d.ID);
  if (!dealId) throw invalid(`deal: no ID in ${JSON.stringify(text(d.ID))}`, text(d.ID));
  const where = `deal ${dealId}${text(d.TITLE) ? ` «${text(d.TITLE)}»` : ''}`;
  const rows = [...i.rows].sort((a, b) => Number(text(a.SORT) || 0) - Number(text(b.SORT) || 0) || Number(text(a.ID) || 0) - Number(text(b.ID) || 0));
  if (rows.length === 0) throw invalid(`${where}: the deal has no product rows; add the goods to the deal, then save it again`, dealId);
  const vatIncluded = vatIncludedOf(rows);
  const built = rows.map((r, n) => rowToLine(i.systemId, where, r, n + 1, vatIncluded, i.productIds ?? {}, i.articles ?? {}));
  let total = 0n;
  let vatTotal = 0n;
  for (const b of built) {
    vatTotal += b.vat;
    total += vatIncluded ? b.amount : b.amount + b.vat;
  }
  const lines = built.map((b) => b.line);
  const date = instant(d.BEGINDATE) ?? instant(d.DATE_CREATE);
  if (!date) throw invalid(`${where}: neither BEGINDATE nor DATE_CREATE is a date (${JSON.stringify(text(d.BEGINDATE))})`, dealId);
  const currency = text(d.CURRENCY_ID).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw invalid(`${where}: field CURRENCY_ID = ${JSON.stringify(currency)} is not an ISO 4217 code`, dealId);
  return {
    orderId: documentId('order', i.systemId, dealId),
    number: dealId,
    date,
    origin: { system: i.systemId, kind: 'bitrix24', entityType: 'deal', externalId: dealId, categoryId: text(d.CATEGORY_ID) || '0' },
    buyer: toRef(i.buyer),
    sellerLegalEntityId: i.sellerLegalEntityId,
    currency,
    vatIncluded,
    lines,
    total: decimalString(total, 2),
    vatTotal: decimalString(vatTotal, 2),
    comment: stripBbCodes(d.COMMENTS),
  };
}
