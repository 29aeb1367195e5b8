// F3: posted bank and cash receipts → Payment. What a receipt pays comes from its rows (УТ 11.5 ОбъектРасчетов,
// 11.4 the composite Заказ) or its basis document (the order, or an invoice — then the invoice's order); the order's
// total and the running sum of every posted receipt for it come from 1C itself, so the deal sees PARTIAL → PAID
// with amounts that add up, also when several receipts arrive between two polls. An unposted receipt that was
// published is published again with a negative amount and the totals without it.
import { documentId } from '@esb/canonical';
import { and, cast, eq, Filter, guid, or, type OneCEntity } from '@esb/onec-client';
import type { StoreTx } from '@esb/store';
import { isOwnWrite } from '../echo.ts';
import { kopecks, refOf, text, typeOf, changeEventId } from '../mapping/inbound.ts';
import {
  amountsByTarget,
  paidUpTo,
  paymentKey,
  RECEIPT_KIND,
  sumContributions,
  targetKey,
  parseTargetKey,
  toPayment,
  type Contribution,
  type PaymentTarget,
  type ReceiptLine,
} from '../mapping/payment.ts';
import type { SourceContext } from './context.ts';
import type { Lookups } from './lookups.ts';
import { scanDocuments, versionStateName } from './scan.ts';
import { statesByName } from './state.ts';

export const RECEIPTS_JOB = 'receipts';

interface Names {
  sets: string[];
  bank: string | undefined;
  organization: string;
  order: string;
  invoice: string | undefined;
  sale: string | undefined;
  /** УТ 11.5: rows name a Catalog_ОбъектыРасчетов item; 11.4 rows name the order in the composite `Заказ`. */
  settlementObjects: string | undefined;
}

function names(sc: SourceContext): Names {
  return {
    sets: [sc.entity('bankReceipt'), sc.entity('cashReceipt')].filter((s): s is string => !!s),
    bank: sc.entity('bankReceipt'),
    organization: sc.entity('organization') ?? 'Catalog_Организации',
    order: sc.need('customerOrder'),
    invoice: sc.entity('customerInvoice'),
    sale: sc.entity('sale'),
    settlementObjects: sc.profile.fields['paymentOrderLink']?.property === 'ОбъектРасчетов_Key' ? sc.entity('settlementObject') : undefined,
  };
}

/** A line with the invoice it came through, when it did (the Payment names both the order and the invoice). */
type Line = ReceiptLine & { invoice: string | null };

/** Resolves what a composite reference (`X` + `X_Type`) pays for. */
async function compositeTarget(n: Names, L: Lookups, value: unknown, type: unknown): Promise<{ target: PaymentTarget | null; invoice: string | null }> {
  const set = typeOf(type);
  const ref = refOf(value);
  if (!set || !ref) return { target: null, invoice: null };
  if (set === n.order) return { target: { kind: 'order', ref }, invoice: null };
  if (set === n.invoice) {
    const inv = await L.one(set, ref);
    const basis = typeOf(inv?.['ДокументОснование_Type']) === n.order ? refOf(inv?.['ДокументОснование']) : null;
    return { target: basis ? { kind: 'order', ref: basis } : { kind: 'invoice', ref }, invoice: ref };
  }
  if (set === n.sale) {
    const sale = await L.one(set, ref);
    const o = typeOf(sale?.['ЗаказКлиента_Type']) === n.order ? refOf(sale?.['ЗаказКлиента']) : null;
    return { target: o ? { kind: 'order', ref: o } : null, invoice: null };
  }
  return { target: null, invoice: null };
}

async function settlementTarget(n: Names, L: Lookups, objectRef: unknown): Promise<{ target: PaymentTarget | null; invoice: string | null } | null> {
  if (!n.settlementObjects || !refOf(objectRef)) return null;
  const o = await L.one(n.settlementObjects, objectRef);
  return o ? compositeTarget(n, L, o['Объект'], o['Объект_Type']) : null;
}

/** The receipt's rows with what each pays for; a receipt without rows pays its basis document with its whole sum. */
export async function receiptLines(n: Names, L: Lookups, doc: OneCEntity): Promise<Line[]> {
  const header = (await settlementTarget(n, L, doc['ОбъектРасчетов_Key'])) ?? (await compositeTarget(n, L, doc['ДокументОснование'], doc['ДокументОснование_Type']));
  const rows = Array.isArray(doc['РасшифровкаПлатежа']) ? (doc['РасшифровкаПлатежа'] as OneCEntity[]) : [];
  if (!rows.length) return [{ ...header, amount: kopecks(doc['СуммаДокумента']) }];
  const out: Line[] = [];
  for (const r of rows) {
    const own = n.settlementObjects ? await settlementTarget(n, L, r['ОбъектРасчетов_Key']) : await compositeTarget(n, L, r['Заказ'], r['Заказ_Type']);
    out.push({ ...(own?.target ? own : header), amount: kopecks(r['Сумма']) });
  }
  return out;
}

