// 1C-ЭДО outgoing electronic documents (reference §2.5): sending creates the ЭД, links it to its accounting document and
// keeps its state in СостоянияДокументовЭДО; the admin API advances it as the operator and the counterparty would.
import type { Infobase } from './model/infobase.ts';
import { isEmptyRef, UNDEFINED_TYPE, type Rec } from './model/record.ts';

/** Events an integrator can play, and the 1C-ЭДО state each one leads to. */
export const EDO_EVENTS = {
  sent: 'ОжидаетсяПодтверждениеОператора',
  delivered: 'ОжидаетсяОтветнаяПодпись',
  signed: 'ОбменЗавершен',
  rejected: 'ТребуетсяУточнение',
  'annulment-requested': 'ОжидаетсяАннулирование',
  annulled: 'Аннулирован',
} as const;

export type EdoEvent = keyof typeof EDO_EVENTS;

/** Allowed moves: sent → delivered → signed | rejected; a signed (or delivered) document can be annulled. */
const NEXT: Record<string, EdoEvent[]> = {
  [EDO_EVENTS.sent]: ['delivered'],
  [EDO_EVENTS.delivered]: ['signed', 'rejected', 'annulment-requested', 'annulled'],
  [EDO_EVENTS.signed]: ['annulment-requested', 'annulled'],
  [EDO_EVENTS['annulment-requested']]: ['annulled', 'signed'],
  [EDO_EVENTS.rejected]: [],
  [EDO_EVENTS.annulled]: [],
};

export class EdoError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface EdoHistoryItem {
  at: string;
  event: EdoEvent;
  state: string;
  reason?: string;
}

const history = new WeakMap<Infobase, Map<string, EdoHistoryItem[]>>();

function historyOf(ib: Infobase): Map<string, EdoHistoryItem[]> {
  let h = history.get(ib);
  if (!h) {
    h = new Map();
    history.set(ib, h);
  }
  return h;
}

function names(ib: Infobase) {
  const n = ib.model.names;
  if (!n.edoOutgoing || !n.edoObjects || !n.edoStates) throw new EdoError(404, `профиль ${ib.model.profile.id} не содержит объектов 1C-ЭДО`);
  return { out: n.edoOutgoing, objects: n.edoObjects, states: n.edoStates };
}

function stateOf(ib: Infobase, ed: string): Rec | undefined {
  const { out, states } = names(ib);
  return ib.recordsOf(states).find((r) => r['ЭлектронныйДокумент'] === ed && r['ЭлектронныйДокумент_Type'] === `StandardODATA.${out}`);
}

/** Sends a posted accounting document: creates the outgoing electronic document in state «sent». */
export function sendDocument(ib: Infobase, object: string, objectType?: string): { ref: string; state: string } {
  const { out, objects, states } = names(ib);
  const key = object.toLowerCase();
  const reg = ib.registerDef(objects);
  const allowed = reg.dims.find((d) => d.name === 'ОбъектУчета')!.types!;
  const type = objectType?.replace(/^StandardODATA\./, '') ?? allowed.find((t) => ib.get(t, key));
  if (!type || !allowed.includes(type)) throw new EdoError(400, `по объекту ${objectType ?? key} электронный документ не формируется; допустимы: ${allowed.join(', ')}`);
  const doc = ib.get(type, key);
  if (!doc) throw new EdoError(404, `${type}(guid'${key}') не найден`);
  if (ib.objectDef(type).actions.includes('Post') && doc['Posted'] !== true) throw new EdoError(409, `документ "${ib.presentation(type, doc)}" не проведен: непроведенные документы по ЭДО не отправляются`);
  // A document re-sent after a rejection gets a new electronic document; the previous one stops being current.
  for (const r of ib.recordsOf(objects)) if (r['ОбъектУчета'] === key && r['Актуален'] === true) r['Актуален'] = false;
  const isSale = type === ib.model.names.sale || /Реализация|ЧекККМ|ОтчетОРозничных/.test(type);
  const ed = ib.create(
    out,
    {
      Организация_Key: doc['Организация_Key'],
      Контрагент_Key: doc['Контрагент_Key'],
      НомерДокумента: doc['Number'],
      ДатаДокумента: doc['Date'],
      ТипРегламента: isSale ? 'УПД' : 'Неформализованный',
      ЭтоУниверсальныйДокумент: isSale,
      СуммаДокумента: doc['СуммаДокумента'] ?? 0,
      ДатаОтправки: ib.now(),
      Комментарий: `Отправлен по документу "${ib.presentation(type, doc)}"`,
    },
    { internal: true },
  );
  const edKey = String(ed['Ref_Key']);
  ib.upsertRecord(objects, { ОбъектУчета: key, ОбъектУчета_Type: `StandardODATA.${type}`, ЭлектронныйДокумент: edKey, ЭлектронныйДокумент_Type: `StandardODATA.${out}`, Актуален: true });
  ib.upsertRecord(states, { ЭлектронныйДокумент: edKey, ЭлектронныйДокумент_Type: `StandardODATA.${out}`, Состояние: EDO_EVENTS.sent, ДатаИзменения: ib.now(), Комментарий: '' });
  historyOf(ib).set(edKey, [{ at: ib.now(), event: 'sent', state: EDO_EVENTS.sent }]);
  return { ref: edKey, state: EDO_EVENTS.sent };
}

