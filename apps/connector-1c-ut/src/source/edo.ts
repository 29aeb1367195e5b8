// F8: states of outgoing electronic documents in 1C-ЭДО → EdoStatus, in the order they changed. The state register
// (InformationRegister_СостоянияДокументовЭДО) keeps one current row per document, read from a cursor on its change
// date; each document's last published state is remembered, so a state goes out once and never after a later one.
// The document's accounting object (InformationRegister_ОбъектыУчетаДокументовЭДО) leads to the sale or invoice and
// from there to the order. States reached and left between two polls are not seen (the register keeps no history).
import { documentId } from '@esb/canonical';
import { cast, eq, ge, datetime, type OneCEntity } from '@esb/onec-client';
import type { StoreTx } from '@esb/store';
import { changeEventId, refOf, shiftNaive, text, textOrNull, typeOf } from '../mapping/inbound.ts';
import { edoReason, edoState, isNewEdoState, toEdoStatus, type EdoSeen } from '../mapping/edo.ts';
import type { SourceContext } from './context.ts';
import type { Lookups } from './lookups.ts';
import { setState, statesByName } from './state.ts';

export const EDO_JOB = 'edo';

interface Target {
  documentId: string;
  number: string | null;
  orderRef: string;
  orderDoc: OneCEntity | undefined;
}

/** The accounting document an electronic document was issued for, and the order behind it. */
async function targetOf(sc: SourceContext, L: Lookups, tx: StoreTx, ed: string, outSet: string): Promise<Target | null> {
  const objects = sc.entity('edoObjects') ?? 'InformationRegister_ОбъектыУчетаДокументовЭДО';
  const links = await sc.client().list(objects, { filter: eq('ЭлектронныйДокумент', cast(ed, outSet)) });
  const link = links.find((l) => l['Актуален'] !== false) ?? links[0];
  const type = typeOf(link?.['ОбъектУчета_Type']);
  const ref = refOf(link?.['ОбъектУчета']);
  if (!type || !ref) return null;
  const orderSet = sc.entity('customerOrder');
  const doc = await L.one(type, ref);
  if (!doc || !orderSet) return null;
  let orderRef: string | null;
  let id: string;
  if (type === sc.entity('sale')) {
    orderRef = typeOf(doc['ЗаказКлиента_Type']) === orderSet ? refOf(doc['ЗаказКлиента']) : null;
    id = documentId('shipment', sc.systemId, ref);
  } else if (type === sc.entity('customerInvoice')) {
    orderRef = typeOf(doc['ДокументОснование_Type']) === orderSet ? refOf(doc['ДокументОснование']) : null;
    id = await sc.documentIdOf(tx, 'invoice', ref, doc);
  } else if (type === orderSet) {
    orderRef = ref;
    id = await sc.documentIdOf(tx, 'order', ref, doc);
  } else return null;
  if (!orderRef) return null;
  return { documentId: id, number: textOrNull(doc['Number']), orderRef, orderDoc: await L.one(orderSet, orderRef) };
}

export async function pollEdo(sc: SourceContext): Promise<void> {
  const states = sc.need('edoState');
  const outSet = sc.need('edoOutgoing');
  const cursorName = `${EDO_JOB}:date`;
  const cursor = (await sc.c.store.cursorGet(cursorName)) ?? sc.sinceNaive();
  const rows = await sc.client().listAll(states, { filter: ge('ДатаИзменения', datetime(shiftNaive(cursor, -sc.lookbackMs))), orderby: ['ДатаИзменения', 'ЭлектронныйДокумент'] }, sc.pageSize);
  const outgoing = rows.filter((r) => typeOf(r['ЭлектронныйДокумент_Type']) === outSet && refOf(r['ЭлектронныйДокумент']));
  const L = sc.lookups();
  await sc.c.transaction(async (tx) => {
    const seenRaw = await statesByName(tx, outgoing.map((r) => `${EDO_JOB}:v:${refOf(r['ЭлектронныйДокумент'])}`));
    let latest = (await tx.cursorGet(cursorName)) ?? cursor;
    for (const r of outgoing) {
      const ed = refOf(r['ЭлектронныйДокумент'])!;
      const name = `${EDO_JOB}:v:${ed}`;
      const raw = seenRaw.get(name);
      const seen = raw ? (JSON.parse(raw) as EdoSeen) : undefined;
      const row = { state: text(r['Состояние']), at: text(r['ДатаИзменения']) };
      if (row.at > latest) latest = row.at;
      if (!isNewEdoState(seen, row)) continue;
      const remember = async () => {
        await setState(tx, name, JSON.stringify(row satisfies EdoSeen));
        seenRaw.set(name, JSON.stringify(row));
      };
      const status = edoState(row.state);
      const edDoc = await L.one(outSet, ed);
      const keys = { edo: text(edDoc?.['НомерДокумента']) || ed, state: row.state };
      if (!status) {
        await sc.note(tx, EDO_JOB, 'skipped', 'esb.canonical.EdoStatus', keys, `1C-ЭДО state ${row.state || '(empty)'} has no canonical meaning`);
        await remember();
        continue;
      }
      const target = await targetOf(sc, L, tx, ed, outSet);
      if (!target) {
        await sc.note(tx, EDO_JOB, 'skipped', 'esb.canonical.EdoStatus', keys, 'the electronic document is not issued for a sale, invoice or order linked to a customer order');
        await remember();
        continue;
      }
      const at = sc.instant(row.at);
      const event = toEdoStatus({
        meta: sc.meta({ eventId: changeEventId(sc.systemId, states, ed, row.state, row.at), externalId: ed, occurredAt: at, legalEntityId: sc.legalEntityId(await L.one(sc.entity('organization') ?? 'Catalog_Организации', edDoc?.['Организация_Key'])) }),
        documentId: target.documentId,
        documentNumber: target.number ?? textOrNull(edDoc?.['НомерДокумента']),
        orderId: await sc.documentIdOf(tx, 'order', target.orderRef, target.orderDoc),
        status,
        reason: edoReason(status, r['Комментарий']),
        at,
      });
      await sc.emit(tx, EDO_JOB, 'esb.canonical.EdoStatus', event, event.orderId, { ...keys, order: text(target.orderDoc?.['Number']), status });
      await remember();
    }
    await tx.cursorSet(cursorName, latest);
  });
}

export const hasEdo = (sc: SourceContext): boolean => !!sc.entity('edoState') && !!sc.entity('edoOutgoing') && !!sc.entity('customerOrder');