/** Every posted receipt paying `target` (both receipt kinds), with the part of it that pays the target. */
async function contributionsTo(sc: SourceContext, n: Names, L: Lookups, target: PaymentTarget, orderDoc: OneCEntity | undefined): Promise<Array<Contribution & { set: string }>> {
  const client = sc.client();
  const bases: Filter[] = [];
  const rowRefs: Filter[] = [];
  if (target.kind === 'order') {
    bases.push(eq('ДокументОснование', cast(target.ref, n.order)));
    const settlement = refOf(orderDoc?.['ОбъектРасчетов_Key']);
    if (n.settlementObjects && settlement) rowRefs.push(Filter.raw(`РасшифровкаПлатежа/any(d: d/ОбъектРасчетов_Key eq ${guid(settlement).text})`));
    if (!n.settlementObjects) rowRefs.push(Filter.raw(`РасшифровкаПлатежа/any(d: d/Заказ eq ${cast(target.ref, n.order).text})`));
    if (n.invoice) {
      const invoices = await client.list(n.invoice, { filter: eq('ДокументОснование', cast(target.ref, n.order)), select: ['Ref_Key'] });
      for (const i of invoices) {
        const ref = refOf(i['Ref_Key']);
        if (!ref) continue;
        bases.push(eq('ДокументОснование', cast(ref, n.invoice)));
        if (!n.settlementObjects) rowRefs.push(Filter.raw(`РасшифровкаПлатежа/any(d: d/Заказ eq ${cast(ref, n.invoice).text})`));
      }
    }
  } else if (n.invoice) {
    bases.push(eq('ДокументОснование', cast(target.ref, n.invoice)));
    if (!n.settlementObjects) rowRefs.push(Filter.raw(`РасшифровкаПлатежа/any(d: d/Заказ eq ${cast(target.ref, n.invoice).text})`));
  }
  const out: Array<Contribution & { set: string }> = [];
  const key = targetKey(target);
  for (const set of n.sets) {
    const header = [...bases];
    // Only the bank receipt of 11.5 has ОбъектРасчетов in its header.
    const settlement = refOf(orderDoc?.['ОбъектРасчетов_Key']);
    if (target.kind === 'order' && n.settlementObjects && settlement && set === n.bank) header.push(eq('ОбъектРасчетов_Key', guid(settlement)));
    const docs = await client.listAll(set, { filter: and(eq('Posted', true), eq('DeletionMark', false), or(...header, ...rowRefs)), orderby: ['Date', 'Ref_Key'] }, sc.pageSize);
    for (const d of docs) {
      const amount = amountsByTarget(await receiptLines(n, L, d)).get(key);
      if (amount !== undefined && amount !== 0n) out.push({ set, ref: refOf(d['Ref_Key'])!, date: text(d['Date']), amount });
    }
  }
  return out;
}

/** Which of the contributing receipts were already published as paying `key` (their stored state says so). */
async function publishedFor(tx: StoreTx, contributions: ReadonlyArray<Contribution & { set: string }>, key: string): Promise<Set<string>> {
  const names = contributions.map((x) => versionStateName(`${RECEIPTS_JOB}/${x.set}`, x.ref));
  const states = await statesByName(tx, names);
  return new Set(contributions.filter((x, i) => parseSeen(states.get(names[i]!))?.t[key] !== undefined).map((x) => x.ref));
}

/** What a receipt's stored state says it contributed per target when it was last published. */
interface Seen {
  v: string;
  t: Record<string, string>;
}

function parseSeen(raw: string | undefined): Seen | undefined {
  if (!raw?.startsWith('{')) return undefined;
  const j = JSON.parse(raw) as Partial<Seen>;
  return { v: String(j.v ?? ''), t: j.t ?? {} };
}

