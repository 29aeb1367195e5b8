// Bitrix24 companies and contacts → canonical Counterparty (F5) and the CounterpartyRef embedded in orders and
// invoices. A company is a legal entity or sole proprietor keyed by its requisite's INN/KPP (RQ_INN, RQ_KPP); a
// contact without a company is an individual keyed by phone, else e-mail. Identifiers are checked by the canonical
// rules; a bad one is an EsbError naming the record, the requisite and the field, so a person can fix it in the CRM.
import { EsbError } from '@esb/bus';
import { legalCounterpartyId, individualId, normalizeEmail, normalizePhone, validateInn, validateKpp } from '@esb/canonical';
import type { Counterparty, CounterpartyRef, Address, Phone, Email, ContactPerson } from '@esb/canonical';
import { idOf, text } from './form.ts';

/** A record as the legacy CRM returns it (crm.company.get, crm.contact.get, crm.requisite.list): strings and nulls. */
export type B24Record = Record<string, unknown>;

/** The canonical record without its envelope: mapping decides content, the source side adds `meta`. */
export type CounterpartyBody = Omit<Counterparty, 'meta'>;

export interface CompanyInput {
  company: B24Record;
  /** crm.requisite.list of the company (ENTITY_TYPE_ID 4); rows of other owners are ignored. */
  requisites: B24Record[];
  /** Contacts whose COMPANY_ID is this company (crm.contact.list), the company's contact persons. */
  contacts: B24Record[];
}

export interface ContactInput {
  contact: B24Record;
  /** crm.requisite.list of the contact (ENTITY_TYPE_ID 3). */
  requisites: B24Record[];
}

/**
 * Why a company or contact is not a counterparty — not an error on its own (many CRM records are not customers):
 * our own companies, companies without requisites, contacts with neither phone nor e-mail.
 */
export type CounterpartySkip = { skip: 'own-company' | 'no-requisites' | 'no-identifiers'; message: string };

const SYSTEM = 'bitrix24';

const PHONE_KINDS: Record<string, Phone['kind']> = { WORK: 'WORK', MOBILE: 'MOBILE', HOME: 'HOME', FAX: 'FAX' };
const EMAIL_KINDS: Record<string, Email['kind']> = { WORK: 'WORK', HOME: 'HOME' };

function multi(v: unknown): B24Record[] {
  return Array.isArray(v) ? v.filter((x): x is B24Record => typeof x === 'object' && x !== null) : [];
}

/** Multi-field order is the portal's (by value ID): the first valid phone stays first while others are added. */
function byId(a: B24Record, b: B24Record): number {
  return Number(text(a.ID) || 0) - Number(text(b.ID) || 0);
}

/** PHONE multi-field → E.164 numbers; values that are not phone numbers ("нет", "-") are left out. */
export function phonesOf(r: B24Record): Phone[] {
  const out: Phone[] = [];
  for (const m of [...multi(r.PHONE)].sort(byId)) {
    const p = normalizePhone(text(m.VALUE));
    if (!p.ok || out.some((x) => x.number === p.value)) continue;
    out.push({ number: p.value, kind: PHONE_KINDS[text(m.VALUE_TYPE).toUpperCase()] ?? 'OTHER', extension: p.extension ?? null });
  }
  return out;
}

export function emailsOf(r: B24Record): Email[] {
  const out: Email[] = [];
  for (const m of [...multi(r.EMAIL)].sort(byId)) {
    const e = normalizeEmail(text(m.VALUE));
    if (!e.ok || out.some((x) => x.address === e.value)) continue;
    out.push({ address: e.value, kind: EMAIL_KINDS[text(m.VALUE_TYPE).toUpperCase()] ?? 'OTHER' });
  }
  return out;
}

/** Фамилия Имя Отчество, as Russian documents write it; the contact's own FULL_NAME-less fields joined. */
export function personName(c: B24Record): string {
  return [text(c.LAST_NAME), text(c.NAME), text(c.SECOND_NAME)].filter((x) => x !== '').join(' ');
}

function describeCompany(c: B24Record): string {
  const title = text(c.TITLE);
  return `company ${text(c.ID) || '?'}${title ? ` «${title}»` : ''}`;
}

function describeContact(c: B24Record): string {
  const name = personName(c);
  return `contact ${text(c.ID) || '?'}${name ? ` «${name}»` : ''}`;
}

