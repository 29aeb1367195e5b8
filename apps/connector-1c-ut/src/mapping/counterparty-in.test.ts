import { describe, it, expect } from 'vitest';
import { individualId, legalCounterpartyId } from '@esb/canonical';
import { addressFromRow, counterpartyKind, counterpartyRef, mapCounterparty } from './counterparty-in.ts';

const MOBILE = 'a0000000-0000-4000-8000-000000000001';
const LEGAL_ADDRESS = 'a0000000-0000-4000-8000-000000000002';
const kinds = new Map([
  [MOBILE, 'Мобильный телефон'],
  [LEGAL_ADDRESS, 'Юридический адрес'],
]);

describe('legal form', () => {
  it('reads УТ and БП spellings', () => {
    expect(counterpartyKind({ ЮрФизЛицо: 'ЮрЛицо' })).toBe('LEGAL_ENTITY');
    expect(counterpartyKind({ ЮрФизЛицо: 'ИндивидуальныйПредприниматель' })).toBe('SOLE_PROPRIETOR');
    expect(counterpartyKind({ ЮрФизЛицо: 'ФизЛицо', ИНН: '500100732259' })).toBe('INDIVIDUAL');
    expect(counterpartyKind({ ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо' })).toBe('LEGAL_ENTITY');
    expect(counterpartyKind({ ЮридическоеФизическоеЛицо: 'ФизическоеЛицо', ИНН: '500100732259' })).toBe('SOLE_PROPRIETOR');
    expect(counterpartyKind({ ЮрФизЛицо: 'ЮрЛицоНеРезидент' })).toBe('LEGAL_ENTITY');
  });
});

describe('mapCounterparty', () => {
  it('keys an organisation by INN + KPP and takes its contacts', () => {
    const m = mapCounterparty(
      {
        Description: 'Ромашка ООО',
        НаименованиеПолное: 'ООО «Ромашка»',
        ЮрФизЛицо: 'ЮрЛицо',
        ИНН: '7736050003',
        КПП: '773601001',
        КодПоОКПО: '',
        КонтактнаяИнформация: [
          { Тип: 'Телефон', Вид_Key: MOBILE, Представление: '8 (916) 123-45-67', НомерТелефона: '' },
          { Тип: 'Телефон', Представление: '+7 495 111-22-33 доб. 12' },
          { Тип: 'АдресЭлектроннойПочты', АдресЭП: 'Info@Romashka.RU' },
          { Тип: 'Адрес', Вид_Key: LEGAL_ADDRESS, Представление: '101000, Москва, ул. Мясницкая, д. 1', Значение: JSON.stringify({ ZIPcode: '101000', country: 'Россия', area: 'Москва', city: 'Москва', street: 'ул. Мясницкая', houseType: 'д.', houseNumber: '1' }) },
        ],
        DeletionMark: false,
      },
      kinds,
    );
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(m.value).toMatchObject({ counterpartyId: legalCounterpartyId('7736050003', '773601001'), kind: 'LEGAL_ENTITY', name: 'Ромашка ООО', legalName: 'ООО «Ромашка»', inn: '7736050003', kpp: '773601001', okpo: null, bankAccounts: null, deleted: false });
    expect(m.value.phones).toEqual([
      { number: '+79161234567', kind: 'MOBILE', extension: null },
      { number: '+74951112233', kind: 'WORK', extension: '12' },
    ]);
    expect(m.value.emails).toEqual([{ address: 'info@romashka.ru', kind: 'WORK' }]);
    expect(m.value.addresses).toEqual([{ kind: 'LEGAL', text: '101000, Москва, ул. Мясницкая, д. 1', postalCode: '101000', countryCode: 'RU', region: 'Москва', city: 'Москва', street: 'ул. Мясницкая, д. 1' }]);
    expect(counterpartyRef(m.value)).toEqual({ counterpartyId: m.value.counterpartyId, kind: 'LEGAL_ENTITY', name: 'Ромашка ООО', inn: '7736050003', kpp: '773601001', phone: '+79161234567', email: 'info@romashka.ru' });
  });

  it('keys a sole proprietor by INN alone and a person by phone', () => {
    const ip = mapCounterparty({ Description: 'Иванов ИП', ЮрФизЛицо: 'ИндивидуальныйПредприниматель', ИНН: '500100732259', КПП: '' });
    expect(ip.ok && ip.value).toMatchObject({ counterpartyId: legalCounterpartyId('500100732259'), kind: 'SOLE_PROPRIETOR', kpp: null });
    const person = mapCounterparty({ Description: 'Петров', ЮрФизЛицо: 'ФизЛицо', КонтактнаяИнформация: [{ Тип: 'Телефон', Представление: '+7 916 000-00-01' }], DeletionMark: true });
    expect(person.ok && person.value).toMatchObject({ counterpartyId: individualId({ phone: '+79160000001' }), kind: 'INDIVIDUAL', inn: null, deleted: true });
  });

  it('says what to fix when no id can be derived', () => {
    const noInn = mapCounterparty({ Description: 'Без ИНН', ЮрФизЛицо: 'ЮрЛицо' });
    expect(noInn).toEqual({ ok: false, reason: 'counterparty "Без ИНН" has no INN (ИНН); fill it in 1C so the bus can identify it' });
    const bad = mapCounterparty({ Description: 'Плохой', ЮрФизЛицо: 'ЮрЛицо', ИНН: '2500000000', КПП: '250001001' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/^counterparty "Плохой" \(ИНН 2500000000, КПП 250001001\): /);
    expect(mapCounterparty({ Description: 'Аноним', ЮрФизЛицо: 'ФизЛицо' }).ok).toBe(false);
  });

  it('keeps an address without parts as text only', () => {
    expect(addressFromRow({ Представление: 'Казань, ул. Баумана, 5', Значение: '<xml/>' }, 'ACTUAL')).toEqual({ kind: 'ACTUAL', text: 'Казань, ул. Баумана, 5', postalCode: null, countryCode: null, region: null, city: null, street: null });
    expect(addressFromRow({ Представление: '' }, 'OTHER')).toBeNull();
  });
});
