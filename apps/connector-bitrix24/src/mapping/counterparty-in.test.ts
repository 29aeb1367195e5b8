import { describe, it, expect } from 'vitest';
import { EsbError } from '@esb/bus';
import { individualId, legalCounterpartyId, schemaByName } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import { companyToCounterparty, contactToCounterparty, isSkip, partyExternalId, primaryRequisite, toRef, type B24Record, type CounterpartyBody } from './counterparty-in.ts';

const company = (over: B24Record = {}): B24Record => ({
  ID: '9',
  TITLE: 'Ромашка',
  IS_MY_COMPANY: 'N',
  PHONE: [
    { ID: '3', VALUE_TYPE: 'MOBILE', VALUE: '8 (916) 123-45-67', TYPE_ID: 'PHONE' },
    { ID: '1', VALUE_TYPE: 'WORK', VALUE: '+7 495 123-45-67 доб. 12', TYPE_ID: 'PHONE' },
    { ID: '5', VALUE_TYPE: 'OTHER', VALUE: 'нет', TYPE_ID: 'PHONE' },
  ],
  EMAIL: [{ ID: '2', VALUE_TYPE: 'WORK', VALUE: 'Info@Romashka.RU', TYPE_ID: 'EMAIL' }],
  DATE_MODIFY: '2026-11-21T10:07:45+03:00',
  ...over,
});
const requisite = (over: B24Record = {}): B24Record => ({
  ID: '1',
  ENTITY_TYPE_ID: '4',
  ENTITY_ID: '9',
  PRESET_ID: '1',
  ACTIVE: 'Y',
  SORT: '500',
  RQ_INN: '7707083893',
  RQ_KPP: '770701001',
  RQ_COMPANY_NAME: 'ООО «Ромашка»',
  RQ_COMPANY_FULL_NAME: 'Общество с ограниченной ответственностью «Ромашка»',
  RQ_OGRN: '1027700132195',
  RQ_OKPO: '00032537',
  ...over,
});
const contact = (over: B24Record = {}): B24Record => ({
  ID: '3',
  NAME: 'Иван',
  LAST_NAME: 'Петров',
  SECOND_NAME: 'Сергеевич',
  POST: 'Снабженец',
  COMPANY_ID: '9',
  PHONE: [{ ID: '7', VALUE_TYPE: 'WORK', VALUE: '+7 (903) 111-22-33' }],
  EMAIL: [{ ID: '8', VALUE_TYPE: 'HOME', VALUE: 'ivan@mail.ru' }],
  ...over,
});

function valid(cp: CounterpartyBody): boolean {
  return schemaByName('esb.canonical.Counterparty')!.type.isValid({ meta: canonicalSamples['esb.canonical.Counterparty'].meta, ...cp });
}

function mustBody(v: ReturnType<typeof companyToCounterparty>): CounterpartyBody {
  if (isSkip(v)) throw new Error(`unexpected skip: ${v.message}`);
  return v;
}

