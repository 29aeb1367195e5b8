import { describe, it, expect } from 'vitest';
import {
  DOCUMENT_KINDS,
  ESB_NAMESPACE,
  documentId,
  documentKey,
  individualId,
  individualKey,
  legalCounterpartyId,
  legalCounterpartyKey,
  productId,
  productKey,
  uuidv5,
  type DocumentKind,
} from './ids.ts';
import { CanonicalIdError } from './identifiers.ts';

const NS_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const NS_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
const NS_OID = '6ba7b812-9dad-11d1-80b4-00c04fd430c8';

// Thrown error of `fn`, so its fields can be checked.
function thrown(fn: () => unknown): CanonicalIdError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CanonicalIdError) return e;
    throw e;
  }
  throw new Error('expected a CanonicalIdError, nothing was thrown');
}

describe('uuidv5', () => {
  it('matches RFC 9562 and Python uuid.uuid5 vectors', () => {
    expect(uuidv5('www.example.com', NS_DNS)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2'); // RFC 9562 A.4
    expect(uuidv5('python.org', NS_DNS)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidv5('https://example.com/Ромашка', NS_URL)).toBe('37d26e53-5764-5fd2-b67f-ee6db337ce87'); // UTF-8 name
    expect(uuidv5('', NS_OID)).toBe('0a68eb57-c88a-5f34-9e9d-27f85e68af4f');
  });

  it('accepts the namespace in upper case and sets version 5 and the RFC variant', () => {
    expect(uuidv5('www.example.com', NS_DNS.toUpperCase())).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    for (let i = 0; i < 50; i++) expect(uuidv5(`name-${i}`, ESB_NAMESPACE)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidv5('x', 'esb')).toThrow('uuidv5: namespace "esb" is not a UUID');
  });
});

describe('frozen canonical ids', () => {
  // Computed independently with Python's uuid.uuid5(ESB_NAMESPACE, key). If one of these fails, a key format or
  // the namespace changed, and every id already stored in Kafka and in the external systems would be orphaned.
  it('pins the namespace and the output of every key family', () => {
    expect(ESB_NAMESPACE).toBe('a5ffb5f6-10a3-4e56-b9b6-6c64641e8031');
    expect(legalCounterpartyId('7707083893', '770701001')).toBe('4b6011c8-2430-5252-b5f0-e3eefc09597e');
    expect(legalCounterpartyId('500100732259')).toBe('bcc0a16f-e181-5ec2-8942-6b81a650bf3e');
    expect(individualId({ phone: '8 (916) 123-45-67' })).toBe('16e10797-e0da-5b4d-822d-0ea0530466e4');
    expect(individualId({ email: 'Ivan@Example.ru' })).toBe('5bea098a-1a01-51e7-9128-5e6a64d8d72f');
    expect(individualId({ snils: '112-233-445 95' })).toBe('5cab8a54-b91a-5300-9ee2-18b4a95c9e8c');
    expect(productId({ article: 'арт-001' })).toBe('24d545bf-514f-553b-b621-538a031b6cd2');
    expect(productId({ originSystem: 'ut-main', externalId: '8f1c1e3a-0b1d-11ee-8c90-0242ac120002' })).toBe('71099a3b-2e7a-5b01-b99a-7b3af92561e9');
    expect(documentId('order', 'bitrix24-main', '4512')).toBe('07f9cb00-b310-5865-b6a9-16cde7834587');
    expect(documentId('invoice', 'bitrix24-main', '4512')).toBe('c6d1f478-6cf6-5803-be09-8fe384e2c7cb');
  });

  it('documents the key formats', () => {
    expect(legalCounterpartyKey('7707083893', '770701001')).toBe('counterparty:legal:7707083893:770701001');
    expect(legalCounterpartyKey('500100732259', '')).toBe('counterparty:legal:500100732259:');
    expect(individualKey({ phone: '+7 916 123-45-67' })).toBe('individual:phone:+79161234567');
    expect(individualKey({ email: ' Ivan@Example.ru ' })).toBe('individual:email:ivan@example.ru');
    expect(individualKey({ snils: '112-233-445 95' })).toBe('individual:snils:11223344595');
    expect(productKey({ article: ' арт-001 ' })).toBe('product:article:АРТ-001');
    expect(productKey({ originSystem: 'ut-main', externalId: 'abc' })).toBe('product:external:ut-main:abc');
    expect(documentKey('shipment', 'ut-main', 'abc:1')).toBe('document:shipment:ut-main:abc:1');
  });

  it('treats composed and decomposed Cyrillic as the same text', () => {
    expect(productId({ article: 'ЙОД-1' })).toBe(productId({ article: 'И\u0306ОД-1' }));
  });
});

describe('legalCounterpartyId', () => {
  it('trims inputs and upper-cases the KPP letters', () => {
    expect(legalCounterpartyId(' 7707083893 ', ' 770701001 ')).toBe(legalCounterpartyId('7707083893', '770701001'));
    expect(legalCounterpartyId('7707083893', '7707ab001')).toBe(legalCounterpartyId('7707083893', '7707AB001'));
  });

  it('gives each KPP (division) of one INN its own id', () => {
    expect(legalCounterpartyId('7707083893', '770701001')).not.toBe(legalCounterpartyId('7707083893', '773601001'));
  });

  it('takes no KPP for a sole proprietor, whether omitted, null or blank', () => {
    const id = legalCounterpartyId('500100732259');
    expect(legalCounterpartyId('500100732259', null)).toBe(id);
    expect(legalCounterpartyId('500100732259', '  ')).toBe(id);
  });

  it('throws a coded error naming the bad INN', () => {
    const e = thrown(() => legalCounterpartyId('2500000000', '770701001'));
    expect(e.message).toBe('cannot derive a legal counterparty id: INN 2500000000: check digit 0 does not match computed 2');
    expect(e).toMatchObject({ code: 'ESB_ID_CHECKSUM', retriable: false, businessKey: '2500000000' });
    expect(thrown(() => legalCounterpartyId('', '770701001')).code).toBe('ESB_ID_EMPTY');
  });

  it('throws naming the bad KPP', () => {
    const e = thrown(() => legalCounterpartyId('7707083893', '77070100'));
    expect(e).toMatchObject({ code: 'ESB_ID_FORMAT', businessKey: '77070100' });
    expect(e.message).toContain('KPP "77070100"');
  });

  it('refuses an organisation without KPP and a sole proprietor with one', () => {
    const noKpp = thrown(() => legalCounterpartyId('7707083893'));
    expect(noKpp).toMatchObject({ code: 'ESB_ID_EMPTY', businessKey: '7707083893' });
    expect(noKpp.message).toContain('KPP is empty, but INN 7707083893 is an organisation');
    const withKpp = thrown(() => legalCounterpartyId('500100732259', '500101001'));
    expect(withKpp).toMatchObject({ code: 'ESB_ID_FORMAT' });
    expect(withKpp.message).toContain('INN 500100732259 belongs to a person');
  });
});

describe('individualId', () => {
  it('prefers the phone, then the e-mail, then the SNILS', () => {
    const all = { phone: '+7 916 123-45-67', email: 'ivan@example.ru', snils: '112-233-445 95' };
    expect(individualKey(all)).toBe('individual:phone:+79161234567');
    expect(individualKey({ ...all, phone: null })).toBe('individual:email:ivan@example.ru');
    expect(individualKey({ ...all, phone: ' ', email: undefined })).toBe('individual:snils:11223344595');
  });

  it('gives every notation of one phone the same id, ignoring the extension', () => {
    const id = individualId({ phone: '+79161234567' });
    for (const phone of ['8 (916) 123-45-67', '9161234567', '+7 916 123 45 67 доб. 12']) expect(individualId({ phone })).toBe(id);
  });

  it('falls through an unusable value to the next key', () => {
    expect(individualKey({ phone: 'нет', email: 'Ivan@Example.ru' })).toBe('individual:email:ivan@example.ru');
    expect(individualKey({ email: 'ivan@', snils: '11223344595' })).toBe('individual:snils:11223344595');
  });

  it('throws when nothing usable is given, with every reason', () => {
    const none = thrown(() => individualId({}));
    expect(none).toMatchObject({ code: 'ESB_ID_EMPTY', message: 'cannot derive an individual id: no phone, e-mail or SNILS given' });
    const bad = thrown(() => individualId({ phone: 'нет', email: 'x', snils: '112-233-445 94' }));
    expect(bad.code).toBe('ESB_ID_FORMAT');
    expect(bad.message).toContain('phone "нет"');
    expect(bad.message).toContain('e-mail "x"');
    expect(bad.message).toContain('SNILS 11223344594');
  });
});

describe('productId', () => {
  it('treats articles case- and space-insensitively', () => {
    const id = productId({ article: 'AB-12 X' });
    expect(productId({ article: '  ab-12   x ' })).toBe(id);
    expect(productId({ article: 'AB-12X' })).not.toBe(id);
  });

  it('prefers the article over the origin system and external id', () => {
    expect(productId({ article: 'AB-12', originSystem: 'ut-main', externalId: '1' })).toBe(productId({ article: 'AB-12' }));
    expect(productId({ article: ' ', originSystem: 'ut-main', externalId: '1' })).toBe(productId({ originSystem: 'ut-main', externalId: '1' }));
  });

  it('keeps the external id case and separates systems', () => {
    expect(productId({ originSystem: 'ut-main', externalId: 'ab' })).not.toBe(productId({ originSystem: 'ut-main', externalId: 'AB' }));
    expect(productId({ originSystem: 'ut-main', externalId: '1' })).not.toBe(productId({ originSystem: 'site', externalId: '1' }));
  });

  it('throws when there is nothing to key on', () => {
    expect(thrown(() => productId({})).code).toBe('ESB_ID_EMPTY');
    expect(thrown(() => productId({ originSystem: 'ut-main' }))).toMatchObject({ code: 'ESB_ID_EMPTY', message: expect.stringContaining('external id from ut-main is empty') });
    expect(thrown(() => productId({ externalId: '1' })).message).toContain('origin system is empty');
  });
});

describe('documentId', () => {
  it('differs by kind, so order 4512 and invoice 4512 of one system are different objects', () => {
    const ids = new Set(DOCUMENT_KINDS.map((k) => documentId(k, 'bitrix24-main', '4512')));
    expect(ids.size).toBe(DOCUMENT_KINDS.length);
    expect(DOCUMENT_KINDS).toEqual(expect.arrayContaining(['order', 'invoice', 'payment', 'shipment', 'document', 'task', 'approval']));
  });

  it('differs by system and is stable across calls and surrounding spaces', () => {
    expect(documentId('order', 'bitrix24-main', '4512')).not.toBe(documentId('order', 'ut-main', '4512'));
    expect(documentId('order', ' bitrix24-main ', ' 4512 ')).toBe(documentId('order', 'bitrix24-main', '4512'));
  });

  it('keeps system ids out of the key separator', () => {
    // Otherwise ("a:b", "c") and ("a", "b:c") would share one key.
    expect(thrown(() => documentId('order', 'a:b', 'c'))).toMatchObject({ code: 'ESB_ID_FORMAT', message: expect.stringContaining('origin system "a:b"') });
  });

  it('refuses unknown kinds and empty parts', () => {
    expect(thrown(() => documentId('deal' as DocumentKind, 'bitrix24-main', '1')).message).toContain('document kind "deal" is not one of');
    expect(thrown(() => documentId('order', 'bitrix24-main', ' ')).code).toBe('ESB_ID_EMPTY');
    expect(thrown(() => documentId('order', '', '1')).code).toBe('ESB_ID_EMPTY');
  });
});
