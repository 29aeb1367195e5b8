import { describe, it, expect } from 'vitest';
import { normalizeEmail, normalizePhone } from './phones.ts';

describe('normalizePhone: Russian notations', () => {
  it.each([
    '+79161234567',
    '+7 916 123-45-67',
    '+7 (916) 123-45-67',
    '8 (916) 123-45-67',
    '8-916-123-45-67',
    '89161234567',
    '79161234567',
    '7 916 123 45 67',
    '9161234567',
    '(916) 123.45.67',
    '\u00a0+7\u00a0916\u00a0123\u00a045\u00a067 ',
    '+7 916 123–45–67',
  ])('reads %j as +79161234567', (s) => {
    expect(normalizePhone(s)).toEqual({ ok: true, value: '+79161234567' });
  });

  it('keeps landline and toll-free numbers', () => {
    expect(normalizePhone('8 (495) 123-45-67')).toEqual({ ok: true, value: '+74951234567' });
    expect(normalizePhone('8 800 555-35-35')).toEqual({ ok: true, value: '+78005553535' });
    expect(normalizePhone('+7 727 123 45 67')).toEqual({ ok: true, value: '+77271234567' }); // Kazakhstan shares +7
  });

  it.each([
    ['+7 916 123-45-67 доб. 123', '123'],
    ['8 (495) 123-45-67, доб.45', '45'],
    ['+7 495 123 45 67 (доб. 7)', '7'],
    ['+7 495 123 45 67 добавочный 2001', '2001'],
    ['+7 495 123 45 67 вн. 12', '12'],
    ['+7 495 123 45 67 ext 12', '12'],
    ['+7 495 123 45 67 EXT. 12', '12'],
    ['+7 495 123 45 67 x12', '12'],
    ['+7(495)1234567#12', '12'],
  ])('drops the extension of %j and reports it', (s, extension) => {
    const r = normalizePhone(s);
    expect(r).toMatchObject({ ok: true, extension });
    expect(r.ok && r.value).toMatch(/^\+7\d{10}$/);
  });

  it('does not report an extension that is not there', () => {
    expect(normalizePhone('+7 916 123-45-67')).not.toHaveProperty('extension');
  });
});

describe('normalizePhone: international notation', () => {
  it.each([
    ['+44 20 7946 0958', '+442079460958'],
    ['+375 (29) 123-45-67', '+375291234567'],
    ['0044 20 7946 0958', '+442079460958'],
    ['8-10-375-29-123-45-67', '+375291234567'],
    ['+1 (212) 555-0123', '+12125550123'],
  ])('reads %j as %s', (s, value) => {
    expect(normalizePhone(s)).toEqual({ ok: true, value });
  });

  it('enforces 8 to 15 digits (E.164)', () => {
    expect(normalizePhone('+49 123456')).toEqual({ ok: true, value: '+49123456' });
    expect(normalizePhone('+49 12345')).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT', message: expect.stringContaining('has 7 digits, an international number has 8 to 15') });
    expect(normalizePhone('+49 1234 5678 9012 3').ok).toBe(true);
    expect(normalizePhone('+49 1234 5678 9012 34')).toMatchObject({ ok: false, message: expect.stringContaining('has 16 digits') });
  });

  it('holds +7 numbers to exactly ten national digits', () => {
    expect(normalizePhone('+7 916 123 45 6')).toMatchObject({ ok: false, message: 'phone "+7 916 123 45 6": has 9 digits after +7, expected 10' });
    expect(normalizePhone('+7 916 123 45 678')).toMatchObject({ ok: false, message: expect.stringContaining('has 11 digits after +7') });
  });

  it('refuses the common "+8 9…" mistake instead of guessing', () => {
    expect(normalizePhone('+8 (916) 123-45-67')).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT', message: expect.stringContaining('+89 is not a country code') });
  });

  it('needs a country code when no default country is given', () => {
    expect(normalizePhone('8 916 123-45-67', null)).toMatchObject({ ok: false, message: expect.stringContaining('no country code') });
    expect(normalizePhone('+7 916 123-45-67', null)).toEqual({ ok: true, value: '+79161234567' });
  });
});

describe('normalizePhone: garbage', () => {
  it.each(['', '   '])('reports %j as empty', (s) => {
    expect(normalizePhone(s)).toEqual({ ok: false, code: 'ESB_ID_EMPTY', message: 'phone is empty' });
  });

  it.each([
    ['нет', 'contains characters that are not part of a phone number: "нет"'],
    ['+7 916 123-45-67, +7 903 765-43-21', 'contains characters that are not part of a phone number: ","'],
    ['916/123-45-67', '"/"'],
    ['7+9161234567', '"+" may only start the number'],
    ['---', 'has no digits'],
    ['123-45-67', 'has 7 digits; a Russian number is 10 digits with the area code'],
    ['8 916 123 45 67 8', 'has 12 digits'],
    ['8 (016) 123-45-67', 'a +7 number cannot start with 0'],
    // Eleven digits after 8-10 would leave an 8-digit "international" number: it is a (bad) national one instead.
    ['8 101 234 56 78', 'a +7 number cannot start with 1'],
    ['+0 123 456 789', 'a country code cannot start with 0'],
  ])('rejects %j', (s, why) => {
    const r = normalizePhone(s);
    expect(r).toMatchObject({ ok: false, code: 'ESB_ID_FORMAT' });
    expect(r.ok || r.message).toContain(`phone ${JSON.stringify(s.trim())}`);
    expect(r.ok || r.message).toContain(why);
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Ivan.Petrov@Example.RU ')).toEqual({ ok: true, value: 'ivan.petrov@example.ru' });
    expect(normalizeEmail('ИВАН@ПОЧТА.РФ')).toEqual({ ok: true, value: 'иван@почта.рф' });
    expect(normalizeEmail('sales+1c@mail.example-shop.com')).toEqual({ ok: true, value: 'sales+1c@mail.example-shop.com' });
  });

  it.each([
    ['', 'ESB_ID_EMPTY', 'e-mail is empty'],
    ['ivan.example.ru', 'ESB_ID_FORMAT', 'exactly one "@"'],
    ['ivan@@example.ru', 'ESB_ID_FORMAT', 'exactly one "@"'],
    ['@example.ru', 'ESB_ID_FORMAT', 'before "@"'],
    ['iv an@example.ru', 'ESB_ID_FORMAT', 'before "@"'],
    ['ivan.@example.ru', 'ESB_ID_FORMAT', 'misplaced dots'],
    ['iv..an@example.ru', 'ESB_ID_FORMAT', 'misplaced dots'],
    ['ivan@localhost', 'ESB_ID_FORMAT', 'domain "localhost"'],
    ['ivan@example..ru', 'ESB_ID_FORMAT', 'domain'],
    ['ivan@-example.ru', 'ESB_ID_FORMAT', 'domain'],
    ['ivan@example.ru.', 'ESB_ID_FORMAT', 'domain'],
    ['<ivan@example.ru>', 'ESB_ID_FORMAT', 'e-mail "<ivan@example.ru>"'],
  ])('rejects %j', (s, code, why) => {
    const r = normalizeEmail(s);
    expect(r).toMatchObject({ ok: false, code });
    expect(r.ok || r.message).toContain(why);
  });

  it('rejects an address longer than 254 characters', () => {
    const long = `${'a'.repeat(64)}@${Array.from({ length: 4 }, () => 'b'.repeat(60)).join('.')}.ru`;
    expect(normalizeEmail(long)).toMatchObject({ ok: false, message: expect.stringContaining('254') });
  });
});
