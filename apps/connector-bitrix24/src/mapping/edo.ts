// EdoStatus (F8): a signed УПД closes the deal at the funnel's configured stage; a rejection or annulment is put on
// the deal's timeline for the manager. Pure.
import type { EdoStatus } from '@esb/canonical';
import type { DealState } from './payment.ts';

export interface DealEdoPlan {
  /** The closing stage, when the document is signed and the deal still open. */
  stage?: string;
  /** A timeline comment for the manager; deterministic text, so a replay adds nothing. */
  comment?: string;
}

const STATE_RU: Record<EdoStatus['status'], string> = {
  SENT: 'отправлен',
  DELIVERED: 'доставлен, ожидается подпись',
  SIGNED: 'подписан покупателем',
  REJECTED: 'отклонён покупателем',
  ANNULLED: 'аннулирован',
};

export function edoToDeal(e: EdoStatus, deal: DealState, signedStages: Record<string, string>): DealEdoPlan {
  const doc = e.documentNumber ? `УПД ${e.documentNumber}` : 'УПД';
  const comment = `ЭДО (${e.operator}): ${doc} ${STATE_RU[e.status]}${e.reason ? `. Причина: ${e.reason}` : ''}.`;
  if (e.status === 'SIGNED') {
    const target = signedStages[deal.categoryId];
    const stage = target && deal.stageSemantic === 'P' && deal.stageId !== target ? target : undefined;
    return { ...(stage ? { stage } : {}), comment };
  }
  if (e.status === 'REJECTED' || e.status === 'ANNULLED') return { comment };
  return {};
}
