import { describe, it, expect } from 'vitest';
import { buildQuery } from '@esb/bitrix24-client';
import { at, decimalString, divRound, FormError, instant, localDate, localDateTime, parseEventPost, parsePhpForm, stripBbCodes, text, unscaled } from './form.ts';

describe('parsePhpForm (PHP parse_str)', () => {
  it('nests bracket keys whether the brackets arrive %-encoded (as the portal sends them) or not', () => {
    const encoded = 'event=ONCRMDEALUPDATE&data%5BFIELDS%5D%5BID%5D=759&auth%5Bmember_id%5D=a22&ts=1736405807';
    const plain = 'event=ONCRMDEALUPDATE&data[FIELDS][ID]=759&auth[member_id]=a22&ts=1736405807';
    const expected = { event: 'ONCRMDEALUPDATE', data: { FIELDS: { ID: '759' } }, auth: { member_id: 'a22' }, ts: '1736405807' };
    expect(parsePhpForm(encoded)).toEqual(expected);
    expect(parsePhpForm(plain)).toEqual(expected);
  });

  it('decodes + as a space and UTF-8 escapes', () => {
    expect(parsePhpForm('title=%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0+LLC')).toEqual({ title: 'Ромашка LLC' });
  });

  it('appends [] values with increasing indexes and keeps explicit ones', () => {
    expect(parsePhpForm('a[]=x&a[]=y&a[5]=z&a[]=w')).toEqual({ a: { '0': 'x', '1': 'y', '5': 'z', '6': 'w' } });
  });

  it('lets a later value of the other shape replace an earlier one, as PHP does', () => {
    expect(parsePhpForm('a=1&a[b]=2')).toEqual({ a: { b: '2' } });
    expect(parsePhpForm('a[b]=2&a=1')).toEqual({ a: '1' });
  });

  it('ignores empty pairs and keys, and reads a key without = as an empty value', () => {
    expect(parsePhpForm('&&x&=5&y=')).toEqual({ x: '', y: '' });
  });

  it('keeps an unclosed bracket as part of the name', () => {
    expect(parsePhpForm('a[b=1')).toEqual({ 'a[b': '1' });
  });

  it('refuses a broken %-escape, naming the pair', () => {
    expect(() => parsePhpForm('a=1&b=%E0%A4%A')).toThrow(/pair 2: the value .* broken %-escape/);
  });

  it('refuses keys that would reach Object.prototype', () => {
    expect(() => parsePhpForm('__proto__[polluted]=1')).toThrow(FormError);
    expect(() => parsePhpForm('a[constructor][prototype]=1')).toThrow(/reserved name/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses absurd nesting and field counts', () => {
    expect(() => parsePhpForm(`a${'[x]'.repeat(40)}=1`)).toThrow(/nested 41 levels/);
    expect(() => parsePhpForm(Array.from({ length: 1001 }, (_, i) => `k${i}=1`).join('&'))).toThrow(/1001 fields/);
  });

  it('reads back what PHP http_build_query (the portal\'s encoder) wrote', () => {
    const payload = { event: 'ONCRMDYNAMICITEMADD', data: { FIELDS: { ID: '17', ENTITY_TYPE_ID: '31' } }, auth: { application_token: 'a&b=c', domain: 'x.bitrix24.ru' } };
    expect(parsePhpForm(buildQuery(payload))).toEqual(payload);
  });
});

describe('parseEventPost', () => {
  const body = buildQuery({ event: 'onCrmDealUpdate', event_handler_id: '201', data: { FIELDS: { ID: '759' } }, ts: '1736405807', auth: { application_token: 't', member_id: 'm' } });

  it('reads the event, its data, ts and auth; the event name upper-cased', () => {
    const p = parseEventPost(body, 'application/x-www-form-urlencoded');
    expect(p).toEqual({ event: 'ONCRMDEALUPDATE', handlerId: '201', data: { FIELDS: { ID: '759' } }, ts: 1736405807, auth: { application_token: 't', member_id: 'm' } });
    expect(at(p.data, 'FIELDS', 'ID')).toBe('759');
  });

  it('accepts a JSON body (tools, proxies) with the same shape, numbers as strings', () => {
    const p = parseEventPost(JSON.stringify({ event: 'ONCRMDEALADD', data: { FIELDS: { ID: 5 } }, auth: { application_token: 't' } }), 'application/json; charset=utf-8');
    expect(p.data).toEqual({ FIELDS: { ID: '5' } });
    expect(p.ts).toBeNull();
  });

  it('says what is missing', () => {
    expect(() => parseEventPost('', undefined)).toThrow(/body is empty/);
    expect(() => parseEventPost('data[FIELDS][ID]=1&auth[application_token]=t', undefined)).toThrow(/"event" is missing/);
    expect(() => parseEventPost('event=ONCRMDEALADD&data[FIELDS][ID]=1', undefined)).toThrow(/auth\[…\]" is missing/);
    expect(() => parseEventPost('event=ONCRMDEALADD&data=x&auth[application_token]=t', undefined)).toThrow(/"data" must be a map/);
    expect(() => parseEventPost('{"event":', 'application/json')).toThrow(/not JSON/);
    expect(() => parseEventPost('event=<script>&auth[x]=1', undefined)).toThrow(/not an event name/);
  });
});

describe('portal values', () => {
  it('reads legacy money strings and typed JSON numbers into exact integers', () => {
    expect(unscaled('9800.00', 2, 'x')).toBe(980000n);
    expect(unscaled(4083.33, 2, 'x')).toBe(408333n);
    expect(unscaled(2, 3, 'x')).toBe(2000n);
    expect(unscaled('1,5', 3, 'x')).toBe(1500n);
    expect(unscaled(0.1 + 0.2, 2, 'x')).toBe(30n);
    expect(unscaled('-12.345', 2, 'x')).toBe(-1235n);
    expect(unscaled('12.344', 2, 'x')).toBe(1234n);
    expect(unscaled('12.345', 2, 'x')).toBe(1235n);
    expect(unscaled(null, 2, 'x')).toBeNull();
    expect(unscaled('', 2, 'x')).toBeNull();
  });

  it('refuses values that are not numbers, naming the field', () => {
    expect(() => unscaled('12 руб', 2, 'deal 5: field OPPORTUNITY')).toThrow(/deal 5: field OPPORTUNITY: "12 руб" is not a decimal number/);
    expect(() => unscaled(Number.NaN, 2, 'x')).toThrow(/not a number/);
    expect(() => unscaled(1e22, 2, 'x')).toThrow(/too large/);
  });

  it('formats decimals with exactly the scale', () => {
    expect(decimalString(980000n, 2)).toBe('9800.00');
    expect(decimalString(5n, 2)).toBe('0.05');
    expect(decimalString(-5n, 3)).toBe('-0.005');
    expect(decimalString(7n, 0)).toBe('7');
  });

  it('divides rounding half away from zero', () => {
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    expect(divRound(4n, 3n)).toBe(1n);
    expect(divRound(980000n * 20n, 120n)).toBe(163333n);
    expect(() => divRound(1n, 0n)).toThrow();
  });

  it('turns portal datetimes into UTC instants and local dates', () => {
    expect(instant('2026-11-21T10:07:45+03:00')).toBe('2026-11-21T07:07:45.000Z');
    expect(instant('2026-11-21T10:07:45+0300')).toBe('2026-11-21T07:07:45.000Z');
    expect(instant('2026-11-21')).toBe('2026-11-21T00:00:00.000Z');
    expect(instant('')).toBeNull();
    expect(instant('yesterday')).toBeNull();
    expect(localDate('2026-11-28T00:00:00+03:00')).toBe('2026-11-28');
    expect(localDateTime('2026-11-21T10:07:45+03:00')).toBe('2026-11-21 10:07:45');
    expect(localDateTime(null)).toBeNull();
  });

  it('strips BB-codes from comments and empties to null', () => {
    expect(stripBbCodes('[b]Срочно[/b], см. [url=https://x.ru]договор[/url]')).toBe('Срочно, см. договор');
    expect(stripBbCodes('[list][*][/list]')).toBeNull();
    expect(stripBbCodes(null)).toBeNull();
  });

  it('reads any portal scalar as text', () => {
    expect(text(' 5 ')).toBe('5');
    expect(text(5)).toBe('5');
    expect(text(null)).toBe('');
    expect(text({})).toBe('');
  });
});
