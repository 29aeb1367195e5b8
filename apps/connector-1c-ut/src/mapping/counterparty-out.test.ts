import { describe, expect, it } from 'vitest';
import type { CounterpartyRef } from '@esb/canonical';
import { buyerKeys, buyerText, contactRows, counterpartyBody, counterpartyLegalForm, counterpartySearches, partnerBody, partnerLegalForm } from './counterparty-out.ts';

const romashka: CounterpartyRef = { counterpartyId: 'c0000000-0000-4000-8000-000000000001', kind: 'LEGAL_ENTITY', name: 'ООО «Ромашка»', inn: '7736050003', kpp: '773601001', phone: '+74951234567', email: null };
const ip: CounterpartyRef = { counterpartyId: 'c0000000-0000-4000-8000-000000000002', kind: 'SOLE_PROPRIETOR', name: 'ИП Иванов И. И.', inn: '500100732259', kpp: null, phone: null, email: null };
const person: CounterpartyRef = { counterpartyId: 'c0000000-0000-4000-8000-000000000003', kind: 'INDIVIDUAL', name: "Петрова Анна O'Нил", inn: null, kpp: null, phone: '+79161234567', email: 'Anna@Example.RU' };

describe('buyer → 1C counterparty', () => {
  it('searches a company by INN and KPP, then by INN with an empty KPP', () => {
    const s = counterpartySearches(romashka);
    expect(s.map((x) => [x.by, String(x.filter)])).toEqual([
      ['INN 7736050003 KPP 773601001', "ИНН eq '7736050003' and КПП eq '773601001'"],
      ['INN 7736050003 without KPP', "ИНН eq '7736050003'"],
    ]);
    expect(s[1]!.accept!({ КПП: '' })).toBe(true);
    expect(s[1]!.accept!({ КПП: '773602001' })).toBe(false);
  });

  it('searches a sole proprietor by INN alone, and a person without INN by phone, then e-mail (quotes escaped)', () => {
    expect(counterpartySearches(ip).map((x) => String(x.filter))).toEqual(["ИНН eq '500100732259'"]);
    expect(counterpartySearches(person).map((x) => String(x.filter))).toEqual([
      "(КонтактнаяИнформация/any(k: k/НомерТелефона eq '+79161234567'))",
      "(КонтактнаяИнформация/any(k: k/АдресЭП eq 'anna@example.ru'))",
    ]);
  });

  it('maps legal forms for counterparties and partners', () => {
    expect(counterpartyLegalForm('LEGAL_ENTITY')).toBe('ЮрЛицо');
    expect(counterpartyLegalForm('SOLE_PROPRIETOR')).toBe('ИндивидуальныйПредприниматель');
    expect(counterpartyLegalForm('INDIVIDUAL')).toBe('ФизЛицо');
    expect(partnerLegalForm('SOLE_PROPRIETOR')).toBe('Компания');
    expect(partnerLegalForm('INDIVIDUAL')).toBe('ЧастноеЛицо');
  });

  it('creates the partner with the marker and the counterparty under it; a person keeps phone and e-mail', () => {
    expect(partnerBody(romashka)).toEqual({ Description: 'ООО «Ромашка»', НаименованиеПолное: 'ООО «Ромашка»', ЮрФизЛицо: 'Компания', Клиент: true, Комментарий: 'Создан шиной ESB. ESB:counterparty:c0000000-0000-4000-8000-000000000001' });
    expect(counterpartyBody(romashka, { partner: 'p', contactInfo: false })).toEqual({ Description: 'ООО «Ромашка»', НаименованиеПолное: 'ООО «Ромашка»', ЮрФизЛицо: 'ЮрЛицо', ИНН: '7736050003', КПП: '773601001', Партнер_Key: 'p' });
    expect(counterpartyBody(ip, { contactInfo: false })).not.toHaveProperty('КПП');
    expect(counterpartyBody(person, { contactInfo: true })['КонтактнаяИнформация']).toEqual(contactRows(person));
    expect(contactRows(person)).toEqual([
      { LineNumber: '1', Тип: 'Телефон', Представление: '+79161234567', НомерТелефона: '+79161234567' },
      { LineNumber: '2', Тип: 'АдресЭлектроннойПочты', Представление: 'anna@example.ru', АдресЭП: 'anna@example.ru' },
    ]);
  });

  it('names the buyer by its keys in messages and logs', () => {
    expect(buyerText(romashka)).toBe('ООО «Ромашка» (INN 7736050003, KPP 773601001)');
    expect(buyerText(person)).toBe("Петрова Анна O'Нил (phone +79161234567)");
    expect(buyerKeys(romashka)).toEqual({ inn: '7736050003', kpp: '773601001' });
    expect(buyerKeys(person)).toEqual({ phone: '+79161234567' });
  });
});
