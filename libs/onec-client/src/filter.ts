// A small typed `$filter` builder for 1C's OData: the left side is always a field path (checked, never quoted), the
// right side always a value rendered by literals.ts, so a customer's INN or a product name can never change the
// shape of the query. Output is plain OData v3 text; the client percent-encodes it when building the URL.
import { assertName, literal, str, type Value } from './literals.ts';

/** A rendered filter expression. `precedence` decides where parentheses are needed when combined. */
export class Filter {
  private constructor(
    readonly text: string,
    /** 0 = or, 1 = and, 2 = not / comparison / function (binds tighter than and/or). */
    readonly precedence: 0 | 1 | 2,
  ) {}

  toString(): string {
    return this.text;
  }

  /** @internal for this module only. */
  static of(text: string, precedence: 0 | 1 | 2): Filter {
    return new Filter(text, precedence);
  }

  /** Free text for what the builder does not cover (lambdas, date functions); the caller owns its correctness. */
  static raw(text: string): Filter {
    return new Filter(`(${text})`, 2);
  }
}

/** Field paths: `Артикул`, `Контрагент_Key`, `Контрагент/ИНН` (navigation), `Товары/Цена` inside lambdas. */
function field(path: string): string {
  for (const part of path.split('/')) assertName(part, 'field');
  return path;
}

type Op = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

function compare(op: Op, path: string, value: Value): Filter {
  return Filter.of(`${field(path)} ${op} ${literal(value)}`, 2);
}

export const eq = (path: string, value: Value): Filter => compare('eq', path, value);
export const ne = (path: string, value: Value): Filter => compare('ne', path, value);
export const gt = (path: string, value: Value): Filter => compare('gt', path, value);
export const ge = (path: string, value: Value): Filter => compare('ge', path, value);
export const lt = (path: string, value: Value): Filter => compare('lt', path, value);
export const le = (path: string, value: Value): Filter => compare('le', path, value);

function join(op: 'and' | 'or', parts: Filter[]): Filter {
  if (!parts.length) throw new TypeError(`${op}() needs at least one expression`);
  if (parts.length === 1) return parts[0]!;
  const prec = op === 'and' ? 1 : 0;
  // Parenthesise only what binds looser than the operator, so `a and (b or c)` stays correct and readable.
  return Filter.of(parts.map((p) => (p.precedence < prec ? `(${p.text})` : p.text)).join(` ${op} `), prec);
}

export const and = (...parts: Filter[]): Filter => join('and', parts);
export const or = (...parts: Filter[]): Filter => join('or', parts);

export function not(part: Filter): Filter {
  return Filter.of(`not (${part.text})`, 2);
}

/**
 * Substring match. 1C has no `contains()` (OData v4); its `substringof(needle, haystack)` returns a boolean and the
 * reference's safe form compares it with `true`. Also the way to search unlimited strings, which 1C refuses in `eq`.
 */
export function substringof(needle: string, path: string): Filter {
  return Filter.of(`substringof(${str(needle).text}, ${field(path)}) eq true`, 2);
}

/** `Field eq v1 or Field eq v2 …` — 1C has no `in`; keep lists short (URL length, reference §1.12). */
export function anyOf(path: string, values: Value[]): Filter {
  return or(...values.map((v) => eq(path, v)));
}
