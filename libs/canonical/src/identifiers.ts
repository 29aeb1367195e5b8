// Russian registration identifiers (ИНН, КПП, ОГРН, ОГРНИП, СНИЛС): format and check-digit validation.
// Algorithms and test vectors: shared/reference/onec.md §5. Results are values, not exceptions, so mappers can decide.

/** A closed set: codes are never reused, and phones and e-mails (phones.ts) share it. */
export type IdErrorCode = 'ESB_ID_EMPTY' | 'ESB_ID_FORMAT' | 'ESB_ID_CHECKSUM';

export interface IdFailure {
  ok: false;
  code: IdErrorCode;
  /** Names the identifier type, the offending value and what is wrong with it. */
  message: string;
}

/** `value` is the normalised form (digits only, upper-case for КПП); `Extra` lets a kind add fields. */
export type IdResult<Extra extends object = Record<never, never>> = ({ ok: true; value: string } & Extra) | IdFailure;

export function idFailure(code: IdErrorCode, message: string): IdFailure {
  return { ok: false, code, message };
}

/**
 * Thrown where a caller cannot go on without a valid identifier (deriving a canonical id). Bad identifiers are
 * data errors: retrying cannot help, the record must be fixed at its source.
 */
export class CanonicalIdError extends Error {
  readonly code: IdErrorCode;
  readonly retriable = false;
  /** The raw value that was rejected, for the DLQ and the console search. */
  readonly businessKey: string;

  constructor(failure: IdFailure, businessKey: string, context?: string) {
    super(context ? `${context}: ${failure.message}` : failure.message);
    this.name = 'CanonicalIdError';
    this.code = failure.code;
    this.businessKey = businessKey;
  }
}

const INN10_WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN11_WEIGHTS = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN12_WEIGHTS = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

function digitsOf(s: string): number[] {
  return Array.from(s, Number);
}

function weightedCheck(digits: number[], weights: number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return (sum % 11) % 10;
}

// Common preamble: trim, reject empty, require the digit-only shape. Returns the trimmed value or a failure.
function digitsShape(type: string, input: string, lengths: readonly number[]): IdResult {
  const s = input.trim();
  if (s === '') return idFailure('ESB_ID_EMPTY', `${type} is empty`);
  if (!/^\d+$/.test(s)) return idFailure('ESB_ID_FORMAT', `${type} ${JSON.stringify(s)}: must contain digits only`);
  if (!lengths.includes(s.length)) {
    return idFailure('ESB_ID_FORMAT', `${type} ${s}: has ${s.length} digits, expected ${lengths.join(' or ')}`);
  }
  return { ok: true, value: s };
}

function checkDigit(type: string, value: string, position: number, expected: number): IdFailure | null {
  const actual = Number(value[position - 1]);
  if (actual === expected) return null;
  const where = position === value.length ? '' : ` at position ${position}`;
  return idFailure('ESB_ID_CHECKSUM', `${type} ${value}: check digit ${actual}${where} does not match computed ${expected}`);
}

/** ИНН: 10 digits for organisations, 12 for individuals and sole proprietors. */
export function validateInn(input: string): IdResult {
  const shaped = digitsShape('INN', input, [10, 12]);
  if (!shaped.ok) return shaped;
  const inn = shaped.value;
  // The first two digits are the region of the issuing tax office; 00 does not exist, and the check digit
  // of an all-zero placeholder (common in 1C data) is "valid", which would merge unrelated counterparties.
  if (inn.startsWith('00')) return idFailure('ESB_ID_FORMAT', `INN ${inn}: region code 00 does not exist (a placeholder?)`);
  const d = digitsOf(inn);
  if (inn.length === 10) return checkDigit('INN', inn, 10, weightedCheck(d, INN10_WEIGHTS)) ?? shaped;
  return checkDigit('INN', inn, 11, weightedCheck(d, INN11_WEIGHTS)) ?? checkDigit('INN', inn, 12, weightedCheck(d, INN12_WEIGHTS)) ?? shaped;
}

/**
 * КПП: tax office (4 digits) + reason (2 digits or, since 2019, upper-case Latin letters) + number (3 digits).
 * There is no checksum. Lower-case letters are accepted and upper-cased: the letters are Latin by rule.
 */