/** The requisite that speaks for an owner: active, with an INN, lowest SORT then ID (the one the card shows first). */
export function primaryRequisite(requisites: B24Record[], entityTypeId: 3 | 4, entityId: string): B24Record | undefined {
  return requisites
    .filter((r) => text(r.ENTITY_TYPE_ID) === String(entityTypeId) && text(r.ENTITY_ID) === entityId && text(r.ACTIVE).toUpperCase() !== 'N' && text(r.RQ_INN) !== '')
    .sort((a, b) => Number(text(a.SORT) || 500) - Number(text(b.SORT) || 500) || Number(text(a.ID) || 0) - Number(text(b.ID) || 0))[0];
}

function invalid(where: string, message: string, businessKey: string): EsbError {
  return new EsbError('ESB_VALIDATION', `${where}: ${message}`, { system: SYSTEM, businessKey });
}

/** INN/KPP of a requisite, checked; throws naming the record, the requisite and the field. */
function identifiers(where: string, rq: B24Record): { inn: string; kpp: string | null } {
  const rawInn = text(rq.RQ_INN);
  const at = `${where}, requisite ${text(rq.ID) || '?'}`;
  const inn = validateInn(rawInn);
  if (!inn.ok) throw invalid(`${at}: field RQ_INN`, `${inn.message}. Correct the INN in the requisite in Bitrix24`, rawInn);
  const rawKpp = text(rq.RQ_KPP);
  if (inn.value.length === 12) {
    if (rawKpp !== '') throw invalid(`${at}: field RQ_KPP`, `KPP ${rawKpp} is set, but INN ${inn.value} is a person's (sole proprietor), who has no KPP. Clear RQ_KPP`, rawKpp);
    return { inn: inn.value, kpp: null };
  }
  if (rawKpp === '') throw invalid(`${at}: field RQ_KPP`, `KPP is empty, but INN ${inn.value} is an organisation's. Fill in RQ_KPP (the division the deals are with)`, inn.value);
  const kpp = validateKpp(rawKpp);
  if (!kpp.ok) throw invalid(`${at}: field RQ_KPP`, `${kpp.message}. Correct the KPP in the requisite in Bitrix24`, rawKpp);
  return { inn: inn.value, kpp: kpp.value };
}

const orNull = (v: unknown): string | null => {
  const s = text(v);
  return s === '' ? null : s;
};

function addressesOf(c: B24Record): Address[] {
  const out: Address[] = [];
  // Legacy company address fields (deprecated in favour of requisite addresses, which this portal API does not give).
  for (const [prefix, kind] of [['REG_ADDRESS', 'LEGAL'], ['ADDRESS', 'ACTUAL']] as const) {
    const street = [text(c[prefix]), text(c[`${prefix}_2`])].filter(Boolean).join(', ');
    const city = text(c[`${prefix}_CITY`]);
    const region = text(c[`${prefix}_REGION`]) || text(c[`${prefix}_PROVINCE`]);
    const postalCode = text(c[`${prefix}_POSTAL_CODE`]);
    const country = text(c[`${prefix}_COUNTRY`]);
    const whole = [postalCode, country, region, city, street].filter(Boolean).join(', ');
    if (whole === '') continue;
    out.push({
      kind,
      text: whole,
      postalCode: postalCode || null,
      countryCode: /^[A-Z]{2}$/i.test(text(c[`${prefix}_COUNTRY_CODE`])) ? text(c[`${prefix}_COUNTRY_CODE`]).toUpperCase() : null,
      region: region || null,
      city: city || null,
      street: street || null,
    });
  }
  return out;
}

function contactPersonsOf(companyId: string, contacts: B24Record[]): ContactPerson[] {
  return contacts
    .filter((c) => text(c.COMPANY_ID) === companyId && personName(c) !== '')
    .sort(byId)
    .map((c) => ({ fullName: personName(c), position: orNull(c.POST), phones: phonesOf(c), emails: emailsOf(c) }));
}

/**
 * A company → Counterparty, or why it is not one: our own legal entities (IS_MY_COMPANY) and companies without a
 * requisite carrying an INN (the canonical id is INN/KPP; there is nothing to key it by). `where` prefixes messages.
 */
