// Profiles against the sandbox's real `$metadata`: each profile fits its own configuration, and a wrong profile is
// reported with the missing names, what the base has instead and which profile to try.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOneCSandbox, type OneCSandbox } from '@esb/sandbox-1c';
import { OneCClient } from './client.ts';
import { entitySet, fieldOf, validateAgainstMetadata, type ProfileId } from './profile.ts';

let sb: OneCSandbox;
const xml = new Map<string, string>();
const BASES: Array<[string, string, ProfileId]> = [
  ['ut', 'ut11', 'ut11.5'],
  ['ut114', 'ut11.4', 'ut11.4'],
  ['retail', 'retail', 'retail'],
  ['bp', 'bp30', 'bp3.0'],
];

beforeAll(async () => {
  sb = await startOneCSandbox({ port: 0, infobases: BASES.map(([name, profile]) => ({ name, profile, demo: true })) });
  for (const [name] of BASES) xml.set(name, (await new OneCClient({ baseUrl: sb.odataUrl(name), user: 'odata', password: 'odata' }).loadMetadata()).xml);
});
afterAll(async () => sb?.close());

describe('profiles', () => {
  it('names differ between releases as data', () => {
    expect(entitySet('ut11.5', 'prices')).toBe('InformationRegister_ЦеныНоменклатуры25');
    expect(entitySet('ut11.4', 'prices')).toBe('InformationRegister_ЦеныНоменклатуры');
    expect(fieldOf('ut11.5', 'vatRateField')).toEqual({ set: 'Document_ЗаказКлиента', table: 'Товары', property: 'СтавкаНДС_Key' });
    expect(fieldOf('ut11.4', 'vatRateField').property).toBe('СтавкаНДС');
    expect(() => entitySet('retail', 'customerInvoice')).toThrow(/retail has no entity "customerInvoice"/);
  });

  it.each(BASES)('%s base validates under its own profile', (name, _sandboxProfile, profile) => {
    const r = validateAgainstMetadata(profile, xml.get(name)!);
    expect(r.message).toBe('');
    expect(r.ok).toBe(true);
    expect(r.checked).toBeGreaterThan(10);
    expect(r.fittingProfiles).toContain(profile);
  });

  it('ut11.5 against an 11.4 base fails with a clear report', () => {
    const r = validateAgainstMetadata('ut11.5', xml.get('ut114')!);
    expect(r.ok).toBe(false);
    expect(r.fittingProfiles).toEqual(['ut11.4']);
    expect(r.missing.map((m) => m.expected)).toEqual(
      expect.arrayContaining(['InformationRegister_ЦеныНоменклатуры25', 'Catalog_СтавкиНДС', 'Document_ЗаказКлиента.Товары.СтавкаНДС_Key', 'Catalog_Номенклатура.СтавкаНДС_Key']),
    );
    expect(r.message).toContain('ut11.5 expects entity set InformationRegister_ЦеныНоменклатуры25 (prices), the base has InformationRegister_ЦеныНоменклатуры — wrong profile? try ut11.4');
    expect(r.message).toContain('ut11.5 expects property Document_ЗаказКлиента.Товары.СтавкаНДС_Key (vatRateField), the base has Document_ЗаказКлиента.Товары.СтавкаНДС — wrong profile? try ut11.4');
    expect(r.message).toContain('The base matches profile ut11.4.');
  });

  it('a set missing from every profile points at the OData composition', () => {
    const r = validateAgainstMetadata('ut11.5', xml.get('retail')!);
    expect(r.ok).toBe(false);
    expect(r.fittingProfiles).toEqual(['retail']);
    expect(r.message).toMatch(/Document_ЗаказКлиента \(customerOrder\), the base has Document_ЗаказПокупателя — wrong profile\? try retail/);
    expect(r.message).toMatch(/Catalog_Партнеры \(partner\), the base does not publish it — is it in the OData composition/);
  });

  it('refuses a non-CSDL answer (an HTML auth page) instead of reporting everything missing', () => {
    expect(() => validateAgainstMetadata('ut11.5', '<html><body>Ошибка авторизации</body></html>')).toThrow(/not a CSDL document/);
  });
});
