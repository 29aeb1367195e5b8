import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { fmt2, fmt4, mul, parseDec4, phpFloat } from './money.ts';
import { parsePhpQuery } from './params.ts';
import { Clock } from './clock.ts';
import { decodeXml, parseXml, field } from '../exchange/xml.ts';

describe('helpers', () => {
  it('parses 1C numbers (comma decimals, spaces) into ten-thousandths and prints them as Bitrix does', () => {
    expect(parseDec4('1,4')).toBe(14000);
    expect(parseDec4(' 1 234,50 ')).toBe(12345000);
    expect(parseDec4('0,00005')).toBe(1);
    expect(() => parseDec4('abc')).toThrow();
    expect(fmt4(2317400)).toBe('231.7400');
    expect(fmt2(2317450)).toBe('231.75');
    expect(phpFloat(2233000)).toBe('223.3');
    expect(phpFloat(14800000)).toBe('1480');
    expect(mul(parseDec4('1788.96'), parseDec4('2'))).toBe(parseDec4('3577.92'));
    expect(mul(parseDec4('99999999.99'), parseDec4('1000'))).toBe(parseDec4('99999999990'));
  });

  it('parses PHP bracket parameters into nested maps and lists', () => {
    expect(parsePhpQuery('filter[>id]=5&select[]=id&select[]=name&fields[order][id]=7')).toEqual({ filter: { '>id': '5' }, select: ['id', 'name'], fields: { order: { id: '7' } } });
  });

  it('decodes XML by BOM or declared encoding and reads it namespace-agnostically', () => {
    const cp = iconv.encode('<?xml version="1.0" encoding="windows-1251"?><a xmlns="urn:1C.ru:commerceml_2"><Ид>Привет</Ид></a>', 'win1251');
    const p1 = parseXml(decodeXml(cp));
    expect(p1.ok && field(p1.root, 'Ид')).toBe('Привет');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<?xml version="1.0" encoding="UTF-8"?><x:a xmlns:x="u"><x:b>ё</x:b></x:a>')]);
    const p2 = parseXml(decodeXml(bom));
    expect(p2.ok && p2.rootName).toBe('a');
    expect(p2.ok && field(p2.root, 'b')).toBe('ё');
  });

  it('formats site-local time with the zone offset', () => {
    const c = new Clock('Europe/Moscow');
    const t = Date.UTC(2021, 1, 11, 15, 45, 21);
    expect(c.iso(t)).toBe('2021-02-11T18:45:21+03:00');
    expect(c.ru(t)).toBe('11.02.2021 18:45:21');
  });
});
