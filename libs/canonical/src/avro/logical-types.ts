// Avro logical types for canonical records: decimals, timestamps, dates and UUIDs are plain JSON-safe strings in
// TypeScript, so records can be logged, compared and stored as they are. Nothing is ever rounded silently.
import avro from 'avsc';
import type { ForSchemaOptions, Schema, Type } from 'avsc';

type LogicalTypeClass = ForSchemaOptions['logicalTypes'][string];
type SchemaAttrs = { [k: string]: unknown };

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|([+-])(\d{2}):(\d{2}))$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY_MS = 86_400_000;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (Buffer.isBuffer(value)) return `Buffer(${value.toString('hex')})`;
  try {
    return `${typeof value} ${JSON.stringify(value)}`;
  } catch {
    return typeof value;
  }
}

// ---- decimal ------------------------------------------------------------------------------------------------

/**
 * Parses a decimal string into its unscaled integer at `scale`. Fewer fraction digits are padded ("5" → 500 at
 * scale 2); more fraction digits than the scale, or more digits than the precision, throw.
 */
export function parseDecimal(value: unknown, precision: number, scale: number): bigint {
  const what = `decimal(${precision},${scale})`;
  if (typeof value !== 'string') {
    throw new TypeError(`${what} expects a decimal string such as "1234.50", got ${show(value)}`);
  }
  const m = DECIMAL_RE.exec(value);
  if (!m) throw new TypeError(`${what}: ${show(value)} is not a decimal string (digits, optional "-" and "." only, e.g. "-1234.50")`);
  const frac = m[3] ?? '';
  if (frac.length > scale) {
    throw new RangeError(`${what}: ${show(value)} has ${frac.length} fraction digits, more than scale ${scale} (precision ${precision}); round it explicitly before encoding`);
  }
  const unscaled = BigInt(`${m[2]}${frac.padEnd(scale, '0')}`);
  if (unscaled >= 10n ** BigInt(precision)) {
    throw new RangeError(`${what}: ${show(value)} exceeds precision ${precision} at scale ${scale} (at most ${precision - scale} integer digits)`);
  }
  return m[1] ? -unscaled : unscaled;
}

/** Formats an unscaled integer as a decimal string with exactly `scale` fraction digits. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Minimal big-endian two's-complement bytes of `v` (as Java's BigInteger.toByteArray: zero is one 0x00 byte). */
export function toTwosComplement(v: bigint, size?: number): Buffer {
  let bytes = 1;
  while (v < -(1n << BigInt(8 * bytes - 1)) || v >= 1n << BigInt(8 * bytes - 1)) bytes++;
  if (size !== undefined) {
    if (bytes > size) throw new RangeError(`${v} does not fit in ${size} bytes of two's complement`);
    bytes = size;
  }
  const twos = v < 0n ? (1n << BigInt(8 * bytes)) + v : v;
  return Buffer.from(twos.toString(16).padStart(2 * bytes, '0'), 'hex');
}

export function fromTwosComplement(buf: Buffer): bigint {
  if (buf.length === 0) return 0n;
  const unsigned = BigInt(`0x${buf.toString('hex')}`);
  return (buf[0] ?? 0) & 0x80 ? unsigned - (1n << BigInt(8 * buf.length)) : unsigned;
}

function rescale(unscaled: bigint, from: number, to: number): bigint {
  if (to >= from) return unscaled * 10n ** BigInt(to - from);
  const factor = 10n ** BigInt(from - to);
  if (unscaled % factor !== 0n) throw new RangeError(`decimal ${formatDecimal(unscaled, from)} cannot be read at scale ${to} without rounding`);
  return unscaled / factor;
}

