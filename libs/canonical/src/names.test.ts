import { describe, it, expect } from 'vitest';
import { normalizeCounterpartyName, sameCounterpartyName } from './names.ts';

const key = (s: string): string => normalizeCounterpartyName(s).key;

describe('normalizeCounterpartyName', () => {
  it.each([
    'ООО "Ромашка"',
    '«ООО "Ромашка"»',
    'Ромашка ООО',
    'Общество с ограниченной ответственностью "Ромашка"',
    'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «РОМАШКА»',
    'ООО «Ромашка»',
    'ооо ромашка',
    '  ООО   "РОМАШКА" ',
    'ООО“Ромашка”',
    'ООО „Ромашка“',
    "ООО 'Ромашка'",
    'ООО ‘Ромашка’',
    'Ромашка, ООО',
    'Ромашка (ООО)',
    'ООО "Ромашка".',
    'ООО Ромашка;',
    '"Ромашка" общество с ограниченной ответственностью',
    'OOO Ромашка', // Latin O's typed on the wrong layout
    'ООО Ромaшка', // one Latin "a" inside a Cyrillic word
  ])('gives %j the key of ООО «Ромашка»', (s) => {
    expect(normalizeCounterpartyName(s)).toMatchObject({ key: 'ООО|ромашка', form: 'ООО' });
  });

  it('keeps the core in its original case, without form, quotes or punctuation', () => {
    expect(normalizeCounterpartyName('  ООО   "РОМАШКА" ')).toEqual({ key: 'ООО|ромашка', form: 'ООО', core: 'РОМАШКА' });
    expect(normalizeCounterpartyName('Общество с ограниченной ответственностью «Рога и копыта»')).toEqual({
      key: 'ООО|рога и копыта',
      form: 'ООО',
      core: 'Рога и копыта',
    });
  });

  it('folds ё to е in the key only', () => {
    expect(normalizeCounterpartyName('ООО "Ёлочка"')).toEqual({ key: 'ООО|елочка', form: 'ООО', core: 'Ёлочка' });
    expect(key('ООО Елочка')).toBe(key('ООО Ёлочка'));
  });

  it.each([
    ['АО', 'Акционерное общество «Ромашка»', 'Ромашка АО'],
    ['ПАО', 'Публичное акционерное общество "Ромашка"', '"Ромашка" ПАО'],
    ['ЗАО', 'Закрытое акционерное общество Ромашка', 'ЗАО «Ромашка»'],
    ['ОАО', 'Открытое акционерное общество Ромашка', 'Ромашка, ОАО'],
    ['НАО', 'Непубличное акционерное общество Ромашка', 'НАО Ромашка'],
    ['НКО', 'Некоммерческая организация «Ромашка»', 'НКО Ромашка'],
    ['АНО', 'Автономная некоммерческая организация «Ромашка»', 'АНО "Ромашка"'],
    ['ГУП', 'Государственное унитарное предприятие «Ромашка»', 'ГУП Ромашка'],
    ['ФГУП', 'Федеральное государственное унитарное предприятие «Ромашка»', 'ФГУП Ромашка'],
    ['МУП', 'Муниципальное унитарное предприятие «Ромашка»', 'МУП Ромашка'],
    ['ТСЖ', 'Товарищество собственников жилья «Ромашка»', 'ТСЖ Ромашка'],
    ['КФХ', 'Крестьянское (фермерское) хозяйство Ромашка', 'КФХ Ромашка'],
  ])('recognises %s spelled out and abbreviated', (form, long, short) => {
    expect(normalizeCounterpartyName(long)).toMatchObject({ form, core: 'Ромашка', key: `${form}|ромашка` });
    expect(normalizeCounterpartyName(short)).toMatchObject({ form, core: 'Ромашка', key: `${form}|ромашка` });
  });

  it('reads the longest form: "публичное акционерное общество" is ПАО, not АО after a word', () => {
    expect(normalizeCounterpartyName('Ромашка публичное акционерное общество')).toMatchObject({ form: 'ПАО', core: 'Ромашка' });
    expect(normalizeCounterpartyName('Ромашка автономная некоммерческая организация')).toMatchObject({ form: 'АНО', core: 'Ромашка' });
  });

  it('keeps Latin names Latin and maps Latin forms to their Russian equivalent', () => {
    expect(normalizeCounterpartyName('Romashka LLC')).toEqual({ key: 'ООО|romashka', form: 'ООО', core: 'Romashka' });
    for (const s of ['LLC Romashka', 'Romashka L.L.C.', 'Romashka Ltd.', 'Romashka Co., Ltd.', 'Romashka Limited Liability Company', 'OOO "Romashka"']) {
      expect(key(s), s).toBe('ООО|romashka');
    }
    for (const s of ['Romashka JSC', 'JSC Romashka', 'Romashka Joint-Stock Company', 'AO Romashka']) expect(key(s), s).toBe('АО|romashka');
    expect(key('Romashka PJSC')).toBe('ПАО|romashka');
    expect(key('CJSC Romashka')).toBe('ЗАО|romashka');
    expect(key('Romashka OJSC')).toBe('ОАО|romashka');
    expect(key('Romashka Inc.')).toBe('INC|romashka');
  });

  it('does not transliterate: a Latin and a Cyrillic spelling stay different names', () => {
    expect(sameCounterpartyName('Romashka LLC', 'ООО Ромашка')).toBe(false);
  });

  it('takes the person\'s name as the core of a sole proprietor', () => {
    const short = normalizeCounterpartyName('ИП Иванов Иван Иванович');
    expect(short).toEqual({ key: 'ИП|иванов иван иванович', form: 'ИП', core: 'Иванов Иван Иванович' });
    expect(key('Индивидуальный предприниматель Иванов Иван Иванович')).toBe(short.key);
    expect(key('Иванов Иван Иванович ИП')).toBe(short.key);
    expect(key('И.П. Иванов Иван Иванович')).toBe(short.key);
    expect(normalizeCounterpartyName('ИП Иванов И.И.').core).toBe('Иванов И.И.'); // the dot of an initial stays
  });

  it('keeps apostrophes inside words', () => {
    expect(normalizeCounterpartyName("O'Brien Ltd")).toMatchObject({ core: "O'Brien", key: "ООО|o'brien" });
    expect(key('O’Brien Ltd')).toBe(key("O'Brien Ltd"));
  });

  it('ignores spacing around hyphens and collapses spaces in the key', () => {
    expect(key('ООО "Ромашка - Юг"')).toBe(key('ООО Ромашка-Юг'));
    expect(key('ООО Рога   и\tкопыта')).toBe('ООО|рога и копыта');
  });

  it('leaves a name without a known form with a null form', () => {
    expect(normalizeCounterpartyName('«Ромашка»')).toEqual({ key: '|ромашка', form: null, core: 'Ромашка' });
    // A form alone is not stripped: there would be no name left.
    expect(normalizeCounterpartyName('ООО')).toEqual({ key: '|ооо', form: null, core: 'ООО' });
  });
});

describe('sameCounterpartyName', () => {
  it('matches the spellings from the brief', () => {
    expect(sameCounterpartyName('ООО "Ромашка"', 'Общество с ограниченной ответственностью «Ромашка»')).toBe(true);
    expect(sameCounterpartyName('Romashka LLC', 'LLC Romashka')).toBe(true);
  });

  it.each([
    ['ООО Ромашка', 'АО Ромашка'],
    ['ООО Ромашка', 'ПАО Ромашка'],
    ['ЗАО Ромашка', 'ОАО Ромашка'],
    ['ООО Ромашка', 'Ромашка'],
    ['Romashka LLC', 'Romashka JSC'],
    ['ООО Ромашка', 'ООО Ромашка-2'],
    ['ИП Иванов Иван Иванович', 'ИП Иванов Иван Петрович'],
  ])('tells %j from %j', (a, b) => {
    expect(sameCounterpartyName(a, b)).toBe(false);
  });

  it('never matches empty names', () => {
    expect(sameCounterpartyName('', '')).toBe(false);
    expect(sameCounterpartyName(' "" ', '«»')).toBe(false);
  });
});