describe('company → Counterparty', () => {
  it('keys a legal entity by its requisite INN/KPP and carries names, codes, phones, e-mails and contact persons', () => {
    const cp = mustBody(companyToCounterparty({ company: company(), requisites: [requisite()], contacts: [contact(), contact({ ID: '4', NAME: 'Ольга', LAST_NAME: 'Кузнецова', SECOND_NAME: null, COMPANY_ID: '10' })] }));
    expect(cp).toMatchObject({
      counterpartyId: legalCounterpartyId('7707083893', '770701001'),
      kind: 'LEGAL_ENTITY',
      name: 'Ромашка',
      legalName: 'Общество с ограниченной ответственностью «Ромашка»',
      shortName: 'ООО «Ромашка»',
      inn: '7707083893',
      kpp: '770701001',
      ogrn: '1027700132195',
      ogrnip: null,
      okpo: '00032537',
      bankAccounts: null,
      deleted: false,
    });
    // Portal order (by value ID), E.164, the extension kept apart, "нет" left out.
    expect(cp.phones).toEqual([
      { number: '+74951234567', kind: 'WORK', extension: '12' },
      { number: '+79161234567', kind: 'MOBILE', extension: null },
    ]);
    expect(cp.emails).toEqual([{ address: 'info@romashka.ru', kind: 'WORK' }]);
    // Only contacts of this company: a listing by a missing COMPANY_ID must not leak strangers in.
    expect(cp.contactPersons).toEqual([{ fullName: 'Петров Иван Сергеевич', position: 'Снабженец', phones: [{ number: '+79031112233', kind: 'WORK', extension: null }], emails: [{ address: 'ivan@mail.ru', kind: 'HOME' }] }]);
    expect(valid(cp)).toBe(true);
  });

  it('makes a 12-digit INN a sole proprietor without KPP, with OGRNIP', () => {
    const cp = mustBody(companyToCounterparty({ company: company({ TITLE: 'ИП Сидоров' }), requisites: [requisite({ RQ_INN: '500100732259', RQ_KPP: '', RQ_OGRNIP: '304500116000157', RQ_OGRN: '1027700132195' })], contacts: [] }));
    expect(cp).toMatchObject({ kind: 'SOLE_PROPRIETOR', inn: '500100732259', kpp: null, ogrnip: '304500116000157', ogrn: null, counterpartyId: legalCounterpartyId('500100732259', null) });
    expect(valid(cp)).toBe(true);
  });

  it('names the company, the requisite and the field when the INN is wrong', () => {
    const run = () => companyToCounterparty({ company: company(), requisites: [requisite({ RQ_INN: '7707083894' })], contacts: [] }, 'deal 394: buyer');
    expect(run).toThrow(EsbError);
    expect(run).toThrow(/deal 394: buyer: company 9 «Ромашка», requisite 1: field RQ_INN: INN 7707083894: check digit/);
    try {
      run();
    } catch (e) {
      expect((e as EsbError).code).toBe('ESB_VALIDATION');
      expect((e as EsbError).retriable).toBe(false);
      expect((e as EsbError).businessKey).toBe('7707083894');
    }
  });

  it('asks for the KPP of an organisation and refuses one for a person', () => {
    expect(() => companyToCounterparty({ company: company(), requisites: [requisite({ RQ_KPP: null })], contacts: [] })).toThrow(/field RQ_KPP: KPP is empty, but INN 7707083893 is an organisation's/);
    expect(() => companyToCounterparty({ company: company(), requisites: [requisite({ RQ_INN: '500100732259' })], contacts: [] })).toThrow(/field RQ_KPP: KPP 770701001 is set, but INN 500100732259 is a person's/);
    expect(() => companyToCounterparty({ company: company(), requisites: [requisite({ RQ_KPP: '77070100' })], contacts: [] })).toThrow(/field RQ_KPP: KPP/);
  });

  it('skips, with the reason, a company without requisites and our own companies', () => {
    const none = companyToCounterparty({ company: company(), requisites: [], contacts: [] });
    expect(none).toEqual({ skip: 'no-requisites', message: expect.stringMatching(/company 9 «Ромашка» has no active requisite with an INN/) });
    const own = companyToCounterparty({ company: company({ IS_MY_COMPANY: 'Y' }), requisites: [requisite()], contacts: [] });
    expect(own).toMatchObject({ skip: 'own-company' });
  });

  it('picks the active requisite of this company with an INN, lowest SORT first', () => {
    const rqs = [
      requisite({ ID: '1', SORT: '100', ACTIVE: 'N' }),
      requisite({ ID: '2', SORT: '300', RQ_KPP: '770701002' }),
      requisite({ ID: '3', SORT: '200', RQ_INN: '' }),
      requisite({ ID: '4', SORT: '200', ENTITY_ID: '10', RQ_KPP: '770701003' }),
      requisite({ ID: '5', SORT: '300', RQ_KPP: '770701004' }),
    ];
    expect(primaryRequisite(rqs, 4, '9')?.ID).toBe('2');
    const cp = mustBody(companyToCounterparty({ company: company(), requisites: rqs, contacts: [] }));
    expect(cp.kpp).toBe('770701002');
  });

  it('maps the legacy address fields to legal and actual addresses', () => {
    const cp = mustBody(
      companyToCounterparty({
        company: company({ REG_ADDRESS: 'ул. Ленина, 1', REG_ADDRESS_CITY: 'Москва', REG_ADDRESS_POSTAL_CODE: '101000', REG_ADDRESS_COUNTRY: 'Россия', REG_ADDRESS_COUNTRY_CODE: 'ru', ADDRESS: 'ул. Мира, 5', ADDRESS_2: 'оф. 3' }),
        requisites: [requisite()],
        contacts: [],
      }),
    );
    expect(cp.addresses).toEqual([
      { kind: 'LEGAL', text: '101000, Россия, Москва, ул. Ленина, 1', postalCode: '101000', countryCode: 'RU', region: null, city: 'Москва', street: 'ул. Ленина, 1' },
      { kind: 'ACTUAL', text: 'ул. Мира, 5, оф. 3', postalCode: null, countryCode: null, region: null, city: null, street: 'ул. Мира, 5, оф. 3' },
    ]);
    expect(valid(cp)).toBe(true);
  });
});

describe('contact → Counterparty', () => {
  it('keys an individual by the first phone, full name as documents write it', () => {
    const cp = contactToCounterparty({ contact: contact({ COMPANY_ID: null }), requisites: [] });
    if (isSkip(cp)) throw new Error(cp.message);
    expect(cp).toMatchObject({ counterpartyId: individualId({ phone: '+79031112233' }), kind: 'INDIVIDUAL', name: 'Петров Иван Сергеевич', inn: null, kpp: null, contactPersons: [] });
    expect(valid(cp)).toBe(true);
    expect(toRef(cp)).toEqual({ counterpartyId: cp.counterpartyId, kind: 'INDIVIDUAL', name: 'Петров Иван Сергеевич', inn: null, kpp: null, phone: '+79031112233', email: 'ivan@mail.ru' });
  });

  it('falls back to the e-mail, and skips a contact with neither', () => {
    const byMail = contactToCounterparty({ contact: contact({ PHONE: [{ ID: '1', VALUE: '-' }] }), requisites: [] });
    expect(isSkip(byMail) ? null : byMail.counterpartyId).toBe(individualId({ email: 'ivan@mail.ru' }));
    const none = contactToCounterparty({ contact: contact({ PHONE: [], EMAIL: undefined }), requisites: [] });
    expect(none).toMatchObject({ skip: 'no-identifiers', message: expect.stringMatching(/contact 3 «Петров Иван Сергеевич»: fields PHONE, EMAIL/) });
  });

  it('keeps a personal INN from the contact requisite and refuses an organisation INN there', () => {
    const rq = { ID: '11', ENTITY_TYPE_ID: '3', ENTITY_ID: '3', ACTIVE: 'Y', RQ_INN: '500100732259' };
    const cp = contactToCounterparty({ contact: contact(), requisites: [rq] });
    expect(isSkip(cp) ? null : cp.inn).toBe('500100732259');
    expect(() => contactToCounterparty({ contact: contact(), requisites: [{ ...rq, RQ_INN: '7707083893' }] })).toThrow(/requisite 11: field RQ_INN: INN 7707083893 is an organisation's/);
  });

  it('names external ids in the CRM binding form', () => {
    expect(partyExternalId('company', '9')).toBe('CO_9');
    expect(partyExternalId('contact', '3')).toBe('C_3');
  });
});
