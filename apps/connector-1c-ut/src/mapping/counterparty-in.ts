// 1C counterparties (Catalog_Контрагенты: УТ/Розница `ЮрФизЛицо`, БП `ЮридическоеФизическоеЛицо`) → canonical
// Counterparty (F5) with its id from the natural key: INN + KPP for organisations and sole proprietors, the phone /
// e-mail for individuals. Contact information rows (БСП КонтактнаяИнформация) become phones, e-mails, addresses.
import {
  individualId,
  legalCounterpartyId,
  normalizeEmail,
  normalizePhone,
  validateInn,
  type Address,
  type AddressKind,
  type Counterparty,
  type CounterpartyKind,
  type CounterpartyRef,
  type Email,
  type Phone,
  type PhoneKind,
} from '@esb/canonical';
import { text, textOrNull, type Wire } from './inbound.ts';

export interface ContactRow {
  Тип?: Wire;
  Вид_Key?: Wire;
  Представление?: Wire;
  Значение?: Wire;
  НомерТелефона?: Wire;
  АдресЭП?: Wire;
}

export interface CounterpartyEntity {
  Ref_Key?: Wire;
  Description?: Wire;
  НаименованиеПолное?: Wire;
  ЮрФизЛицо?: Wire;
  ЮридическоеФизическоеЛицо?: Wire;
  ИНН?: Wire;
  КПП?: Wire;
  КодПоОКПО?: Wire;
  ОГРН?: Wire;
  DeletionMark?: Wire;
  КонтактнаяИнформация?: ContactRow[];
}

/**
 * 1C's legal form: УТ `ЮрЛицо` / `ИндивидуальныйПредприниматель` / `ФизЛицо`, БП `ЮридическоеЛицо` /
 * `ФизическоеЛицо` (a БП person with a 12-digit INN is a sole proprietor). Non-residents count as organisations.
 */
export function counterpartyKind(e: Pick<CounterpartyEntity, 'ЮрФизЛицо' | 'ЮридическоеФизическоеЛицо' | 'ИНН'>): CounterpartyKind {
  const form = text(e.ЮрФизЛицо) || text(e.ЮридическоеФизическоеЛицо);
  if (form === 'ИндивидуальныйПредприниматель') return 'SOLE_PROPRIETOR';
  if (form === 'ФизЛицо' || form === 'ФизическоеЛицо') return text(e.ИНН).trim().length === 12 && form === 'ФизическоеЛицо' ? 'SOLE_PROPRIETOR' : 'INDIVIDUAL';
  return 'LEGAL_ENTITY';
}

/** The kind of a phone from the contact-information kind's name («Мобильный телефон», «Факс»…). */
export function phoneKind(kindName: string, type: string): PhoneKind {
  const n = `${kindName} ${type}`.toLowerCase();
  if (n.includes('факс')) return 'FAX';
  if (n.includes('мобил')) return 'MOBILE';
  if (n.includes('домаш')) return 'HOME';
  return 'WORK';
}

export function addressKind(kindName: string): AddressKind {
  const n = kindName.toLowerCase();
  if (n.includes('юридическ')) return 'LEGAL';
  if (n.includes('фактическ')) return 'ACTUAL';
  if (n.includes('почтов')) return 'POSTAL';
  if (n.includes('доставк')) return 'DELIVERY';
  return 'OTHER';
}

const COUNTRY: Record<string, string> = { россия: 'RU', '643': 'RU', беларусь: 'BY', '112': 'BY', казахстан: 'KZ', '398': 'KZ' };

/** БСП 3.x keeps the address as JSON in `Значение` (`ZIPcode`, `country`, `area`, `city`, `street`…). */
export function addressFromRow(r: ContactRow, kind: AddressKind): Address | null {
  const textValue = textOrNull(r.Представление);
  let parts: Record<string, unknown> = {};
  const raw = text(r.Значение).trim();
  if (raw.startsWith('{')) {
    try {
      parts = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      parts = {};
    }
  }
  const s = (k: string) => (typeof parts[k] === 'string' && (parts[k] as string).trim() !== '' ? (parts[k] as string).trim() : null);
  const line = textValue ?? s('value');
  if (!line) return null;
  const country = s('countryCode') ?? s('country');
  const street = [s('street'), s('houseType') && s('houseNumber') ? `${s('houseType')} ${s('houseNumber')}` : s('houseNumber')].filter(Boolean).join(', ');
  return {
    kind,
    text: line,
    postalCode: s('ZIPcode') ?? s('ZIPCode'),
    countryCode: country ? (COUNTRY[country.toLowerCase()] ?? null) : null,
    region: s('area'),
    city: s('city') ?? s('locality'),
    street: street || null,
  };
}

