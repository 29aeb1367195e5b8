// Order lines → Catalog_Номенклатура: how a line is looked up (its product's xref, else the article, else — for a
// free-text row without one — the exact name), which of several 1C items is the one, and the body of an item created
// when the database is configured to create missing products (createMissingProducts).
import type { OrderLine } from '@esb/canonical';
import { originMarker } from './order.ts';

/** Articles as 1C keeps them: trimmed, inner spaces collapsed (1C compares strings case-insensitively itself). */
export function normalizeArticle(article: string | null | undefined): string | undefined {
  const a = (article ?? '').trim().replace(/\s+/g, ' ');
  return a === '' ? undefined : a;
}

/** OKEI codes sit in a fixed-length `Code` padded with spaces («796 »): compare them trimmed. */
export function okeiCode(code: unknown): string {
  return String(code ?? '').trim();
}

export interface NomenclatureCandidate {
  Ref_Key: string;
  DeletionMark?: boolean | null;
  IsFolder?: boolean | null;
  Description?: string | null;
}

/**
 * The one live item among what a search returned: groups and items marked for deletion never take orders. More than
 * one live item is ambiguous; the caller reports it rather than guessing which product the customer bought.
 */
export function pickNomenclature(found: readonly NomenclatureCandidate[]): { ref?: string; ambiguous: string[] } {
  const live = found.filter((f) => f.DeletionMark !== true && f.IsFolder !== true);
  if (live.length === 1) return { ref: live[0]!.Ref_Key, ambiguous: [] };
  return { ambiguous: live.length > 1 ? live.map((l) => `${l.Description ?? '?'} (${l.Ref_Key})`) : [] };
}

/** "row 2 «Кабель ВВГнг 3×2,5», article CAB-325" for messages. */
export function lineText(line: Pick<OrderLine, 'lineNo' | 'name' | 'article'>): string {
  const article = normalizeArticle(line.article);
  return `row ${line.lineNo} «${line.name}»${article ? `, article ${article}` : ', no article'}`;
}

/**
 * A new Catalog_Номенклатура item for a line nobody entered in 1C yet. The description carries the origin marker,
 * so an item created just before a crash is found again instead of created twice.
 */
export function nomenclatureBody(line: Pick<OrderLine, 'name' | 'article' | 'productId'>, refs: { unit?: string; vatField: string; vat?: string }): Record<string, string> {
  const body: Record<string, string> = {
    Description: line.name.slice(0, 100),
    НаименованиеПолное: line.name,
    ТипНоменклатуры: 'Товар',
    Описание: `Создано шиной ESB по строке заказа.${line.productId ? ` ${originMarker('product', line.productId)}` : ''}`,
  };
  const article = normalizeArticle(line.article);
  if (article) body['Артикул'] = article;
  if (refs.unit) body['ЕдиницаИзмерения_Key'] = refs.unit;
  if (refs.vat) body[refs.vatField] = refs.vat;
  return body;
}