async function handleReceipt(sc: SourceContext, n: Names, L: Lookups, tx: StoreTx, set: string, doc: OneCEntity, ref: string, version: string, rawSeen: string | undefined, remember: (ref: string, value: string) => Promise<void>): Promise<void> {
  const number = text(doc['Number']);
  const keys = { payment: number, paymentRef: ref };
  const seen = parseSeen(rawSeen);
  if (await isOwnWrite(tx, set, ref, version)) {
    await sc.note(tx, RECEIPTS_JOB, 'skipped', 'esb.canonical.Payment', keys, 'written by the bus itself');
    await remember(ref, JSON.stringify({ v: version, t: seen?.t ?? {} }));
    return;
  }
  const counted = doc['Posted'] === true && doc['DeletionMark'] !== true;
  const lines = counted ? await receiptLines(n, L, doc) : [];
  const now = amountsByTarget(lines);
  const before = new Map(Object.entries(seen?.t ?? {}).map(([k, v]) => [k, BigInt(v)]));
  const targets = [...new Set([...before.keys(), ...now.keys()])].filter((k) => before.get(k) !== now.get(k));
  if (counted && !now.size && !before.size) {
    await sc.note(tx, RECEIPTS_JOB, 'skipped', 'esb.canonical.Payment', keys, 'the receipt pays no customer order or invoice (an advance or a contract): it shows in the debt only');
  }
  const allTargets = new Set([...before.keys(), ...now.keys()]);
  const org = await L.one(n.organization, doc['Организация_Key']);
  const counterpartyId = await sc.counterpartyId(tx, L, doc['Контрагент_Key']);
  for (const k of targets) {
    const target = parseTargetKey(k);
    const amount = now.get(k) ?? -(before.get(k) ?? 0n);
    const orderDoc = target.kind === 'order' ? await L.one(n.order, target.ref) : undefined;
    const invoiceRef = target.kind === 'invoice' ? target.ref : (lines.find((l) => l.target && targetKey(l.target) === k)?.invoice ?? null);
    const invoiceDoc = invoiceRef && n.invoice ? await L.one(n.invoice, invoiceRef) : undefined;
    const totalDoc = orderDoc ?? invoiceDoc;
    if (!totalDoc) {
      await sc.note(tx, RECEIPTS_JOB, 'error', 'esb.canonical.Payment', keys, `receipt ${number} pays ${target.kind} ${target.ref}, which 1C does not return; check that it exists and is published over OData`);
      continue;
    }
    const contributions = await contributionsTo(sc, n, L, target, orderDoc);
    const totalPaid = now.has(k) ? paidUpTo(contributions, { date: text(doc['Date']), ref }, await publishedFor(tx, contributions, k)) : sumContributions(contributions);
    const orderId = orderDoc ? await sc.documentIdOf(tx, 'order', target.ref, orderDoc) : null;
    const invoiceId = invoiceRef ? await sc.documentIdOf(tx, 'invoice', invoiceRef, invoiceDoc) : null;
    const paymentId = documentId('payment', sc.systemId, allTargets.size > 1 ? `${ref}/${target.ref}` : ref);
    const date = sc.instant(doc['Date']);
    const payment = toPayment({
      meta: sc.meta({ eventId: changeEventId(sc.systemId, set, ref, version, k), externalId: ref, occurredAt: date, legalEntityId: sc.legalEntityId(org) }),
      paymentId,
      orderId,
      invoiceId,
      counterpartyId,
      amount,
      totalPaid,
      total: kopecks(totalDoc['СуммаДокумента']),
      currency: await L.currency(totalDoc['Валюта_Key'] ?? doc['Валюта_Key']),
      date,
      kind: RECEIPT_KIND[set] ?? 'OTHER',
      number,
    });
    await sc.emit(tx, RECEIPTS_JOB, 'esb.canonical.Payment', payment, paymentKey(payment), {
      ...keys,
      ...(orderDoc ? { order: text(orderDoc['Number']) } : {}),
      ...(invoiceDoc ? { invoice: text(invoiceDoc['Number']) } : {}),
      status: payment.status,
    });
  }
  await remember(ref, JSON.stringify({ v: version, t: Object.fromEntries([...now].map(([k, v]) => [k, v.toString()])) } satisfies Seen));
}

export async function pollReceipts(sc: SourceContext): Promise<void> {
  const n = names(sc);
  const L = sc.lookups();
  for (const set of n.sets) {
    await scanDocuments(sc, { job: `${RECEIPTS_JOB}/${set}`, set }, async (tx, changed, remember) => {
      for (const { doc, ref, version, seen } of changed) {
        // A draft that was never published is nobody's news; it is read again until it is posted.
        if (doc['Posted'] !== true && !parseSeen(seen)) continue;
        await handleReceipt(sc, n, L, tx, set, doc, ref, version, seen, remember);
      }
    });
  }
}

export const hasReceipts = (sc: SourceContext): boolean => !!sc.entity('customerOrder') && (!!sc.entity('bankReceipt') || !!sc.entity('cashReceipt'));
