// A buyer (CounterpartyRef) into 1C: how to search Catalog_Контрагенты for it (INN + KPP, else INN alone with an
// empty KPP, else for a person the phone or e-mail in its contact information) and the bodies of the partner and
// counterparty to create when none exists. УТ 11 needs both: every counterparty belongs to a Catalog_Партнеры
// item (reference §2.1); Розница has counterparties only.
import type { CounterpartyKind, CounterpartyRef } from '@esb/canonical';
import { and, eq, Filter, str } from '@esb/onec-client';
import { originMarker } from './order.ts';

/** `ЮрФизЛицо` of Catalog_Контрагенты (enum ЮрФизЛицо) per canonical kind. */
export function counterpartyLegalForm(kind: CounterpartyKind): 'ЮрЛицо' | 'ИндивидуальныйПредприниматель' | 'ФизЛицо' {
  return kind === 'LEGAL_ENTITY' ? 'ЮрЛицо' : kind === 'SOLE_PROPRIETOR' ? 'ИндивидуальныйПредприниматель' : 'ФизЛицо';
}

/** `ЮрФизЛицо` of Catalog_Партнеры (enum КомпанияЧастноеЛицо): a sole proprietor buys as a business. */
export function partnerLegalForm(kind: CounterpartyKind): 'Компания' | 'ЧастноеЛицо' {
  return kind === 'INDIVIDUAL' ? 'ЧастноеЛицо' : 'Компания';
}

export interface CounterpartySearch {
  /** What the search is by, for logs: "INN 7736050003 KPP 773601001". */
  by: string;
  filter: Filter;
  /** Extra check on what 1C returned (the filter alone cannot say "KPP empty or absent"). */
  accept?: (row: Record<string, unknown>) => boolean;
}

const blank = (v: unknown) => v === null || v === undefined || String(v).trim() === '';

/**
 * Searches in order of confidence; the first that finds a live (not deleted) item wins. A legal entity is its INN
 * and KPP (each KPP is a separate counterparty); an item entered without its KPP is accepted as the same company.
 * Individuals without an INN are found by the phone or e-mail kept in contact information.
 */
export function counterpartySearches(ref: CounterpartyRef): CounterpartySearch[] {
  const out: CounterpartySearch[] = [];
  const inn = ref.inn?.trim();
  const kpp = ref.kpp?.trim();
  if (inn) {
    if (kpp) {
      out.push({ by: `INN ${inn} KPP ${kpp}`, filter: and(eq('ИНН', inn), eq('КПП', kpp)) });
      out.push({ by: `INN ${inn} without KPP`, filter: eq('ИНН', inn), accept: (r) => blank(r['КПП']) });
    } else out.push({ by: `INN ${inn}`, filter: eq('ИНН', inn), accept: (r) => blank(r['КПП']) });
  }
  if (ref.kind === 'INDIVIDUAL' && !inn) {
    // Lambdas over a table part are part of 1C's $filter (reference §1.7).
    if (ref.phone) out.push({ by: `phone ${ref.phone}`, filter: Filter.raw(`КонтактнаяИнформация/any(k: k/НомерТелефона eq ${str(ref.phone).text})`) });
    if (ref.email) out.push({ by: `e-mail ${ref.email}`, filter: Filter.raw(`КонтактнаяИнформация/any(k: k/АдресЭП eq ${str(ref.email.toLowerCase()).text})`) });
  }
  return out;
}

/** Contact rows a person's counterparty carries, so the next order finds it by phone or e-mail. */
export function contactRows(ref: CounterpartyRef): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  if (ref.phone) rows.push({ Тип: 'Телефон', Представление: ref.phone, НомерТелефона: ref.phone });
  if (ref.email) rows.push({ Тип: 'АдресЭлектроннойПочты', Представление: ref.email.toLowerCase(), АдресЭП: ref.email.toLowerCase() });
  return rows.map((r, i) => ({ LineNumber: String(i + 1), ...r }));
}

/** A new Catalog_Партнеры item (УТ); its comment carries the marker so a crash before the counterparty is written leaves no twin. */
export function partnerBody(ref: CounterpartyRef): Record<string, string | boolean> {
  return {
    Description: ref.name.slice(0, 100),
    НаименованиеПолное: ref.name,
    ЮрФизЛицо: partnerLegalForm(ref.kind),
    Клиент: true,
    Комментарий: `Создан шиной ESB. ${originMarker('counterparty', ref.counterpartyId)}`,
  };
}

export function counterpartyBody(ref: CounterpartyRef, opts: { partner?: string; contactInfo: boolean }): Record<string, string | boolean | Array<Record<string, string>>> {
  const body: Record<string, string | boolean | Array<Record<string, string>>> = {
    Description: ref.name.slice(0, 100),
    НаименованиеПолное: ref.name,
    ЮрФизЛицо: counterpartyLegalForm(ref.kind),
  };
  if (ref.inn) body['ИНН'] = ref.inn.trim();
  if (ref.kpp && ref.kind === 'LEGAL_ENTITY') body['КПП'] = ref.kpp.trim();
  if (opts.partner) body['Партнер_Key'] = opts.partner;
  const contacts = contactRows(ref);
  if (opts.contactInfo && contacts.length) body['КонтактнаяИнформация'] = contacts;
  return body;
}

/** Business keys of a buyer for the exchange log and error messages. */
export function buyerKeys(ref: CounterpartyRef): Record<string, string> {
  const k: Record<string, string> = {};
  if (ref.inn) k['inn'] = ref.inn;
  if (ref.kpp) k['kpp'] = ref.kpp;
  if (!ref.inn && ref.phone) k['phone'] = ref.phone;
  if (!ref.inn && !ref.phone && ref.email) k['email'] = ref.email;
  return k;
}

/** "ООО «Ромашка» (INN 7736050003, KPP 773601001)" for messages. */
export function buyerText(ref: CounterpartyRef): string {
  const ids = [ref.inn ? `INN ${ref.inn}` : '', ref.kpp ? `KPP ${ref.kpp}` : '', !ref.inn && ref.phone ? `phone ${ref.phone}` : '', !ref.inn && !ref.phone && ref.email ? `e-mail ${ref.email}` : ''].filter(Boolean);
  return `${ref.name}${ids.length ? ` (${ids.join(', ')})` : ''}`;
}
