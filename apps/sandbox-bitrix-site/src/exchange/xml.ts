// Reading CommerceML as real files arrive: with or without a UTF-8 BOM, UTF-8 or windows-1251 (as the prolog
// declares), with the default namespace 1C writes or without it (Bitrix), prefixed or not — all reduced to a
// tree of local names. Values stay strings: barcodes and GUIDs must not become numbers.
import iconv from 'iconv-lite';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type XmlValue = string | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

/** Decodes bytes by BOM, then by the encoding the XML declaration names; UTF-8 when neither says. */
export function decodeXml(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  if (b[0] === 0xff && b[1] === 0xfe) return iconv.decode(b.subarray(2), 'utf16le');
  if (b[0] === 0xfe && b[1] === 0xff) return iconv.decode(b.subarray(2), 'utf16be');
  const head = b.subarray(0, 200).toString('latin1');
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1];
  const enc = declared && iconv.encodingExists(declared) ? declared : 'utf8';
  return iconv.decode(b, enc).replace(/^\uFEFF/, '');
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

export type ParseResult = { ok: true; root: XmlNode; rootName: string } | { ok: false; error: string };

export function parseXml(text: string): ParseResult {
  const v = XMLValidator.validate(text);
  if (v !== true) return { ok: false, error: `${v.err.msg} (line ${v.err.line}, column ${v.err.col})` };
  const tree = parser.parse(text) as unknown;
  if (!isNode(tree)) return { ok: false, error: 'no root element' };
  const names = Object.keys(tree).filter((k) => !k.startsWith('@') && k !== '#text');
  const rootName = names[0];
  const root = rootName === undefined ? undefined : tree[rootName];
  if (rootName === undefined || root === undefined) return { ok: false, error: 'no root element' };
  return { ok: true, rootName, root: isNode(root) ? root : {} };
}

export function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A repeated element as a list, whether the parser saw one or many. */
export function list(v: XmlValue | undefined): XmlValue[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function nodes(v: XmlValue | undefined): XmlNode[] {
  return list(v).filter(isNode);
}

/** The child element of that name (the first one when repeated). */
export function child(n: XmlNode | undefined, name: string): XmlNode | undefined {
  const v = n?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return isNode(first) ? first : undefined;
}

/** Element text, trimmed ("" for an empty element or one that only has attributes). */
export function text(v: XmlValue | undefined): string {
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'string') return first.trim();
  if (isNode(first)) {
    const t = first['#text'];
    return typeof t === 'string' ? t.trim() : '';
  }
  return '';
}

export function field(n: XmlNode | undefined, name: string): string {
  return text(n?.[name]);
}

export function attr(n: XmlNode | undefined, name: string): string | undefined {
  const v = n?.['@' + name];
  return typeof v === 'string' ? v : undefined;
}

/** `ЗначенияРеквизитов/ЗначениеРеквизита` → name → value (first value when repeated). */
export function requisites(n: XmlNode | undefined): Array<{ name: string; value: string }> {
  return nodes(child(n, 'ЗначенияРеквизитов')?.['ЗначениеРеквизита']).map((r) => ({ name: field(r, 'Наименование'), value: field(r, 'Значение') }));
}
