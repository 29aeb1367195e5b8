// Counterparty name normalisation: one comparison key for «ООО "Ромашка"», "Ромашка ООО" and the spelled-out form,
// so matching by name (when an INN is missing) does not depend on how a clerk typed quotes or the legal form.

/** Canonical legal-form codes. Latin forms map to their Russian equivalent where one exists (LLC → ООО). */
export type LegalForm =
  | 'ООО' | 'АО' | 'ПАО' | 'НАО' | 'ЗАО' | 'ОАО' | 'ИП' | 'НКО' | 'АНО' | 'ГУП' | 'ФГУП' | 'МУП' | 'ТСЖ' | 'КФХ'
  | 'INC' | 'CORP' | 'GMBH' | 'PLC';

export interface NormalizedName {
  /** Equal keys mean the same name: `<form>|<core, lower-cased, ё→е>`, the form part empty when none was found. */
  key: string;
  form: LegalForm | null;
  /** The name without legal form, quotes and stray punctuation, in its original case; for ИП the person's name. */
  core: string;
}

// Aliases are written lower-case with ё→е; dots are ignored when matching ("L.L.C.", "И.П."), so none are needed here.
// Transliterated forms (OOO, ZAO…) are how Russian companies sign English contracts.
const FORM_ALIASES: Record<LegalForm, readonly string[]> = {
  ООО: ['ооо', 'общество с ограниченной ответственностью', 'llc', 'ltd', 'limited', 'co ltd', 'limited liability company', 'ooo'],
  АО: ['ао', 'акционерное общество', 'jsc', 'joint stock company', 'joint-stock company', 'ao'],
  ПАО: ['пао', 'публичное акционерное общество', 'pjsc', 'public joint stock company', 'public joint-stock company', 'pao'],
  НАО: ['нао', 'непубличное акционерное общество'],
  ЗАО: ['зао', 'закрытое акционерное общество', 'cjsc', 'closed joint stock company', 'closed joint-stock company', 'zao'],
  ОАО: ['оао', 'открытое акционерное общество', 'ojsc', 'open joint stock company', 'open joint-stock company', 'oao'],
  ИП: ['ип', 'индивидуальный предприниматель', 'individual entrepreneur', 'sole proprietor'],
  НКО: ['нко', 'некоммерческая организация'],
  АНО: ['ано', 'автономная некоммерческая организация'],
  ГУП: ['гуп', 'государственное унитарное предприятие'],
  ФГУП: ['фгуп', 'федеральное государственное унитарное предприятие'],
  МУП: ['муп', 'муниципальное унитарное предприятие'],
  ТСЖ: ['тсж', 'товарищество собственников жилья'],
  КФХ: ['кфх', 'крестьянское фермерское хозяйство'],
  INC: ['inc', 'incorporated'],
  CORP: ['corp', 'corporation'],
  GMBH: ['gmbh'],
  PLC: ['plc', 'public limited company'],
};

// Longest first, so "публичное акционерное общество" is not read as "акционерное общество" preceded by a word.
const ALIASES: ReadonlyArray<{ form: LegalForm; tokens: readonly string[] }> = Object.entries(FORM_ALIASES)
  .flatMap(([form, aliases]) => aliases.map((a) => ({ form: form as LegalForm, tokens: a.split(' ') })))
  .sort((a, b) => b.tokens.length - a.tokens.length);

