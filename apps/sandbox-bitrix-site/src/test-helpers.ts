// Shared by the conformance tests: the real CommerceML fixtures, admin calls, REST calls, and validation of
// the site's windows-1251 XML against the official CommerceML 2.10 XSD with libxml2's xmllint (WebAssembly).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import iconv from 'iconv-lite';
import { validateXML } from 'xmllint-wasm';

// The project's shared material lives beside the checkout (`../shared`); ESB_SHARED_DIR points elsewhere.
export const FIXTURES = resolve(process.env.ESB_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared'), 'fixtures/commerceml');

export function fixture(name: string): Buffer {
  try {
    return readFileSync(resolve(FIXTURES, name));
  } catch (e) {
    throw new Error(`CommerceML fixture ${name} not found in ${FIXTURES} (set ESB_SHARED_DIR to the shared folder)`, { cause: e });
  }
}

export async function admin<T = unknown>(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/_admin/${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function rest<T = unknown>(restUrl: string, method: string, params: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${restUrl}${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  return { status: res.status, body: (await res.json()) as T };
}

/**
 * Validates windows-1251 bytes against the XSD. This libxml2 build has no iconv, so the bytes are transcoded to
 * UTF-8 (and only the declared encoding changed) first; the content validated is exactly what the site sent.
 */
export async function validateAgainstXsd(bytes: Buffer): Promise<{ valid: boolean; errors: string[] }> {
  const text = iconv.decode(bytes, 'win1251');
  const declared = /^<\?xml[^>]*encoding="([^"]+)"/.exec(text)?.[1];
  if (declared?.toLowerCase() !== 'windows-1251') throw new Error(`the document declares ${declared ?? 'no'} encoding`);
  const utf8 = text.replace(/^(<\?xml[^>]*encoding=")windows-1251(")/, '$1UTF-8$2');
  const res = await validateXML({ xml: [{ fileName: 'query.xml', contents: utf8 }], schema: [readFileSync(resolve(FIXTURES, 'commerceml-2.10.xsd'), 'utf8')] });
  return { valid: res.valid, errors: res.errors.map((e) => e.rawMessage) };
}

export const legalBuyer = {
  COMPANY: 'ООО «Ромашка»',
  COMPANY_ADR: '119021, Москва, ул. Льва Толстого, 16',
  INN: '7707083893',
  KPP: '773601001',
  CONTACT_PERSON: 'Иванов Иван Иванович',
  EMAIL: 'buyer@romashka.ru',
  PHONE: '+7 495 123-45-67',
  ADDRESS: 'Москва, ул. Складская, 5',
};

export const individualBuyer = { FIO: 'Петрова Анна Сергеевна', EMAIL: 'anna@example.com', PHONE: '+7 916 000-11-22', ADDRESS: 'Казань, ул. Баумана, 1' };