class DecimalType extends avro.types.LogicalType {
  readonly precision: number;
  readonly scale: number;
  private readonly size: number | undefined;

  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts);
    const attrs = schema as SchemaAttrs;
    const precision = attrs.precision;
    const scale = attrs.scale ?? 0;
    if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) {
      throw new Error(`decimal: precision must be a positive integer, got ${show(precision)}`);
    }
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new Error(`decimal(${precision}): scale must be an integer from 0 to the precision, got ${show(scale)}`);
    }
    const under = this.underlyingType;
    if (!avro.Type.isType(under, 'bytes', 'fixed')) throw new Error(`decimal must be based on bytes or fixed, not ${under.typeName}`);
    this.precision = precision;
    this.scale = scale;
    this.size = avro.Type.isType(under, 'fixed') ? (under as unknown as { size: number }).size : undefined;
  }

  protected override _fromValue(buf: Buffer): string {
    const unscaled = fromTwosComplement(buf);
    if ((unscaled < 0n ? -unscaled : unscaled) >= 10n ** BigInt(this.precision)) {
      throw new RangeError(`decimal(${this.precision},${this.scale}): read value ${formatDecimal(unscaled, this.scale)} exceeds precision ${this.precision}`);
    }
    return formatDecimal(unscaled, this.scale);
  }

  protected override _toValue(value: unknown): Buffer {
    return toTwosComplement(parseDecimal(value, this.precision, this.scale), this.size);
  }

  protected override _resolve(writer: Type): ((v: unknown) => string) | undefined {
    if (writer instanceof DecimalType) {
      // The writer's type already decoded a decimal string; re-scale it exactly to ours, or fail (never round).
      if (writer.scale === this.scale && writer.precision <= this.precision) return (v) => v as string;
      return (v) => this._fromValue(toTwosComplement(rescale(parseDecimal(v, writer.precision, writer.scale), writer.scale, this.scale)));
    }
    if (avro.Type.isType(writer, 'bytes', 'fixed')) return (v) => this._fromValue(v as Buffer);
    return undefined;
  }

  protected override _export(schema: Schema): void {
    const attrs = schema as SchemaAttrs;
    attrs.precision = this.precision;
    attrs.scale = this.scale;
  }
}

// ---- timestamp-millis -------------------------------------------------------------------------------------------

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function utcMillis(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

function validDate(y: number, mo: number, d: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

/** Milliseconds since the epoch of an ISO-8601 timestamp with `Z` or an offset (`2026-11-21T10:00:00.000Z`). */
export function parseTimestamp(value: unknown): number {
  if (typeof value !== 'string') {
    throw new TypeError(`timestamp-millis expects an ISO-8601 string such as "2026-11-21T10:00:00.000Z", got ${show(value)}`);
  }
  const m = TIMESTAMP_RE.exec(value);
  const bad = () => new RangeError(`timestamp-millis: ${show(value)} is not a valid ISO-8601 timestamp with Z or an offset and at most millisecond precision (e.g. "2026-11-21T10:00:00.000Z")`);
  if (!m) throw bad();
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const offH = m[10] === undefined ? 0 : Number(m[10]);
  const offM = m[11] === undefined ? 0 : Number(m[11]);
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59 || offH > 23 || offM > 59) throw bad();
  const offset = (m[9] === '-' ? -1 : 1) * (offH * 60 + offM) * 60_000;
  return utcMillis(y, mo, d, h, mi, s, ms) - offset;
}

export function formatTimestamp(millis: number): string {
  return new Date(millis).toISOString();
}

class TimestampMillisType extends avro.types.LogicalType {
  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts);
    if (!avro.Type.isType(this.underlyingType, 'long')) throw new Error(`timestamp-millis must be based on long, not ${this.underlyingType.typeName}`);
  }

  protected override _fromValue(millis: number): string {
    return formatTimestamp(millis);
  }

  protected override _toValue(value: unknown): number {
    return parseTimestamp(value);
  }

  protected override _resolve(writer: Type): ((v: unknown) => string) | undefined {
    if (writer instanceof TimestampMillisType) return (v) => v as string;
    if (avro.Type.isType(writer, 'long', 'int')) return (v) => this._fromValue(v as number);
    return undefined;
  }
}

// ---- date ---------------------------------------------------------------------------------------------------------

/** Days since 1970-01-01 of a calendar date `YYYY-MM-DD`. */
export function parseDate(value: unknown): number {
  if (typeof value !== 'string') throw new TypeError(`date expects a "YYYY-MM-DD" string, got ${show(value)}`);
  const m = DATE_RE.exec(value);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  if (!m || !validDate(y, mo, d)) throw new RangeError(`date: ${show(value)} is not a valid calendar date "YYYY-MM-DD"`);
  return utcMillis(y, mo, d) / DAY_MS;
}

