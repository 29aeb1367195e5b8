import { describe, expect, it } from 'vitest';
import { canonicalSamples } from '@esb/canonical/samples';
import type { Invoice } from '@esb/canonical';
import { invoiceComment, invoiceContentBody, invoiceCreateBody, invoiceDifferences, type InvoiceRefs } from './invoice.ts';

const sample: Invoice = { ...(canonicalSamples['esb.canonical.Invoice'] as Invoice), meta: { ...(canonicalSamples['esb.canonical.Invoice'] as Invoice).meta, source: { system: 'b24', kind: 'bitrix24', externalId: '77' } } };
const refs: InvoiceRefs = { organisation: 'o', counterparty: 'k', partner: 'p', currency: 'r', order: 'z', orderSet: 'Document_ЗаказКлиента' };

describe('CRM invoice → Document_СчетНаОплатуКлиенту', () => {
  it('links the order as ДокументОснование and plans the payment by the due date', () => {
    const b = invoiceCreateBody(sample, refs);
    expect(b).toMatchObject({
      Date: new Date(sample.date),
      Организация_Key: 'o',
      Контрагент_Key: 'k',
      Партнер_Key: 'p',
      Валюта_Key: 'r',
      СуммаДокумента: 15900.01,
      ФормаОплаты: 'Безналичная',
      Аннулирован: false,
      ДокументОснование: 'z',
      ДокументОснование_Type: 'StandardODATA.Document_ЗаказКлиента',
    });
    expect(b['ЭтапыГрафикаОплаты']).toEqual([{ LineNumber: '1', ВариантОплаты: 'ПредоплатаДоОтгрузки', ДатаПлатежа: '2026-11-28T00:00:00', ПроцентПлатежа: 100, СуммаПлатежа: 15900.01 }]);
    expect(b['Комментарий']).toBe(`Счет Битрикс24 № ТД00-000451. Создан шиной ESB (b24). ESB:invoice:${sample.invoiceId}`);
  });

  it('writes a standalone invoice without a basis, and a cancelled one as «Аннулирован»', () => {
    const b = invoiceContentBody({ ...sample, status: 'CANCELLED', dueDate: null }, { organisation: 'o', counterparty: 'k', currency: 'r' });
    expect(b).not.toHaveProperty('ДокументОснование');
    expect(b['Аннулирован']).toBe(true);
    expect(b['ЭтапыГрафикаОплаты']).toEqual([]);
  });

  it('finds nothing to change in what 1C returned, and names a changed amount or status', () => {
    const content = invoiceContentBody(sample, refs);
    const existing = { ...content, Number: 'УТ00-000007', ДокументОснование_Type: 'StandardODATA.Document_ЗаказКлиента', СуммаДокумента: 15900.01 };
    expect(invoiceDifferences(existing, content)).toEqual([]);
    expect(invoiceDifferences({ ...existing, СуммаДокумента: 15000, Аннулирован: true }, content)).toEqual(['СуммаДокумента', 'Аннулирован']);
  });

  it('names the origin in the comment', () => {
    expect(invoiceComment({ ...sample, meta: { ...sample.meta, source: { system: 'shop', kind: 'bitrix-site', externalId: '1' } } })).toMatch(/^Счет сайта № ТД00-000451/);
  });
});