/** Moves an outgoing electronic document to the state of `event`; rejections need the counterparty's reason. */
export function advance(ib: Infobase, ed: string, event: string, reason?: string): { ref: string; state: string; history: EdoHistoryItem[] } {
  const { out, states } = names(ib);
  const key = ed.toLowerCase();
  if (!ib.get(out, key)) throw new EdoError(404, `${out}(guid'${key}') не найден`);
  if (!(event in EDO_EVENTS)) throw new EdoError(400, `неизвестное событие "${event}"; допустимы: ${Object.keys(EDO_EVENTS).join(', ')}`);
  const ev = event as EdoEvent;
  const cur = stateOf(ib, key);
  const curState = String(cur?.['Состояние'] ?? '');
  const allowed = NEXT[curState] ?? [];
  if (!allowed.includes(ev)) throw new EdoError(409, `переход "${event}" из состояния ${curState || '(нет)'} невозможен; допустимы: ${allowed.join(', ') || 'нет'}`);
  if (ev === 'rejected' && !reason?.trim()) throw new EdoError(400, 'для отклонения нужна причина (reason)');
  const state = EDO_EVENTS[ev];
  ib.upsertRecord(states, { ЭлектронныйДокумент: key, ЭлектронныйДокумент_Type: `StandardODATA.${out}`, Состояние: state, ДатаИзменения: ib.now(), Комментарий: reason ?? '' });
  const h = historyOf(ib).get(key) ?? [];
  h.push({ at: ib.now(), event: ev, state, ...(reason ? { reason } : {}) });
  historyOf(ib).set(key, h);
  return { ref: key, state, history: h };
}

export function listOutgoing(ib: Infobase): Array<Record<string, unknown>> {
  const { out, objects } = names(ib);
  return ib.all(out).map((ed) => {
    const key = String(ed['Ref_Key']);
    const link = ib.recordsOf(objects).find((r) => r['ЭлектронныйДокумент'] === key);
    const type = String(link?.['ОбъектУчета_Type'] ?? UNDEFINED_TYPE);
    return {
      ref: key,
      number: ed['НомерДокумента'],
      object: link && !isEmptyRef(link['ОбъектУчета']) ? { ref: link['ОбъектУчета'], type } : null,
      current: link?.['Актуален'] === true,
      state: stateOf(ib, key)?.['Состояние'] ?? null,
      reason: stateOf(ib, key)?.['Комментарий'] || null,
      history: historyOf(ib).get(key) ?? [],
    };
  });
}

export function resetEdoHistory(ib: Infobase): void {
  history.delete(ib);
}
