// PHP parameter semantics the portal applies to query strings, form bodies and batch commands.
import { describe, expect, it } from 'vitest';
import { buildQuery, parseStr } from './php.ts';

describe('parseStr (PHP parse_str)', () => {
  it('nests bracket keys and turns 0..n-1 maps into lists', () => {
    expect(parseStr('fields[TITLE]=X&fields[PHONE][0][VALUE]=112233&fields[PHONE][0][VALUE_TYPE]=WORK&select[]=ID&select[]=TITLE')).toEqual({
      fields: { TITLE: 'X', PHONE: [{ VALUE: '112233', VALUE_TYPE: 'WORK' }] },
      select: ['ID', 'TITLE'],
    });
  });

  it('decodes percent-encoded brackets, + as space, and keeps the last duplicate', () => {
    expect(parseStr('data%5BFIELDS%5D%5BID%5D=759&q=a+b%26c&x=1&x=2')).toEqual({ data: { FIELDS: { ID: '759' } }, q: 'a b&c', x: '2' });
  });

  it('appends [] after the highest numeric key; sparse keys stay a map', () => {
    expect(parseStr('a[]=1&a[5]=2&a[]=3')).toEqual({ a: { 0: '1', 5: '2', 6: '3' } });
  });

  it('turns dots and spaces in the base name into underscores, not inside brackets', () => {
    expect(parseStr('a.b=1&c%20d=2&e[f.g]=3')).toEqual({ a_b: '1', c_d: '2', e: { 'f.g': '3' } });
  });

  it('ignores prototype keys', () => {
    const v = parseStr('__proto__[x]=1&a[__proto__][y]=2');
    expect(Object.getPrototypeOf({})).not.toHaveProperty('x');
    expect(v).toEqual({ a: {} });
  });
});

describe('buildQuery (http_build_query)', () => {
  it('encodes nesting with percent-encoded brackets and round-trips through parseStr', () => {
    const v = { event: 'ONCRMDEALUPDATE', data: { FIELDS: { ID: '1' } }, auth: { domain: 'x.bitrix24.ru' }, list: ['a b', 'c'] };
    const q = buildQuery(v);
    expect(q).toBe('event=ONCRMDEALUPDATE&data%5BFIELDS%5D%5BID%5D=1&auth%5Bdomain%5D=x.bitrix24.ru&list%5B0%5D=a+b&list%5B1%5D=c');
    expect(parseStr(q)).toEqual(v);
  });
});