export function validateKpp(input: string): IdResult {
  const s = input.trim().toUpperCase();
  if (s === '') return idFailure('ESB_ID_EMPTY', 'KPP is empty');
  if (!/^\d{4}[\dA-Z]{2}\d{3}$/.test(s)) {
    return idFailure('ESB_ID_FORMAT', `KPP ${JSON.stringify(input.trim())}: expected 9 characters NNNNPPXXX (digits; PP may be Latin A-Z)`);
  }
  return { ok: true, value: s };
}

// ОГРН and ОГРНИП check digits are "the number modulo a prime"; BigInt keeps that exact at any length.
function modCheck(value: string, bodyLength: number, modulus: bigint): number {
  return Number((BigInt(value.slice(0, bodyLength)) % modulus) % 10n);
}

/** ОГРН: 13 digits; the first is 1 or 5 for a legal entity's primary registration number. */
export function validateOgrn(input: string): IdResult {
  const shaped = digitsShape('OGRN', input, [13]);
  if (!shaped.ok) return shaped;
  const v = shaped.value;
  if (v[0] !== '1' && v[0] !== '5') {
    return idFailure('ESB_ID_FORMAT', `OGRN ${v}: first digit ${v[0]} is not 1 or 5 (a 15-digit OGRNIP or a record number?)`);
  }
  return checkDigit('OGRN', v, 13, modCheck(v, 12, 11n)) ?? shaped;
}

/** ОГРНИП: 15 digits; the first is 3 for a sole proprietor's registration number. */
export function validateOgrnip(input: string): IdResult {
  const shaped = digitsShape('OGRNIP', input, [15]);
  if (!shaped.ok) return shaped;
  const v = shaped.value;
  if (v[0] !== '3') return idFailure('ESB_ID_FORMAT', `OGRNIP ${v}: first digit ${v[0]} is not 3`);
  return checkDigit('OGRNIP', v, 15, modCheck(v, 14, 13n)) ?? shaped;
}

// Numbers up to 001-001-998 were issued before the checksum rule and carry arbitrary control digits.
const SNILS_LAST_WITHOUT_CHECKSUM = 1_001_998;

/** СНИЛС: accepts «112-233-445 95», «112-233-445-95» and bare 11 digits; the value is the 11 digits. */
export function validateSnils(input: string): IdResult {
  const s = input.trim();
  if (s === '') return idFailure('ESB_ID_EMPTY', 'SNILS is empty');
  const m = /^(\d{3})[- ]?(\d{3})[- ]?(\d{3})[- ]?(\d{2})$/.exec(s);
  if (!m) return idFailure('ESB_ID_FORMAT', `SNILS ${JSON.stringify(s)}: expected 11 digits, written as XXX-XXX-XXX YY or bare`);
  const number = `${m[1]}${m[2]}${m[3]}`;
  const value = `${number}${m[4]}`;
  if (Number(number) <= SNILS_LAST_WITHOUT_CHECKSUM) return { ok: true, value };
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(number[i]) * (9 - i);
  const expected = sum < 100 ? sum : sum <= 101 ? 0 : sum % 101 === 100 ? 0 : sum % 101;
  const actual = Number(m[4]);
  if (actual !== expected) {
    return idFailure('ESB_ID_CHECKSUM', `SNILS ${value}: control number ${m[4]} does not match computed ${String(expected).padStart(2, '0')}`);
  }
  return { ok: true, value };
}

export const isValidInn = (s: string): boolean => validateInn(s).ok;
export const isValidKpp = (s: string): boolean => validateKpp(s).ok;
export const isValidOgrn = (s: string): boolean => validateOgrn(s).ok;
export const isValidOgrnip = (s: string): boolean => validateOgrnip(s).ok;
export const isValidSnils = (s: string): boolean => validateSnils(s).ok;

export type InnKind = 'legal' | 'individual';

/** 10 digits: an organisation; 12: a person (individual or sole proprietor). Throws on an invalid INN. */
export function innKind(inn: string): InnKind {
  const r = validateInn(inn);
  if (!r.ok) throw new CanonicalIdError(r, inn);
  return r.value.length === 10 ? 'legal' : 'individual';
}
