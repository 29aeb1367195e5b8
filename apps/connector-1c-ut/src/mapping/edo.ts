// 1C-ЭДО states of outgoing electronic documents (InformationRegister_СостоянияДокументовЭДО, field Состояние, the
// counterparty's reason in Комментарий) → canonical EdoStatus (F8). States without a canonical meaning (drafts,
// "annulment requested") are not published; a state is published once, and never after a later one.
import type { EdoState, EdoStatus, Meta } from '@esb/canonical';
import { text, textOrNull, type Wire } from './inbound.ts';

/** 1C-ЭДО state identifiers (reference §2.5) → canonical state. */
const STATES: Record<string, EdoState> = {
  ОжидаетсяПодтверждениеОператора: 'SENT',
  ОжидаетсяИзвещениеОПолучении: 'SENT',
  ОжидаетсяПодтверждение: 'SENT',
  ОжидаетсяОтветнаяПодпись: 'DELIVERED',
  ОбменЗавершен: 'SIGNED',
  ОбменЗавершенСИсправлением: 'SIGNED',
  ТребуетсяУточнение: 'REJECTED',
  ОжидаетсяУточнение: 'REJECTED',
  Отклонен: 'REJECTED',
  Аннулирован: 'ANNULLED',
};

export function edoState(v: Wire): EdoState | null {
  return STATES[text(v).trim()] ?? null;
}

/** The reason is kept for rejections and annulments only; other states' comments are 1C's own notes. */
export function edoReason(state: EdoState, comment: Wire): string | null {
  return state === 'REJECTED' || state === 'ANNULLED' ? textOrNull(comment) : null;
}

/** What the poller remembers per electronic document: the last 1C state it saw and its change time (naive). */
export interface EdoSeen {
  state: string;
  at: string;
}

/**
 * Whether a register row is news: a different state than the one seen, and not older than it (rows are read in
 * change order; an older row re-read in the look-back window must not move the document backwards).
 */
export function isNewEdoState(seen: EdoSeen | undefined, row: { state: string; at: string }): boolean {
  if (!seen) return true;
  if (row.at < seen.at) return false;
  return row.state !== seen.state;
}

export const EDO_OPERATOR = '1С-ЭДО';

export interface EdoInput {
  meta: Meta;
  documentId: string;
  documentNumber: string | null;
  orderId: string;
  status: EdoState;
  reason: string | null;
  operator?: string;
  /** ISO instant of the state change. */
  at: string;
}

export function toEdoStatus(i: EdoInput): EdoStatus {
  return { meta: i.meta, documentId: i.documentId, documentNumber: i.documentNumber, orderId: i.orderId, status: i.status, reason: i.reason, operator: i.operator ?? EDO_OPERATOR, at: i.at };
}
