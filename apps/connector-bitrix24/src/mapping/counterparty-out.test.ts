import { describe, expect, it } from 'vitest';
import { individualId, legalCounterpartyId } from '@esb/canonical';
import { canonicalSamples } from '@esb/canonical/samples';
import { phoneSpellings, changedFields, contactName, counterpartyProblem, emailsPatch, newCompanyFields, phonesPatch, requisiteFields, requisiteKey } from './counterparty-out.ts';

const cp = { ...canonicalSamples['esb.canonical.Counterparty'], counterpartyId: legalCounterpartyId('7707083893', '770701001') };

describe('Counterparty → company / contact', () => {
  it('builds the company and its requisite from the 1C counterparty', () => {
    expect(newCompanyFields(cp)).toEqual({ TITLE: 'Вектор ООО', COMPANY_TYPE: 'CUSTOMER', ORIGINATOR_ID: 'esb', ORIGIN_ID: cp.counterpartyId });
    expect(requisiteFields(cp)).toEqual({
      NAME: 'ООО «Вектор»',
      RQ_INN: '7707083893',
      RQ_KPP: '770701001',
      RQ_COMPANY_NAME: 'ООО «Вектор»',
      RQ_COMPANY_FULL_NAME: 'Общество с ограниченной ответственностью «Вектор»',
      RQ_OGRN: '1027700132195',
      RQ_OKPO: '00032537',
    });
    expect(requisiteKey({ ...cp, kind: 'SOLE_PROPRIETOR', inn: '500100732259', kpp: null })).toEqual({ RQ_INN: '500100732259', RQ_KPP: '' });
  });

  it('rejects what the portal could not match again, naming the field', () => {
    expect(counterpartyProblem(cp)).toBeUndefined();
    expect(counterpartyProblem({ ...cp, inn: '7707083894' })).toMatch(/^inn: INN 7707083894: check digit/);
    expect(counterpartyProblem({ ...cp, kpp: null })).toMatch(/^kpp: /);
    expect(counterpartyProblem({ ...cp, counterpartyId: legalCounterpartyId('7736050003', '773601001') })).toMatch(/is not legalCounterpartyId\(7707083893, 770701001\)/);
    const person = { ...cp, kind: 'INDIVIDUAL' as const, inn: null, kpp: null, phones: [{ number: '+79161234567', kind: 'MOBILE' as const, extension: null }], emails: [] };
    expect(counterpartyProblem({ ...person, counterpartyId: individualId({ phone: '+79161234567' }) })).toBeUndefined();
    expect(counterpartyProblem({ ...person, phones: [], snils: null, counterpartyId: individualId({ phone: '+79161234567' }) })).toMatch(/needs a phone, e-mail or SNILS/);
  });

  it('adds only new phones and e-mails, updates a changed type by the value ID, and keeps the CRM-only ones', () => {
    const existing = [
      { ID: '11', VALUE: '8 (495) 123-45-67 доб. 204', VALUE_TYPE: 'WORK' },
      { ID: '12', VALUE: '+7 916 123-45-67', VALUE_TYPE: 'WORK' },
      { ID: '13', VALUE: '+7 903 000-00-00', VALUE_TYPE: 'HOME' },
    ];
    expect(phonesPatch(existing, cp.phones)).toEqual([{ ID: '12', VALUE: '+7 916 123-45-67', VALUE_TYPE: 'MOBILE' }]);
    expect(phonesPatch([], cp.phones)).toEqual([
      { VALUE: '+74951234567 доб. 204', VALUE_TYPE: 'WORK' },
      { VALUE: '+79161234567', VALUE_TYPE: 'MOBILE' },
    ]);
    // The same patch applied twice adds nothing the second time.
    const after = [...existing.map((e) => (e.ID === '12' ? { ...e, VALUE_TYPE: 'MOBILE' } : e))];
    expect(phonesPatch(after, cp.phones)).toEqual([]);
    expect(emailsPatch([{ ID: '5', VALUE: 'Zakupki@Vektor.Example', VALUE_TYPE: 'WORK' }], cp.emails)).toEqual([]);
    expect(emailsPatch([], [...cp.emails, ...cp.emails])).toEqual([{ VALUE: 'zakupki@vektor.example', VALUE_TYPE: 'WORK' }]);
  });

  it('splits a full name and compares plain fields trimmed', () => {
    expect(contactName('Кузнецов Илья Андреевич')).toEqual({ LAST_NAME: 'Кузнецов', NAME: 'Илья', SECOND_NAME: 'Андреевич' });
    expect(contactName('Илья')).toEqual({ LAST_NAME: '', NAME: 'Илья', SECOND_NAME: '' });
    expect(changedFields({ TITLE: ' Вектор ООО ', COMMENTS: null }, { TITLE: 'Вектор ООО', COMMENTS: '' })).toEqual({});
    expect(changedFields({ TITLE: 'Вектор' }, { TITLE: 'Вектор ООО' })).toEqual({ TITLE: 'Вектор ООО' });
  });

  it('spells a Russian number the ways people type it, for exact-match filters', () => {
    const s = phoneSpellings('+79161112233');
    expect(s).toEqual(expect.arrayContaining(['+79161112233', '89161112233', '+7 (916) 111-22-33', '8 (916) 111-22-33', '8 916 111-22-33', '+7 916 111 22 33']));
    expect(new Set(s).size).toBe(s.length);
    expect(phoneSpellings('+441632960961')).toEqual(['+441632960961']);
  });
});
