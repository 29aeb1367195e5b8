import { describe, expect, it } from 'vitest';
import { canonicalSamples } from '@esb/canonical/samples';
import type { OrderReversal } from '@esb/canonical';
import { reversalComment, reversalPlan } from './reversal.ts';

const rev = canonicalSamples['esb.canonical.OrderReversal'] as OrderReversal;

describe('order reversal', () => {
  it('unposts a posted order before marking it for deletion, and does nothing twice', () => {
    expect(reversalPlan({ Posted: true, DeletionMark: false })).toEqual({ unpost: true, markDeleted: true, done: false });
    expect(reversalPlan({ Posted: false, DeletionMark: false })).toEqual({ unpost: false, markDeleted: true, done: false });
    expect(reversalPlan({ Posted: false, DeletionMark: true })).toEqual({ unpost: false, markDeleted: false, done: true });
  });

  it('keeps the old comment and adds why, once', () => {
    const c = reversalComment('Создан шиной ESB: … ESB:order:x', rev);
    expect(c).toBe(`Создан шиной ESB: … ESB:order:x\nОтменен шиной ESB ${rev.meta.occurredAt.slice(0, 10)}: сделка перенесена в воронку другого юрлица: Сделка перенесена в воронку «Розница».`);
    expect(reversalComment(c, rev)).toBe(c);
    expect(reversalComment(null, { ...rev, reason: 'CANCELLED', comment: null })).toMatch(/^Отменен шиной ESB \d{4}-\d{2}-\d{2}: заказ отменен\.$/);
  });
});
