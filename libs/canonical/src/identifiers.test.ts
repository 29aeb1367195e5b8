import { describe, it, expect } from 'vitest';
import {
  CanonicalIdError,
  innKind,
  isValidInn,
  isValidKpp,
  isValidOgrn,
  isValidOgrnip,
  isValidSnils,
  validateInn,
  validateKpp,
  validateOgrn,
  validateOgrnip,
  validateSnils,
  type IdResult,
} from './identifiers.ts';

// Every single-digit substitution of `valid`, grouped by position: [position (1-based), accepted substitutions].
function substitutions(valid: string, validate: (s: string) => IdResult): Array<[number, string[]]> {
  return Array.from(valid, (d, i) => {
    const accepted: string[] = [];
    for (let x = 0; x <= 9; x++) {
      if (String(x) === d) continue;
      const changed = valid.slice(0, i) + String(x) + valid.slice(i + 1);
      if (validate(changed).ok) accepted.push(changed);
    }
    return [i + 1, accepted];
  });
}

describe('INN', () => {
  it.each(['7707083893', '7736050003', '5024089920', '500100732259', '340301024150'])('accepts %s (onec.md §5)', (inn) => {
    expect(validateInn(inn)).toEqual({ ok: true, value: inn });
    expect(isValidInn(inn)).toBe(true);
  });

  it('rejects the placeholder INN 2500000000 from a real CommerceML sample, naming the digits', () => {
    expect(validateInn('2500000000')).toEqual({
      ok: false,
      code: 'ESB_ID_CHECKSUM',
      message: 'INN 2500000000: check digit 0 does not match computed 2',
    });
    expect(isValidInn('2500000000')).toBe(false);
  });

  it('rejects 770987654321 at its first check digit (position 11)', () => {
    expect(validateInn('770987654321')).toEqual({
      ok: false,
      code: 'ESB_ID_CHECKSUM',
      message: 'INN 770987654321: check digit 2 at position 11 does not match computed 4',
    });
  });

  it('checks the second check digit of a 12-digit INN on its own', () => {
    // 500100732259 with the last digit changed: the first check digit still matches.
    expect(validateInn('500100732250')).toMatchObject({ ok: false, code: 'ESB_ID_CHECKSUM', message: expect.stringContaining('check digit 0 does not match computed 9') });
  });

  it.each(['7707083893', '5024089920', '500100732259', '340301024150'])('detects every change of a check digit of %s, and almost every other change', (inn) => {
    const checkPositions = inn.length === 10 ? [10] : [11, 12];
    for (const [position, accepted] of substitutions(inn, validateInn)) {
      if (checkPositions.includes(position)) expect(accepted, `position ${position}`).toEqual([]);
      // Weights are coprime to 11, so a change escapes only via the (mod 11) mod 10 collapse of 10 onto 0.
      else expect(accepted.length, `position ${position}: ${accepted.join(', ')}`).toBeLessThanOrEqual(1);
    }
  });

  it('trims surrounding whitespace but not inner spaces', () => {
    expect(validateInn('  7707083893\t')).toEqual({ ok: true, value: '7707083893' });
    expect(validateInn('7707 083893')).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT', message: 'INN "7707 083893": must contain digits only' });
  });

  it.each(['', '   '])('reports %j as empty', (s) => {
    expect(validateInn(s)).toEqual({ ok: false, code: 'ESB_ID_EMPTY', message: 'INN is empty' });
  });

  it.each([
    ['770708389', 9],
    ['77070838931', 11],
    ['5001007322591', 13],
  ])('rejects the wrong length of %s', (s, n) => {
    expect(validateInn(s)).toEqual({ ok: false, code: 'ESB_ID_FORMAT', message: `INN ${s}: has ${n} digits, expected 10 or 12` });
  });

  it.each(['77070838a3', 'INN7707083893', '7707083893.', '-770708389'])('rejects non-digits in %s', (s) => {
    expect(validateInn(s)).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT' });
  });

  it('rejects region 00 even where the check digit works out (all-zero placeholders)', () => {
    expect(validateInn('0000000000')).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT', message: expect.stringContaining('region code 00') });
    expect(validateInn('000000000000')).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT' });
  });

  it('tells organisations from people by length', () => {
    expect(innKind('7707083893')).toBe('legal');
    expect(innKind(' 500100732259 ')).toBe('individual');
    expect(() => innKind('2500000000')).toThrow(CanonicalIdError);
    expect(() => innKind('2500000000')).toThrow('INN 2500000000: check digit 0 does not match computed 2');
  });
});

describe('KPP', () => {
  it.each(['770701001', '773601001', '7707AB001', '77070Z001'])('accepts %s', (kpp) => {
    expect(validateKpp(kpp)).toEqual({ ok: true, value: kpp });
    expect(isValidKpp(kpp)).toBe(true);
  });

  it('trims and upper-cases the Latin reason letters', () => {
    expect(validateKpp(' 7707ab001 ')).toEqual({ ok: true, value: '7707AB001' });
  });

  it.each([
    ['77070100', 'too short'],
    ['7707010011', 'too long'],
    ['A70701001', 'letter in the tax office code'],
    ['7707010A1', 'letter in the number'],
    ['7707АВ001', 'Cyrillic look-alikes in the reason code'],
    ['7707-01-001', 'separators'],
  ])('rejects %s (%s)', (kpp) => {
    const r = validateKpp(kpp);
    expect(r).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT' });
    expect(r.ok || r.message).toContain(`KPP "${kpp}"`);
  });

  it('reports an empty KPP as empty', () => {
    expect(validateKpp('  ')).toEqual({ ok: false, code: 'ESB_ID_EMPTY', message: 'KPP is empty' });
  });
});

