// Phone and e-mail normalisation: an E.164 phone or a lower-cased e-mail is the natural key of an individual,
// so every way a person's contact is typed in Bitrix24, on a site or in 1C must end up as one string.
import { idFailure, type IdResult } from './identifiers.ts';

/** The extension ("доб. 123") is kept apart: it is not part of the number that identifies a person. */
export type PhoneResult = IdResult<{ extension?: string }>;

/** The national conventions `normalizePhone` knows for numbers written without `+`. */
export type PhoneCountry = 'RU';

// A trailing extension, optionally in parentheses: "доб. 123", "доп 5", "вн. 12", "ext 12", "x12", "#12".
const EXTENSION = /[\s,;]*\(?\s*(?:доб(?:авочный)?|доп|вн(?:утр(?:енний)?)?|ext(?:ension)?|x|#)\s*[.:]?\s*(\d{1,8})\s*\)?\s*$/iu;
// Everything people put between digits; anything else (letters, slashes) is not a number we should guess at.
const SEPARATORS = /[\s\-–—.()]/g;

function phoneLabel(raw: string): string {
  return `phone ${JSON.stringify(raw)}`;
}

// The +7 zone (Russia, Kazakhstan) has 10-digit national numbers starting with 3–9; 0–2 are typos or fragments.
function plusSeven(raw: string, national: string): PhoneResult {
  if (national.length !== 10) {
    return idFailure('ESB_ID_FORMAT', `${phoneLabel(raw)}: has ${national.length} digits after +7, expected 10`);
  }
  if (!/^[3-9]/.test(national)) {
    return idFailure('ESB_ID_FORMAT', `${phoneLabel(raw)}: a +7 number cannot start with ${national[0]} after the country code`);
  }
  return { ok: true, value: `+7${national}` };
}

/**
 * Normalises to E.164 (`+79161234567`). Russian habits are understood when `defaultCountry` is 'RU': a leading
 * 8 or 7 before ten digits, ten bare digits, and 8-10 / 00 as the international prefix. With `null` only
 * international notation (`+…` or `00…`) is accepted.
 */
export function normalizePhone(input: string, defaultCountry: PhoneCountry | null = 'RU'): PhoneResult {
  const raw = input.trim();
  if (raw === '') return idFailure('ESB_ID_EMPTY', 'phone is empty');

  const ext = EXTENSION.exec(raw);
  const number = ext ? raw.slice(0, ext.index) : raw;
  const extension = ext?.[1];
  const withExtension = (r: PhoneResult): PhoneResult => (r.ok && extension !== undefined ? { ...r, extension } : r);

  const compact = number.replace(SEPARATORS, '');
  const foreign = compact.replace(/[\d+]/g, '');
  if (foreign !== '') {
    return idFailure('ESB_ID_FORMAT', `${phoneLabel(raw)}: contains characters that are not part of a phone number: ${JSON.stringify(foreign)}`);
  }
  if (compact.lastIndexOf('+') > 0) return idFailure('ESB_ID_FORMAT', `${phoneLabel(raw)}: "+" may only start the number`);
  let digits = compact.replace('+', '');
  if (digits === '') return idFailure('ESB_ID_FORMAT', `${phoneLabel(raw)}: has no digits`);

  let international = compact.startsWith('+');
  if (!international && digits.startsWith('00')) {
    international = true;
    digits = digits.slice(2);
  } else if (!international && defaultCountry === 'RU' && digits.startsWith('810') && digits.length !== 11) {
    // 8-10-<country>… is how international numbers are dialled from Russia; 11 digits would be 8 + a local number.
    international = true;
    digits = digits.slice(3);
  }

  if (international) {
    if (digits.startsWith('7')) return withExtension(plusSeven(raw, digits.slice(1)));
    if (digits.startsWith('0')) return idFailure('ESB_ID_FORMAT', `${phoneLabel(raw)}: a country code cannot start with 0`);
    // +89… is unassigned: almost always the Russian trunk prefix 8 typed after a "+".
    if (digits.startsWith('89')) {
      return idFailure('ESB_ID_FORMAT', `${phoneLabel(raw)}: +89 is not a country code; write a Russian number as +7 9… or 8 9…`);
    }
    if (digits.length < 8 || digits.length > 15) {
      return idFailure('ESB_ID_FORMAT', `${phoneLabel(raw)}: has ${digits.length} digits, an international number has 8 to 15`);
    }
    return withExtension({ ok: true, value: `+${digits}` });
  }

  if (defaultCountry === null) {
    return idFailure('ESB_ID_FORMAT', `${phoneLabel(raw)}: no country code; write it as +<country code> <number>`);
  }
  if (digits.length === 11 && (digits.startsWith('8') || digits.startsWith('7'))) return withExtension(plusSeven(raw, digits.slice(1)));
  if (digits.length === 10) return withExtension(plusSeven(raw, digits));
  return idFailure(
    'ESB_ID_FORMAT',
    `${phoneLabel(raw)}: has ${digits.length} digits; a Russian number is 10 digits with the area code, optionally after 8 or +7`,
  );
}

// Deliberately loose (no RFC 5322 grammar): enough to reject typos that would split one person into two.
const EMAIL_LOCAL = /^[^\s@"(),:;<>[\\\]]+$/u;
const EMAIL_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;

/** Trims and lower-cases (mail providers treat the local part case-insensitively in practice). */
export function normalizeEmail(input: string): IdResult {
  const s = input.trim().toLowerCase();
  if (s === '') return idFailure('ESB_ID_EMPTY', 'e-mail is empty');
  const label = `e-mail ${JSON.stringify(input.trim())}`;
  const at = s.split('@');
  if (at.length !== 2) return idFailure('ESB_ID_FORMAT', `${label}: must contain exactly one "@"`);
  const [local = '', domain = ''] = at;
  if (local === '' || !EMAIL_LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return idFailure('ESB_ID_FORMAT', `${label}: the part before "@" is empty or contains spaces or misplaced dots`);
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => EMAIL_LABEL.test(l))) {
    return idFailure('ESB_ID_FORMAT', `${label}: the domain ${JSON.stringify(domain)} is not a host name like example.ru`);
  }
  if (s.length > 254) return idFailure('ESB_ID_FORMAT', `${label}: longer than 254 characters`);
  return { ok: true, value: s };
}