export function companyToCounterparty(input: CompanyInput, where?: string): CounterpartyBody | CounterpartySkip {
  const c = input.company;
  const id = idOf(c.ID);
  const at = where ? `${where}: ${describeCompany(c)}` : describeCompany(c);
  if (!id) throw invalid(at, 'the company has no ID', text(c.ID));
  if (text(c.IS_MY_COMPANY).toUpperCase() === 'Y') return { skip: 'own-company', message: `${at} is one of our own companies (IS_MY_COMPANY)` };
  const rq = primaryRequisite(input.requisites, 4, id);
  if (!rq) return { skip: 'no-requisites', message: `${at} has no active requisite with an INN (RQ_INN); a counterparty is identified by INN/KPP — add the requisites in Bitrix24` };
  const { inn, kpp } = identifiers(at, rq);
  const kind: Counterparty['kind'] = inn.length === 12 ? 'SOLE_PROPRIETOR' : 'LEGAL_ENTITY';
  return {
    counterpartyId: legalCounterpartyId(inn, kpp),
    kind,
    name: text(c.TITLE) || text(rq.RQ_COMPANY_NAME) || text(rq.RQ_NAME) || inn,
    legalName: orNull(rq.RQ_COMPANY_FULL_NAME),
    shortName: orNull(rq.RQ_COMPANY_NAME),
    inn,
    kpp,
    ogrn: kind === 'LEGAL_ENTITY' ? orNull(rq.RQ_OGRN) : null,
    ogrnip: kind === 'SOLE_PROPRIETOR' ? orNull(rq.RQ_OGRNIP) : null,
    okpo: orNull(rq.RQ_OKPO),
    snils: null,
    addresses: addressesOf(c),
    bankAccounts: null,
    phones: phonesOf(c),
    emails: emailsOf(c),
    contactPersons: contactPersonsOf(id, input.contacts),
    deleted: false,
  };
}

export const isSkip = (v: CounterpartyBody | CounterpartySkip): v is CounterpartySkip => 'skip' in v;

/**
 * A contact → an individual Counterparty keyed by its first phone, else e-mail (canonical individualId). Its
 * requisite may carry a personal INN (12 digits), kept when valid.
 */
export function contactToCounterparty(input: ContactInput, where?: string): CounterpartyBody | CounterpartySkip {
  const c = input.contact;
  const id = idOf(c.ID);
  const at = where ? `${where}: ${describeContact(c)}` : describeContact(c);
  if (!id) throw invalid(at, 'the contact has no ID', text(c.ID));
  const phones = phonesOf(c);
  const emails = emailsOf(c);
  if (phones.length === 0 && emails.length === 0) {
    return { skip: 'no-identifiers', message: `${at}: fields PHONE, EMAIL — an individual is identified by phone or e-mail, and the contact has no valid one; add one to the contact in Bitrix24` };
  }
  const rq = primaryRequisite(input.requisites, 3, id);
  let inn: string | null = null;
  if (rq) {
    const v = validateInn(text(rq.RQ_INN));
    if (!v.ok || v.value.length !== 12) {
      throw invalid(`${at}, requisite ${text(rq.ID) || '?'}: field RQ_INN`, `${v.ok ? `INN ${v.value} is an organisation's (10 digits); a person's INN has 12` : v.message}. Correct it in Bitrix24`, text(rq.RQ_INN));
    }
    inn = v.value;
  }
  const name = personName(c) || phones[0]?.number || emails[0]!.address;
  return {
    counterpartyId: individualId({ phone: phones[0]?.number ?? null, email: emails[0]?.address ?? null }),
    kind: 'INDIVIDUAL',
    name,
    legalName: null,
    shortName: null,
    inn,
    kpp: null,
    ogrn: null,
    ogrnip: null,
    okpo: null,
    snils: null,
    addresses: [],
    bankAccounts: null,
    phones,
    emails,
    contactPersons: [],
    deleted: false,
  };
}

/** meta.source.externalId of a counterparty: the CRM's own binding form, CO_9 for company 9, C_3 for contact 3. */
export const partyExternalId = (kind: 'company' | 'contact', id: string): string => `${kind === 'company' ? 'CO' : 'C'}_${id}`;

/** The reference a document embeds: id, kind, name and the keys a sink needs to find or create the counterparty. */
export function toRef(cp: CounterpartyBody): CounterpartyRef {
  return {
    counterpartyId: cp.counterpartyId,
    kind: cp.kind,
    name: cp.name,
    inn: cp.inn,
    kpp: cp.kpp,
    phone: cp.phones[0]?.number ?? null,
    email: cp.emails[0]?.address ?? null,
  };
}
