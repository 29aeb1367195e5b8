import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalSamples } from '@esb/canonical/samples';
import { dealFolderName, diskFileName, invoiceToDeal, pdfMismatch, ruDate } from './invoice-out.ts';

const inv = canonicalSamples['esb.canonical.Invoice'];
const f = { invoiceNumber: 'UF_CRM_INVOICE_NUMBER', invoiceUrl: 'UF_CRM_INVOICE_URL' };

describe('Invoice → deal', () => {
  it('writes the number and the Disk link of the PDF, with one comment naming both', () => {
    expect(invoiceToDeal(inv, f, 180, 'http://portal/docs/file/1.pdf')).toEqual({
      fields: { UF_CRM_INVOICE_NUMBER: { t: 'text', v: 'ТД00-000451' }, UF_CRM_INVOICE_URL: { t: 'text', v: 'http://portal/docs/file/1.pdf' } },
      comment: 'Счёт ТД00-000451 от 21.11.2026 на сумму 15900.01 RUB выставлен в 1С. PDF: http://portal/docs/file/1.pdf',
    });
    expect(invoiceToDeal(inv, f, 180).fields).toEqual({ UF_CRM_INVOICE_NUMBER: { t: 'text', v: 'ТД00-000451' } });
  });

  it('prints dates in the portal zone', () => {
    expect(ruDate('2026-11-20T21:00:00.000Z', 180)).toBe('21.11.2026');
    expect(ruDate('2026-11-20T21:00:00.000Z', 0)).toBe('20.11.2026');
  });

  it('names folders per deal and files as Disk accepts them', () => {
    expect(dealFolderName(394)).toBe('Сделка 394');
    expect(diskFileName({ ...inv.pdf!, fileName: 'Счет 1/2: от "21.11".pdf' })).toBe('Счет 1 2 от 21.11 .pdf');
    const long = diskFileName({ ...inv.pdf!, fileName: `${'я'.repeat(300)}.pdf` });
    expect(long).toHaveLength(200);
    expect(long.endsWith('.pdf')).toBe(true);
  });

  it('checks fetched bytes against the size and SHA-256 of the reference', () => {
    const bytes = Buffer.from('%PDF-1.4 test');
    const ref = { ...inv.pdf!, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    expect(pdfMismatch(bytes, ref)).toBeUndefined();
    expect(pdfMismatch(bytes, { ...ref, size: 3 })).toBe(`size ${bytes.length} bytes, the event says 3`);
    expect(pdfMismatch(Buffer.from('%PDF-1.4 tesT'), ref)).toMatch(/^SHA-256 [0-9a-f]{64}, the event says /);
  });
});
