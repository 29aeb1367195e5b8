import { describe, expect, it } from 'vitest';
import { canonicalSamples } from '@esb/canonical/samples';
import { edoToDeal } from './edo.ts';

const e = canonicalSamples['esb.canonical.EdoStatus'];
const open = { categoryId: '2', stageId: 'C2:FINAL_INVOICE', stageSemantic: 'P' };
const signed = { '0': 'WON', '2': 'C2:WON' };

describe('EdoStatus → deal', () => {
  it('closes an open deal at the funnel stage when the document is signed', () => {
    expect(edoToDeal({ ...e, status: 'SIGNED', reason: null }, open, signed)).toEqual({ stage: 'C2:WON', comment: 'ЭДО (1С-ЭДО): УПД ТД00-000733 подписан покупателем.' });
  });

  it('leaves a closed deal and a funnel without a mapping alone', () => {
    expect(edoToDeal({ ...e, status: 'SIGNED' }, { ...open, stageId: 'C2:LOSE', stageSemantic: 'F' }, signed).stage).toBeUndefined();
    expect(edoToDeal({ ...e, status: 'SIGNED' }, { ...open, categoryId: '4' }, signed).stage).toBeUndefined();
  });

  it('tells the manager about a rejection with its reason, and says nothing for intermediate states', () => {
    expect(edoToDeal(e, open, signed)).toEqual({ comment: 'ЭДО (1С-ЭДО): УПД ТД00-000733 отклонён покупателем. Причина: Неверный КПП покупателя.' });
    expect(edoToDeal({ ...e, status: 'SENT' }, open, signed)).toEqual({});
    expect(edoToDeal({ ...e, status: 'DELIVERED' }, open, signed)).toEqual({});
  });
});