describe('OGRN', () => {
  it.each(['1027700132195', '1027739609391', '1037739010891', '5077746887312'])('accepts %s', (ogrn) => {
    expect(validateOgrn(ogrn)).toEqual({ ok: true, value: ogrn });
    expect(isValidOgrn(` ${ogrn} `)).toBe(true);
  });

  it('rejects a wrong check digit with both digits named', () => {
    expect(validateOgrn('1027700132194')).toEqual({
      ok: false,
      code: 'ESB_ID_CHECKSUM',
      message: 'OGRN 1027700132194: check digit 4 does not match computed 5',
    });
  });

  it('detects every change of the check digit and almost every other change', () => {
    for (const [position, accepted] of substitutions('1027700132195', validateOgrn)) {
      if (position === 13) expect(accepted).toEqual([]);
      else expect(accepted.length, `position ${position}`).toBeLessThanOrEqual(1);
    }
  });

  it('rejects record numbers and OGRNIP-like first digits', () => {
    // 3027700132195 has a matching check digit but 3 starts an OGRNIP, not an OGRN.
    expect(validateOgrn('3027700132195')).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT', message: expect.stringContaining('first digit 3') });
  });

  it.each([['102770013219'], ['10277001321950'], ['10277OO132195'], ['']])('rejects malformed %j', (s) => {
    expect(validateOgrn(s).ok).toBe(false);
  });
});

describe('OGRNIP', () => {
  it.each(['304500116000157', '304463210700212', '316861700133226'])('accepts %s', (ogrnip) => {
    expect(validateOgrnip(ogrnip)).toEqual({ ok: true, value: ogrnip });
    expect(isValidOgrnip(ogrnip)).toBe(true);
  });

  it('rejects a wrong check digit', () => {
    expect(validateOgrnip('304500116000158')).toEqual({
      ok: false,
      code: 'ESB_ID_CHECKSUM',
      message: 'OGRNIP 304500116000158: check digit 8 does not match computed 7',
    });
  });

  it('uses exact arithmetic on the 14-digit body: every check-digit change is caught, others almost always', () => {
    for (const [position, accepted] of substitutions('304500116000157', validateOgrnip)) {
      if (position === 15) expect(accepted).toEqual([]);
      else expect(accepted.length, `position ${position}`).toBeLessThanOrEqual(1);
    }
  });

  it('rejects a 13-digit OGRN and a wrong first digit', () => {
    expect(validateOgrnip('1027700132195')).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT', message: 'OGRNIP 1027700132195: has 13 digits, expected 15' });
    expect(validateOgrnip('104500116000157')).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT', message: expect.stringContaining('first digit 1') });
  });
});

describe('SNILS', () => {
  it.each([
    ['112-233-445 95', '11223344595'],
    ['987-654-321 83', '98765432183'],
    ['11223344595', '11223344595'],
    ['112-233-445-95', '11223344595'],
    ['  112 233 445 95 ', '11223344595'],
  ])('accepts %j as %s', (s, value) => {
    expect(validateSnils(s)).toEqual({ ok: true, value });
    expect(isValidSnils(s)).toBe(true);
  });

  it('rejects 112-233-445 94 (onec.md §5)', () => {
    expect(validateSnils('112-233-445 94')).toEqual({
      ok: false,
      code: 'ESB_ID_CHECKSUM',
      message: 'SNILS 11223344594: control number 94 does not match computed 95',
    });
  });

  it('maps sums of 100 and 101, and a remainder of 100, to control number 00', () => {
    expect(validateSnils('001-508-815 00').ok).toBe(true); // sum 100
    expect(validateSnils('001-437-544 00').ok).toBe(true); // sum 101
    expect(validateSnils('006-996-682 00').ok).toBe(true); // sum 201: 201 mod 101 = 100
    expect(validateSnils('001-508-815 01')).toMatchObject({ ok: false, message: expect.stringContaining('computed 00') });
    expect(validateSnils('006-996-682 99')).toMatchObject({ ok: false, code: 'ESB_ID_CHECKSUM' });
  });

  it('has no checksum up to 001-001-998, and has one from 001-001-999', () => {
    expect(validateSnils('001-001-998 00').ok).toBe(true);
    expect(validateSnils('001-001-998 57').ok).toBe(true);
    expect(validateSnils('000-000-001 42').ok).toBe(true);
    expect(validateSnils('001-001-999 65').ok).toBe(true);
    expect(validateSnils('001-001-999 00')).toMatchObject({ ok: false, code: 'ESB_ID_CHECKSUM' });
  });

  it('detects every single-digit change of 112-233-445 95', () => {
    for (const [position, accepted] of substitutions('11223344595', validateSnils)) expect(accepted, `position ${position}`).toEqual([]);
  });

  it.each(['', '112-233-445', '112-233-445 9', '112-233-445 955', '112-233-44a 95', '112/233/445 95'])('rejects malformed %j', (s) => {
    expect(validateSnils(s)).toMatchObject({ ok: false, code: s === '' ? 'ESB_ID_EMPTY' : 'ESB_ID_FORMAT' });
  });
});
