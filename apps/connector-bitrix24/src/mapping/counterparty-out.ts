// Counterparty from 1C (F5) into the portal: a company with its requisite (RQ_INN, RQ_KPP …) for legal entities and
// sole proprietors, a contact for individuals. Phones and e-mails are merged into the multi-fields without
// duplicates: a value already there (compared normalised) is left alone or updated by its value ID, only new values
// are added, and values the CRM has beyond 1C's are kept (lessons §3.4). Pure.
import { legalCounterpartyId, individualId, normalizeEmail, normalizePhone, validateInn, validateKpp, type Counterparty } from '@esb/canonical';

/** A multi-field value as the legacy API reads it (`PHONE: [{ID, VALUE, VALUE_TYPE, TYPE_ID}]`). */
export interface MultiValue {
  ID?: string;
  VALUE: string;
  VALUE_TYPE: string;
}

/** XML_IDs of the portal's default requisite presets (reference §6.6); their numeric ids are portal data. */
export const PRESET_XML_ID = {
  LEGAL_ENTITY: '#CRM_REQUISITE_PRESET_DEF_RU_COMPANY#',
  SOLE_PROPRIETOR: '#CRM_REQUISITE_PRESET_DEF_RU_INDIVIDUAL#',
} as const;

/** The bus's ORIGINATOR_ID on companies and contacts it creates; ORIGIN_ID is the canonical counterparty id. */
export const ORIGINATOR = 'esb';

/** What is wrong with the record for the portal, naming the field; undefined when it can be written. */
export function counterpartyProblem(cp: Counterparty): string | undefined {
  if (cp.name.trim() === '') return 'name is empty';
  if (cp.kind === 'INDIVIDUAL') {
    const keys = { phone: cp.phones[0]?.number ?? null, email: cp.emails[0]?.address ?? null, snils: cp.snils };
    let id: string;
    try {
      id = individualId(keys);
    } catch (e) {
      return `an individual needs a phone, e-mail or SNILS to be found again: ${(e as Error).message}`;
    }
    if (id !== cp.counterpartyId) return `counterpartyId ${cp.counterpartyId} is not individualId of its first phone / e-mail / SNILS (${id})`;
    return undefined;
  }
  const inn = validateInn(cp.inn ?? '');
  if (!inn.ok) return `inn: ${inn.message}`;
  if (cp.kind === 'LEGAL_ENTITY') {
    if (inn.value.length !== 10) return `inn ${inn.value}: a legal entity has a 10-digit INN`;
    const kpp = validateKpp(cp.kpp ?? '');
    if (!kpp.ok) return `kpp: ${kpp.message}`;
  } else if (inn.value.length !== 12) return `inn ${inn.value}: a sole proprietor has a 12-digit INN`;
  const id = legalCounterpartyId(inn.value, cp.kind === 'LEGAL_ENTITY' ? cp.kpp : null);
  if (id !== cp.counterpartyId) return `counterpartyId ${cp.counterpartyId} is not legalCounterpartyId(${inn.value}, ${cp.kpp ?? ''}) = ${id}`;
  return undefined;
}

/** The requisite filter that finds the company: RQ_INN + RQ_KPP (empty KPP for sole proprietors). */
export function requisiteKey(cp: Counterparty): { RQ_INN: string; RQ_KPP: string } {
  return { RQ_INN: (cp.inn ?? '').trim(), RQ_KPP: cp.kind === 'LEGAL_ENTITY' ? (cp.kpp ?? '').trim().toUpperCase() : '' };
}

export function companyFields(cp: Counterparty): Record<string, string> {
  return { TITLE: cp.name.trim() };
}

/** Fields of a new company: its title plus the origin that lets a retry find it if its requisite never got written. */
export function newCompanyFields(cp: Counterparty): Record<string, string> {
  return { ...companyFields(cp), COMPANY_TYPE: 'CUSTOMER', ORIGINATOR_ID: ORIGINATOR, ORIGIN_ID: cp.counterpartyId };
}