// Double quotes of every kind are never part of a name; single ones may be an apostrophe inside a word (O'Brien).
const DOUBLE_QUOTES = /[«»"“”„‟‹›〝〞＂]/g;
const SINGLE_QUOTES = /['‘’‚‛`´]/g;
const LEADING_PUNCTUATION = /^[\s.,;:!?\-–—]+/u;
const TRAILING_PUNCTUATION = /[\s,;:!?\-–—]+$/u;
// A final dot goes, except after initials ("Иванов И.И."), where it belongs to the name.
const TRAILING_DOTS = /(?<!\.\p{L})\.+$/u;

function trimPunctuation(s: string): string {
  let prev: string;
  let cur = s;
  do {
    prev = cur;
    cur = cur.replace(LEADING_PUNCTUATION, '').replace(TRAILING_PUNCTUATION, '').replace(TRAILING_DOTS, '');
  } while (cur !== prev);
  return cur;
}

// Latin and Cyrillic letters that look alike; clerks mix them ("OOO" typed on the wrong layout, "Ромашкa").
const LATIN_TO_CYRILLIC: Record<string, string> = { a: 'а', c: 'с', e: 'е', o: 'о', p: 'р', x: 'х', y: 'у', k: 'к', m: 'м', t: 'т', h: 'н', b: 'в' };
const CYRILLIC_TO_LATIN: Record<string, string> = Object.fromEntries(Object.entries(LATIN_TO_CYRILLIC).map(([l, c]) => [c, l]));

// A mixed-script word is folded to its majority script; a word in one script is left alone (no transliteration).
function foldScripts(word: string): string {
  const cyr = (word.match(/\p{Script=Cyrillic}/gu) ?? []).length;
  const lat = (word.match(/\p{Script=Latin}/gu) ?? []).length;
  if (cyr === 0 || lat === 0) return word;
  const map = cyr >= lat ? LATIN_TO_CYRILLIC : CYRILLIC_TO_LATIN;
  return Array.from(word, (ch) => map[ch] ?? ch).join('');
}

function foldWord(word: string): string {
  return foldScripts(word.toLowerCase().replaceAll('ё', 'е'));
}

// For matching a form: case, ё, scripts, dots and brackets do not matter ("(ООО)", "И.П.", "Ltd.,").
function formToken(word: string): string {
  return foldWord(word).replace(/[().,;:]/g, '');
}

function clean(name: string): string {
  const spaced = name
    .normalize('NFC')
    .replace(DOUBLE_QUOTES, ' ')
    // A single quote next to a letter on both sides is an apostrophe; elsewhere it is a quote.
    .replace(/(?<=\p{L})['‘’`´](?=\p{L})/gu, '\u0000')
    .replace(SINGLE_QUOTES, ' ')
    .replaceAll('\u0000', "'")
    .replace(/\s+/g, ' ');
  return trimPunctuation(spaced);
}

function matchesAt(words: readonly string[], start: number, tokens: readonly string[]): boolean {
  return tokens.every((t, i) => words[start + i] === t);
}

function coreKey(core: string): string {
  return core
    .split(' ')
    .map(foldWord)
    .join(' ')
    .replace(/[(),;]/g, ' ')
    .replace(/\s*[-–—]\s*/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

export function normalizeCounterpartyName(name: string): NormalizedName {
  const words = clean(name).split(' ').filter((w) => w !== '');
  const folded = words.map(formToken);
  let form: LegalForm | null = null;
  let rest = words;
  // The form goes first in Russian documents and last in English ones; both orders occur in both languages.
  for (const alias of ALIASES) {
    const n = alias.tokens.length;
    if (n >= words.length) continue;
    if (matchesAt(folded, 0, alias.tokens)) {
      form = alias.form;
      rest = words.slice(n);
      break;
    }
  }
  if (form === null) {
    for (const alias of ALIASES) {
      const n = alias.tokens.length;
      if (n >= words.length) continue;
      if (matchesAt(folded, words.length - n, alias.tokens)) {
        form = alias.form;
        rest = words.slice(0, words.length - n);
        break;
      }
    }
  }
  const core = trimPunctuation(rest.join(' '));
  return { key: `${form ?? ''}|${coreKey(core)}`, form, core };
}

/** Same legal form and same core name. An empty name matches nothing, not even another empty name. */
export function sameCounterpartyName(a: string, b: string): boolean {
  const x = normalizeCounterpartyName(a);
  const y = normalizeCounterpartyName(b);
  return x.core !== '' && y.core !== '' && x.key === y.key;
}
