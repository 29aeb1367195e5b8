// An HTTP service of the configuration (reference §1.14): `GET /hs/printforms/invoice/{Ref_Key}` returns the invoice
// print form as a one-page PDF written byte by byte, since every 1C HTTP service is a bespoke contract anyway.
import type { SandboxResponse } from '@esb/sandbox-kit';
import type { Infobase } from './model/infobase.ts';
import { formatDate } from './model/infobase.ts';
import { isGuid } from './model/values.ts';

const TRANSLIT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};

/** The standard 14 PDF fonts have no Cyrillic glyphs, so page text is transliterated; the Title keeps the original. */
export function translit(s: string): string {
  return [...s]
    .map((c) => {
      const lower = c.toLowerCase();
      const t = TRANSLIT[lower];
      if (t === undefined) return c.charCodeAt(0) < 128 ? c : '?';
      return c === lower ? t : t.charAt(0).toUpperCase() + t.slice(1);
    })
    .join('');
}

const pdfText = (s: string) => `(${translit(s).replace(/[\\()]/g, (c) => `\\${c}`)})`;

/** A PDF text string in UTF-16BE with BOM, so Cyrillic survives in document metadata. */
const pdfUnicode = (s: string) => `<FEFF${Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase()}>`;

export function buildPdf(title: string, lines: string[]): Buffer {
  const content = ['BT', '/F1 18 Tf', '56 780 Td', `${pdfText(lines[0] ?? '')} Tj`, '/F1 11 Tf', ...lines.slice(1).flatMap((l) => ['0 -22 Td', `${pdfText(l)} Tj`]), 'ET'].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    `<< /Title ${pdfUnicode(title)} /Producer (1C:Enterprise sandbox) >>`,
  ];
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(offset);
    const b = Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1');
    chunks.push(b);
    offset += b.length;
  });
  const xref = ['xref', `0 ${objects.length + 1}`, '0000000000 65535 f ', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `)].join('\n');
  chunks.push(Buffer.from(`${xref}\ntrailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}

const notFound = (msg: string): SandboxResponse => ({ status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: msg });

export function handleHttpService(ib: Infobase, method: string, path: string): SandboxResponse {
  const m = /^printforms\/invoice\/([^/]+)\/?$/.exec(path);
  if (!m) return notFound(`HTTP-сервис не найден: /hs/${path}`);
  if (method !== 'GET') return { status: 405, headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'GET' }, body: 'Метод не поддерживается' };
  const set = ib.model.names.invoice;
  if (!set) return notFound(`В конфигурации ${ib.model.profile.title} нет счетов на оплату`);
  const key = decodeURIComponent(m[1]!);
  if (!isGuid(key)) return { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `Неверный идентификатор счета: ${key}` };
  const inv = ib.get(set, key);
  if (!inv) return notFound(`Счет ${key} не найден`);
  const number = String(inv['Number']);
  const org = ib.get('Catalog_Организации', String(inv['Организация_Key']));
  const customer = ib.get('Catalog_Контрагенты', String(inv['Контрагент_Key']));
  const title = `Счет на оплату № ${number} от ${formatDate(String(inv['Date'])).split(' ')[0]}`;
  const pdf = buildPdf(title, [
    `Schet na oplatu No ${number}`,
    `Invoice No ${number} dated ${formatDate(String(inv['Date'])).split(' ')[0]}`,
    `Supplier: ${String(org?.['НаименованиеПолное'] || org?.['Description'] || '')} INN ${String(org?.['ИНН'] ?? '')}`,
    `Customer: ${String(customer?.['НаименованиеПолное'] || customer?.['Description'] || '')} INN ${String(customer?.['ИНН'] ?? '')}`,
    `Amount: ${Number(inv['СуммаДокумента'] ?? 0).toFixed(2)} RUB`,
  ]);
  return {
    status: 200,
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="invoice.pdf"; filename*=UTF-8''${encodeURIComponent(`Счет ${number}.pdf`)}`,
    },
    body: pdf,
  };
}