export function requisiteFields(cp: Counterparty): Record<string, string> {
  const short = cp.shortName?.trim() || cp.name.trim();
  const out: Record<string, string> = { NAME: short, ...requisiteKey(cp), RQ_COMPANY_NAME: short };
  if (cp.legalName?.trim()) out.RQ_COMPANY_FULL_NAME = cp.legalName.trim();
  if (cp.kind === 'LEGAL_ENTITY' && cp.ogrn) out.RQ_OGRN = cp.ogrn;
  if (cp.kind === 'SOLE_PROPRIETOR' && cp.ogrnip) out.RQ_OGRNIP = cp.ogrnip;
  if (cp.okpo) out.RQ_OKPO = cp.okpo;
  return out;
}

/** Plain fields whose value differs (strings compared trimmed; null and "" are the same). */
export function changedFields(current: Record<string, unknown>, desired: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(desired)) {
    const cur = current[k] === null || current[k] === undefined ? '' : String(current[k]).trim();
    if (cur !== v.trim()) out[k] = v;
  }
  return out;
}

/** "Фамилия Имя Отчество" → the contact's name fields; one word is the first name. */
export function contactName(fullName: string): { LAST_NAME: string; NAME: string; SECOND_NAME: string } {
  const parts = fullName.trim().split(/\s+/).filter(Boolean);
  if (parts.length <= 1) return { LAST_NAME: '', NAME: parts[0] ?? '', SECOND_NAME: '' };
  return { LAST_NAME: parts[0]!, NAME: parts[1]!, SECOND_NAME: parts.slice(2).join(' ') };
}

export function newContactFields(cp: Counterparty): Record<string, string> {
  return { ...contactName(cp.name), TYPE_ID: 'CLIENT', ORIGINATOR_ID: ORIGINATOR, ORIGIN_ID: cp.counterpartyId };
}

function phoneKey(value: string): string {
  const p = normalizePhone(value);
  return p.ok ? `${p.value}${p.extension ? `#${p.extension}` : ''}` : value.replace(/\s+/g, '');
}

function emailKey(value: string): string {
  const e = normalizeEmail(value);
  return e.ok ? e.value : value.trim().toLowerCase();
}

/**
 * The multi-field items to send: new values without ID (appended), a value whose type changed with its ID (updated
 * in place). Values already there in any spelling and values only the CRM has are not sent at all.
 */
function patch(existing: MultiValue[], desired: Array<{ value: string; type: string }>, key: (v: string) => string): MultiValue[] {
  const byKey = new Map(existing.map((e) => [key(e.VALUE), e] as const));
  const out: MultiValue[] = [];
  const seen = new Set<string>();
  for (const d of desired) {
    const k = key(d.value);
    if (seen.has(k)) continue;
    seen.add(k);
    const cur = byKey.get(k);
    if (!cur) out.push({ VALUE: d.value, VALUE_TYPE: d.type });
    else if (cur.ID && cur.VALUE_TYPE !== d.type) out.push({ ID: cur.ID, VALUE: cur.VALUE, VALUE_TYPE: d.type });
  }
  return out;
}

export function phonesPatch(existing: MultiValue[], phones: Counterparty['phones']): MultiValue[] {
  return patch(existing, phones.map((p) => ({ value: p.extension ? `${p.number} доб. ${p.extension}` : p.number, type: p.kind })), phoneKey);
}

export function emailsPatch(existing: MultiValue[], emails: Counterparty['emails']): MultiValue[] {
  return patch(existing, emails.map((e) => ({ value: e.address, type: e.kind })), emailKey);
}

/**
 * How people type a Russian number into the CRM, for portals without crm.duplicate.findbycomm, whose list filters
 * compare the stored text exactly: E.164 plus the usual spellings with 8 / +7, brackets, spaces and dashes.
 */
export function phoneSpellings(e164: string): string[] {
  const m = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(e164);
  if (!m) return [e164];
  const [, a, b, c, d] = m;
  const out = new Set([e164, `8${a}${b}${c}${d}`, `7${a}${b}${c}${d}`]);
  for (const p of ['+7', '8']) {
    out.add(`${p} (${a}) ${b}-${c}-${d}`);
    out.add(`${p}(${a})${b}-${c}-${d}`);
    out.add(`${p} ${a} ${b}-${c}-${d}`);
    out.add(`${p} ${a} ${b} ${c} ${d}`);
    out.add(`${p}-${a}-${b}-${c}-${d}`);
    out.add(`${p} (${a}) ${b} ${c} ${d}`);
  }
  return [...out];
}