export function formatDate(days: number): string {
  const t = new Date(days * DAY_MS);
  const y = t.getUTCFullYear();
  const year = y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : `${y < 0 ? '-' : '+'}${String(Math.abs(y)).padStart(6, '0')}`;
  return `${year}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`;
}

class DateType extends avro.types.LogicalType {
  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts);
    if (!avro.Type.isType(this.underlyingType, 'int')) throw new Error(`date must be based on int, not ${this.underlyingType.typeName}`);
  }

  protected override _fromValue(days: number): string {
    return formatDate(days);
  }

  protected override _toValue(value: unknown): number {
    return parseDate(value);
  }

  protected override _resolve(writer: Type): ((v: unknown) => string) | undefined {
    if (writer instanceof DateType) return (v) => v as string;
    if (avro.Type.isType(writer, 'int')) return (v) => this._fromValue(v as number);
    return undefined;
  }
}

// ---- uuid ---------------------------------------------------------------------------------------------------------

/** Checks a canonical UUID: 8-4-4-4-12 lowercase hex (canonical ids are compared as strings, so case matters). */
export function checkUuid(value: unknown): string {
  if (typeof value !== 'string' || !UUID_RE.test(value)) {
    throw new TypeError(`uuid: ${show(value)} is not a lowercase UUID string such as "0b5c1a4e-7f3d-5e2a-9c1b-2d4e6f8a0b1c"`);
  }
  return value;
}

class UuidType extends avro.types.LogicalType {
  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts);
    if (!avro.Type.isType(this.underlyingType, 'string')) throw new Error(`uuid must be based on string, not ${this.underlyingType.typeName}`);
  }

  protected override _fromValue(value: string): string {
    return checkUuid(value);
  }

  protected override _toValue(value: unknown): string {
    return checkUuid(value);
  }

  protected override _resolve(writer: Type): ((v: unknown) => string) | undefined {
    if (writer instanceof UuidType || avro.Type.isType(writer, 'string')) return (v) => checkUuid(v);
    return undefined;
  }
}

// ---- options --------------------------------------------------------------------------------------------------------

/** The logical types, for avsc's `logicalTypes` option. */
export const avroLogicalTypes: Record<string, LogicalTypeClass> = Object.freeze({
  decimal: DecimalType as unknown as LogicalTypeClass,
  'timestamp-millis': TimestampMillisType as unknown as LogicalTypeClass,
  date: DateType as unknown as LogicalTypeClass,
  uuid: UuidType as unknown as LogicalTypeClass,
});

/**
 * Options for `avro.Type.forSchema(schema, avroTypeOptions)` and for @kafkajs/confluent-schema-registry
 * (`new SchemaRegistry(args, { [SchemaType.AVRO]: avroTypeOptions })` or `{ forSchemaOptions: avroTypeOptions }`).
 *
 * Unions are never wrapped: canonical unions are `["null", X]`, decoded as `X | null`; an ambiguous union is an error.
 * An invalid logical type (a decimal without precision, a date on a string) is an error too, where the Avro spec
 * would quietly fall back to the underlying type and hand out Buffers and numbers instead of strings.
 *
 * avsc writes the registry of named types into the options object it is given, so reusing one object for two
 * schemas would fail with "duplicate type name". This object is safe to reuse: its `registry` always reads as
 * empty, and its type hook restarts every top-level `forSchema` call on a fresh copy of the options.
 */
export const avroTypeOptions: Partial<ForSchemaOptions> = Object.defineProperty(
  {
    logicalTypes: avroLogicalTypes,
    wrapUnions: 'never' as const,
    assertLogicalTypes: true,
    typeHook: (schema: Schema, opts: Partial<ForSchemaOptions>): Type | undefined => {
      if (opts !== avroTypeOptions) return undefined; // a copy: avsc proceeds as usual
      return avro.Type.forSchema(schema, { ...avroTypeOptions, registry: {} });
    },
  },
  'registry',
  { get: () => undefined, set: () => undefined, enumerable: false, configurable: false },
) as Partial<ForSchemaOptions>;