export type CounterpartyBody = Omit<Counterparty, 'meta'>;
export type CounterpartyMapping = { ok: true; value: CounterpartyBody } | { ok: false; reason: string };

/**
 * Maps a counterparty; `kindNames` gives the name of each contact-information kind (Вид_Key → Description) so
 * phones and addresses get their kind. Fails (with a reason a person can act on) when no canonical id can be
 * derived: an organisation without a valid INN/KPP, a person without phone, e-mail or INN.
 */
export function mapCounterparty(e: CounterpartyEntity, kindNames: ReadonlyMap<string, string> = new Map()): CounterpartyMapping {
  const name = text(e.Description).trim();
  const kind = counterpartyKind(e);
  const inn = text(e.ИНН).replace(/\s/g, '');
  const kpp = text(e.КПП).replace(/\s/g, '');
  const phones: Phone[] = [];
  const emails: Email[] = [];
  const addresses: Address[] = [];
  for (const r of e.КонтактнаяИнформация ?? []) {
    const type = text(r.Тип);
    const kindName = (typeof r.Вид_Key === 'string' ? kindNames.get(r.Вид_Key.toLowerCase()) : undefined) ?? '';
    if (type === 'Телефон' || type === 'Факс') {
      const n = normalizePhone(textOrNull(r.НомерТелефона) ?? text(r.Представление));
      if (n.ok && !phones.some((p) => p.number === n.value)) phones.push({ number: n.value, kind: type === 'Факс' ? 'FAX' : phoneKind(kindName, type), extension: n.extension ?? null });
    } else if (type === 'АдресЭлектроннойПочты') {
      const m = normalizeEmail(textOrNull(r.АдресЭП) ?? text(r.Представление));
      if (m.ok && !emails.some((x) => x.address === m.value)) emails.push({ address: m.value, kind: 'WORK' });
    } else if (type === 'Адрес') {
      const a = addressFromRow(r, addressKind(kindName));
      if (a) addresses.push(a);
    }
  }
  let counterpartyId: string;
  try {
    if (kind === 'INDIVIDUAL') {
      counterpartyId = individualId({ phone: phones[0]?.number ?? null, email: emails[0]?.address ?? null });
    } else {
      if (!inn) return { ok: false, reason: `counterparty "${name}" has no INN (ИНН); fill it in 1C so the bus can identify it` };
      counterpartyId = kind === 'SOLE_PROPRIETOR' ? legalCounterpartyId(inn) : legalCounterpartyId(inn, kpp);
    }
  } catch (err) {
    return { ok: false, reason: `counterparty "${name}" (ИНН ${inn || '—'}, КПП ${kpp || '—'}): ${(err as Error).message}` };
  }
  const innOk = inn !== '' && validateInn(inn).ok;
  return {
    ok: true,
    value: {
      counterpartyId,
      kind,
      name,
      legalName: textOrNull(e.НаименованиеПолное),
      shortName: null,
      inn: innOk ? inn : null,
      kpp: kind === 'LEGAL_ENTITY' && kpp ? kpp : null,
      ogrn: kind === 'LEGAL_ENTITY' ? (textOrNull(e.ОГРН) ?? null) : null,
      ogrnip: null,
      okpo: textOrNull(e.КодПоОКПО),
      snils: null,
      addresses,
      // 1C keeps bank accounts in Catalog_БанковскиеСчетаКонтрагентов, which this connector does not read: null
      // tells sinks to leave the target's accounts alone.
      bankAccounts: null,
      phones,
      emails,
      contactPersons: [],
      deleted: e.DeletionMark === true,
    },
  };
}

/** The embedded form of a counterparty for documents (Invoice.buyer, Order.buyer). */
export function counterpartyRef(c: CounterpartyBody): CounterpartyRef {
  return { counterpartyId: c.counterpartyId, kind: c.kind, name: c.name, inn: c.inn, kpp: c.kpp, phone: c.phones[0]?.number ?? null, email: c.emails[0]?.address ?? null };
}
