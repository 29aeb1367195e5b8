import { describe, it, expect } from 'vitest';
import type { Meta } from '@esb/canonical';
import { edoReason, edoState, isNewEdoState, toEdoStatus } from './edo.ts';

describe('1C-ЭДО states', () => {
  it('maps the operator, delivery, signature, rejection and annulment states; drafts have no canonical meaning', () => {
    expect(['ОжидаетсяПодтверждениеОператора', 'ОжидаетсяИзвещениеОПолучении', 'ОжидаетсяОтветнаяПодпись', 'ОбменЗавершен', 'ОбменЗавершенСИсправлением', 'ТребуетсяУточнение', 'Аннулирован'].map(edoState)).toEqual([
      'SENT',
      'SENT',
      'DELIVERED',
      'SIGNED',
      'SIGNED',
      'REJECTED',
      'ANNULLED',
    ]);
    expect(edoState('ТребуетсяПодписание')).toBeNull();
    expect(edoState('ОжидаетсяАннулирование')).toBeNull();
  });

  it('keeps the counterparty\'s reason for rejections and annulments only', () => {
    expect(edoReason('REJECTED', ' Неверная цена ')).toBe('Неверная цена');
    expect(edoReason('SIGNED', 'Отправлен по документу')).toBeNull();
    expect(edoReason('ANNULLED', '')).toBeNull();
  });

  it('publishes a state once and never moves a document backwards', () => {
    expect(isNewEdoState(undefined, { state: 'A', at: '2026-11-21T10:00:00' })).toBe(true);
    expect(isNewEdoState({ state: 'A', at: '2026-11-21T10:00:00' }, { state: 'A', at: '2026-11-21T10:00:00' })).toBe(false);
    expect(isNewEdoState({ state: 'A', at: '2026-11-21T10:00:00' }, { state: 'B', at: '2026-11-21T10:00:00' })).toBe(true);
    expect(isNewEdoState({ state: 'B', at: '2026-11-21T10:00:05' }, { state: 'A', at: '2026-11-21T10:00:00' })).toBe(false);
    expect(toEdoStatus({ meta: {} as Meta, documentId: 'd', documentNumber: null, orderId: 'o', status: 'SENT', reason: null, at: '2026-11-21T07:00:00.000Z' }).operator).toBe('1С-ЭДО');
  });
});
