// Resource paths `…/standard.odata/<Resource>[(key)][/…]` (reference §1.2): Cyrillic percent-decoding, segments split
// outside quotes and parentheses, format negotiation and the query options with their 1C semantics.
import { errors } from './errors.ts';

export interface Segment {
  name: string;
  /** Raw text between the parentheses (undefined when the segment has none). */
  args?: string;
}

export function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw errors.badUrl(raw);
  }
}

export function parseResourcePath(path: string): Segment[] {
  const segs: string[] = [];
  let cur = '';
  let depth = 0;
  let q = false;
  for (const c of path) {
    if (c === "'") q = !q;
    if (!q && c === '(') depth++;
    if (!q && c === ')') depth--;
    if (c === '/' && !q && depth === 0) {
      segs.push(cur);
      cur = '';
    } else cur += c;
  }
  segs.push(cur);
  while (segs.length && segs[segs.length - 1] === '') segs.pop();
  return segs.map((s) => {
    const open = s.indexOf('(');
    if (open < 0) return { name: s };
    if (!s.endsWith(')')) throw errors.badUrl(s);
    return { name: s.slice(0, open), args: s.slice(open + 1, -1) };
  });
}

export type MetadataLevel = 'minimal' | 'no' | 'full';

export interface Format {
  kind: 'json' | 'atom';
  meta: MetadataLevel;
}

/** `$format` wins over `Accept`; without either 1C answers in atom-xml. */
export function negotiate(formatParam: string | null, accept: string | undefined): Format {
  const metaOf = (s: string): MetadataLevel => (/odata=nometadata/i.test(s) ? 'no' : /odata=fullmetadata/i.test(s) ? 'full' : 'minimal');
  if (formatParam !== null) {
    const f = formatParam.trim();
    if (/^json$/i.test(f) || /^application\/json/i.test(f)) return { kind: 'json', meta: metaOf(f) };
    if (/^(atom|xml)$/i.test(f) || /^application\/(atom\+)?xml/i.test(f)) return { kind: 'atom', meta: 'minimal' };
    throw errors.representation(f);
  }
  if (accept && /application\/json/i.test(accept)) return { kind: 'json', meta: metaOf(accept) };
  return { kind: 'atom', meta: 'minimal' };
}

export interface QueryOptions {
  filter?: string;
  select?: string;
  expand?: string;
  orderby?: string;
  top?: number;
  skip?: number;
  inlinecount: boolean;
  format: string | null;
  /** Other (non-`$`) parameters: virtual-table arguments, PostingModeOperational, allowedOnly. */
  params: Map<string, string>;
}

const SYSTEM = new Set(['$filter', '$select', '$expand', '$orderby', '$top', '$skip', '$inlinecount', '$format', '$allowedOnly']);

export function parseQuery(search: URLSearchParams): QueryOptions {
  const out: QueryOptions = { inlinecount: false, format: null, params: new Map() };
  for (const [k, v] of search) {
    if (k.startsWith('$') && !SYSTEM.has(k)) throw errors.queryOptions(`неизвестная опция ${k}`);
    if (!k.startsWith('$')) {
      out.params.set(k, v);
      continue;
    }
    switch (k) {
      case '$filter':
        out.filter = v;
        break;
      case '$select':
        out.select = v;
        break;
      case '$expand':
        out.expand = v;
        break;
      case '$orderby':
        out.orderby = v;
        break;
      case '$top':
      case '$skip': {
        if (!/^\d+$/.test(v.trim())) throw errors.queryOptions(`${k} должен быть неотрицательным целым числом`);
        out[k === '$top' ? 'top' : 'skip'] = Number(v);
        break;
      }
      case '$inlinecount':
        if (v !== 'allpages' && v !== 'none') throw errors.queryOptions(`$inlinecount=${v}`);
        out.inlinecount = v === 'allpages';
        break;
      case '$format':
        out.format = v;
        break;
      case '$allowedOnly':
        out.params.set('allowedOnly', v);
        break;
    }
  }
  return out;
}

/** Splits a comma list at the top level (commas inside quotes or parentheses stay). */
export function splitTop(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let q = false;
  for (const c of s) {
    if (c === "'") q = !q;
    if (!q && c === '(') depth++;
    if (!q && c === ')') depth--;
    if (c === ',' && !q && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
