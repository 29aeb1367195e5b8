// Exchange sessions: PHP sessions keyed by the PHPSESSID cookie, each with Bitrix's sessid token, the logged-in
// user and what the catalog and sale components keep in $_SESSION between calls (upload dir, zip flag,
// import step). Also the request-side helpers: cookies, HTTP Basic credentials, upload file names.
import { createHash, randomBytes } from 'node:crypto';
import type { CatalogPlan } from '../catalog/cml.ts';

export const SESSION_NAME = 'PHPSESSID';

export interface CatalogProgress {
  /** The file the steps work on (they do not restart when 1C names another file: the step counter is per session). */
  file: string;
  /** CIBlockCMLImport's NS["STEP"]: 0 … 10. */
  step: number;
  plan: CatalogPlan | null;
  /** Why the file could not be read as CommerceML; reported at the metadata step, as Bitrix does. */
  readError: string | null;
  elementIndex: number;
  /** Progress calls still owed to a slow-import fault. */
  slowCalls: number;
  slowDone: number;
}

export interface ExchangeSession {
  id: string;
  /** bitrix_sessid(): the token 1C echoes back as `sessid=`. */
  sessid: string;
  userId: number | null;
  createdAt: number;
  catalog: {
    /** false: no zip; true: zip mode announced by init; string: the last uploaded file, to be unpacked. */
    zip: boolean | string;
    ns: CatalogProgress | null;
    files: Map<string, Buffer>;
  };
  sale: {
    zip: boolean | string;
    /** `version=` 1C sent to init: non-empty switches to the new protocol (file, then import). */
    version: string;
    files: Map<string, Buffer>;
    slowCalls: number | null;
  };
}

export function newSession(now: number): ExchangeSession {
  // PHP 7.1+ default: 26 characters, 5 bits each ([0-9a-v]).
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  const id = [...randomBytes(26)].map((b) => alphabet[b % 32]).join('');
  return {
    id,
    sessid: createHash('md5').update(randomBytes(16)).digest('hex'),
    userId: null,
    createdAt: now,
    catalog: { zip: false, ns: null, files: new Map() },
    sale: { zip: false, version: '', files: new Map(), slowCalls: null },
  };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export function basicCredentials(header: string | undefined): { login: string; password: string } | null {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  return { login: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

const SCRIPT_EXT = /\.(php\d?|phtml|pl|py|cgi|asp|aspx|jsp|shtml|htaccess)$/i;

/**
 * The components' file-name check: strip `/tmp/` or `upload/1c/webdata` (1C on Linux), turn backslashes into
 * slashes, trim slashes; script extensions, `.htaccess` and paths leaving the upload dir are refused (null).
 */
export function uploadName(raw: string | null): string | null {
  if (raw === null || raw.trim() === '') return null;
  const name = raw
    .trim()
    .replace(/^(\/tmp\/|upload\/1c\/webdata)/, '')
    .replace(/\\/g, '/')
    .replace(/^\/+|\/+$/g, '');
  if (name === '' || SCRIPT_EXT.test(name) || name.split('/').some((seg) => seg === '..' || seg === '.' || seg.startsWith('.ht'))) return null;
  return name;
}
