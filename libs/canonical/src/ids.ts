// Deterministic canonical ids: UUIDv5 (RFC 9562 §5.5) of natural keys, so every connector derives the same id for
// the same business object without asking anyone. The key formats below are frozen: changing one re-keys the bus.
import { createHash } from 'node:crypto';
import { CanonicalIdError, idFailure, validateInn, validateKpp, validateSnils, type IdFailure } from './identifiers.ts';
import { normalizeEmail, normalizePhone } from './phones.ts';

/**
 * The namespace of every canonical id. Generated once at random; never change it, every id stored in Kafka,
 * in xref tables and in the external systems' custom fields depends on it.
 */
export const ESB_NAMESPACE = 'a5ffb5f6-10a3-4e56-b9b6-6c64641e8031';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 9562 UUIDv5: SHA-1 over namespace bytes + UTF-8 name, truncated to 128 bits, version 5, variant 10. */
export function uuidv5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) throw new TypeError(`uuidv5: namespace ${JSON.stringify(namespace)} is not a UUID`);
  const bytes = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// NFC first: "й" typed as one code point or as "и" + combining breve must not give two ids.
function idOfKey(key: string): string {
  return uuidv5(key.normalize('NFC'), ESB_NAMESPACE);
}

function fail(failure: IdFailure, businessKey: string, what: string): never {
  throw new CanonicalIdError(failure, businessKey, `cannot derive ${what} id`);
}

// System ids also name Kafka topics (esb.deliver.<systemId>), so they share the topic alphabet; that keeps ':'
// out of them and the key unambiguous even though external ids may contain anything.
const SYSTEM_ID = /^[A-Za-z0-9._-]+$/;

function systemAndExternal(originSystem: string | null | undefined, externalId: string | null | undefined, what: string): string {
  const system = (originSystem ?? '').trim();
  const external = (externalId ?? '').trim();
  if (system === '') fail(idFailure('ESB_ID_EMPTY', 'origin system is empty'), external, what);
  if (!SYSTEM_ID.test(system)) {
    fail(idFailure('ESB_ID_FORMAT', `origin system ${JSON.stringify(system)}: only Latin letters, digits, ".", "_" and "-" are allowed`), system, what);
  }
  if (external === '') fail(idFailure('ESB_ID_EMPTY', `external id from ${system} is empty`), system, what);
  return `${system}:${external}`;
}

/**
 * Key `counterparty:legal:<INN>:<KPP>`, e.g. `counterparty:legal:7707083893:770701001`; a sole proprietor
 * (12-digit INN) has no KPP: `counterparty:legal:500100732259:`. Each KPP of an organisation is its own
 * counterparty (branches are billed separately), so a 10-digit INN without KPP is refused rather than guessed.
 */
export function legalCounterpartyKey(inn: string, kpp?: string | null): string {
  const what = 'a legal counterparty';
  const i = validateInn(inn);
  if (!i.ok) return fail(i, inn, what);
  const rawKpp = (kpp ?? '').trim();
  if (i.value.length === 12) {
    if (rawKpp !== '') {
      fail(idFailure('ESB_ID_FORMAT', `KPP ${rawKpp}: INN ${i.value} belongs to a person (sole proprietor), who has no KPP`), rawKpp, what);
    }
    return `counterparty:legal:${i.value}:`;
  }
  if (rawKpp === '') {
    fail(idFailure('ESB_ID_EMPTY', `KPP is empty, but INN ${i.value} is an organisation's: pass the KPP of the division the record concerns`), i.value, what);
  }
  const k = validateKpp(rawKpp);
  if (!k.ok) return fail(k, rawKpp, what);
  return `counterparty:legal:${i.value}:${k.value}`;
}

export function legalCounterpartyId(inn: string, kpp?: string | null): string {
  return idOfKey(legalCounterpartyKey(inn, kpp));
}

export interface IndividualKeys {
  phone?: string | null;
  email?: string | null;
  snils?: string | null;
}

/**
 * Key `individual:phone:<E.164>`, else `individual:email:<lower-case e-mail>`, else `individual:snils:<11 digits>`.
 * An unparseable value ("нет", "-") falls through to the next key: it identifies nobody. Only when every given
 * value is bad, or none is given, does it throw.
 */
export function individualKey(keys: IndividualKeys): string {
  const what = 'an individual';
  const failures: IdFailure[] = [];
  const given: string[] = [];
  const attempts = [
    ['phone', keys.phone, (s: string) => normalizePhone(s)],
    ['email', keys.email, normalizeEmail],
    ['snils', keys.snils, validateSnils],
  ] as const;
  for (const [kind, value, normalise] of attempts) {
    if (value == null || value.trim() === '') continue;
    given.push(value);
    const r = normalise(value);
    if (r.ok) return `individual:${kind}:${r.value}`;
    failures.push(r);
  }
  const [first] = failures;
  if (!first) fail(idFailure('ESB_ID_EMPTY', 'no phone, e-mail or SNILS given'), '', what);
  return fail({ ...first, message: failures.map((f) => f.message).join('; ') }, given.join(' / '), what);
}

export function individualId(keys: IndividualKeys): string {
  return idOfKey(individualKey(keys));
}

export interface ProductKeys {
  article?: string | null;
  originSystem?: string | null;
  externalId?: string | null;
}

/**
 * Key `product:article:<ARTICLE>` (trimmed, inner spaces collapsed, upper-cased: "ab-12 " and "AB-12" are the same
 * SKU in every catalogue we met); without an article `product:external:<originSystem>:<externalId>`.
 */
export function productKey(keys: ProductKeys): string {
  const article = (keys.article ?? '').trim().replace(/\s+/g, ' ').toUpperCase();
  if (article !== '') return `product:article:${article}`;
  if ((keys.originSystem ?? '').trim() === '' && (keys.externalId ?? '').trim() === '') {
    fail(idFailure('ESB_ID_EMPTY', 'no article, and no origin system with external id'), '', 'a product');
  }
  return `product:external:${systemAndExternal(keys.originSystem, keys.externalId, 'a product')}`;
}

export function productId(keys: ProductKeys): string {
  return idOfKey(productKey(keys));
}

export const DOCUMENT_KINDS = ['order', 'invoice', 'payment', 'shipment', 'return', 'contract', 'document', 'task', 'approval'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * Key `document:<kind>:<originSystem>:<externalId>`. The kind is part of the key because systems number their
 * orders and invoices independently: order 42 and invoice 42 of one system are different objects.
 * The external id is kept as given (case included, only outer spaces trimmed): it is the origin system's own key.
 */
export function documentKey(kind: DocumentKind, originSystem: string, externalId: string): string {
  if (!(DOCUMENT_KINDS as readonly string[]).includes(kind)) {
    fail(idFailure('ESB_ID_FORMAT', `document kind ${JSON.stringify(kind)} is not one of ${DOCUMENT_KINDS.join(', ')}`), externalId, 'a document');
  }
  return `document:${kind}:${systemAndExternal(originSystem, externalId, `a ${kind}`)}`;
}

export function documentId(kind: DocumentKind, originSystem: string, externalId: string): string {
  return idOfKey(documentKey(kind, originSystem, externalId));
}
